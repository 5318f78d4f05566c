#include "common/registry/job_store_factory.h"

#include "common/registry/sqlite_job_store.h"

namespace fructosa {

std::unique_ptr<JobStore> open_job_store(const RegistrySettings& settings, JobStoreMode mode) {
    return std::make_unique<SqliteJobStore>(settings.path, mode, settings.busy_timeout_ms);
}

}  // namespace fructosa
