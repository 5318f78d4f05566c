#include "collector/job/job_metrics.h"

#include <algorithm>

#include "collector/job/job_energy.h"

namespace fructosa {
namespace {

void add(Readings& out, const char* field, std::optional<double> value) {
    if (value) out.push_back({field, *value});
}

std::optional<double> as_double(std::optional<std::uint64_t> v) {
    if (!v) return std::nullopt;
    return static_cast<double>(*v);
}

void add_pressure(Readings& out, const std::string& resource, const std::optional<PressureSample>& p) {
    if (!p) return;
    if (p->some_avg10) out.push_back({"pressure." + resource + ".some_avg10", *p->some_avg10});
    if (p->full_avg10) out.push_back({"pressure." + resource + ".full_avg10", *p->full_avg10});
}

}  // namespace

std::optional<double> interval_usage_percent(const JobSample& previous, const JobSample& current) {
    // The kernel adds a running task's CPU time at scheduler ticks (1-10 ms): over the few
    // milliseconds between a timer sample and the final one at step end, that alone can
    // read as 120 % of a core. A rate needs a quarter second.
    if (current.time - previous.time < kMinRateInterval_s) return std::nullopt;
    auto rate = interval_rate(previous.cpu_usage_ns, current.cpu_usage_ns, current.time - previous.time);
    if (!rate) return std::nullopt;
    return *rate / 1e9 * 100.0;
}

std::optional<double> interval_runqueue_percent(const JobSample& previous, const JobSample& current) {
    if (current.time - previous.time < kMinRateInterval_s) return std::nullopt;
    auto rate = interval_rate(previous.runqueue_delay_ns, current.runqueue_delay_ns, current.time - previous.time);
    if (!rate) return std::nullopt;
    return *rate / 1e9 * 100.0;
}

std::optional<double> interval_rate(std::optional<std::uint64_t> previous, std::optional<std::uint64_t> current,
                                    double seconds) {
    if (!previous || !current || !(seconds > 0) || *current < *previous) return std::nullopt;
    return static_cast<double>(*current - *previous) / seconds;
}

Readings JobMetrics::update(const JobSample& s) {
    Readings out;
    if (!s.present) return out;

    for (auto v : {s.memory_peak, s.memory_current})
        if (v) peak_ = std::max(peak_.value_or(0), *v);

    std::optional<double> usage, runqueue, read_rate, write_rate, watts;
    if (previous_) {
        const double dt = s.time - previous_->time;
        if (dt >= kMinRateInterval_s) {
            IntervalEnergy e = interval_energy(*previous_, s);
            if (auto joules = energy_sum(e.cpu_joules, e.dram_joules)) watts = *joules / dt;
        }
        usage = interval_usage_percent(*previous_, s);
        runqueue = interval_runqueue_percent(*previous_, s);
        read_rate = interval_rate(previous_->io_read_bytes, s.io_read_bytes, dt);
        write_rate = interval_rate(previous_->io_write_bytes, s.io_write_bytes, dt);
    }

    add(out, "cpu.user_seconds", s.cpu_user_s);
    add(out, "cpu.system_seconds", s.cpu_system_s);
    add(out, "cpu.usage_percent", usage);
    if (usage && allocated_cpus_ > 0) add(out, "cpu.efficiency_percent", *usage / allocated_cpus_);
    add(out, "cpu.runqueue_delay_percent", runqueue);

    add(out, "memory.current", as_double(s.memory_current));
    add(out, "memory.peak", as_double(peak_));
    add(out, "memory.rss", as_double(s.memory_rss));
    add(out, "memory.cache", as_double(s.memory_cache));
    add(out, "memory.swap", as_double(s.memory_swap));
    if (s.memory_limit && *s.memory_limit != kMemoryUnlimited) add(out, "memory.limit", as_double(s.memory_limit));
    add(out, "memory.limit_hits", as_double(s.memory_limit_hits));
    add(out, "memory.oom_kills", as_double(s.memory_oom_kills));

    add(out, "io.read_bytes", as_double(s.io_read_bytes));
    add(out, "io.write_bytes", as_double(s.io_write_bytes));
    add(out, "io.read_ops", as_double(s.io_read_ops));
    add(out, "io.write_ops", as_double(s.io_write_ops));
    add(out, "io.read_bytes_per_s", read_rate);
    add(out, "io.write_bytes_per_s", write_rate);

    add(out, "tasks.processes", as_double(s.processes));
    add(out, "tasks.threads", as_double(s.threads));
    add(out, "tasks.skipped", as_double(s.tasks_skipped));

    add_pressure(out, "cpu", s.cpu_pressure);
    add_pressure(out, "memory", s.memory_pressure);
    add_pressure(out, "io", s.io_pressure);

    add(out, "energy.watts", watts);

    previous_ = s;
    return out;
}

}  // namespace fructosa
