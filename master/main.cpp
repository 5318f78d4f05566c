/// lmaster: receives agents' batches and forwards their points to Graphite.
#include "common/config.h"
#include "common/daemon.h"
#include "common/logging.h"
#include "master/lmaster_config.h"
#include "master/lmaster_daemon.h"

int main(int argc, char** argv) {
    using namespace fructosa;
    DaemonSpec spec;
    spec.program = "lmaster";
    spec.summary = "FrUCToSA master: receives lagent batches and forwards them to Graphite.";
    spec.default_config = kLmasterDefaultConfig;
    spec.extra_flags.push_back(ExtraFlag{"--check-config", "read the config, print '<file>: OK' or the error (exit 2)",
                                         [](const std::string& path) { return check_lmaster_config(path); }});
    spec.help_epilog = "Signals: TERM/INT stop (flushing to Graphite for up to 2 s); HUP reopens the log file "
                       "(logrotate) and re-reads the configuration: [logging] level is applied, any other changed "
                       "key is logged as needing a restart; PIPE is ignored.";
    spec.prepare = [](const std::string& config_path, bool) -> RunFn {
        LmasterConfig config = load_lmaster_config(config_path);
        Log::configure(config.logging, "lmaster");
        return make_lmaster_run(config, config_path);
    };
    return daemon_main(argc, argv, spec);
}
