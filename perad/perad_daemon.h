#pragma once
/// perad as a daemon: every `poll interval` seconds it classifies the jobs that wait for a
/// verdict, a batch per transaction, until none wait. SIGTERM/SIGINT stop it; SIGHUP
/// reopens the log file (logrotate) and re-reads the config file: the [rules] thresholds,
/// [perad] poll interval and batch size and [logging] level are applied, every other
/// changed key is logged as needing a restart (a bad file keeps the old settings and
/// logs why).

#include <string>

#include "common/config_changes.h"
#include "common/daemon.h"
#include "perad/perad_config.h"

namespace fructosa {

/// Opens the registry (throwing JobRegistryError naming the file, so `perad start`
/// reports it) and returns the loop that daemon_main runs.
RunFn make_perad_run(const PeradConfig& config, const std::string& config_path);

/// --check-config: prints "<file>: OK" (exit 0); errors go up to daemon_main.
int check_perad_config(const std::string& path);

/// True for a change perad applies on SIGHUP.
bool perad_applies_on_hangup(const ConfigChange& change);

}  // namespace fructosa
