#pragma once
/// A job's GPU figures on one node, from the GPU monitor's snapshots: the per-job series
/// "gpu.<key>.<field>" (key as in the host series: "0", "1_mig2") and the node summary's
/// gpu_* keys. Absent, never 0, what was not measured.
///
/// Per job series (under jobs.<id>.<host>.):
///   gpu.<key>.util_percent    the GPU's SM utilisation; on a GPU shared with another job,
///                             the sum of the job's processes' per-process SM utilisation
///                             where NVML gives it (absent where it does not)
///   gpu.<key>.memory_used     bytes: the GPU's; on a shared GPU the job's processes'
///   gpu.<key>.power_watts     the GPU's (not on a shared GPU)
///   gpu.<key>.energy_joules   the GPU's energy since the job's first GPU sample (not shared)
///
/// Node summary keys (JobGpuAccumulator::put_summary):
///   gpu_ids                   the job's devices ["0", "1_mig2"]
///   gpu_util_mean_percent     mean over samples of the mean over the job's GPUs
///   gpu_util_max_percent      the busiest GPU in any sample
///   gpu_memory_peak_bytes     the most memory used on one of the job's GPUs
///   gpu_memory_total_bytes    the memory of the largest of the job's GPUs
///   gpu_energy_joules         energy of the job's GPUs from its first to last GPU sample
///                             (GPUs shared with another job left out)
///   gpu_process_fraction      share of samples in which the job's GPUs had a process
///   gpu_shared                true when a GPU was shared with another job and NVML gave
///                             no per-process utilisation (its utilisation is then unknown)

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/gpu/gpu_snapshot.h"
#include "collector/sensor.h"

namespace fructosa {

/// One of the job's devices in one snapshot.
struct JobGpuUse {
    const gpu::GpuDevice* device = nullptr;
    std::vector<gpu::GpuProcess> job_processes;  ///< the job's processes on it
    bool shared = false;                         ///< another job uses or holds it too
};

/// The keys of the devices of `snapshot` that are the job's: whole GPUs whose minor is in
/// `minors` (the allocation, when known), and every device in `with_job_processes`.
std::vector<std::string> job_gpu_keys(const gpu::GpuSnapshot& snapshot, const std::optional<std::set<unsigned>>& minors,
                                      const std::set<std::string>& with_job_processes);

class JobGpuAccumulator {
public:
    /// The readings ("gpu.<key>.<field>") of one snapshot, added to the summary.
    Readings add(const std::vector<JobGpuUse>& uses);
    /// Puts the summary keys into `summary` (an object); none when no GPU was ever seen.
    void put_summary(nlohmann::json& summary) const;
    bool empty() const { return ids_.empty(); }

private:
    struct PerGpu {
        std::optional<double> first_energy, last_energy;
        bool shared = false;
    };
    std::map<std::string, PerGpu> gpus_;
    std::vector<std::string> ids_;  ///< in the order first seen
    std::uint64_t process_samples_ = 0, process_known_samples_ = 0;
    double util_sum_ = 0;
    std::uint64_t util_samples_ = 0;
    std::optional<double> util_max_;
    std::optional<std::uint64_t> memory_peak_, memory_total_;
    bool shared_unmeasured_ = false;
};

}  // namespace fructosa
