#include "collector/job/job_energy.h"

#include <algorithm>

#include "collector/sensors/meminfo.h"
#include "collector/sensors/proc_stat.h"

namespace fructosa {
namespace {

/// `part / whole` held to 0..1; 0 when the node did nothing (then neither did the job).
double share(double part, double whole) {
    if (!(whole > 0)) return 0;
    return std::clamp(part / whole, 0.0, 1.0);
}

/// The interval's mean of a figure, or the end that has one.
std::optional<double> mean_of_ends(std::optional<std::uint64_t> a, std::optional<std::uint64_t> b) {
    if (a && b) return (static_cast<double>(*a) + static_cast<double>(*b)) / 2;
    if (b) return static_cast<double>(*b);
    if (a) return static_cast<double>(*a);
    return std::nullopt;
}

std::optional<double> grown(std::optional<double> before, std::optional<double> after) {
    if (!before || !after || *after < *before) return std::nullopt;
    return *after - *before;
}

}  // namespace

std::optional<NodeEnergySample> node_energy_sample(const SystemReader& sys, const sensors::NodeEnergyTotals& totals) {
    if (!totals.package_joules && !totals.dram_joules) return std::nullopt;
    NodeEnergySample n;
    n.package_joules = totals.package_joules;
    n.dram_joules = totals.dram_joules;
    if (totals.package_joules) {
        if (auto stat = sensors::read_proc_stat(sys)) {
            const auto& t = stat->total;  // user nice system idle iowait irq softirq steal ...
            double busy = static_cast<double>(t[0] + t[1] + t[2] + t[5] + t[6]);
            n.cpu_seconds = busy / sensors::clock_ticks_per_second();
        }
    }
    if (totals.dram_joules) {
        if (auto text = sys.read_file("/proc/meminfo")) {
            auto m = sensors::parse_meminfo(*text, "/proc/meminfo");
            auto total = sensors::meminfo_value(m, "MemTotal");
            auto free = sensors::meminfo_value(m, "MemFree");
            if (total > 0 && total >= free) n.memory_used_bytes = total - free;
        }
    }
    return n;
}

IntervalEnergy interval_energy(const JobSample& previous, const JobSample& current) {
    IntervalEnergy out;
    if (!previous.node_energy || !current.node_energy) return out;
    const NodeEnergySample& a = *previous.node_energy;
    const NodeEnergySample& b = *current.node_energy;

    auto package = grown(a.package_joules, b.package_joules);
    auto node_cpu = grown(a.cpu_seconds, b.cpu_seconds);
    if (package && node_cpu && previous.cpu_usage_ns && current.cpu_usage_ns &&
        *current.cpu_usage_ns >= *previous.cpu_usage_ns) {
        double job_cpu = static_cast<double>(*current.cpu_usage_ns - *previous.cpu_usage_ns) / 1e9;
        out.cpu_joules = *package * share(job_cpu, *node_cpu);
    }

    auto dram = grown(a.dram_joules, b.dram_joules);
    auto job_memory = mean_of_ends(previous.memory_current, current.memory_current);
    auto node_memory = mean_of_ends(a.memory_used_bytes, b.memory_used_bytes);
    if (dram && job_memory && node_memory) out.dram_joules = *dram * share(*job_memory, *node_memory);
    return out;
}

std::optional<double> energy_sum(std::optional<double> a, std::optional<double> b) {
    if (!a) return b;
    if (!b) return a;
    return *a + *b;
}

}  // namespace fructosa
