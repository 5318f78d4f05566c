#pragma once
/// The command line and lifecycle every FrUCToSA daemon shares:
///   PROGRAM start|stop|run|status [-c CONFIG] [-p PIDFILE]
/// `start` checks the config in the foreground (errors reach the terminal), detaches,
/// and returns only once the daemon says it is ready (ports bound) or has failed.
/// `stop` sends SIGTERM and waits until the process has really exited.
/// `run` stays in the foreground (for systemd). A stale pidfile never blocks `start`.

#include <functional>
#include <string>
#include <vector>

namespace fructosa {

/// Called by the daemon once it is serving; `start` returns success then.
using ReadyFn = std::function<void()>;
/// Runs the daemon until it is asked to stop; returns the exit status.
using RunFn = std::function<int(const ReadyFn&)>;

struct ExtraFlag {
    std::string name;   ///< e.g. "--list-sensors"
    std::string help;
    std::function<int(const std::string& config_path)> action;  ///< runs instead of a command
};

struct DaemonSpec {
    std::string program;         ///< "lagent"
    std::string summary;         ///< one line for --help
    std::string default_config;  ///< "/etc/fructosa/lagent.conf"
    std::vector<ExtraFlag> extra_flags;
    std::string help_epilog;     ///< printed after the options in --help
    /// Reads the config, sets up logging and builds the daemon. Throws ConfigError
    /// (or std::exception) with a message that names file, line and key.
    std::function<RunFn(const std::string& config_path, bool foreground)> prepare;
};

/// Parses argv and carries out the command; returns the process exit status.
int daemon_main(int argc, char** argv, const DaemonSpec& spec);

/// The pid recorded in `pidfile` if that process is alive and is `program`; else 0.
int running_pid(const std::string& pidfile, const std::string& program);

}  // namespace fructosa
