#pragma once
/// The node's figures at one job sample that the job's energy estimate is made from
/// (collector/job/job_energy.h). A plain struct, so JobSample can carry it.

#include <cstdint>
#include <optional>

namespace fructosa {

struct NodeEnergySample {
    /// The Energy sensor's latest totals: joules of every CPU package and of every DRAM
    /// zone since lagent began reading them (running totals, only their growth counts).
    std::optional<double> package_joules;
    std::optional<double> dram_joules;
    /// CPU time the node spent busy (/proc/stat user + nice + system + irq + softirq).
    std::optional<double> cpu_seconds;
    /// Memory in use on the node, page cache included (MemTotal - MemFree), to compare
    /// with the job's memory.current, which counts its page cache too.
    std::optional<std::uint64_t> memory_used_bytes;
};

}  // namespace fructosa
