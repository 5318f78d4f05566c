// The primary-class rules. Each is one small class; the precedence lives in rule_registry.cpp.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "perad/advice_text.h"
#include "perad/rule.h"

namespace fructosa {

using json = nlohmann::json;

std::string format_duration(double seconds) {
    if (seconds < 60) return fmt::format("{:.0f} s", seconds);
    auto s = static_cast<long long>(std::llround(seconds));
    long long d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
    if (d > 0) return fmt::format("{}-{:02}:{:02}:{:02}", d, h, m, sec);
    return fmt::format("{}:{:02}:{:02}", h, m, sec);
}

std::string failed_slurm_state(const JobFeatures& f, const Thresholds& t) {
    if (!f.slurm_state) return {};
    std::string word = f.slurm_state->substr(0, f.slurm_state->find(' '));
    for (auto& c : word) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return std::find(t.failed_states.begin(), t.failed_states.end(), word) != t.failed_states.end() ? word : "";
}

bool Waste::more_than(const Waste& o) const {
    if (gpu_s != o.gpu_s) return gpu_s > o.gpu_s;
    if (core_s != o.core_s) return core_s > o.core_s;
    if (mem_mb_s != o.mem_mb_s) return mem_mb_s > o.mem_mb_s;
    return time_s > o.time_s;
}

json Waste::to_json() const { return {{"gpu_s", gpu_s}, {"core_s", core_s}, {"mem_mb_s", mem_mb_s}, {"time_s", time_s}}; }

double unused_core_s(const JobFeatures& f) {
    if (!f.allocated_core_s || !f.used_core_s) return 0;
    return std::max(0.0, *f.allocated_core_s - *f.used_core_s);
}

namespace {

/// The waste of the CPU classes (idle, imbalanced, io-bound, underutilized-cpu): all of them
/// describe the same unused core-seconds, so they tie and keep the registry's order.
Waste cpu_waste(const JobFeatures& f) {
    Waste w;
    w.core_s = unused_core_s(f);
    return w;
}

/// Adds the waste to a finding of a ranked class.
Finding ranked(Finding found, Waste w) {
    found.waste = w;
    return found;
}

double mb(std::uint64_t bytes) { return static_cast<double>(bytes) / 1048576.0; }

class FailedRule : public Rule {
public:
    std::string_view name() const override { return "failed"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        std::string state = failed_slurm_state(f, t);
        int exit = f.exit_status.value_or(0);
        if (state.empty() && exit == 0) return std::nullopt;
        Finding out;
        out.evidence = {{"slurm_state", f.slurm_state ? json(*f.slurm_state) : json(nullptr)},
                        {"exit_status", f.exit_status ? json(*f.exit_status) : json(nullptr)},
                        {"slurm_exit_code", f.slurm_exit_code ? json(*f.slurm_exit_code) : json(nullptr)}};
        if (state == "TIMEOUT") {
            out.recommendation = fmt::format(
                "the job hit its time limit{}: ask for more time (--time) or checkpoint and resubmit",
                f.time_limit_s ? " of " + format_duration(*f.time_limit_s) : "");
        } else if (state == "OUT_OF_MEMORY") {
            out.recommendation = fmt::format(
                "the job ran out of memory{}: ask for more memory (--mem) or reduce what it holds at once",
                f.memory_peak_bytes && f.mem_mb
                    ? fmt::format(" (peak {:.0f} MB of {} MB requested)", mb(*f.memory_peak_bytes), f.mem_mb)
                    : "");
        } else if (state == "CANCELLED") {
            out.recommendation = "the job was cancelled: if it hung, its output shows where it stopped";
        } else if (state == "NODE_FAIL" || state == "BOOT_FAIL") {
            out.recommendation = "a node failed under the job: resubmit it, and tell the admins if it happens again";
        } else if (state == "PREEMPTED") {
            out.recommendation = "the job was preempted: resubmit it, or use a partition or QOS that is not preempted";
        } else if (state == "DEADLINE") {
            out.recommendation = "the job missed its deadline: ask for a later --deadline or less time";
        } else {
            std::string why = state.empty() ? "" : "state " + state;
            if (f.exit_status) why += (why.empty() ? "" : ", ") + fmt::format("exit status {}", exit);
            out.recommendation =
                fmt::format("the job failed ({}): read its error output for the cause before resubmitting", why);
        }
        return out;
    }
};

class TooShortRule : public Rule {
public:
    std::string_view name() const override { return "too-short"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.elapsed_s || *f.elapsed_s >= t.too_short_s) return std::nullopt;
        return Finding{{{"elapsed_s", *f.elapsed_s}, {"threshold_s", t.too_short_s}},
                       fmt::format("the job ran {}: jobs this short spend more time being scheduled than "
                                   "running; bundle many of them into one job (a loop or a job array)",
                                   format_duration(*f.elapsed_s))};
    }
};

/// No CPU figures at all: nothing below can be judged, and calling it efficient would be a guess.
class NoDataRule : public Rule {
public:
    std::string_view name() const override { return "no-data"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds&) const override {
        if (f.used_core_s && f.elapsed_s) return std::nullopt;
        return Finding{{{"nodes_reported", f.nodes_reported}, {"nnodes", f.nnodes}},
                       "lagent reported no CPU figures for this job: check that lagent runs on its nodes and "
                       "that profiling was on"};
    }
};

/// Real pressure only: OOM kills, swap, time stalled on memory (PSI), or limit hits on a
/// node whose anonymous memory came near the limit. At the limit the kernel also reclaims
/// page cache, which streaming I/O fills; those hits cost little and are not pressure, and
/// hits on a node whose anonymous memory was not measured are not counted either.
class MemoryPressureRule : public Rule {
public:
    std::string_view name() const override { return "memory-pressure"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        bool oom = f.oom_kills && *f.oom_kills > 0 && static_cast<double>(*f.oom_kills) >= t.pressure_min_oom_kills;
        bool swap = f.swap_max_bytes && *f.swap_max_bytes > 0 && mb(*f.swap_max_bytes) >= t.pressure_min_swap_mb;
        bool stall = f.memory_stall_fraction && *f.memory_stall_fraction > 0 &&
                     *f.memory_stall_fraction >= t.pressure_min_stall_fraction;
        std::uint64_t counted = 0, page_cache = 0, unjudged = 0;
        std::optional<double> anon;  // the largest anonymous share of the nodes whose hits count
        for (const auto& n : f.nodes) {
            if (!n.limit_hits || *n.limit_hits == 0) continue;
            if (!n.memory_anon_fraction) {
                unjudged += *n.limit_hits;
            } else if (*n.memory_anon_fraction >= t.pressure_min_anon_fraction) {
                counted += *n.limit_hits;
                if (!anon || *n.memory_anon_fraction > *anon) anon = n.memory_anon_fraction;
            } else {
                page_cache += *n.limit_hits;
            }
        }
        bool hits = counted > 0 && static_cast<double>(counted) >= t.pressure_min_limit_hits;
        if (!oom && !hits && !swap && !stall) return std::nullopt;

        json signals = json::array();
        std::string reasons;
        auto fired = [&](const char* signal, const std::string& why) {
            signals.push_back(signal);
            reasons += (reasons.empty() ? "" : ", ") + why;
        };
        if (oom) fired("oom_kills", count_of(static_cast<double>(*f.oom_kills), "OOM kill"));
        if (swap) fired("swap", fmt::format("{:.0f} MB swapped", mb(*f.swap_max_bytes)));
        if (stall)
            fired("memory_stall", fmt::format("stalled on memory {} of the time", format_percent(*f.memory_stall_fraction)));
        if (hits)
            fired("limit_hits", fmt::format("{} with anonymous memory at {} of the limit",
                                            count_of(static_cast<double>(counted), "limit hit"), format_percent(*anon)));
        json ev{{"signals", signals},
                {"oom_kills", f.oom_kills ? json(*f.oom_kills) : json(nullptr)},
                {"limit_hits", f.limit_hits ? json(*f.limit_hits) : json(nullptr)},
                {"limit_hits_counted", counted},
                {"swap_mb", f.swap_max_bytes ? json(mb(*f.swap_max_bytes)) : json(nullptr)},
                {"memory_stall_fraction", f.memory_stall_fraction ? json(*f.memory_stall_fraction) : json(nullptr)},
                {"anon_fraction_threshold", t.pressure_min_anon_fraction}};
        if (f.memory_anon_peak_bytes) ev["memory_anon_peak_mb"] = mb(*f.memory_anon_peak_bytes);
        if (page_cache)
            ev["limit_hits_page_cache"] = fmt::format(
                "{} on nodes whose anonymous memory stayed below {} of the limit: page cache reclaimed at the "
                "limit, not pressure",
                count_of(static_cast<double>(page_cache), "limit hit"), format_percent(t.pressure_min_anon_fraction));
        if (unjudged)
            ev["limit_hits_not_judged"] = fmt::format(
                "{} on nodes whose anonymous memory was not measured: limit hits alone are not counted as pressure",
                count_of(static_cast<double>(unjudged), "limit hit"));
        std::string peak;
        if (f.memory_peak_bytes) {
            ev["memory_peak_mb"] = mb(*f.memory_peak_bytes);
            peak = fmt::format(", peak {:.0f} MB", mb(*f.memory_peak_bytes));
        }
        if (f.mem_mb) ev["mem_mb_requested"] = f.mem_mb, peak += fmt::format(" of {} MB requested", f.mem_mb);
        // The memory at stake: what was requested (else the peak) over the job's time.
        Waste w;
        double el = f.elapsed_s.value_or(0);
        w.mem_mb_s = (f.mem_mb ? static_cast<double>(f.mem_mb) : mb(f.memory_peak_bytes.value_or(0))) * el;
        w.time_s = f.memory_stall_s.value_or(0);
        return ranked(Finding{ev, fmt::format("memory ran short ({}{}): ask for more memory (--mem) or reduce what "
                                              "the program holds at once",
                                              reasons, peak)},
                      w);
    }
};

class IdleRule : public Rule {
public:
    std::string_view name() const override { return "idle"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.idle_fraction || *f.idle_fraction < t.idle_fraction) return std::nullopt;
        nlohmann::json ev{{"idle_fraction", *f.idle_fraction}, {"threshold", t.idle_fraction}};
        if (f.idle_threshold_percent) ev["idle_threshold_percent"] = *f.idle_threshold_percent;
        return ranked(Finding{ev,
                              fmt::format("the CPUs were idle{} {} of the time: check that the job is not waiting on "
                                          "input, a lock or a licence, and end idle interactive sessions",
                                          f.idle_threshold_percent
                                              ? fmt::format(" (under {:g}% busy)", *f.idle_threshold_percent)
                                              : std::string(),
                                          format_percent(*f.idle_fraction))},
                      cpu_waste(f));
    }
};

