#pragma once
/// Follows Slurm jobs on this node: hears step_start/step_end from spank_fructosa.so,
/// samples each job's cgroup at the job's interval (plus once at start and once at the
/// end, before the cgroup disappears), ships `jobs.<jobid>.<host>.<group>.<field>` points,
/// and sends lmaster the job's metadata and per-step and per-job summaries.
/// With [sampling] adaptive = yes a job samples at the fast interval for its first
/// `job fast seconds` and again after each new step starts (sampling_policy.h), and
/// publishes `jobs.<jobid>.<host>.sampling.interval_seconds` with every sample.
///
/// An event naming another node (not this lagent's `hostname`, by full or short name) is
/// refused and counted: a root sender cannot make this lagent sample another node's
/// cgroup and publish it under this host. The cgroup is always looked for under this
/// lagent's own node name.
///
/// GPUs (with a GPU source, lagent's GPU sensor): at each sample the job's GPUs are found
/// (collector/job/gpu_allocation.h) in the GPU monitor's newest snapshot and their figures
/// added as jobs.<id>.<host>.gpu.<key>.* and to the node summary (job_gpu_figures.h). A
/// stale snapshot (NVML hung or failing) gives no GPU figures for that sample.

#include <cstdint>
#include <map>
#include <memory>
#include <functional>
#include <set>

#include <boost/asio.hpp>

#include "collector/gpu/gpu_monitor.h"
#include "collector/host_sampler.h"
#include "collector/job/cgroup_locator.h"
#include "collector/job/job_energy.h"
#include "collector/job/job_hw_counters.h"
#include "collector/job_tracker_settings.h"
#include "collector/plugin_socket.h"
#include "collector/shipper.h"
#include "collector/system_reader.h"

namespace fructosa {

/// What the plugin socket refused or could not read, for lagent's own metrics.
struct PluginMessageStats {
    std::uint64_t refused = 0;        ///< senders other than root and the SlurmUser
    std::uint64_t malformed = 0;      ///< too long, cut off, bad JSON, bad field
    std::uint64_t wrong_node = 0;     ///< step events naming another node
    std::uint64_t accept_pauses = 0;  ///< accepts failed (out of descriptors), each a pause
};

class JobTracker {
public:
    /// `clock` stamps the samples and the job_end events (a fake one in tests).
    /// `perf` counts each job's instructions and cycles (a fake one in tests).
    JobTracker(boost::asio::io_context& io, JobTrackerSettings config, const SystemReader& reader, Shipper& shipper,
               WallClock clock = system_wall_clock, sensors::PerfBackend& perf = sensors::system_perf_backend());
    ~JobTracker();
    /// Listens on the plugin socket and re-attaches to jobs already running. Throws when
    /// the socket cannot be bound.
    void start();
    void stop();
    /// Where the node's energy totals come from (the Energy sensor's meter). Without it,
    /// or while it holds no figure, job samples carry no energy and summaries no energy keys.
    void set_energy_feed(NodeEnergyFeed feed) { energy_ = std::move(feed); }
    std::size_t tracked() const { return jobs_.size(); }
    PluginMessageStats plugin_stats() const;
    /// Where the GPU figures come from (the GPU sensor's monitor); none: no GPU figures.
    using GpuSource = std::function<gpu::GpuMonitor::View()>;
    void set_gpu_source(GpuSource source) { gpu_source_ = std::move(source); }

private:
    struct Job;
    void on_event(const StepEvent& e);
    void on_step_start(const StepEvent& e);
    void on_step_end(const StepEvent& e);
    void reattach();
    void schedule(Job& job);
    /// The job's interval now: its own, or the fast one early on (adaptive sampling).
    double interval_now(const Job& job) const;
    void sample(Job& job, bool final_sample);
    void finish(std::uint64_t job_id, const std::string& reason);
    /// The job's GPU readings of the newest snapshot, into `out`.
    void sample_gpus(Job& job, Readings& out);
    /// The GPU minors the job may use: its v1 devices.list, else Slurm's GPU ids.
    std::optional<std::set<unsigned>> gpu_minors(const Job& job) const;
    /// The job each process of `snapshot` on a GPU belongs to (from /proc/<pid>/cgroup),
    /// read once per snapshot.
    const std::map<std::uint32_t, std::optional<std::uint64_t>>& gpu_process_jobs(
        const std::shared_ptr<const gpu::GpuSnapshot>& snapshot);

    boost::asio::io_context& io_;
    const JobTrackerSettings config_;
    const SystemReader& reader_;
    Shipper& shipper_;
    WallClock clock_;
    NodeEnergyFeed energy_;
    PluginSocket socket_;
    CgroupMounts mounts_;
    JobHwCounterFactory hw_counters_;
    std::map<std::uint64_t, std::unique_ptr<Job>> jobs_;
    std::uint64_t wrong_node_ = 0;
    GpuSource gpu_source_;
    std::shared_ptr<const gpu::GpuSnapshot> owners_of_;  ///< the snapshot gpu_owners_ is for
    std::map<std::uint32_t, std::optional<std::uint64_t>> gpu_owners_;
    Complaint wrong_node_complaint_;
};

}  // namespace fructosa
