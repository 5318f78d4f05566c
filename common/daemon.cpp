#include "common/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "common/config.h"
#include "common/directories.h"
#include "common/logging.h"

namespace fructosa {

namespace {

struct Options {
    std::string command;
    std::string config;
    std::string pidfile;
    double stop_timeout = 30;
    const ExtraFlag* extra = nullptr;
};

void print_help(const DaemonSpec& spec) {
    std::cout << fmt::format(
        "Usage: {0} start|stop|run|status [options]\n"
        "{1}\n\n"
        "Commands:\n"
        "  start              check the config, then run in the background\n"
        "  stop               stop the running daemon and wait until it has exited\n"
        "  run                run in the foreground (for systemd); logs also go to stderr\n"
        "  status             say whether the daemon runs (exit 0) or not (exit 3)\n\n"
        "Options:\n"
        "  -c, --config FILE  configuration file (default {2})\n"
        "  -p, --pidfile FILE pid file (default /run/{0}.pid)\n"
        "  -t, --timeout SEC  how long `stop` waits (default 30)\n"
        "  -h, --help         this help\n"
        "  -V, --version      print the version\n",
        spec.program, spec.summary, spec.default_config);
    for (const auto& f : spec.extra_flags) std::cout << fmt::format("  {:<18} {}\n", f.name, f.help);
    if (!spec.help_epilog.empty()) std::cout << "\n" << spec.help_epilog << "\n";
}

std::string comm_of(int pid) {
    std::ifstream in(fmt::format("/proc/{}/comm", pid));
    std::string s;
    std::getline(in, s);
    return s;
}

/// A zombie has exited: where nobody reaps orphans quickly, `stop` must not wait for it.
bool is_zombie(int pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto paren = text.rfind(')');
    return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

bool alive(int pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM) && !is_zombie(pid); }

void write_pidfile(const std::string& path) {
    ensure_parent_directory(path, "the pid file");
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp);
        out << ::getpid() << "\n";
        if (!out) throw std::runtime_error(fmt::format("cannot write pid file {}: {}", path, std::strerror(errno)));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw std::runtime_error(fmt::format("cannot write pid file {}: {}", path, ec.message()));
}

/// What every daemon survives, in `run` and after `start` alike: a peer that closed its
/// socket (SIGPIPE: the write fails with EPIPE instead) and, until its own handler is
/// installed, a hang-up (SIGHUP is logrotate's "reopen your log"; each daemon's
/// signal_set takes it over once running).
void ignore_pipe_and_hangup() {
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
}

/// Removes the pidfile if it still names this process.
void remove_own_pidfile(const std::string& path) {
    std::ifstream in(path);
    int pid = 0;
    if (in >> pid && pid == ::getpid()) std::filesystem::remove(path);
}

int do_stop(const Options& o, const DaemonSpec& spec) {
    int pid = running_pid(o.pidfile, spec.program);
    if (pid == 0) {
        std::error_code ec;
        if (std::filesystem::exists(o.pidfile, ec)) {
            std::filesystem::remove(o.pidfile, ec);
            std::cout << fmt::format("{}: not running (removed stale pid file {})\n", spec.program, o.pidfile);
        } else {
            std::cout << fmt::format("{}: not running\n", spec.program);
        }
        return 0;
    }
    if (::kill(pid, SIGTERM) != 0) {
        std::cerr << fmt::format("{}: cannot signal pid {}: {}\n", spec.program, pid, std::strerror(errno));
        return 1;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(o.stop_timeout);
    while (alive(pid) && comm_of(pid) == spec.program.substr(0, 15)) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::cerr << fmt::format("{}: pid {} still running after {} s\n", spec.program, pid, o.stop_timeout);
            return 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::error_code ec;
    std::filesystem::remove(o.pidfile, ec);
    std::cout << fmt::format("{}: stopped (pid {})\n", spec.program, pid);
    return 0;
}

int do_run(const Options& o, const DaemonSpec& spec, bool foreground, int ready_fd) {
    ignore_pipe_and_hangup();
    RunFn run;
    try {
        run = spec.prepare(o.config, foreground);
        write_pidfile(o.pidfile);
    } catch (const std::exception& e) {
        std::string msg = fmt::format("{}: {}\n", spec.program, e.what());
        if (ready_fd >= 0) {
            [[maybe_unused]] auto n = ::write(ready_fd, msg.data(), msg.size());
        } else {
            std::cerr << msg;
        }
        return 2;
    }
    bool signalled = false;
    auto ready = [&]() {
        if (ready_fd >= 0 && !signalled) {
            [[maybe_unused]] auto n = ::write(ready_fd, "OK", 2);
            ::close(ready_fd);
            signalled = true;
        }
    };
    int rc = 1;
    try {
        rc = run(ready);
    } catch (const std::exception& e) {
        log_error("fatal: {}", e.what());
        if (ready_fd >= 0 && !signalled) {
            std::string msg = fmt::format("{}: {}\n", spec.program, e.what());
            [[maybe_unused]] auto n = ::write(ready_fd, msg.data(), msg.size());
        } else if (foreground) {
            std::cerr << spec.program << ": " << e.what() << "\n";
        }
        rc = 1;
    }
    ignore_pipe_and_hangup();  // the daemon's signal_set is gone and asio left SIGHUP at its default
    remove_own_pidfile(o.pidfile);
    return rc;
}

int do_start(const Options& o, const DaemonSpec& spec) {
    if (int pid = running_pid(o.pidfile, spec.program)) {
        std::cerr << fmt::format("{}: already running (pid {}, pid file {})\n", spec.program, pid, o.pidfile);
        return 1;
    }
    std::error_code ec;
    std::filesystem::remove(o.pidfile, ec);  // stale
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        std::cerr << spec.program << ": pipe: " << std::strerror(errno) << "\n";
        return 1;
    }
    pid_t child = ::fork();
    if (child < 0) {
        std::cerr << spec.program << ": fork: " << std::strerror(errno) << "\n";
        return 1;
    }
    if (child == 0) {
        ::close(fds[0]);
        ::setsid();
        if (::fork() > 0) ::_exit(0);  // the grandchild can never reacquire a terminal
        int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            if (devnull > 2) ::close(devnull);
        }
        if (::chdir("/") != 0) {
        }
        ::_exit(do_run(o, spec, false, fds[1]));
    }
    ::close(fds[1]);
    ::waitpid(child, nullptr, 0);
    std::string answer;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) answer.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    if (answer == "OK") {
        std::cout << fmt::format("{}: started (pid {})\n", spec.program, running_pid(o.pidfile, spec.program));
        return 0;
    }
    if (answer.empty()) answer = fmt::format("{}: exited during start-up (see its log)\n", spec.program);
    std::cerr << answer;
    return 1;
}

}  // namespace