class ImbalancedRule : public Rule {
public:
    std::string_view name() const override { return "imbalanced"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.imbalance_cv || *f.imbalance_cv < t.imbalance_cv) return std::nullopt;
        auto eff = [&](const std::string& host) {
            for (const auto& n : f.nodes)
                if (n.host == host && n.cpu_efficiency) return *n.cpu_efficiency;
            return 0.0;
        };
        double hi = eff(f.busiest_node), lo = eff(f.idlest_node);
        return ranked(Finding{{{"imbalance_cv", *f.imbalance_cv},
                        {"threshold", t.imbalance_cv},
                        {"busiest_node", f.busiest_node},
                        {"busiest_efficiency", hi},
                        {"idlest_node", f.idlest_node},
                        {"idlest_efficiency", lo},
                        {"max_min_ratio", f.imbalance_max_min ? json(*f.imbalance_max_min) : json(nullptr)}},
                       fmt::format("{} used {} of its cores but {} only {}: spread the work over all "
                                   "nodes (check -n/--ntasks-per-node and the program's distribution) or ask "
                                   "for fewer nodes",
                                   f.busiest_node, format_percent(hi), f.idlest_node, format_percent(lo))},
                      cpu_waste(f));
    }
};

class IoBoundRule : public Rule {
public:
    std::string_view name() const override { return "io-bound"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.io_rate_bytes_per_s || !f.cpu_efficiency) return std::nullopt;
        double rate = *f.io_rate_bytes_per_s / 1048576.0;
        if (rate < t.io_min_rate_mb_s || *f.cpu_efficiency >= t.io_max_cpu_efficiency) return std::nullopt;
        return ranked(Finding{{{"io_rate_mb_s", rate},
                        {"io_read_mb", mb(f.io_read_bytes.value_or(0))},
                        {"io_write_mb", mb(f.io_write_bytes.value_or(0))},
                        {"cpu_efficiency", *f.cpu_efficiency},
                        {"rate_threshold_mb_s", t.io_min_rate_mb_s},
                        {"efficiency_threshold", t.io_max_cpu_efficiency}},
                       fmt::format("the job moved {} MB/s while its CPUs were {} busy: it waits on I/O; "
                                   "stage data to node-local or scratch storage and use fewer, larger reads "
                                   "and writes",
                                   format_number(rate), format_percent(*f.cpu_efficiency))},
                      cpu_waste(f));
    }
};

