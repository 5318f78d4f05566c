#pragma once
// A private PostgreSQL server for the registry's tests: initdb in a fresh directory under
// /tmp, `postgres` on a free port of 127.0.0.1 (run as `nobody` when the tests run as
// root: postgres refuses root), stopped by its pid when the test binary ends. Started on
// first use, once per process; every test gets a database of its own. PostgreSQL is a
// declared dependency (scripts/install-deps.sh): a missing binary fails the test.

#include <string>

namespace fructosa::test {

class PgTestServer {
public:
    /// The process's server, started on the first call. Throws std::runtime_error (with
    /// the server's log) when it cannot start.
    static PgTestServer& get();
    /// Stops the server if one was started (the gtest environment calls it at the end).
    static void stop_if_started();

    /// A new, empty database on the server, as a [registry] url.
    std::string new_database_url();
    /// The server's URL for database `db`.
    std::string url(const std::string& db) const;

    ~PgTestServer();
    PgTestServer(const PgTestServer&) = delete;
    PgTestServer& operator=(const PgTestServer&) = delete;

private:
    PgTestServer();
    void stop();

    std::string dir_;
    int port_ = 0;
    int pid_ = -1;
    int databases_ = 0;
};

}  // namespace fructosa::test
