#pragma once
/// lmaster as a daemon: what its main() hands to daemon_main. Kept out of main.cpp
/// so main stays a few lines and this can be read (and driven) on its own.

#include <string>

#include "common/daemon.h"
#include "master/lmaster_config.h"

namespace fructosa {

inline constexpr const char* kLmasterDefaultConfig = "/etc/fructosa/lmaster.conf";

/// Builds the daemon from `config`: one io_context, the sink ([Graphite] send decides
/// which), the agent server and the self metrics. The returned function binds (throwing
/// "cannot listen on host:port: ..." on failure), calls ready(), and runs until
/// SIGTERM/SIGINT, then closes the acceptor and sessions and gives the sink about
/// 2 s to flush. SIGHUP reopens the log file (the configuration is not re-read).
RunFn make_lmaster_run(const LmasterConfig& config);

/// --check-config: prints "<file>: OK" (exit 0) or the error (exit 2).
int check_lmaster_config(const std::string& path);

}  // namespace fructosa
