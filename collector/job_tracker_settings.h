#pragma once
/// What the JobTracker takes: plain values, filled from lagent.conf by agent_config.cpp.
/// No Asio here.

#include <string>
#include <vector>

#include "collector/sampling_policy.h"

namespace fructosa {

/// `[jobs]`: where lagent listens for the SPANK plugin and how it follows jobs.
struct JobTrackingConfig {
    bool enabled = true;
    std::string socket_path;          ///< %n = node name
    std::vector<unsigned> allowed_uids;  ///< besides root: the SlurmUser
    double default_interval_s = 10;
    double min_interval_s = 1;
    std::string cgroup_root = "/sys/fs/cgroup";  ///< where to look when /proc/self/mountinfo lists no cgroup mounts
    double idle_threshold_percent = 5;  ///< a sample below this much of one core counts as idle
    bool hardware_counters = true;  ///< cpu.ipc per job where the machine has a PMU (2 descriptors per CPU and job)
};

/// The JobTracker's settings: this node's name and the `[jobs]` section.
struct JobTrackerSettings {
    std::string hostname;  ///< this node's short name: in job paths, events and the socket's %n
    JobTrackingConfig jobs;
    SamplingPolicyConfig sampling;  ///< `[sampling]`: a job's fast start
};

}  // namespace fructosa