class GpuIdleRule : public Rule {
public:
    std::string_view name() const override { return "gpu-idle"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (f.gpus == 0 || !f.gpu_util_percent || *f.gpu_util_percent >= t.gpu_idle_percent) return std::nullopt;
        // Idle GPU-seconds: the GPUs' unused share over the job's time.
        Waste w;
        w.gpu_s = f.gpus * f.elapsed_s.value_or(0) * std::max(0.0, 1 - *f.gpu_util_percent / 100);
        json ev{{"gpus", f.gpus}, {"gpu_util_percent", *f.gpu_util_percent}, {"threshold", t.gpu_idle_percent}};
        if (!f.gpu_ids.empty()) ev["gpu_ids"] = f.gpu_ids;  // which ones lagent measured
        return ranked(
            Finding{ev,
                    fmt::format("asked for {}, used {} on average: check that the program really runs on "
                                "the GPU (framework device settings), or run it without GPUs",
                                count_of(f.gpus, "GPU"), format_percent(*f.gpu_util_percent / 100))},
            w);
    }
};

/// Suggests the cores the job kept busy, rounded up, never under one; a job that could not
/// ask for fewer (one core, or it used nearly all but the threshold is high) mostly waited.
class UnderutilizedCpuRule : public Rule {
public:
    std::string_view name() const override { return "underutilized-cpu"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const override {
        if (!f.cpu_efficiency || *f.cpu_efficiency >= t.underutilized_efficiency) return std::nullopt;
        double used = f.mean_cores_used.value_or(0);
        // A whole core measured a hair over (1.004: sampling) is one core, as the advice
        // prints it (1.0), not two.
        double suggest = std::max(1.0, std::ceil(used - 0.05));
        json ev{{"cpu_efficiency", *f.cpu_efficiency},
                {"threshold", t.underutilized_efficiency},
                {"allocated_cpus", f.allocated_cpus},
                {"mean_cores_used", used}};
        if (suggest >= f.allocated_cpus)
            return ranked(Finding{ev, fmt::format("used {} of its {} on average ({}): it mostly waited (on I/O, the "
                                                  "network, a sleep or a lock); check what it waits for",
                                                  format_number(used), count_of(f.allocated_cpus, "core"),
                                                  format_percent(*f.cpu_efficiency))},
                          cpu_waste(f));
        ev["suggested_cpus"] = suggest;
        return ranked(Finding{ev, fmt::format("asked for {}, used {} on average ({}): ask for about {} "
                                              "(--cpus-per-task / --ntasks) or check the program's thread settings",
                                              count_of(f.allocated_cpus, "core"), format_number(used),
                                              format_percent(*f.cpu_efficiency), count_of(suggest, "core"))},
                      cpu_waste(f));
    }
};

/// CPU time measured but not the cores behind it: the job is neither efficient nor wasteful
/// as far as anyone can tell, and saying either would be a guess.
class CoresUnknownRule : public Rule {
public:
    std::string_view name() const override { return "cores-unknown"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds&) const override {
        if (f.cpu_efficiency) return std::nullopt;
        json ev{{"used_core_s", f.used_core_s ? json(*f.used_core_s) : json(nullptr)},
                {"nodes_reported", f.nodes_reported}};
        return Finding{ev, "lagent measured the job's CPU time but not how many cores it was allocated (it "
                           "re-attached to the job after a restart, or the plugin sent no metadata): its "
                           "efficiency cannot be judged"};
    }
};

class EfficientRule : public Rule {
public:
    std::string_view name() const override { return "efficient"; }
    std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds&) const override {
        if (!f.cpu_efficiency) return std::nullopt;  // efficient means measured and efficient
        json ev{{"cpu_efficiency", f.cpu_efficiency ? json(*f.cpu_efficiency) : json(nullptr)}};
        if (f.memory_peak_fraction) ev["memory_peak_fraction"] = *f.memory_peak_fraction;
        return Finding{ev, "the job used what it asked for: nothing to change"};
    }
};

}  // namespace

std::unique_ptr<Rule> make_failed_rule() { return std::make_unique<FailedRule>(); }
std::unique_ptr<Rule> make_too_short_rule() { return std::make_unique<TooShortRule>(); }
std::unique_ptr<Rule> make_no_data_rule() { return std::make_unique<NoDataRule>(); }
std::unique_ptr<Rule> make_memory_pressure_rule() { return std::make_unique<MemoryPressureRule>(); }
std::unique_ptr<Rule> make_idle_rule() { return std::make_unique<IdleRule>(); }
std::unique_ptr<Rule> make_imbalanced_rule() { return std::make_unique<ImbalancedRule>(); }
std::unique_ptr<Rule> make_io_bound_rule() { return std::make_unique<IoBoundRule>(); }
std::unique_ptr<Rule> make_gpu_idle_rule() { return std::make_unique<GpuIdleRule>(); }
std::unique_ptr<Rule> make_underutilized_cpu_rule() { return std::make_unique<UnderutilizedCpuRule>(); }
std::unique_ptr<Rule> make_cores_unknown_rule() { return std::make_unique<CoresUnknownRule>(); }
std::unique_ptr<Rule> make_efficient_rule() { return std::make_unique<EfficientRule>(); }

}  // namespace fructosa
