#include "common/registry/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "common/registry/job_store.h"
#include "common/registry/registry_url.h"

namespace fructosa {

namespace {

/// libpq's messages end in a newline (and may span lines): one line for our logs.
std::string one_line(const char* msg) {
    std::string s = msg ? msg : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s)
        if (c == '\n') c = ' ';
    return s;
}

/// `url` with connect_timeout=10 unless it sets one: libpq's default is to wait for the
/// operating system's TCP timeout (minutes) when the database host does not answer.
std::string with_connect_timeout(const std::string& url) {
    if (url.find("connect_timeout=") != std::string::npos) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=10";
}

}  // namespace

PgParams& PgParams::add(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
}

PgParams& PgParams::add(double v) {
    values_.emplace_back(fmt::format("{}", v));  // shortest text that reads back as the same double
    return *this;
}

PgParams& PgParams::add(const std::string& v) {
    values_.emplace_back(v);
    return *this;
}

PgParams& PgParams::add_null() {
    values_.emplace_back(std::nullopt);
    return *this;
}

PgResult::~PgResult() {
    if (res_) PQclear(res_);
}

int PgResult::rows() const { return PQntuples(res_); }

std::uint64_t PgResult::affected() const {
    const char* n = PQcmdTuples(res_);
    return n && *n ? std::strtoull(n, nullptr, 10) : 0;
}

bool PgResult::Row::is_null(int c) const { return PQgetisnull(r_.res_, row_, c) != 0; }

std::int64_t PgResult::Row::int64(int c) const {
    if (is_null(c)) return 0;
    std::string_view v = PQgetvalue(r_.res_, row_, c);
    // SUM() over bigint gives numeric ("12.0" never, but "12" or "1.5e3" may come), a
    // boolean reads as t/f: all become integers here.
    if (v == "t") return 1;
    if (v == "f") return 0;
    if (v.find_first_of(".eE") != v.npos) return static_cast<std::int64_t>(std::strtod(v.data(), nullptr));
    return std::strtoll(v.data(), nullptr, 10);
}

double PgResult::Row::real(int c) const { return is_null(c) ? 0.0 : std::strtod(PQgetvalue(r_.res_, row_, c), nullptr); }

std::string PgResult::Row::text(int c) const {
    return is_null(c) ? std::string() : std::string(PQgetvalue(r_.res_, row_, c), PQgetlength(r_.res_, row_, c));
}

nlohmann::json PgResult::Row::json_of(int c) const {
    if (is_null(c)) return nullptr;
    return nlohmann::json::parse(text(c), nullptr, false);
}

PgConnection::PgConnection(const std::string& url, std::string session_sql)
    : url_(url), where_(redact_url(url)), session_sql_(std::move(session_sql)) {
    conn_ = PQconnectdb(with_connect_timeout(url_).c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        std::string msg = conn_ ? one_line(PQerrorMessage(conn_)) : "out of memory";
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        throw JobRegistryError(fmt::format("cannot connect to job registry {}: {}", where_, msg));
    }
    try {
        start_session();
    } catch (...) {
        PQfinish(conn_);
        conn_ = nullptr;
        throw;
    }
}

void PgConnection::start_session() {
    // The registry's messages (NOTICE of CREATE ... IF NOT EXISTS) are not worth a log line.
    exec("SET client_min_messages = warning");
    if (!session_sql_.empty()) exec(session_sql_);
}

PgConnection::~PgConnection() {
    if (conn_) PQfinish(conn_);
}

void PgConnection::fail(const std::string& what) const {
    throw JobRegistryError(fmt::format("job registry {}: {}", where_, what));
}

PgResult PgConnection::checked(pg_result* res) {
    PgResult result(res);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        // The server's primary message (and its detail): the full text adds the statement
        // with a caret under the error, which a one-line log cannot show.
        const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        if (!primary) fail(one_line(res ? PQresultErrorMessage(res) : PQerrorMessage(conn_)));
        const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        fail(detail ? fmt::format("{} ({})", one_line(primary), one_line(detail)) : one_line(primary));
    }
    return result;
}

PgResult PgConnection::query(const std::string& sql, const PgParams& params) {
    std::vector<const char*> values;
    values.reserve(params.values().size());
    for (const auto& v : params.values()) values.push_back(v ? v->c_str() : nullptr);
    return checked(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                nullptr, 0));
}

void PgConnection::exec(const std::string& sql) { checked(PQexec(conn_, sql.c_str())); }

bool PgConnection::broken() const { return PQstatus(conn_) != CONNECTION_OK; }

void PgConnection::reconnect_if_broken() {
    if (PQstatus(conn_) == CONNECTION_OK) return;
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK)
        throw JobRegistryError(
            fmt::format("cannot connect to job registry {}: {}", where_, one_line(PQerrorMessage(conn_))));
    start_session();
}

}  // namespace fructosa
