#pragma once
/// One libpq connection of the PostgreSQL job registry: run SQL with text parameters
/// ($1, $2, ...), read result rows. Failures throw JobRegistryError naming the server by
/// its URL without the password. One object is one connection: one thread at a time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct pg_conn;
struct pg_result;

namespace fructosa {

/// A query's parameters in order ($1 first), as text; nullopt is SQL NULL.
class PgParams {
public:
    PgParams& add(std::int64_t v);
    PgParams& add(std::uint64_t v) { return add(static_cast<std::int64_t>(v)); }
    PgParams& add(int v) { return add(static_cast<std::int64_t>(v)); }
    PgParams& add(double v);
    PgParams& add(const std::string& v);
    PgParams& add(const char* v) { return add(std::string(v)); }
    PgParams& add_null();
    template <typename T>
    PgParams& add(const std::optional<T>& v) {
        return v ? add(*v) : add_null();
    }
    /// The JSON text of `v`, or NULL when `v` is null.
    PgParams& add_json(const nlohmann::json& v) { return v.is_null() ? add_null() : add(v.dump()); }

    const std::vector<std::optional<std::string>>& values() const { return values_; }

private:
    std::vector<std::optional<std::string>> values_;
};

/// The rows of one query. Columns are read as SqliteStatement's (job_row_reader.h reads
/// both): row `r`, column `c`, 0-based.
class PgResult {
public:
    explicit PgResult(pg_result* res) : res_(res) {}
    ~PgResult();
    PgResult(PgResult&& other) noexcept : res_(other.res_) { other.res_ = nullptr; }
    PgResult& operator=(PgResult&&) = delete;
    PgResult(const PgResult&) = delete;

    int rows() const;
    /// Rows changed by an INSERT, UPDATE or DELETE.
    std::uint64_t affected() const;

    /// One row of the result, with SqliteStatement's accessors.
    class Row {
    public:
        Row(const PgResult& r, int row) : r_(r), row_(row) {}
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
        const PgResult& r_;
        int row_;
    };
    Row row(int r) const { return Row(*this, r); }

private:
    pg_result* res_;
};

class PgConnection {
public:
    /// Connects to `url` (postgresql://... or postgres://...). Throws JobRegistryError
    /// "cannot connect to job registry URL: ..." with the password replaced by ***.
    /// `session_sql` (SET statements) runs on every connect and reconnect.
    explicit PgConnection(const std::string& url, std::string session_sql = "");
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    /// The URL as messages show it (no password).
    const std::string& where() const { return where_; }

    /// Runs `sql` with `params`; throws JobRegistryError "job registry WHERE: SQL error".
    PgResult query(const std::string& sql, const PgParams& params = {});
    /// Runs `sql` (one or more statements, no parameters, results dropped).
    void exec(const std::string& sql);

    /// Connects again when the server dropped the connection (restart, network), so that
    /// a long-running lmaster outlives a database restart. Call between transactions only.
    void reconnect_if_broken();
    /// True once the connection is lost (a query failed because the server went away).
    bool broken() const;

private:
    void start_session();
    [[noreturn]] void fail(const std::string& what) const;
    PgResult checked(pg_result* res);

    std::string url_;
    std::string where_;
    std::string session_sql_;
    pg_conn* conn_ = nullptr;
};

}  // namespace fructosa
