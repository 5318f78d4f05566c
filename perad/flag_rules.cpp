// The flag rules: each applies independently of the primary class and of each other.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perad/advice_text.h"
#include "perad/rule.h"
#include "perad/time_arg.h"

namespace fructosa {

using json = nlohmann::json;

namespace {

double mb(std::uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

bool job_failed(const JobFeatures& f, const Thresholds& t) {
    return f.exit_status.value_or(0) != 0 || !failed_slurm_state(f, t).empty();
}

class MemoryOverrequestedRule : public Rule {
public:
    std::string_view name() const override { return "memory-overrequested"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        // Judge the node that came closest to its request: the job needs that much everywhere.
        const NodeFeatures* worst = nullptr;
        for (const auto& n : f.nodes)
            if (n.memory_peak_fraction && (!worst || *n.memory_peak_fraction > *worst->memory_peak_fraction))
                worst = &n;
        if (!worst || *worst->memory_peak_fraction >= t.memory_overrequest_fraction) return std::nullopt;
        double peak = mb(*worst->memory_peak_bytes);
        double unused = static_cast<double>(worst->mem_mb) - peak;
        if (unused < t.memory_overrequest_min_mb) return std::nullopt;
        // A suggestion with headroom: 1.5 x the peak, rounded up to 256 MB, at least 256 MB.
        double suggest = std::max(256.0, std::ceil(peak * 1.5 / 256.0) * 256.0);
        return Finding{{{"node", worst->host},
                        {"mem_mb_requested", worst->mem_mb},
                        {"memory_peak_mb", peak},
                        {"peak_fraction", *worst->memory_peak_fraction},
                        {"threshold", t.memory_overrequest_fraction},
                        {"unused_mb", unused}},
                       fmt::format("asked for {} MB per node, the peak was {:.0f} MB: ask for about {:.0f} MB "
                                   "(--mem) so others can use the rest",
                                   worst->mem_mb, peak, suggest)};
    }
};

/// Silent for failed and too-short jobs (their elapsed time says nothing about what they
/// need), and whenever the rounded suggestion would not be below the limit asked for.
class WalltimeOverrequestedRule : public Rule {
public:
    std::string_view name() const override { return "walltime-overrequested"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (job_failed(f, t) || !f.walltime_fraction || !f.elapsed_s || !f.time_limit_s ||
            *f.elapsed_s < t.too_short_s || *f.walltime_fraction >= t.walltime_overrequest_fraction)
            return std::nullopt;
        double suggest = suggested_time_limit(*f.elapsed_s);
        if (suggest >= *f.time_limit_s) return std::nullopt;
        return Finding{{{"elapsed_s", *f.elapsed_s},
                        {"time_limit_s", *f.time_limit_s},
                        {"suggested_time_limit_s", suggest},
                        {"fraction", *f.walltime_fraction},
                        {"threshold", t.walltime_overrequest_fraction}},
                       fmt::format("asked for {} and ran {}: ask for about {} (--time); shorter limits start "
                                   "sooner through backfill",
                                   format_duration(*f.time_limit_s), format_duration(*f.elapsed_s),
                                   format_duration(suggest))};
    }
};

/// Judges each node on its own allocation: a node with at least `serial min cores` that
/// kept about one core busy. Job-wide totals would call a multi-node job serial when each
/// node ran one busy single-core task; per node, a one-core allocation is never serial
/// (whatever `serial min cores` says). "About one core" is from kSerialMinCoresUsed up: a
/// node that used less sat idle, which the idle and imbalanced classes explain.
constexpr double kSerialMinCoresUsed = 0.5;

class SerialOnManyCoresRule : public Rule {
public:
    std::string_view name() const override { return "serial-on-many-cores"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        const NodeFeatures* serial = nullptr;
        for (const auto& n : f.nodes)
            if (n.cores_used && n.cpus >= std::max(2.0, t.serial_min_cores) &&
                *n.cores_used <= t.serial_max_cores_used && *n.cores_used >= kSerialMinCoresUsed &&
                (!serial || n.cpus > serial->cpus))
                serial = &n;
        if (!serial) return std::nullopt;
        json ev{{"node", serial->host},
                {"cpus", serial->cpus},
                {"cores_used", *serial->cores_used},
                {"min_cores", t.serial_min_cores},
                {"max_cores_used", t.serial_max_cores_used}};
        if (f.nodes.size() > 1)
            return Finding{ev, fmt::format("{} had {} and kept {} busy on average: the work there ran serially; "
                                           "parallelise it or ask for fewer cores per node",
                                           serial->host, count_of(serial->cpus, "core"),
                                           format_number(*serial->cores_used))};
        return Finding{ev, fmt::format("asked for {}, used {} on average: the program ran serially; ask for 1 core "
                                       "or parallelise it",
                                       count_of(serial->cpus, "core"), format_number(*serial->cores_used))};
    }
};

/// Three signs, the most telling first: threads waiting in the run queue (lagent's
/// runqueue_delay_mean_percent, per allocated core), CPU time above the cores (possible
/// without cgroup confinement), more tasks than cores.
class OversubscribedRule : public Rule {
public:
    std::string_view name() const override { return "oversubscribed"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (auto found = run_queue(f, t)) return found;
        const NodeFeatures* worst = nullptr;
        for (const auto& n : f.nodes)
            if (n.cpu_efficiency && (!worst || *n.cpu_efficiency > *worst->cpu_efficiency)) worst = &n;
        if (worst && *worst->cpu_efficiency > t.oversubscribed_efficiency)
            return Finding{{{"node", worst->host},
                            {"cpus", worst->cpus},
                            {"cores_used", worst->cores_used.value_or(0)},
                            {"efficiency", *worst->cpu_efficiency},
                            {"threshold", t.oversubscribed_efficiency}},
                           fmt::format("{} kept {} cores busy with {} allocated: the program runs more threads or "
                                       "processes than cores; match them to the allocation (OMP_NUM_THREADS, "
                                       "--cpus-per-task)",
                                       worst->host, format_number(worst->cores_used.value_or(0)),
                                       count_of(worst->cpus, "core"))};
        if (f.allocated_cpus > 0 && f.ntasks > f.allocated_cpus)
            return Finding{{{"ntasks", f.ntasks}, {"allocated_cpus", f.allocated_cpus}},
                           fmt::format("{} shared {}: ask for one core per task (--ntasks with "
                                       "--cpus-per-task=1) or start fewer tasks",
                                       count_of(f.ntasks, "task"), count_of(f.allocated_cpus, "core"))};
        return std::nullopt;
    }

private:
    /// The node whose threads waited longest per allocated core. The cores they wanted are
    /// the cores kept busy plus the threads waiting, rounded up; suggested only when more
    /// than the node had (else the threads took turns for another reason).
    static std::optional<Finding> run_queue(const JobFeatures& f, const Thresholds& t) {
        const NodeFeatures* worst = nullptr;
        auto per_core = [](const NodeFeatures& n) { return *n.runqueue_delay_percent / n.cpus; };
        for (const auto& n : f.nodes)
            if (n.runqueue_delay_percent && n.cores_used && n.cpus > 0 && per_core(n) > 0 &&
                per_core(n) >= t.oversubscribed_runqueue_percent && (!worst || per_core(n) > per_core(*worst)))
                worst = &n;
        if (!worst) return std::nullopt;
        double used = *worst->cores_used, waiting = *worst->runqueue_delay_percent / 100;
        double wanted = std::ceil(std::round((used + waiting) * 100) / 100);
        json ev{{"node", worst->host},
                {"cpus", worst->cpus},
                {"cores_used", used},
                {"runqueue_delay_percent", *worst->runqueue_delay_percent},
                {"runqueue_percent_per_core", per_core(*worst)},
                {"threshold_percent_per_core", t.oversubscribed_runqueue_percent}};
        std::string who = f.nodes.size() > 1 ? worst->host + " had " + count_of(worst->cpus, "core")
                                             : "asked for " + count_of(worst->cpus, "core");
        std::string what = fmt::format("{} and kept {} busy with {} threads on average waiting for a CPU", who,
                                       format_number(used), format_number(waiting));
        if (wanted <= worst->cpus)
            return Finding{ev, what + ": its threads took turns on the cores they were bound to; start no more "
                                      "threads or processes than cores (OMP_NUM_THREADS) and check their binding "
                                      "(--cpu-bind)"};
        ev["wanted_cpus"] = wanted;
        return Finding{ev, fmt::format("{}: ask for {}{} (--cpus-per-task) or start fewer threads or processes "
                                       "(OMP_NUM_THREADS)",
                                       what, count_of(wanted, "core"), f.nodes.size() > 1 ? " per node" : "")};
    }
};

/// Busy, then idle until the end. Needs lagent's last_busy_time and busy_intervals: a job
/// with fewer than `stalled min busy intervals` busy intervals on every node (none, or a
/// start-up blip) was idle from the start, which the idle class says, not stalled.
class StalledRule : public Rule {
public:
    std::string_view name() const override { return "stalled"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.idle_tail_s || !f.elapsed_s || *f.elapsed_s <= 0 || !f.last_busy_time || !f.busy_intervals ||
            static_cast<double>(*f.busy_intervals) < t.stalled_min_busy_intervals)
            return std::nullopt;
        double share = *f.idle_tail_s / *f.elapsed_s;
        if (*f.idle_tail_s < t.stalled_min_s || share < t.stalled_min_fraction) return std::nullopt;
        json ev{{"idle_tail_s", *f.idle_tail_s},
                {"elapsed_s", *f.elapsed_s},
                {"fraction", share},
                {"last_busy_time", *f.last_busy_time},
                {"stopped_at", format_local_time(*f.last_busy_time)},
                {"busy_intervals", *f.busy_intervals},
                {"min_fraction", t.stalled_min_fraction},
                {"min_s", t.stalled_min_s},
                {"min_busy_intervals", t.stalled_min_busy_intervals}};
        if (f.first_busy_time) ev["first_busy_time"] = *f.first_busy_time;
        return Finding{ev, fmt::format("the job stopped working at {} and stayed idle for the last {} ({} of the "
                                       "job): it hung or waited; check for deadlocks, add a timeout, and end the "
                                       "job when the work is done",
                                       format_local_time(*f.last_busy_time), format_duration(*f.idle_tail_s),
                                       format_percent(share))};
    }
};

/// GPUs allocated while no process ran on them for most of the job: asked for the whole
/// job when only some steps use them, or the GPU work starts late.
class GpuUnusedRule : public Rule {
public:
    std::string_view name() const override { return "gpu-unused"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (f.gpus == 0 || !f.gpu_process_fraction || *f.gpu_process_fraction >= t.gpu_unused_process_fraction)
            return std::nullopt;
        json ev{{"gpus", f.gpus}, {"gpu_process_fraction", *f.gpu_process_fraction},
                {"threshold", t.gpu_unused_process_fraction}};
        if (!f.gpu_ids.empty()) ev["gpu_ids"] = f.gpu_ids;
        return Finding{ev, fmt::format("the job held {} with no process on {} for {} of its run: ask for GPUs only "
                                       "in the steps that use them (srun --gres=gpu:N), or start the GPU work sooner",
                                       count_of(f.gpus, "GPU"), f.gpus == 1 ? "it" : "them",
                                       format_percent(1 - *f.gpu_process_fraction))};
    }
};

/// The job's GPU memory peak far below what its GPU has: a smaller GPU or a MIG slice
/// would hold it and leave the big one to a job that needs it.
class GpuMemoryOverrequestedRule : public Rule {
public:
    std::string_view name() const override { return "gpu-memory-overrequested"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.gpu_memory_fraction || !f.gpu_memory_peak_bytes || !f.gpu_memory_total_bytes ||
            *f.gpu_memory_fraction >= t.gpu_memory_overrequest_fraction)
            return std::nullopt;
        constexpr double kGB = 1073741824.0;
        double peak = static_cast<double>(*f.gpu_memory_peak_bytes) / kGB;
        double total = static_cast<double>(*f.gpu_memory_total_bytes) / kGB;
        if (total - peak < t.gpu_memory_overrequest_min_gb) return std::nullopt;
        return Finding{{{"gpu_memory_peak_gb", peak},
                        {"gpu_memory_total_gb", total},
                        {"fraction", *f.gpu_memory_fraction},
                        {"threshold", t.gpu_memory_overrequest_fraction},
                        {"min_unused_gb", t.gpu_memory_overrequest_min_gb}},
                       fmt::format("the job used at most {} GB of its GPU's {} GB of memory: a smaller GPU or a MIG "
                                   "slice (--gres=gpu:<type>) would do and leave this GPU to jobs that need it",
                                   format_number(peak), format_number(total))};
    }
};

}  // namespace

std::unique_ptr<Rule> make_memory_overrequested_rule() { return std::make_unique<MemoryOverrequestedRule>(); }
std::unique_ptr<Rule> make_walltime_overrequested_rule() { return std::make_unique<WalltimeOverrequestedRule>(); }
std::unique_ptr<Rule> make_serial_on_many_cores_rule() { return std::make_unique<SerialOnManyCoresRule>(); }
std::unique_ptr<Rule> make_oversubscribed_rule() { return std::make_unique<OversubscribedRule>(); }
std::unique_ptr<Rule> make_stalled_rule() { return std::make_unique<StalledRule>(); }
std::unique_ptr<Rule> make_gpu_unused_rule() { return std::make_unique<GpuUnusedRule>(); }
std::unique_ptr<Rule> make_gpu_memory_overrequested_rule() { return std::make_unique<GpuMemoryOverrequestedRule>(); }

}  // namespace fructosa
