#include "common/registry/pg_job_store.h"

#include <algorithm>

#include <fmt/format.h>

#include "common/registry/pg_connection.h"
#include "common/registry/pg_schema.h"

namespace fructosa {

namespace {

/// What every session of the store sets: how long a writer waits for a row lock (SQLite's
/// busy timeout; 0 would mean forever here, so at least 1 ms), and read-only for readers.
std::string session_sql(JobStoreMode mode, int lock_timeout_ms) {
    std::string sql = fmt::format("SET lock_timeout = {}", std::max(lock_timeout_ms, 1));
    if (mode == JobStoreMode::ReadOnly) sql += "; SET default_transaction_read_only = on";
    return sql;
}

}  // namespace

PgJobStore::PgJobStore(const std::string& url, JobStoreMode mode, Schema schema, int lock_timeout_ms)
    : db_(std::make_unique<PgConnection>(url, session_sql(mode, lock_timeout_ms))),
      read_only_(mode == JobStoreMode::ReadOnly) {
    if (mode == JobStoreMode::ReadWrite && schema == Schema::Create)
        in_transaction([&] { create_pg_registry_schema(*db_); });
    check_pg_registry_schema(*db_);
}

PgJobStore::~PgJobStore() = default;

void PgJobStore::in_transaction(const std::function<void()>& fn) {
    if (transaction_depth_ > 0) {
        fn();
        return;
    }
    db_->reconnect_if_broken();
    db_->exec("BEGIN");
    ++transaction_depth_;
    try {
        fn();
        db_->exec("COMMIT");
        --transaction_depth_;
    } catch (...) {
        --transaction_depth_;
        try {
            db_->exec("ROLLBACK");
        } catch (const JobRegistryError&) {
            // The connection is gone: the server rolled back already; the next
            // transaction reconnects.
        }
        throw;
    }
}

}  // namespace fructosa
