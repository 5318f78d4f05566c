#include "common/registry/sqlite_statement.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "common/registry/job_store.h"

namespace fructosa {

void throw_sqlite_error(sqlite3* db, const std::string& path, const std::string& what) {
    throw JobRegistryError(fmt::format("job registry {}: {}: {}", path, what, db ? sqlite3_errmsg(db) : "closed"));
}

void exec_sql(sqlite3* db, const std::string& path, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw JobRegistryError(fmt::format("job registry {}: {}", path, msg));
    }
}

SqliteStatement::SqliteStatement(sqlite3* db, const std::string& sql, const std::string& path) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
        throw_sqlite_error(db_, path_, fmt::format("cannot prepare '{}'", sql.substr(0, 60)));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
}

SqliteStatement& SqliteStatement::bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }

SqliteStatement& SqliteStatement::bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }

SqliteStatement& SqliteStatement::bind(int i, const std::string& v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
}

SqliteStatement& SqliteStatement::bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }

bool SqliteStatement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    throw_sqlite_error(db_, path_, "query failed");
}

bool SqliteStatement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }

std::int64_t SqliteStatement::int64(int c) const { return sqlite3_column_int64(stmt_, c); }

double SqliteStatement::real(int c) const { return sqlite3_column_double(stmt_, c); }

std::string SqliteStatement::text(int c) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}

nlohmann::json SqliteStatement::json_of(int c) const {
    if (is_null(c)) return nullptr;
    return nlohmann::json::parse(text(c), nullptr, false);  // a damaged value reads as discarded, never throws
}

SqliteStatement& SqliteStatement::check(int rc) {
    if (rc != SQLITE_OK) throw_sqlite_error(db_, path_, "bind failed");
    return *this;
}

}  // namespace fructosa
