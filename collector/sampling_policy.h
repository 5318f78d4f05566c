#pragma once
/// Adaptive sampling (lagent.conf [sampling], off unless `adaptive = yes`): pure logic,
/// no timers, so it is tested without waiting.
///
/// Host: the fastest host sensors normally sample at their time_interval (the "normal"
/// interval). After each of their passes the policy looks at the node: while the
/// 1-minute load average or the share of memory in use changes quickly (per minute, so
/// the judgement does not depend on the interval it was measured over), the interval
/// drops to `host min interval`; on an idle node (load below `idle load`, nothing
/// changing) it doubles pass by pass up to `host max interval`; otherwise it is the
/// normal one. Every host sensor's interval is scaled by the same factor (interval /
/// normal), so a sensor configured at 60 s beside 1 s ones samples every 15 s while
/// the fast ones sample every 0.25 s.
///
/// Jobs: a job samples at `job fast interval` (when that is faster than its own interval)
/// for its first `job fast seconds`, and again for that long after each new step starts;
/// then at its own interval. The end of a job cannot be foreseen (Slurm tells lagent
/// only when a step has ended): its last sample is the one taken at each step's end.

#include <optional>
#include <string_view>

namespace fructosa {

/// `[sampling]` of lagent.conf.
struct SamplingPolicyConfig {
    bool adaptive = false;                         ///< adaptive
    double host_min_interval_s = 1;                ///< host min interval
    double host_max_interval_s = 60;               ///< host max interval
    double load_change_per_minute = 0.5;           ///< load change per minute
    double memory_change_percent_per_minute = 5;   ///< memory change percent per minute
    double idle_load = 0.1;                        ///< idle load
    double job_fast_seconds = 60;                  ///< job fast seconds
    double job_fast_interval_s = 2;                ///< job fast interval
};

/// What the host policy looks at, from /proc/loadavg and /proc/meminfo.
struct NodeState {
    double time = 0;               ///< epoch seconds of the observation
    double load1 = 0;              ///< 1-minute load average
    double memory_used_percent = 0;  ///< (MemTotal - MemAvailable) / MemTotal
};

/// The node's state from the texts of /proc/loadavg and /proc/meminfo; nullopt when
/// either cannot be read or parsed (the policy then keeps its interval).
std::optional<NodeState> node_state(std::string_view loadavg, std::string_view meminfo, double time);

class HostIntervalPolicy {
public:
    /// `normal_s`: the fastest configured host sensor interval.
    HostIntervalPolicy(SamplingPolicyConfig config, double normal_s);
    /// The interval of the fastest host sensors after observing `now`.
    double observe(const NodeState& now);
    double interval() const { return interval_; }
    /// interval() / the configured normal interval: what every host interval is scaled by.
    double factor() const { return interval_ / configured_normal_; }

private:
    SamplingPolicyConfig config_;
    double configured_normal_;
    double normal_;  ///< the configured normal within the bounds
    double interval_;
    std::optional<NodeState> last_;
};

/// The interval of a job whose own interval is `normal_s`, `since_phase_start_s` after
/// it (or its newest step) started.
double job_sample_interval(const SamplingPolicyConfig& config, double normal_s, double since_phase_start_s);

}  // namespace fructosa
