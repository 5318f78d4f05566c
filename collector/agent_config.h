#pragma once
/// lagent.conf read into plain structs, and mapped onto the settings each component
/// takes (the Agent wires the components together). A 0.3.2 lagent.conf works
/// unchanged: its [Graphite] section is accepted (data now flows through lmaster).

#include <memory>
#include <string>
#include <vector>

#include "collector/job_tracker_settings.h"
#include "collector/sampling_policy.h"
#include "collector/sensor.h"
#include "collector/shipper_config.h"
#include "common/logging.h"

namespace fructosa {

/// One lmaster an agent may ship to; agents fail over in the configured order.
struct MasterAddress {
    std::string host;
    int port = 7888;
};

struct AgentConfig {
    std::string config_path;
    std::vector<MasterAddress> masters{{"localhost", 7888}};  ///< [lmaster] host (a list), incoming data port
    std::string auth = "munge";        ///< [lmaster] auth: munge or none
    /// [lmaster] order: "spread" (each agent starts at the lmaster its host name hashes
    /// to, so agents share the list) or "listed" (every agent prefers the first).
    std::string master_order = "spread";
    double failback_s = 60;            ///< [lmaster] failback seconds: probe the preferred one while failed over (0: never)
    std::string spool_dir = "/var/spool/fructosa/lagent";  ///< unacknowledged batches survive restarts here
    std::uint64_t spool_max_bytes = 256ull << 20;          ///< oldest batches go first beyond this
    std::string hostname;              ///< short host name used in metric paths
    double batch_interval_s = 1;       ///< how often queued points are shipped
    std::size_t max_queued_points = 200000;  ///< bound on points held for lmaster
    double self_metrics_interval_s = 10;
    std::string status_file;           ///< [lagent] status file: own figures for `fructosad status`; empty: none
    LogSettings log;
    std::vector<SensorConfig> sensors;
    JobTrackingConfig jobs;
    SamplingPolicyConfig sampling;  ///< [sampling]
};

/// Reads and checks `path`. Throws ConfigError naming file, line, section and key for an
/// unknown section or key, an unknown sensor, a bad time_interval or a bad option (and
/// a [sampling] host min interval above its host max interval).
AgentConfig read_agent_config(const std::string& path);
AgentConfig read_agent_config(const IniFile& file);

/// What the Shipper takes for `config` (without the credential provider: the Agent's).
ShipperConfig shipper_config(const AgentConfig& config);
/// What the JobTracker takes for `config`.
JobTrackerSettings job_tracker_settings(const AgentConfig& config);

}  // namespace fructosa
