#include "collector/job/job_summary.h"

#include <algorithm>

#include "collector/job/job_energy.h"
#include "collector/job/job_metrics.h"

namespace fructosa {
namespace {

template <typename T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

template <typename T>
std::optional<T> max_of(std::optional<T> a, std::optional<T> b) {
    if (!a) return b;
    if (!b) return a;
    return std::max(*a, *b);
}

}  // namespace

nlohmann::json JobSummary::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    j["samples"] = samples;
    j["intervals"] = intervals;
    j["busy_intervals"] = busy_intervals;
    put(j, "first_time", first_time);
    put(j, "last_time", last_time);
    j["allocated_cpus"] = allocated_cpus;
    j["idle_threshold_percent"] = idle_threshold_percent;
    put(j, "cpu_seconds", cpu_seconds);
    put(j, "cpu_user_seconds", cpu_user_seconds);
    put(j, "cpu_system_seconds", cpu_system_seconds);
    put(j, "cpu_usage_mean_percent", cpu_usage_mean_percent);
    put(j, "cpu_usage_max_percent", cpu_usage_max_percent);
    put(j, "first_busy_time", first_busy_time);
    put(j, "last_busy_time", last_busy_time);
    put(j, "efficiency_percent", efficiency_percent);
    put(j, "idle_fraction", idle_fraction);
    put(j, "runqueue_delay_seconds", runqueue_delay_seconds);
    put(j, "runqueue_delay_mean_percent", runqueue_delay_mean_percent);
    put(j, "memory_peak_bytes", memory_peak_bytes);
    put(j, "memory_anon_peak_bytes", memory_anon_peak_bytes);
    put(j, "memory_limit_bytes", memory_limit_bytes);
    put(j, "memory_pressure_stall_seconds", memory_pressure_stall_seconds);
    put(j, "swap_max_bytes", swap_max_bytes);
    put(j, "oom_kills", oom_kills);
    put(j, "limit_hits", limit_hits);
    put(j, "io_read_bytes", io_read_bytes);
    put(j, "io_write_bytes", io_write_bytes);
    put(j, "io_read_ops", io_read_ops);
    put(j, "io_write_ops", io_write_ops);
    put(j, "tasks_skipped_max", tasks_skipped_max);
    put(j, "energy_cpu_joules", energy_cpu_joules);
    put(j, "energy_dram_joules", energy_dram_joules);
    add_energy_total(j);
    return j;
}

void add_energy_total(nlohmann::json& summary) {
    std::optional<double> total;
    for (const char* part : {"energy_cpu_joules", "energy_dram_joules", "gpu_energy_joules"}) {
        auto it = summary.find(part);
        if (it != summary.end() && it->is_number()) total = energy_sum(total, it->get<double>());
    }
    if (total)
        summary["energy_joules"] = *total;
    else
        summary.erase("energy_joules");
}

JobSummaryAccumulator::JobSummaryAccumulator(double allocated_cpus, CounterBase base, double idle_threshold_percent)
    : allocated_cpus_(allocated_cpus), base_(base), idle_threshold_(idle_threshold_percent) {}

namespace {

/// While slurmstepd tears a step down, some controllers' job directories are gone before
/// others (the final sample may have memory but no cpuacct). A counter that vanished is
/// not zero: it keeps its last known value.
JobSample with_gaps_filled(JobSample now, const JobSample& before) {
    auto keep = [&](auto member) {
        if (!(now.*member)) now.*member = before.*member;
    };
    keep(&JobSample::cpu_usage_ns);
    keep(&JobSample::cpu_user_s);
    keep(&JobSample::cpu_system_s);
    keep(&JobSample::memory_peak);
    keep(&JobSample::memory_limit);
    keep(&JobSample::memory_limit_hits);
    keep(&JobSample::memory_oom_kills);
    keep(&JobSample::io_read_bytes);
    keep(&JobSample::io_write_bytes);
    keep(&JobSample::io_read_ops);
    keep(&JobSample::io_write_ops);
    keep(&JobSample::runqueue_delay_ns);
    keep(&JobSample::memory_pressure);
    keep(&JobSample::node_energy);
    return now;
}

}  // namespace

