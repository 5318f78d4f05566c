#pragma once
/// The one place that picks a job store implementation from the settings: lmaster and
/// perad call this and hold the interfaces of job_store.h, never a store class.

#include <memory>

#include "common/registry/job_store.h"
#include "common/registry/registry_settings.h"

namespace fructosa {

/// Opens the registry `settings` names: the PostgreSQL database at `settings.url` when
/// set, else the SQLite file at `settings.path`; a writer waits up to `busy_timeout_ms`
/// for another. ReadWrite creates it (file, tables) when missing. Throws JobRegistryError
/// naming the file or the URL (without its password).
std::unique_ptr<JobStore> open_job_store(const RegistrySettings& settings, JobStoreMode mode);

/// open_job_store for a registry that lmaster makes (perad, its admin commands): a
/// missing file (or a database without the tables) is an error naming it, never an
/// empty registry created here.
std::unique_ptr<JobStore> open_existing_job_store(const RegistrySettings& settings, JobStoreMode mode);

}  // namespace fructosa
