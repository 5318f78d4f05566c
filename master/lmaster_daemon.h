#pragma once
/// lmaster as a daemon: what its main() hands to daemon_main. Kept out of main.cpp
/// so main stays a few lines and this can be read (and driven) on its own.

#include <string>

#include "common/config_changes.h"
#include "common/daemon.h"
#include "master/lmaster_config.h"

namespace fructosa {

inline constexpr const char* kLmasterDefaultConfig = "/etc/fructosa/lmaster.conf";

/// Builds the daemon from `config`: one io_context, the sink ([Graphite] send decides
/// which), the agent server and the self metrics. The returned function binds (throwing
/// "cannot listen on host:port: ..." on failure), calls ready(), and runs until
/// SIGTERM/SIGINT, then closes the acceptor and sessions and gives the sink about
/// 2 s to flush. SIGHUP reopens the log file and re-reads `config_path` (when given):
/// `[logging] level` is applied, every other changed key is logged as needing a restart.
RunFn make_lmaster_run(const LmasterConfig& config, const std::string& config_path = "");

/// True for a change lmaster applies on SIGHUP: `[logging] level` only (its sockets,
/// sink, spool and registry are built once).
bool lmaster_applies_on_hangup(const ConfigChange& change);

/// --check-config: prints "<file>: OK" (exit 0) or the error (exit 2).
int check_lmaster_config(const std::string& path);

}  // namespace fructosa
