#pragma once
/// perad's configuration (perad.conf): where the registry is, how often to look for
/// finished jobs, the Grafana address for job links, the rules' thresholds, logging.
/// Defaults live here; unknown sections and keys are errors naming file and line.

#include "perad/class_publisher.h"
#include <cstddef>
#include <optional>
#include <string>

#include "common/registry/registry_settings.h"
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
    std::string status_file;     ///< [perad] status file: jobs_classified for `fructosad status`; empty: none
    std::string grafana_url;     ///< [grafana] url: base of the job dashboard links ("" = none)
    GraphiteTarget graphite;     ///< [graphite] host, carbon receiver plaintext port, prefix: where classes go
    std::string graphite_web_url;  ///< [graphite] web url: graphite-web for `perad show`'s timelines ("" = none)
    Thresholds thresholds;       ///< [rules]
    LogSettings logging;         ///< [logging]
};

/// Reads every section of `file`; throws ConfigError on bad values, unknown keys and sections.
PeradConfig read_perad_config(const IniFile& file);
/// Loads and reads `path` (ConfigError also when the file cannot be read).
PeradConfig load_perad_config(const std::string& path);

/// <url>/d/fructosa-job/fructosa-job?var-jobid=<id>, or "" when no Grafana is configured.
/// With the job's start and end (epoch s), the link opens on the job's time range (+-1 min).
std::string job_dashboard_url(const std::string& grafana_url, std::uint64_t job_id,
                              std::optional<double> start = std::nullopt, std::optional<double> end = std::nullopt);

}  // namespace fructosa
