#include "common/registry/summary_groups.h"

#include <algorithm>

namespace fructosa {

void SummaryGroups::add(const std::string& key, const std::string& job_class, double allocated_s, double used_s,
                        std::optional<double> energy_j) {
    Group& g = groups_[key];
    ++g.jobs;
    ++g.per_class[job_class];
    g.allocated_s += allocated_s;
    g.used_s += used_s;
    if (energy_j) {
        g.energy_j = g.energy_j.value_or(0) + *energy_j;
        ++g.energy_jobs;
    }
}

std::vector<SummaryRow> SummaryGroups::rows() {
    std::vector<SummaryRow> out;
    out.reserve(groups_.size());
    for (auto& [name, g] : groups_) {
        SummaryRow r;
        r.key = name;
        r.jobs = g.jobs;
        r.per_class = std::move(g.per_class);
        r.allocated_core_h = g.allocated_s / 3600.0;
        r.used_core_h = g.used_s / 3600.0;
        r.wasted_core_h = std::max(0.0, r.allocated_core_h - r.used_core_h);
        if (g.energy_j) r.energy_kwh = *g.energy_j / 3.6e6;
        r.energy_jobs = g.energy_jobs;
        out.push_back(std::move(r));
    }
    std::sort(out.begin(), out.end(), [](const SummaryRow& a, const SummaryRow& b) {
        return a.wasted_core_h != b.wasted_core_h ? a.wasted_core_h > b.wasted_core_h : a.key < b.key;
    });
    return out;
}

}  // namespace fructosa
