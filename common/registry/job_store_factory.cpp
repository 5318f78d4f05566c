#include "common/registry/job_store_factory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/registry/pg_job_store.h"
#include "common/registry/sqlite_job_store.h"

namespace fructosa {

std::unique_ptr<JobStore> open_job_store(const RegistrySettings& settings, JobStoreMode mode) {
    if (settings.uses_postgresql())
        return std::make_unique<PgJobStore>(settings.url, mode, PgJobStore::Schema::Create, settings.busy_timeout_ms);
    return std::make_unique<SqliteJobStore>(settings.path, mode, settings.busy_timeout_ms);
}

std::unique_ptr<JobStore> open_existing_job_store(const RegistrySettings& settings, JobStoreMode mode) {
    // A database without the tables is refused by the store itself (check_pg_registry_schema).
    if (settings.uses_postgresql())
        return std::make_unique<PgJobStore>(settings.url, mode, PgJobStore::Schema::Require, settings.busy_timeout_ms);
    struct stat st {};
    if (::stat(settings.path.c_str(), &st) != 0) {
        if (errno == ENOENT)
            throw JobRegistryError(fmt::format(
                "job registry {} does not exist: lmaster creates it on its first start "
                "(start lmaster first, or fix [registry] path)",
                settings.path));
        throw JobRegistryError(fmt::format("cannot open job registry {}: {}", settings.path, std::strerror(errno)));
    }
    return open_job_store(settings, mode);
}

}  // namespace fructosa