void JobSummaryAccumulator::add(const JobSample& sample) {
    if (!sample.present) return;
    const JobSample s = last_ ? with_gaps_filled(sample, *last_) : sample;
    ++samples_;
    if (last_) {
        if (auto usage = interval_usage_percent(*last_, s)) {
            ++intervals_;
            if (*usage < idle_threshold_) {
                ++idle_intervals_;
            } else {
                ++busy_intervals_;
                if (!first_busy_time_) first_busy_time_ = last_->time;  // busy from here on
                last_busy_time_ = s.time;  // perad's "stalled": busy until here, idle after
            }
            usage_ns_sum_ += static_cast<double>(*s.cpu_usage_ns - *last_->cpu_usage_ns);
            wall_s_sum_ += s.time - last_->time;
            usage_max_ = max_of(usage_max_, usage);
        }
        IntervalEnergy e = interval_energy(*last_, s);
        energy_cpu_ = energy_sum(energy_cpu_, e.cpu_joules);
        energy_dram_ = energy_sum(energy_dram_, e.dram_joules);
    }
    memory_peak_ = max_of(memory_peak_, s.memory_current);
    // The kernel's mark covers the cgroup's whole life; in a window it only counts when
    // it rose inside the window.
    if (base_ == CounterBase::cgroup_start || (first_ && first_->memory_peak && s.memory_peak &&
                                               *s.memory_peak > *first_->memory_peak))
        memory_peak_ = max_of(memory_peak_, s.memory_peak);
    anon_peak_ = max_of(anon_peak_, s.memory_rss);
    swap_max_ = max_of(swap_max_, s.memory_swap);
    skipped_max_ = max_of(skipped_max_, s.tasks_skipped);
    if (!runqueue_first_ && s.runqueue_delay_ns) runqueue_first_ = FirstSeen{s.time, *s.runqueue_delay_ns};
    if (!stall_first_ && s.memory_pressure && s.memory_pressure->some_total_us)
        stall_first_ = FirstSeen{s.time, *s.memory_pressure->some_total_us};
    if (!first_) first_ = s;
    last_ = s;
}

JobSummary JobSummaryAccumulator::summary() const {
    JobSummary out;
    out.samples = samples_;
    out.intervals = intervals_;
    out.allocated_cpus = allocated_cpus_;
    out.idle_threshold_percent = idle_threshold_;
    if (!last_) return out;
    out.first_time = first_->time;
    out.last_time = last_->time;

    const bool window = base_ == CounterBase::first_sample;
    auto counted = [&](auto field) -> std::optional<std::uint64_t> {
        std::optional<std::uint64_t> last = (*last_).*field;
        if (!window) return last;
        std::optional<std::uint64_t> first = (*first_).*field;
        if (!first || !last) return std::nullopt;
        return *last >= *first ? *last - *first : *last;  // smaller: a new cgroup, counted from 0
    };
    auto counted_s = [&](std::optional<double> JobSample::*field) -> std::optional<double> {
        std::optional<double> last = (*last_).*field;
        if (!window) return last;
        std::optional<double> first = (*first_).*field;
        if (!first || !last) return std::nullopt;
        return *last >= *first ? *last - *first : *last;
    };

    if (auto ns = counted(&JobSample::cpu_usage_ns)) out.cpu_seconds = static_cast<double>(*ns) / 1e9;
    out.cpu_user_seconds = counted_s(&JobSample::cpu_user_s);
    out.cpu_system_seconds = counted_s(&JobSample::cpu_system_s);
    if (wall_s_sum_ > 0) {
        out.cpu_usage_mean_percent = usage_ns_sum_ / 1e9 / wall_s_sum_ * 100.0;
        if (allocated_cpus_ > 0) out.efficiency_percent = *out.cpu_usage_mean_percent / allocated_cpus_;
    }
    out.cpu_usage_max_percent = usage_max_;
    out.busy_intervals = busy_intervals_;
    out.first_busy_time = first_busy_time_;
    out.last_busy_time = last_busy_time_;
    if (intervals_ > 0) out.idle_fraction = static_cast<double>(idle_intervals_) / static_cast<double>(intervals_);

    // A counter that first appeared after the first sample counts from its first value.
    auto since_seen = [&](const std::optional<FirstSeen>& first, std::optional<std::uint64_t> last)
        -> std::optional<std::uint64_t> {
        if (!first || !last) return std::nullopt;
        if (!window) return last;
        return *last >= first->value ? *last - first->value : *last;
    };
    if (auto ns = since_seen(runqueue_first_, last_->runqueue_delay_ns)) {
        out.runqueue_delay_seconds = static_cast<double>(*ns) / 1e9;
        const double span = last_->time - runqueue_first_->time;
        if (span > 0 && *last_->runqueue_delay_ns >= runqueue_first_->value)
            out.runqueue_delay_mean_percent =
                static_cast<double>(*last_->runqueue_delay_ns - runqueue_first_->value) / 1e9 / span * 100.0;
    }
    std::optional<std::uint64_t> stall_total;
    if (last_->memory_pressure) stall_total = last_->memory_pressure->some_total_us;
    if (auto us = since_seen(stall_first_, stall_total))
        out.memory_pressure_stall_seconds = static_cast<double>(*us) / 1e6;

    out.memory_peak_bytes = memory_peak_;
    out.memory_anon_peak_bytes = anon_peak_;
    if (last_->memory_limit && *last_->memory_limit != kMemoryUnlimited) out.memory_limit_bytes = last_->memory_limit;
    out.swap_max_bytes = swap_max_;
    out.oom_kills = counted(&JobSample::memory_oom_kills);
    out.limit_hits = counted(&JobSample::memory_limit_hits);
    out.io_read_bytes = counted(&JobSample::io_read_bytes);
    out.io_write_bytes = counted(&JobSample::io_write_bytes);
    out.io_read_ops = counted(&JobSample::io_read_ops);
    out.io_write_ops = counted(&JobSample::io_write_ops);
    out.tasks_skipped_max = skipped_max_;
    out.energy_cpu_joules = energy_cpu_;
    out.energy_dram_joules = energy_dram_;
    return out;
}

}  // namespace fructosa
