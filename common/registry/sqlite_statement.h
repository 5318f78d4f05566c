#pragma once
/// A prepared SQLite statement of the job registry: bind by position (1-based), step,
/// read columns (0-based). Failures throw JobRegistryError naming the registry file.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

struct sqlite3;
struct sqlite3_stmt;

namespace fructosa {

/// Throws JobRegistryError "job registry PATH: WHAT: <SQLite's last error>".
[[noreturn]] void throw_sqlite_error(sqlite3* db, const std::string& path, const std::string& what);

/// Runs `sql` (one or more statements, no results); throws JobRegistryError
/// "job registry PATH: <SQLite's message>".
void exec_sql(sqlite3* db, const std::string& path, const char* sql);

class SqliteStatement {
public:
    /// Prepares `sql` on `db`; `path` (which must outlive the statement) names the file in errors.
    SqliteStatement(sqlite3* db, const std::string& sql, const std::string& path);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    /// Ready to run again, with every parameter unbound.
    SqliteStatement& reset();
    SqliteStatement& bind(int i, std::int64_t v);
    SqliteStatement& bind(int i, std::uint64_t v) { return bind(i, static_cast<std::int64_t>(v)); }
    SqliteStatement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    SqliteStatement& bind(int i, double v);
    SqliteStatement& bind(int i, const std::string& v);
    SqliteStatement& bind_null(int i);
    template <typename T>
    SqliteStatement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }
    /// Binds the JSON text of `v`, or NULL when `v` is null.
    SqliteStatement& bind_json(int i, const nlohmann::json& v) { return v.is_null() ? bind_null(i) : bind(i, v.dump()); }

    /// True while there is a row to read; false when done.
    bool step();
    /// Steps through every row.
    void run() {
        while (step()) {
        }
    }

    bool is_null(int c) const;
    std::int64_t int64(int c) const;
    double real(int c) const;
    std::string text(int c) const;
    std::optional<double> opt_real(int c) const { return is_null(c) ? std::nullopt : std::optional(real(c)); }
    std::optional<int> opt_int(int c) const {
        return is_null(c) ? std::nullopt : std::optional(static_cast<int>(int64(c)));
    }
    /// The column's JSON; null for NULL, discarded for damaged text (never throws).
    nlohmann::json json_of(int c) const;

private:
    SqliteStatement& check(int rc);

    sqlite3* db_;
    const std::string& path_;
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace fructosa
