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

void PgJobStore::ready_to_read() {
    if (transaction_depth_ == 0) db_->reconnect_if_broken();
}

void PgJobStore::in_transaction(const std::function<void()>& fn) {
    if (transaction_depth_ > 0) {
        fn();
        return;
    }
    // A connection the server dropped since the last call (a restart of the database,
    // an idle timeout) shows only when a statement fails: the whole transaction is then
    // run once more on a new connection. Had the COMMIT itself gone through unanswered,
    // the second run records the same event again, which leaves the same rows.
    for (int attempt = 0;; ++attempt) {
        db_->reconnect_if_broken();
        try {
            db_->exec("BEGIN");
            ++transaction_depth_;
            fn();
            db_->exec("COMMIT");
            --transaction_depth_;
            return;
        } catch (...) {
            transaction_depth_ = 0;
            if (db_->broken()) {
                if (attempt == 0) continue;
                throw;
            }
            try {
                db_->exec("ROLLBACK");
            } catch (const JobRegistryError&) {
                // Lost meanwhile: the server rolled back; the next call reconnects.
            }
            throw;
        }
    }
}

}  // namespace fructosa