int running_pid(const std::string& pidfile, const std::string& program) {
    std::ifstream in(pidfile);
    int pid = 0;
    if (!(in >> pid) || pid <= 0) return 0;
    if (!alive(pid)) return 0;
    // A recycled pid belongs to another program: the pidfile is stale.
    if (comm_of(pid) != program.substr(0, 15)) return 0;
    return pid;
}

int daemon_main(int argc, char** argv, const DaemonSpec& spec) {
    Options o;
    o.config = spec.default_config;
    o.pidfile = fmt::format("/run/{}.pid", spec.program);
    std::vector<std::string> args(argv + 1, argv + argc);
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* what) -> std::string {
            auto eq = a.find('=');
            if (a.rfind("--", 0) == 0 && eq != std::string::npos) return a.substr(eq + 1);
            if (i + 1 >= args.size()) throw std::invalid_argument(fmt::format("{} needs {}", a, what));
            return args[++i];
        };
        try {
            if (a == "-h" || a == "--help") {
                print_help(spec);
                return 0;
            } else if (a == "-V" || a == "--version") {
                std::cout << spec.program << " (FrUCToSA) " << FRUCTOSA_VERSION << "\n";
                return 0;
            } else if (a == "-c" || a.rfind("--config", 0) == 0) {
                o.config = value("a file name");
            } else if (a == "-p" || a.rfind("--pidfile", 0) == 0) {
                o.pidfile = value("a file name");
            } else if (a == "-t" || a.rfind("--timeout", 0) == 0) {
                std::string v = value("seconds");
                char* end = nullptr;
                o.stop_timeout = std::strtod(v.c_str(), &end);
                if (v.empty() || *end || o.stop_timeout <= 0)
                    throw std::invalid_argument(fmt::format("--timeout: '{}' is not a positive number", v));
            } else if (a == "start" || a == "stop" || a == "run" || a == "status") {
                if (!o.command.empty()) throw std::invalid_argument("give only one command");
                o.command = a;
            } else {
                bool found = false;
                for (const auto& f : spec.extra_flags)
                    if (a == f.name) o.extra = &f, found = true;
                if (!found) throw std::invalid_argument(fmt::format("unknown argument '{}'", a));
            }
        } catch (const std::invalid_argument& e) {
            std::cerr << fmt::format("{}: {} (see {} --help)\n", spec.program, e.what(), spec.program);
            return 2;
        }
    }
    // `start` changes to / after forking: relative paths must not change meaning.
    std::error_code abs_ec;
    o.config = std::filesystem::absolute(o.config, abs_ec).string();
    o.pidfile = std::filesystem::absolute(o.pidfile, abs_ec).string();
    if (o.extra) {
        try {
            return o.extra->action(o.config);
        } catch (const std::exception& e) {
            std::cerr << spec.program << ": " << e.what() << "\n";
            return 2;
        }
    }
    if (o.command.empty()) {
        std::cerr << fmt::format("{}: no command given: start, stop, run or status (see {} --help)\n",
                                 spec.program, spec.program);
        return 2;
    }
    if (o.command == "stop") return do_stop(o, spec);
    if (o.command == "status") {
        int pid = running_pid(o.pidfile, spec.program);
        std::cout << (pid ? fmt::format("{}: running (pid {})\n", spec.program, pid)
                          : fmt::format("{}: not running\n", spec.program));
        return pid ? 0 : 3;
    }
    if (o.command == "start") return do_start(o, spec);
    if (int pid = running_pid(o.pidfile, spec.program)) {
        std::cerr << fmt::format("{}: already running (pid {}, pid file {})\n", spec.program, pid, o.pidfile);
        return 1;
    }
    Log::also_to_stderr(true);
    return do_run(o, spec, true, -1);
}

}  // namespace fructosa
