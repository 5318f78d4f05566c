#include "tests/unit/common/registry/pg_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace fructosa::test {

namespace {

namespace fs = std::filesystem;

/// Debian's server binaries: /usr/lib/postgresql/<version>/bin, the newest version.
fs::path server_bin_dir() {
    fs::path best;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        fs::path bin = e.path() / "bin";
        if (fs::exists(bin / "postgres") && fs::exists(bin / "initdb") &&
            (best.empty() || std::stoi(e.path().filename()) > std::stoi(best.parent_path().filename())))
            best = bin;
    }
    if (best.empty())
        throw std::runtime_error(
            "no PostgreSQL server under /usr/lib/postgresql/*/bin (install postgresql: scripts/install-deps.sh)");
    return best;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// The user the server runs as: ourselves, or `nobody` when we are root.
struct RunAs {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

RunAs run_as() {
    RunAs r;
    if (::geteuid() != 0) return r;
    const passwd* pw = ::getpwnam("nobody");
    if (!pw) throw std::runtime_error("the tests run as root and there is no user 'nobody' to run postgres as");
    r.switch_user = true;
    r.uid = pw->pw_uid;
    r.gid = pw->pw_gid;
    return r;
}

/// Starts `argv` as `who`, its output appended to `log`; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const RunAs& who, const fs::path& log) {
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        int null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        if (who.switch_user && (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0))
            ::_exit(126);
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

int free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        throw std::runtime_error("cannot find a free port on 127.0.0.1");
    ::close(s);
    return ntohs(a.sin_port);
}

/// Runs one statement on `url`; throws with the server's message.
void run_sql(const std::string& url, const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> c(PQconnectdb(url.c_str()), &PQfinish);
    if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error("cannot connect: " + std::string(PQerrorMessage(c.get())));
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
}

PgTestServer* g_server = nullptr;

/// Stops the server when the test binary ends, however the tests went.
class StopServer : public ::testing::Environment {
public:
    void TearDown() override { PgTestServer::stop_if_started(); }
};
[[maybe_unused]] ::testing::Environment* const g_stop = ::testing::AddGlobalTestEnvironment(new StopServer);

}  // namespace

PgTestServer& PgTestServer::get() {
    if (!g_server) g_server = new PgTestServer;
    return *g_server;
}

void PgTestServer::stop_if_started() {
    delete g_server;
    g_server = nullptr;
}

PgTestServer::PgTestServer() {
    fs::path bin = server_bin_dir();
    RunAs who = run_as();
    std::string tmpl = "/tmp/fructosa-pg-XXXXXX";  // short: the socket path must fit 107 bytes
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    try {
        if (who.switch_user && ::chown(dir_.c_str(), who.uid, who.gid) != 0)
            throw std::runtime_error("cannot chown " + dir_);
        fs::path data = fs::path(dir_) / "data", log = fs::path(dir_) / "server.log";
        pid_t init = spawn({(bin / "initdb").string(), "-D", data.string(), "-U", "fructosa", "--auth=trust", "-N",
                            "-E", "UTF8", "--locale=C"},
                           who, log);
        int status = 0;
        ::waitpid(init, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            throw std::runtime_error("initdb failed:\n" + read_file(log));
        port_ = free_port();
        // fsync off: a test server's data need not survive a crash, and fsyncs dominate.
        pid_ = spawn({(bin / "postgres").string(), "-D", data.string(), "-k", dir_, "-p", std::to_string(port_), "-c",
                      "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                      "full_page_writes=off", "-c", "max_connections=50"},
                     who, log);
        // Waiting for the server to accept connections (a start, not a timed assertion).
        for (int i = 0;; ++i) {
            if (PQping(url("postgres").c_str()) == PQPING_OK) break;
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("postgres exited at start:\n" + read_file(log));
            }
            if (i > 600) throw std::runtime_error("postgres did not accept connections in 60 s:\n" + read_file(log));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    } catch (...) {
        stop();
        throw;
    }
}

PgTestServer::~PgTestServer() { stop(); }

void PgTestServer::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGINT);  // fast shutdown: ends the sessions, no checkpoint wait for clients
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        dir_.clear();
    }
}

std::string PgTestServer::url(const std::string& db) const {
    return "postgresql://fructosa@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

std::string PgTestServer::new_database_url() {
    std::string name = "t" + std::to_string(++databases_);
    run_sql(url("postgres"), "CREATE DATABASE " + name);
    return url(name);
}

}  // namespace fructosa::test
