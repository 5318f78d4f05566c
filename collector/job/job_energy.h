#pragma once
/// The per-job energy estimate. RAPL measures the node, not the job: over each interval
/// between two job samples the job is given
///   - of the CPU packages' energy, its share of the node's busy CPU time
///     (job CPU time / node busy CPU time, at most 1), and
///   - of the DRAM energy, its share of the node's memory in use
///     (job memory.current / node MemTotal - MemFree, the mean of the interval's two ends).
/// The node's energy comes from the Energy sensor's latest totals at each job sample
/// (lagent never reads the counters twice), so the energy window lags the job's by up
/// to one Energy interval; over a job the lags cancel but for the first and last.
/// The job's GPUs are measured, not estimated: gpu_energy_joules comes from NVML.

#include <functional>
#include <optional>

#include "collector/job/cgroup_sampler.h"
#include "collector/sensors/rapl.h"
#include "collector/system_reader.h"

namespace fructosa {

/// The node's latest energy totals (the Energy sensor's meter); unset when the sensor
/// is not configured, and then no job gets energy figures.
using NodeEnergyFeed = std::function<sensors::NodeEnergyTotals()>;

/// The node's figures now: `totals` with the node's busy CPU time and memory in use read
/// from /proc. nullopt when the totals hold no figure (nothing to share out, nothing read).
std::optional<NodeEnergySample> node_energy_sample(const SystemReader& sys, const sensors::NodeEnergyTotals& totals);

/// The job's estimated energy over one interval; a part is empty when either sample
/// lacks what it needs (no RAPL zone of that kind, no job CPU or memory figure, a
/// counter that went back).
struct IntervalEnergy {
    std::optional<double> cpu_joules;
    std::optional<double> dram_joules;
};
IntervalEnergy interval_energy(const JobSample& previous, const JobSample& current);

/// The sum of the parts that hold a figure; nullopt when none does.
std::optional<double> energy_sum(std::optional<double> a, std::optional<double> b);

}  // namespace fructosa
