#include "collector/job_tracker.h"

#include <algorithm>

#include "collector/host_sampler.h"
#include "collector/job/cgroup_locator.h"
#include "collector/job/cgroup_sampler.h"
#include "collector/job/gpu_allocation.h"
#include "collector/job/job_gpu_figures.h"
#include "collector/job/job_metrics.h"
#include "collector/job/job_summary.h"
#include "collector/job/task_sampler.h"
#include "common/host_name.h"
#include "common/job_event.h"

namespace fructosa {

struct JobTracker::Job {
    Job(boost::asio::io_context& io, std::uint64_t id_, double cpus, double idle)
        : id(id_), metrics(cpus), whole(cpus, CounterBase::cgroup_start, idle), timer(io), cpus_(cpus) {}
    std::uint64_t id;
    StepEvent meta;           ///< from the first step_start (empty when re-attached)
    bool reattached = false;
    double interval_s = 10;
    double phase_start = 0;  ///< wall time the job or its newest step started (adaptive sampling)
    std::optional<JobCgroupPaths> paths;
    JobMetrics metrics;
    JobTaskSampler tasks;  ///< its tasks' /proc figures, kept between samples
    JobSummaryAccumulator whole;
    std::map<std::string, JobSummaryAccumulator> steps;  ///< steps running on this node
    int worst_exit = 0;
    boost::asio::steady_timer timer;
    std::optional<std::set<unsigned>> slurm_gpu_ids;  ///< from step_start's gpu_ids, every step's
    std::vector<std::string> gpu_keys;                ///< its devices in the last GPU sample
    JobGpuAccumulator gpus;
    Complaint complaint;
    Complaint skipping;  ///< threads over the per-sample read bound
    double cpus_;
    std::unique_ptr<JobHwCounters> hw;  ///< cpu.ipc; null when not measured
    bool hw_tried = false;
};

namespace {

std::string node_socket_path(std::string path, const std::string& node) {
    for (auto pos = path.find("%n"); pos != std::string::npos; pos = path.find("%n", pos + node.size()))
        path.replace(pos, 2, node);
    return path;
}

/// The job event's meta: what the plugin said about the job.
JobMeta job_meta(const StepEvent& e) {
    JobMeta m;
    m.uid = e.uid;
    m.user = e.user;
    m.account = e.account;
    m.partition = e.partition;
    m.job_name = e.job_name;
    m.nodelist = e.nodelist;
    m.nnodes = e.nnodes;
    m.cpus = e.cpus;
    m.mem_mb = e.mem_mb;
    m.gpus = e.gpus;
    m.ntasks = e.ntasks;
    m.interval = e.interval;
    return m;
}

}  // namespace

JobTracker::JobTracker(boost::asio::io_context& io, JobTrackerSettings config, const SystemReader& reader,
                       Shipper& shipper, WallClock clock, sensors::PerfBackend& perf)
    : io_(io),
      config_(std::move(config)),
      reader_(reader),
      shipper_(shipper),
      clock_(std::move(clock)),
      socket_(io, node_socket_path(config_.jobs.socket_path, config_.hostname), config_.jobs.allowed_uids,
              [this](const StepEvent& e) { on_event(e); }),
      hw_counters_(config_.jobs.hardware_counters, perf) {}

JobTracker::~JobTracker() = default;

void JobTracker::start() {
    mounts_ = discover_cgroup_mounts(reader_, config_.jobs.cgroup_root);
    socket_.start();
    reattach();
}

void JobTracker::stop() {
    socket_.stop();
    for (auto& [id, job] : jobs_) job->timer.cancel();
}

PluginMessageStats JobTracker::plugin_stats() const {
    return {.refused = socket_.refused(), .malformed = socket_.malformed(), .wrong_node = wrong_node_,
            .accept_pauses = socket_.accept_pauses()};
}

void JobTracker::on_event(const StepEvent& e) {
    if (!same_host(e.node, config_.hostname)) {
        ++wrong_node_;
        wrong_node_complaint_.complain(fmt::format(
            "job {}: refused a {} naming node '{}' on the plugin socket of '{}' ({} refused so far)", e.job_id,
            e.kind == StepEvent::Kind::Start ? "step_start" : "step_end", e.node.substr(0, 64), config_.hostname,
            wrong_node_));
        return;
    }
    if (e.kind == StepEvent::Kind::Start)
        on_step_start(e);
    else
        on_step_end(e);
}

void JobTracker::on_step_start(const StepEvent& e) {
    auto& slot = jobs_[e.job_id];
    bool is_new = !slot;
    if (is_new) {
        slot = std::make_unique<Job>(io_, e.job_id, e.cpus, config_.jobs.idle_threshold_percent);
        slot->meta = e;
        double wanted = e.interval > 0 ? e.interval : config_.jobs.default_interval_s;
        slot->interval_s = std::max(wanted, config_.jobs.min_interval_s);
        if (config_.sampling.adaptive) slot->phase_start = clock_();
        log_info("job {}: step {} started (user {}, {} cpus, every {} s)", e.job_id, e.step_id, e.user, e.cpus,
                 slot->interval_s);
    } else {
        if (slot->meta.user.empty()) slot->meta = e;  // re-attached: now we learn who it is
        log_info("job {}: step {} started", e.job_id, e.step_id);
    }
    Job& job = *slot;
    if (auto ids = parse_gpu_id_list(e.gpu_ids)) {
        if (!job.slurm_gpu_ids) job.slurm_gpu_ids.emplace();
        job.slurm_gpu_ids->insert(ids->begin(), ids->end());
    } else if (!e.gpu_ids.empty()) {
        log_warning("job {}: gpu_ids '{}' is not a GPU id list: ignored", e.job_id, e.gpu_ids.substr(0, 64));
    }
    if (!job.paths) {
        JobCgroupRequest req{e.job_id, e.uid, config_.hostname, e.cgroup};
        LocateResult found = locate_job_cgroups(reader_, mounts_, req);
        for (const auto& r : found.refused) log_warning("job {}: cgroup entry refused: {}", e.job_id, r);
        if (found.paths)
            job.paths = found.paths;
        else
            job.complaint.complain(fmt::format("job {}: no cgroup to sample yet: {}", e.job_id, found.error));
    }
    job.steps.try_emplace(e.step_id, double(e.cpus), CounterBase::first_sample, config_.jobs.idle_threshold_percent);
    JobEvent ev{.kind = JobEvent::Kind::StepStart, .job_id = e.job_id, .host = config_.hostname, .time = e.time,
                .step_id = e.step_id, .meta = job_meta(e)};
    shipper_.add_job_event(ev.to_json().dump());
    // A new step starts a new fast phase: its first samples matter as much as the job's.
    if (!is_new && config_.sampling.adaptive) job.phase_start = clock_();
    sample(job, false);  // the extra sample right at start
    if ((is_new || config_.sampling.adaptive) && jobs_.count(e.job_id)) schedule(job);  // (re-armed: fast again)
}

void JobTracker::on_step_end(const StepEvent& e) {
    auto it = jobs_.find(e.job_id);
    if (it == jobs_.end()) {
        log_info("job {}: end of step {} for a job not followed here", e.job_id, e.step_id);
        return;
    }
    Job& job = *it->second;
    sample(job, true);  // the final sample, before the cgroup goes away (never ends the job)
    JobEvent ev{.kind = JobEvent::Kind::StepEnd, .job_id = e.job_id, .host = config_.hostname, .time = e.time,
                .step_id = e.step_id, .exit_status = e.exit_status};
    if (auto s = job.steps.find(e.step_id); s != job.steps.end()) {
        ev.summary = s->second.summary().to_json();
        job.steps.erase(s);
    }
    job.worst_exit = job.worst_exit != 0 ? job.worst_exit : e.exit_status;
    shipper_.add_job_event(ev.to_json().dump());
    log_info("job {}: step {} ended with status {}", e.job_id, e.step_id, e.exit_status);
    if (job.steps.empty() && !job.reattached) finish(e.job_id, "last step ended");
}

void JobTracker::reattach() {
    for (const FoundJob& f : scan_job_cgroups(reader_, mounts_, config_.hostname)) {
        if (jobs_.count(f.job_id)) continue;
        auto job = std::make_unique<Job>(io_, f.job_id, 0, config_.jobs.idle_threshold_percent);
        job->reattached = true;
        job->paths = f.paths;
        job->interval_s = std::max(config_.jobs.default_interval_s, config_.jobs.min_interval_s);
        if (config_.sampling.adaptive) job->phase_start = clock_();
        job->meta.job_id = f.job_id;
        job->meta.uid = f.uid.value_or(0);
        log_info("job {}: re-attached to its running cgroup", f.job_id);
        Job& ref = *job;
        jobs_[f.job_id] = std::move(job);
        sample(ref, false);
        if (jobs_.count(f.job_id)) schedule(ref);
    }
}

double JobTracker::interval_now(const Job& job) const {
    if (!config_.sampling.adaptive) return job.interval_s;  // (no clock read: tests count them)
    return std::max(job_sample_interval(config_.sampling, job.interval_s, clock_() - job.phase_start),
                    config_.jobs.min_interval_s);
}

void JobTracker::schedule(Job& job) {
    job.timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(interval_now(job))));
    std::uint64_t id = job.id;
    job.timer.async_wait([this, id](const boost::system::error_code& ec) {
        if (ec) return;
        auto it = jobs_.find(id);
        if (it == jobs_.end()) return;
        Job& j = *it->second;
        sample(j, false);
        if (jobs_.count(id)) schedule(j);
    });
}

