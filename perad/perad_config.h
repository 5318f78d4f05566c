#pragma once
/// perad's configuration (perad.conf): where the registry is, how often to look for
/// finished jobs, the Grafana address for job links, the rules' thresholds, logging.
/// Defaults live here; unknown sections and keys are errors naming file and line.

#include <cstddef>
#include <string>

#include "common/job_registry.h"
#include "common/logging.h"
#include "perad/thresholds.h"

namespace fructosa {

class IniFile;

inline constexpr const char* kPeradDefaultConfig = "/etc/fructosa/perad.conf";
inline constexpr const char* kPeradDefaultLog = "/var/log/fructosa/perad.log";

struct PeradConfig {
    RegistrySettings registry;   ///< [registry]
    double poll_interval_s = 5;  ///< [perad] poll interval: seconds between looks for finished jobs
    std::size_t batch_size = 500;  ///< [perad] batch size: jobs classified per transaction
    std::string grafana_url;     ///< [grafana] url: base of the job dashboard links ("" = none)
    Thresholds thresholds;       ///< [rules]
    LogSettings logging;         ///< [logging]
};

/// Reads every section of `file`; throws ConfigError on bad values, unknown keys and sections.
PeradConfig read_perad_config(const IniFile& file);
/// Loads and reads `path` (ConfigError also when the file cannot be read).
PeradConfig load_perad_config(const std::string& path);

/// <url>/d/fructosa-job/fructosa-job?var-jobid=<id>, or "" when no Grafana is configured.
std::string job_dashboard_url(const std::string& grafana_url, std::uint64_t job_id);

}  // namespace fructosa
