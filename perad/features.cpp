#include "perad/features.h"

#include "common/registry/comma_list.h"

#include <algorithm>
#include <cmath>

namespace fructosa {

using json = nlohmann::json;

namespace {

std::optional<double> number(const json& summary, const char* key) {
    if (!summary.is_object()) return std::nullopt;
    auto it = summary.find(key);
    if (it == summary.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

std::optional<std::uint64_t> count(const json& summary, const char* key) {
    auto v = number(summary, key);
    if (!v || *v < 0) return std::nullopt;
    return static_cast<std::uint64_t>(*v);
}

/// Sum of optionals: empty only when every part is empty.
template <typename T>
void add_to(std::optional<T>& total, std::optional<T> part) {
    if (part) total = total.value_or(T{}) + *part;
}

template <typename T>
void max_to(std::optional<T>& m, std::optional<T> part) {
    if (part && (!m || *part > *m)) m = part;
}

/// The CPUs slurmctld says the job was allocated on `host` (matched by full or short name).
std::optional<double> slurm_cpus(const JobInfo& info, const std::string& host) {
    const json& m = info.slurm_cpus_per_node;
    for (const auto& name : {host, host.substr(0, host.find('.'))})
        if (auto it = m.find(name); it != m.end() && it->is_number() && it->get<double>() > 0) return it->get<double>();
    return std::nullopt;
}

/// Unknown figures are left out: "not measured" is the absence of the key.
template <typename T>
void put(json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

/// Anonymous memory against the limit, PSI memory stall and run-queue wait of one node,
/// and their job-wide maxima (sums for the run queue). The limit is the cgroup's when lagent
/// saw one, else the node's allocation (what Slurm makes the limit).
void add_memory_and_queue(NodeFeatures& nf, const json& summary, JobFeatures& f) {
    nf.memory_anon_peak_bytes = count(summary, "memory_anon_peak_bytes");
    nf.memory_limit_bytes = count(summary, "memory_limit_bytes");
    if (!nf.memory_limit_bytes && nf.mem_mb > 0) nf.memory_limit_bytes = nf.mem_mb * 1048576ull;
    if (nf.memory_anon_peak_bytes && nf.memory_limit_bytes && *nf.memory_limit_bytes > 0)
        nf.memory_anon_fraction =
            static_cast<double>(*nf.memory_anon_peak_bytes) / static_cast<double>(*nf.memory_limit_bytes);
    nf.memory_stall_s = number(summary, "memory_pressure_stall_seconds");
    nf.runqueue_delay_percent = number(summary, "runqueue_delay_mean_percent");
    if (auto wait = number(summary, "runqueue_delay_seconds"); !nf.runqueue_delay_percent && wait && f.elapsed_s &&
                                                                 *f.elapsed_s > 0)
        nf.runqueue_delay_percent = *wait / *f.elapsed_s * 100;
    add_to(f.runqueue_delay_percent, nf.runqueue_delay_percent);
    max_to(f.memory_anon_peak_bytes, nf.memory_anon_peak_bytes);
    max_to(f.memory_anon_fraction, nf.memory_anon_fraction);
    max_to(f.memory_stall_s, nf.memory_stall_s);
}

/// The job is busy from its earliest busy moment to its latest, over all nodes; its busy
/// intervals are those of its busiest node (a start-up blip on each of many nodes is no
/// busy stretch).
void add_busy_times(const json& summary, JobFeatures& f) {
    if (auto t = number(summary, "first_busy_time"); t && (!f.first_busy_time || *t < *f.first_busy_time))
        f.first_busy_time = t;
    max_to(f.last_busy_time, number(summary, "last_busy_time"));
    max_to(f.busy_intervals, count(summary, "busy_intervals"));
}

/// The memory stall as a share of the elapsed time.
/// The node's energy: its summary's total, else the sum of the parts it holds (a summary
/// whose GPU part was added after lagent totalled it).
void add_energy(NodeFeatures& nf, const json& summary, JobFeatures& f) {
    auto cpu = number(summary, "energy_cpu_joules");
    auto dram = number(summary, "energy_dram_joules");
    auto gpu = number(summary, "gpu_energy_joules");
    nf.energy_joules = number(summary, "energy_joules");
    if (!nf.energy_joules)
        for (const auto& part : {cpu, dram, gpu}) add_to(nf.energy_joules, part);
    if (!nf.energy_joules) return;
    ++f.energy_nodes;
    add_to(f.energy_joules, nf.energy_joules);
    add_to(f.energy_cpu_joules, cpu);
    add_to(f.energy_dram_joules, dram);
    add_to(f.energy_gpu_joules, gpu);
}

void finish_memory(JobFeatures& f) {
    if (f.memory_stall_s && f.elapsed_s && *f.elapsed_s > 0) f.memory_stall_fraction = *f.memory_stall_s / *f.elapsed_s;
}

}  // namespace

json NodeFeatures::to_json() const {
    json j{{"host", host}, {"cpus", cpus}, {"mem_mb", mem_mb}};
    put(j, "cpu_seconds", cpu_seconds);
    put(j, "cores_used", cores_used);
    put(j, "cpu_efficiency", cpu_efficiency);
    put(j, "idle_fraction", idle_fraction);
    put(j, "memory_peak_bytes", memory_peak_bytes);
    put(j, "memory_peak_fraction", memory_peak_fraction);
    put(j, "limit_hits", limit_hits);
    put(j, "memory_anon_peak_bytes", memory_anon_peak_bytes);
    put(j, "memory_limit_bytes", memory_limit_bytes);
    put(j, "memory_anon_fraction", memory_anon_fraction);
    put(j, "memory_stall_s", memory_stall_s);
    put(j, "runqueue_delay_percent", runqueue_delay_percent);
    put(j, "energy_joules", energy_joules);
    return j;
}

json JobFeatures::to_json(bool with_nodes) const {
    json j{{"job_id", job_id},   {"status", status},       {"nnodes", nnodes},
           {"nodes_reported", nodes_reported}, {"ntasks", ntasks}, {"gpus", gpus},
           {"allocated_cpus", allocated_cpus}, {"mem_mb", mem_mb}};
    put(j, "elapsed_s", elapsed_s);
    put(j, "measured_cpus", measured_cpus);
    put(j, "allocated_core_s", allocated_core_s);
    put(j, "used_core_s", used_core_s);
    put(j, "mean_cores_used", mean_cores_used);
    put(j, "cpu_efficiency", cpu_efficiency);
    put(j, "idle_fraction", idle_fraction);
    put(j, "imbalance_cv", imbalance_cv);
    put(j, "imbalance_max_min", imbalance_max_min);
    if (!busiest_node.empty()) j["busiest_node"] = busiest_node;
    if (!idlest_node.empty()) j["idlest_node"] = idlest_node;
    put(j, "memory_peak_bytes", memory_peak_bytes);
    put(j, "memory_peak_fraction", memory_peak_fraction);
    put(j, "oom_kills", oom_kills);
    put(j, "limit_hits", limit_hits);
    put(j, "swap_max_bytes", swap_max_bytes);
    put(j, "memory_anon_peak_bytes", memory_anon_peak_bytes);
    put(j, "memory_anon_fraction", memory_anon_fraction);
    put(j, "memory_stall_s", memory_stall_s);
    put(j, "memory_stall_fraction", memory_stall_fraction);
    put(j, "runqueue_delay_percent", runqueue_delay_percent);
    put(j, "io_read_bytes", io_read_bytes);
    put(j, "io_write_bytes", io_write_bytes);
    put(j, "io_rate_bytes_per_s", io_rate_bytes_per_s);
    put(j, "gpu_util_percent", gpu_util_percent);
    if (energy_joules) {
        j["energy_joules"] = *energy_joules;
        put(j, "energy_cpu_joules", energy_cpu_joules);
        put(j, "energy_dram_joules", energy_dram_joules);
        put(j, "energy_gpu_joules", energy_gpu_joules);
        j["energy_nodes"] = energy_nodes;
        j["energy_partial"] = energy_partial;
    }
    if (!gpu_ids.empty()) j["gpu_ids"] = gpu_ids;
    put(j, "gpu_util_max_percent", gpu_util_max_percent);
    put(j, "gpu_process_fraction", gpu_process_fraction);
    put(j, "gpu_memory_peak_bytes", gpu_memory_peak_bytes);
    put(j, "gpu_memory_total_bytes", gpu_memory_total_bytes);
    put(j, "gpu_memory_fraction", gpu_memory_fraction);
    if (gpu_shared) j["gpu_shared"] = true;
    put(j, "time_limit_s", time_limit_s);
    put(j, "walltime_fraction", walltime_fraction);
    put(j, "exit_status", exit_status);
    put(j, "slurm_state", slurm_state);
    put(j, "slurm_exit_code", slurm_exit_code);
    put(j, "idle_tail_s", idle_tail_s);
    put(j, "first_busy_time", first_busy_time);
    put(j, "last_busy_time", last_busy_time);
    put(j, "busy_intervals", busy_intervals);
    if (!missing_nodes.empty()) j["missing_nodes"] = missing_nodes;
    if (with_nodes) {
        j["nodes"] = json::array();
        for (const auto& n : nodes) j["nodes"].push_back(n.to_json());
    }
    return j;
}

namespace {

/// One node's GPU keys (lagent's job_gpu_figures.h) into the job's figures.
void add_gpus(const NodeRecord& n, JobFeatures& f) {
    if (!n.summary.is_object()) return;
    if (auto ids = n.summary.find("gpu_ids"); ids != n.summary.end() && ids->is_array())
        for (const auto& id : *ids)
            if (id.is_string()) f.gpu_ids.push_back(n.host + ":" + id.get<std::string>());
    max_to(f.gpu_util_max_percent, number(n.summary, "gpu_util_max_percent"));
    if (auto p = number(n.summary, "gpu_process_fraction"); p && (!f.gpu_process_fraction || *p < *f.gpu_process_fraction))
        f.gpu_process_fraction = p;
    auto peak = count(n.summary, "gpu_memory_peak_bytes"), total = count(n.summary, "gpu_memory_total_bytes");
    if (peak && total && *total > 0) {
        double share = static_cast<double>(*peak) / static_cast<double>(*total);
        if (!f.gpu_memory_fraction || share > *f.gpu_memory_fraction) {
            f.gpu_memory_fraction = share;
            f.gpu_memory_peak_bytes = peak;
            f.gpu_memory_total_bytes = total;
        }
    }
    if (auto s = n.summary.find("gpu_shared"); s != n.summary.end() && s->is_boolean() && s->get<bool>())
        f.gpu_shared = true;
}

}  // namespace

JobFeatures compute_features(const JobRecord& job) {
    const JobInfo& info = job.info;
    JobFeatures f;
    f.job_id = info.job_id;
    f.status = info.status;
    f.nnodes = info.nnodes;
    f.ntasks = info.ntasks;
    f.gpus = info.gpus;
    f.mem_mb = info.mem_mb;
    f.exit_status = info.exit_status;
    f.slurm_state = info.slurm_state;
    f.slurm_exit_code = info.slurm_exit_code;
    f.time_limit_s = info.time_limit_s;

    // The job's span: from the registry's times, else from the summaries' sample times.
    std::optional<double> start = info.start_time, end = info.end_time;
    for (const auto& n : job.nodes) {
        if (auto t = number(n.summary, "first_time"); t && (!start || *t < *start)) start = t;
        if (auto t = number(n.summary, "last_time"); t && (!end || *t > *end)) end = t;
    }
    // The job's own span from slurmctld when it has one: the whole allocation, also the
    // time before, between and after the profiled steps.
    if (info.slurm_start_time && info.slurm_end_time && *info.slurm_end_time >= *info.slurm_start_time)
        start = info.slurm_start_time, end = info.slurm_end_time;
    if (start && end && *end >= *start) f.elapsed_s = *end - *start;

    double idle_weighted = 0, idle_weight = 0;
    double measured_cpus = 0;
    bool cpus_known = true;  // every node that reported CPU time said how many cores it had
    std::optional<double> last_busy;
    double gpu_sum = 0;
    int gpu_nodes = 0;
    for (const auto& n : job.nodes) {
        NodeFeatures nf;
        nf.host = n.host;
        // The job's allocation on the node (slurmctld), else what its steps were given.
        nf.cpus = slurm_cpus(info, n.host).value_or(n.cpus > 0 ? n.cpus : number(n.summary, "allocated_cpus").value_or(0));
        nf.mem_mb = n.mem_mb;
        f.allocated_cpus += nf.cpus;
        if (n.summary.is_object()) ++f.nodes_reported;
        else f.missing_nodes.push_back(n.host);
        nf.cpu_seconds = number(n.summary, "cpu_seconds");
        if (nf.cpu_seconds) {
            measured_cpus += nf.cpus;
            if (nf.cpus <= 0) cpus_known = false;
        }
        if (nf.cpu_seconds && f.elapsed_s && *f.elapsed_s > 0) {
            nf.cores_used = *nf.cpu_seconds / *f.elapsed_s;
            if (nf.cpus > 0) nf.cpu_efficiency = *nf.cores_used / nf.cpus;
        }
        nf.idle_fraction = number(n.summary, "idle_fraction");
        if (auto t = number(n.summary, "idle_threshold_percent"))
            f.idle_threshold_percent = std::max(f.idle_threshold_percent.value_or(*t), *t);
        if (nf.idle_fraction) {
            double w = std::max(1.0, number(n.summary, "intervals").value_or(1.0));
            idle_weighted += *nf.idle_fraction * w;
            idle_weight += w;
        }
        nf.memory_peak_bytes = count(n.summary, "memory_peak_bytes");
        if (nf.memory_peak_bytes && nf.mem_mb > 0) {
            nf.memory_peak_fraction = static_cast<double>(*nf.memory_peak_bytes) / (static_cast<double>(nf.mem_mb) * 1048576.0);
            max_to(f.memory_peak_fraction, nf.memory_peak_fraction);
        }
        max_to(f.memory_peak_bytes, nf.memory_peak_bytes);
        add_to(f.used_core_s, nf.cpu_seconds);
        add_to(f.oom_kills, count(n.summary, "oom_kills"));
        nf.limit_hits = count(n.summary, "limit_hits");
        add_to(f.limit_hits, nf.limit_hits);
        add_memory_and_queue(nf, n.summary, f);
        max_to(f.swap_max_bytes, count(n.summary, "swap_max_bytes"));
        add_to(f.io_read_bytes, count(n.summary, "io_read_bytes"));
        add_to(f.io_write_bytes, count(n.summary, "io_write_bytes"));
        max_to(last_busy, number(n.summary, "last_busy_time"));
        add_busy_times(n.summary, f);
        if (auto g = number(n.summary, "gpu_util_mean_percent")) gpu_sum += *g, ++gpu_nodes;
        add_energy(nf, n.summary, f);
        add_gpus(n, f);
        f.nodes.push_back(std::move(nf));
    }
    auto add_missing = [&f](const std::string& host) {
        if (std::find(f.missing_nodes.begin(), f.missing_nodes.end(), host) == f.missing_nodes.end())
            f.missing_nodes.push_back(host);
    };
    for (const auto& host : split_comma_list(info.missing_nodes)) add_missing(host);
    // Nodes slurmctld allocated that never sent anything: their cores are allocated too
    // (not measured: the efficiency stays over the nodes that reported).
    for (const auto& [host, cpus] : info.slurm_cpus_per_node.items()) {
        bool seen = std::any_of(job.nodes.begin(), job.nodes.end(), [&](const NodeRecord& n) {
            return n.host == host || n.host.substr(0, n.host.find('.')) == host;
        });
        if (seen || !cpus.is_number()) continue;
        f.allocated_cpus += cpus.get<double>();
        add_missing(host);
    }
    if (f.allocated_cpus == 0) f.allocated_cpus = info.total_cpus;
    if (f.used_core_s && cpus_known && measured_cpus > 0) f.measured_cpus = measured_cpus;
    if (idle_weight > 0) f.idle_fraction = idle_weighted / idle_weight;
    if (gpu_nodes > 0) f.gpu_util_percent = gpu_sum / gpu_nodes;
    // Every node of the job: those that reported and those that never did.
    f.energy_nodes_of = std::max<std::uint32_t>(f.nnodes, f.nodes_reported + static_cast<std::uint32_t>(f.missing_nodes.size()));
    f.energy_partial = f.energy_joules && f.energy_nodes < f.energy_nodes_of;
    if (f.gpus == 0) f.gpus = static_cast<std::uint32_t>(f.gpu_ids.size());

    if (f.elapsed_s) {
        double el = *f.elapsed_s;
        if (f.measured_cpus) f.allocated_core_s = *f.measured_cpus * el;
        if (f.used_core_s && el > 0) f.mean_cores_used = *f.used_core_s / el;
        if (f.used_core_s && f.allocated_core_s && *f.allocated_core_s > 0)
            f.cpu_efficiency = *f.used_core_s / *f.allocated_core_s;
        if (f.io_read_bytes || f.io_write_bytes) {
            double bytes = static_cast<double>(f.io_read_bytes.value_or(0) + f.io_write_bytes.value_or(0));
            if (el > 0) f.io_rate_bytes_per_s = bytes / el;
        }
        if (f.time_limit_s && *f.time_limit_s > 0) f.walltime_fraction = el / *f.time_limit_s;
        if (last_busy && end) f.idle_tail_s = std::max(0.0, *end - *last_busy);
        finish_memory(f);
    }

    // Imbalance: the spread of per-node efficiency over the nodes that have one.
    std::vector<const NodeFeatures*> measured;
    for (const auto& n : f.nodes)
        if (n.cpu_efficiency) measured.push_back(&n);
    if (measured.size() >= 2) {
        double sum = 0, sq = 0;
        for (auto* n : measured) sum += *n->cpu_efficiency;
        double mean = sum / static_cast<double>(measured.size());
        for (auto* n : measured) sq += (*n->cpu_efficiency - mean) * (*n->cpu_efficiency - mean);
        double sd = std::sqrt(sq / static_cast<double>(measured.size()));
        auto [lo, hi] = std::minmax_element(measured.begin(), measured.end(), [](auto* a, auto* b) {
            return *a->cpu_efficiency < *b->cpu_efficiency;
        });
        f.busiest_node = (*hi)->host;
        f.idlest_node = (*lo)->host;
        if (mean > 0) f.imbalance_cv = sd / mean;
        if (*(*lo)->cpu_efficiency > 0) f.imbalance_max_min = *(*hi)->cpu_efficiency / *(*lo)->cpu_efficiency;
    }
    return f;
}

}  // namespace fructosa