void JobTracker::sample(Job& job, bool final_sample) {
    if (!job.paths) {
        if (job.meta.cgroup.empty()) return;
        JobCgroupRequest req{job.id, job.meta.uid, config_.hostname, job.meta.cgroup};
        job.paths = locate_job_cgroups(reader_, mounts_, req).paths;
        if (!job.paths) return;
        job.complaint.release(fmt::format("job {}: cgroup found", job.id));
    }
    JobSample s = sample_job_cgroup(reader_, *job.paths, clock_(), &job.tasks);
    for (const auto& p : s.problems) job.complaint.complain(fmt::format("job {}: {}", job.id, p));
    if (s.tasks_skipped && *s.tasks_skipped > 0)
        job.skipping.complain(fmt::format("job {}: {} of {} threads not read this sample (at most {} a sample)", job.id,
                                          *s.tasks_skipped, s.threads.value_or(0), kMaxTaskReadsPerSample));
    else if (s.tasks_skipped)
        job.skipping.release(fmt::format("job {}: every thread read again", job.id));
    if (!s.present) {
        if (!final_sample) finish(job.id, "cgroup removed");
        return;
    }
    if (energy_) {
        try {
            s.node_energy = node_energy_sample(reader_, energy_());
        } catch (const std::exception& e) {
            job.complaint.complain(fmt::format("job {}: no energy share this sample: {}", job.id, e.what()));
        }
    }
    Readings r = job.metrics.update(s);
    if (!job.hw_tried) {
        job.hw_tried = true;
        job.hw = hw_counters_.start(reader_, mounts_, *job.paths);
    }
    if (job.hw)
        if (auto ipc = job.hw->ipc()) r.push_back({"cpu.ipc", *ipc});
    sample_gpus(job, r);
    // With adaptive sampling the interval until the next sample is a series of its own.
    if (config_.sampling.adaptive && !final_sample) r.push_back({"sampling.interval_seconds", interval_now(job)});
    job.whole.add(s);
    for (auto& [step, acc] : job.steps) acc.add(s);
    if (!r.empty())
        shipper_.add(readings_to_points(job_series_base(job.id, config_.hostname), r, s.time));
}

