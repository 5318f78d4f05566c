// lagent: the FrUCToSA node collector. Thin main: options, config, run.
#include <iostream>

#include "collector/agent.h"
#include "collector/list_sensors.h"
#include "common/config.h"

using namespace fructosa;

int main(int argc, char** argv) {
    DaemonSpec spec;
    spec.program = "lagent";
    spec.summary = "FrUCToSA node collector: host sensors and per-job profiling, shipped to lmaster.";
    spec.default_config = "/etc/fructosa/lagent.conf";
    spec.extra_flags = {
        {"--list-sensors", "list every sensor with its fields and options, then exit",
         [](const std::string&) {
             print_sensor_list(std::cout);
             return 0;
         }},
        {"--check-config", "read the configuration, report the first error or OK, then exit",
         [](const std::string& path) {
             read_agent_config(path);
             std::cout << path << ": OK\n";
             return 0;
         }},
    };
    spec.help_epilog = "Each [sensor:<Name>] section of the configuration enables one sensor; see --list-sensors.\n"
                       "Signals: TERM/INT stop; HUP reopens the log file (logrotate) and re-reads the configuration: the "
                       "sensor sections, [lmaster] host and port and [logging] level are applied, any other changed key "
                       "is logged as needing a restart; PIPE is ignored.";
    spec.prepare = [](const std::string& path, bool) -> RunFn {
        auto config = std::make_shared<AgentConfig>(read_agent_config(path));
        Log::configure(config->log, "lagent");
        return [config](const ReadyFn& ready) {
            Agent agent(std::move(*config));
            return agent.run(ready);
        };
    };
    return daemon_main(argc, argv, spec);
}
