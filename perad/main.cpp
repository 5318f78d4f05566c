// perad: classifies finished jobs in the job registry and answers admins' questions
// about them. Thin main: admin commands first, then the daemon lifecycle.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "common/config.h"
#include "perad/cli.h"
#include "perad/perad_daemon.h"

using namespace fructosa;

int main(int argc, char** argv) {
    if (argc > 1 && is_cli_command(argv[1])) {
        double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
        return run_cli(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr, now);
    }
    DaemonSpec spec;
    spec.program = "perad";
    spec.summary = "FrUCToSA job classifier: judges each finished job in the job registry.";
    spec.default_config = kPeradDefaultConfig;
    spec.extra_flags = {
        {"--check-config", "read the configuration, report the first error or OK, then exit", check_perad_config},
    };
    spec.help_epilog = cli_help() +
                       "\nSignals: TERM/INT stop; HUP reopens the log file and re-reads [rules], [perad] poll interval and batch size "
                       "and [logging] level (any other changed key is logged as needing a restart); PIPE is ignored.";
    spec.prepare = [](const std::string& path, bool) -> RunFn {
        PeradConfig config = load_perad_config(path);
        Log::configure(config.logging, "perad");
        return make_perad_run(config, path);
    };
    return daemon_main(argc, argv, spec);
}