void JobTracker::finish(std::uint64_t job_id, const std::string& reason) {
    auto it = jobs_.find(job_id);
    if (it == jobs_.end()) return;
    Job& job = *it->second;
    job.timer.cancel();
    JobEvent ev{.kind = JobEvent::Kind::JobEnd, .job_id = job_id, .host = config_.hostname,
                .time = clock_(), .meta = job_meta(job.meta), .exit_status = job.worst_exit,
                .summary = job.whole.summary().to_json(), .reason = reason, .reattached = job.reattached};
    job.gpus.put_summary(ev.summary);
    add_energy_total(ev.summary);  // the job's energy includes its GPUs' (measured by NVML)
    shipper_.add_job_event(ev.to_json().dump());
    shipper_.flush();
    log_info("job {}: finished on this node ({})", job_id, reason);
    jobs_.erase(it);
}

std::optional<std::set<unsigned>> JobTracker::gpu_minors(const Job& job) const {
    if (job.paths) {
        if (auto dir = job.paths->v1_dir("devices"))
            if (auto text = reader_.read_file(*dir + "/devices.list"))
                if (auto minors = gpu_minors_of_devices_list(*text)) return minors;
    }
    return job.slurm_gpu_ids;
}

const std::map<std::uint32_t, std::optional<std::uint64_t>>& JobTracker::gpu_process_jobs(
    const std::shared_ptr<const gpu::GpuSnapshot>& snapshot) {
    if (owners_of_ == snapshot) return gpu_owners_;
    owners_of_ = snapshot;
    gpu_owners_.clear();
    for (const auto& d : snapshot->devices) {
        if (!d.processes) continue;
        for (const auto& p : *d.processes) {
            if (gpu_owners_.count(p.pid)) continue;
            auto text = reader_.read_file("/proc/" + std::to_string(p.pid) + "/cgroup");
            gpu_owners_[p.pid] = text ? job_of_cgroup_text(*text) : std::nullopt;
        }
    }
    return gpu_owners_;
}

