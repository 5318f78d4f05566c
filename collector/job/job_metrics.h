#pragma once
/// Turns a job's consecutive cgroup samples into the Readings lagent ships as
/// jobs.<jobid>.<host>.<group>.<field>. One JobMetrics per job and node, fed every
/// sample in time order.
///
/// Fields (a source the machine lacks gives no field, never a 0):
///   cpu.user_seconds, cpu.system_seconds           cumulative
///   cpu.usage_percent                              of one core (400 = 4 busy cores), over the last interval
///   cpu.efficiency_percent                         usage_percent / allocated cpus
///   cpu.runqueue_delay_percent                     thread-time spent waiting for a CPU per wall second,
///                                                  over the last interval, in percent of one core
///                                                  (300 = on average 3 threads ready but not running);
///                                                  from the threads' /proc/<tid>/schedstat
///   memory.current, .peak, .rss, .cache, .swap     bytes; peak = max(kernel peak, every current seen)
///   memory.limit                                   bytes, only when the job has a limit
///   memory.limit_hits, memory.oom_kills            cumulative counts
///   io.read_bytes, .write_bytes, .read_ops, .write_ops   cumulative; bytes of the storage layer from
///                                                  blkio (v1) or io.stat (v2), or, when the job's cgroup
///                                                  has neither (Slurm's v1 plugin makes no blkio cgroup),
///                                                  summed over its processes' /proc read_bytes/write_bytes
///                                                  (see JobTaskSampler; no ops then)
///   io.read_bytes_per_s, io.write_bytes_per_s      over the last interval
///   tasks.processes, tasks.threads
///   tasks.skipped                                  threads and processes not read this sample
///                                                  (over kMaxTaskReadsPerSample)
///   pressure.{cpu,memory,io}.some_avg10, .full_avg10     percent (cgroup v2 only)
///   energy.watts                                   estimated power over the last interval: the job's
///                                                  share of the node's CPU package and DRAM power
///                                                  (see job_energy.h); only with the Energy sensor

#include <cstdint>
#include <optional>

#include "collector/job/cgroup_sampler.h"
#include "collector/sensor.h"

namespace fructosa {

/// Shortest interval a CPU usage rate is computed over (see interval_usage_percent).
inline constexpr double kMinRateInterval_s = 0.25;

/// CPU use between two samples in percent of one core, or nullopt when either lacks
/// cpu_usage_ns, they are less than kMinRateInterval_s apart, or the counter went
/// backwards (a new cgroup).
std::optional<double> interval_usage_percent(const JobSample& previous, const JobSample& current);

/// Run-queue delay between two samples in percent of one core (thread-seconds waiting per
/// wall second * 100), same rules as interval_usage_percent.
std::optional<double> interval_runqueue_percent(const JobSample& previous, const JobSample& current);

/// Per-second rate of a cumulative counter between two samples, same rules as above.
std::optional<double> interval_rate(std::optional<std::uint64_t> previous, std::optional<std::uint64_t> current,
                                    double seconds);

class JobMetrics {
public:
    /// `allocated_cpus` on this node (from step_start); 0 or less: no efficiency field.
    explicit JobMetrics(double allocated_cpus) : allocated_cpus_(allocated_cpus) {}

    /// The readings for `sample`. The first sample has no interval fields (usage,
    /// efficiency, byte rates); a sample of a vanished cgroup (present == false) gives none
    /// and is not kept as the previous one.
    Readings update(const JobSample& sample);

    /// The highest memory figure seen so far (kernel peak or current), if any.
    std::optional<std::uint64_t> memory_peak() const { return peak_; }

private:
    double allocated_cpus_;
    std::optional<JobSample> previous_;
    std::optional<std::uint64_t> peak_;
};

}  // namespace fructosa
