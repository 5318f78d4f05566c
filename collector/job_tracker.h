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

#include <cstdint>
#include <map>
#include <memory>
#include <set>

#include <boost/asio.hpp>

#include "collector/host_sampler.h"
#include "collector/job/cgroup_locator.h"
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
    JobTracker(boost::asio::io_context& io, JobTrackerSettings config, const SystemReader& reader, Shipper& shipper,
               WallClock clock = system_wall_clock);
    ~JobTracker();
    /// Listens on the plugin socket and re-attaches to jobs already running. Throws when
    /// the socket cannot be bound.
    void start();
    void stop();
    std::size_t tracked() const { return jobs_.size(); }
    PluginMessageStats plugin_stats() const;

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

    boost::asio::io_context& io_;
    const JobTrackerSettings config_;
    const SystemReader& reader_;
    Shipper& shipper_;
    WallClock clock_;
    PluginSocket socket_;
    CgroupMounts mounts_;
    std::map<std::uint64_t, std::unique_ptr<Job>> jobs_;
    std::uint64_t wrong_node_ = 0;
    Complaint wrong_node_complaint_;
};

}  // namespace fructosa