void JobTracker::sample_gpus(Job& job, Readings& out) {
    if (!gpu_source_) return;
    gpu::GpuMonitor::View v = gpu_source_();
    if (!v.fresh()) return;  // stale figures are worse than none
    const auto& owners = gpu_process_jobs(v.snapshot);
    auto owner = [&](std::uint32_t pid) {
        auto it = owners.find(pid);
        return it == owners.end() ? std::nullopt : it->second;
    };
    std::set<std::string> with_job;
    for (const auto& d : v.snapshot->devices)
        if (d.processes)
            for (const auto& p : *d.processes)
                if (owner(p.pid) == job.id) with_job.insert(d.key);
    auto minors = gpu_minors(job);
    job.gpu_keys = job_gpu_keys(*v.snapshot, minors, with_job);
    std::vector<JobGpuUse> uses;
    for (const auto& d : v.snapshot->devices) {
        if (std::find(job.gpu_keys.begin(), job.gpu_keys.end(), d.key) == job.gpu_keys.end()) continue;
        JobGpuUse u{&d, {}, false};
        if (d.processes)
            for (const auto& p : *d.processes) {
                auto o = owner(p.pid);
                if (o == job.id)
                    u.job_processes.push_back(p);
                else if (o)
                    u.shared = true;  // another job's process runs here
            }
        for (const auto& [id, other] : jobs_)
            if (id != job.id &&
                std::find(other->gpu_keys.begin(), other->gpu_keys.end(), d.key) != other->gpu_keys.end())
                u.shared = true;  // another job holds it (MPS, shards, or no device constraint)
        uses.push_back(std::move(u));
    }
    if (minors && with_job.size() > 0)
        for (const auto& key : with_job)
            for (const auto& d : v.snapshot->devices)
                if (d.key == key && d.minor && !minors->count(*d.minor))
                    job.complaint.complain(fmt::format("job {}: runs on GPU {}, which it was not given", job.id, key));
    Readings r = job.gpus.add(uses);
    out.insert(out.end(), r.begin(), r.end());
}

}  // namespace fructosa
