#pragma once
/// The one place that picks a job store implementation from the settings: lmaster and
/// perad call this and hold the interfaces of job_store.h, never a store class.

#include <memory>

#include "common/registry/job_store.h"
#include "common/registry/registry_settings.h"

namespace fructosa {

/// Opens the registry `settings` names: the SQLite file at `settings.path`, waiting up to
/// `busy_timeout_ms` for the other process. ReadWrite creates it when missing. Throws
/// JobRegistryError naming the file.
std::unique_ptr<JobStore> open_job_store(const RegistrySettings& settings, JobStoreMode mode);

/// open_job_store for a registry that lmaster makes (perad, its admin commands): a
/// missing file is an error naming the path, never an empty registry created here.
std::unique_ptr<JobStore> open_existing_job_store(const RegistrySettings& settings, JobStoreMode mode);

}  // namespace fructosa
