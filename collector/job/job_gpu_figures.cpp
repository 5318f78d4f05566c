#include "collector/job/job_gpu_figures.h"

#include <algorithm>

namespace fructosa {

std::vector<std::string> job_gpu_keys(const gpu::GpuSnapshot& snapshot, const std::optional<std::set<unsigned>>& minors,
                                      const std::set<std::string>& with_job_processes) {
    std::vector<std::string> keys;
    for (const auto& d : snapshot.devices) {
        bool allocated = minors && d.minor && minors->count(*d.minor);
        if (allocated || with_job_processes.count(d.key)) keys.push_back(d.key);
    }
    return keys;
}

Readings JobGpuAccumulator::add(const std::vector<JobGpuUse>& uses) {
    Readings out;
    double sample_util_sum = 0;
    int sample_util_n = 0;
    bool process_known = false, had_process = false;
    for (const auto& u : uses) {
        const gpu::GpuDevice& d = *u.device;
        const std::string base = "gpu." + d.key + ".";
        if (std::find(ids_.begin(), ids_.end(), d.key) == ids_.end()) ids_.push_back(d.key);
        PerGpu& g = gpus_[d.key];
        g.shared = g.shared || u.shared;

        std::optional<double> util;
        std::optional<std::uint64_t> memory;
        if (!u.shared) {
            util = d.util_percent;
            memory = d.memory_used;
            if (d.power_watts) out.push_back({base + "power_watts", *d.power_watts});
            if (d.energy_joules) {
                if (!g.first_energy) g.first_energy = d.energy_joules;
                g.last_energy = d.energy_joules;
                out.push_back({base + "energy_joules", *d.energy_joules - *g.first_energy});
            }
        } else {
            // The job's share: its own processes' figures, where NVML gives them per process.
            if (d.per_process_util) {
                double sum = 0;
                for (const auto& p : u.job_processes) sum += p.sm_util_percent.value_or(0);  // no sample: no SM use
                util = sum;
            } else {
                shared_unmeasured_ = true;
            }
            if (d.processes && std::all_of(u.job_processes.begin(), u.job_processes.end(),
                                           [](const gpu::GpuProcess& p) { return p.used_memory.has_value(); })) {
                std::uint64_t sum = 0;
                for (const auto& p : u.job_processes) sum += *p.used_memory;
                memory = sum;
            }
        }
        if (util) {
            out.push_back({base + "util_percent", *util});
            sample_util_sum += *util;
            ++sample_util_n;
            util_max_ = std::max(util_max_.value_or(*util), *util);
        }
        if (memory) {
            out.push_back({base + "memory_used", double(*memory)});
            memory_peak_ = std::max(memory_peak_.value_or(*memory), *memory);
        }
        if (d.memory_total) memory_total_ = std::max(memory_total_.value_or(*d.memory_total), *d.memory_total);
        if (d.processes) {
            process_known = true;
            bool any = u.shared ? !u.job_processes.empty() : !d.processes->empty();
            had_process = had_process || any;
        }
    }
    if (sample_util_n > 0) {
        util_sum_ += sample_util_sum / sample_util_n;
        ++util_samples_;
    }
    if (process_known) {
        ++process_known_samples_;
        if (had_process) ++process_samples_;
    }
    return out;
}

void JobGpuAccumulator::put_summary(nlohmann::json& summary) const {
    if (ids_.empty()) return;
    summary["gpu_ids"] = ids_;
    if (util_samples_ > 0) summary["gpu_util_mean_percent"] = util_sum_ / double(util_samples_);
    if (util_max_) summary["gpu_util_max_percent"] = *util_max_;
    if (memory_peak_) summary["gpu_memory_peak_bytes"] = *memory_peak_;
    if (memory_total_) summary["gpu_memory_total_bytes"] = *memory_total_;
    std::optional<double> energy;
    for (const auto& [key, g] : gpus_)
        if (!g.shared && g.first_energy && g.last_energy) energy = energy.value_or(0) + (*g.last_energy - *g.first_energy);
    if (energy) summary["gpu_energy_joules"] = *energy;
    if (process_known_samples_ > 0)
        summary["gpu_process_fraction"] = double(process_samples_) / double(process_known_samples_);
    summary["gpu_shared"] = shared_unmeasured_;
}

}  // namespace fructosa
