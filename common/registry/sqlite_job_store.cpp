#include "common/registry/sqlite_job_store.h"

#include <sys/stat.h>

#include <sqlite3.h>

#include <fmt/format.h>

#include "common/directories.h"
#include "common/registry/sqlite_schema.h"
#include "common/registry/sqlite_statement.h"

namespace fructosa {

namespace {

/// SQLite opens whatever the path names: a FIFO blocks its open() until a writer comes
/// (`perad show --registry FIFO` hung forever), a directory or device fails obscurely.
/// Only a regular file (or a link to one) is a registry; nothing there yet is fine for
/// the writer, which creates it.
void refuse_non_regular_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;  // absent: sqlite says so, or creates it
    if (S_ISREG(st.st_mode)) return;
    const char* what = S_ISFIFO(st.st_mode)  ? "a FIFO"
                       : S_ISDIR(st.st_mode) ? "a directory"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                     : "not a regular file";
    throw JobRegistryError(fmt::format("cannot open job registry {}: it is {}, not a regular file", path, what));
}

}  // namespace

SqliteJobStore::SqliteJobStore(const std::string& path, JobStoreMode mode, int busy_timeout_ms) : path_(path) {
    if (mode == JobStoreMode::ReadWrite) {
        // lmaster owns the registry: on a fresh machine (/var/lib/fructosa absent) it makes
        // the folder, as the spools make theirs, instead of failing to start.
        try {
            ensure_parent_directory(path, "the job registry");
        } catch (const std::runtime_error& e) {
            throw JobRegistryError(fmt::format("cannot open job registry {}: {}", path, e.what()));
        }
    }
    refuse_non_regular_file(path);
    int flags = mode == JobStoreMode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw JobRegistryError(fmt::format("cannot open job registry {}: {}", path, msg));
    }
    try {
        sqlite3_busy_timeout(db_, busy_timeout_ms);
        // Scans of a million jobs stay in memory instead of going through read() page by page.
        exec_sql(db_, path_, "PRAGMA cache_size=-65536");
        exec_sql(db_, path_, "PRAGMA mmap_size=1073741824");
        if (mode == JobStoreMode::ReadWrite) {
            exec_sql(db_, path_, "PRAGMA journal_mode=WAL");
            exec_sql(db_, path_, "PRAGMA synchronous=NORMAL");
            // Checkpoint (and fsync) every ~40 MB of WAL rather than every 4 MB.
            exec_sql(db_, path_, "PRAGMA wal_autocheckpoint=10000");
            in_transaction([&] { create_registry_schema(db_, path_); });
        }
        check_registry_schema(db_, path_);
    } catch (...) {
        close();
        throw;
    }
}

SqliteJobStore::~SqliteJobStore() { close(); }

void SqliteJobStore::close() {
    statements_.clear();
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
}

SqliteStatement& SqliteJobStore::prepared(const char* sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<SqliteStatement>(db_, sql, path_);
    return slot->reset();
}

void SqliteJobStore::in_transaction(const std::function<void()>& fn) {
    if (transaction_depth_ > 0) {
        fn();
        return;
    }
    exec_sql(db_, path_, "BEGIN IMMEDIATE");
    ++transaction_depth_;
    try {
        fn();
        exec_sql(db_, path_, "COMMIT");
        --transaction_depth_;
    } catch (...) {
        --transaction_depth_;
        char* err = nullptr;
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, &err);
        sqlite3_free(err);
        throw;
    }
}

}  // namespace fructosa
