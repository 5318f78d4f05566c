#include "collector/sampling_policy.h"

#include <algorithm>
#include <cmath>
#include <exception>

#include "collector/sensors/meminfo.h"
#include "collector/sensors/parse_util.h"

namespace fructosa {

std::optional<NodeState> node_state(std::string_view loadavg, std::string_view meminfo, double time) {
    try {
        auto words = sensors::split_words(sensors::trim(loadavg));
        if (words.empty()) return std::nullopt;
        NodeState s;
        s.time = time;
        s.load1 = sensors::to_double(words[0], "/proc/loadavg", "1-minute load");
        auto m = sensors::parse_meminfo(meminfo, "/proc/meminfo");
        double total = static_cast<double>(sensors::meminfo_required(m, "MemTotal", "/proc/meminfo"));
        double available = static_cast<double>(sensors::meminfo_required(m, "MemAvailable", "/proc/meminfo"));
        if (total <= 0) return std::nullopt;
        s.memory_used_percent = std::clamp((total - available) / total * 100.0, 0.0, 100.0);
        return s;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

HostIntervalPolicy::HostIntervalPolicy(SamplingPolicyConfig config, double normal_s)
    : config_(config),
      configured_normal_(normal_s > 0 ? normal_s : 1),
      normal_(config.adaptive ? std::clamp(configured_normal_, config.host_min_interval_s, config.host_max_interval_s)
                              : configured_normal_),
      interval_(normal_) {}

double HostIntervalPolicy::observe(const NodeState& now) {
    if (!config_.adaptive) return interval_;
    if (!last_ || now.time <= last_->time) {
        last_ = now;
        return interval_;
    }
    double per_minute = 60.0 / (now.time - last_->time);
    double load_rate = std::abs(now.load1 - last_->load1) * per_minute;
    double memory_rate = std::abs(now.memory_used_percent - last_->memory_used_percent) * per_minute;
    last_ = now;
    if (load_rate >= config_.load_change_per_minute || memory_rate >= config_.memory_change_percent_per_minute)
        interval_ = config_.host_min_interval_s;
    else if (now.load1 < config_.idle_load)
        interval_ = std::min(std::max(interval_, normal_) * 2, config_.host_max_interval_s);
    else
        interval_ = normal_;
    return interval_;
}

double job_sample_interval(const SamplingPolicyConfig& config, double normal_s, double since_phase_start_s) {
    if (!config.adaptive || since_phase_start_s >= config.job_fast_seconds) return normal_s;
    return std::min(normal_s, config.job_fast_interval_s);
}

}  // namespace fructosa
