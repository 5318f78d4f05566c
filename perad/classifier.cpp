#include "perad/classifier.h"

#include <algorithm>

namespace fructosa {

namespace {

/// Flags that size memory, cores or time from what the job did: meaningless when the job
/// failed or lasted a few seconds, and contradicting that class's advice.
bool sizes_resources(std::string_view flag) {
    return flag == "memory-overrequested" || flag == "walltime-overrequested" || flag == "serial-on-many-cores" ||
           flag == "oversubscribed";
}

}  // namespace

Verdict classify(const JobFeatures& f, const Thresholds& t, const RuleSet& rules) {
    Verdict v;
    auto keep = [&](const Rule& rule, Finding& found) {
        std::string name(rule.name());
        v.evidence[name] = std::move(found.evidence);
        if (found.waste) v.evidence[name]["waste"] = found.waste->to_json();
        v.recommendations[name] = std::move(found.recommendation);
        return name;
    };
    std::vector<std::pair<const Rule*, Finding>> wasteful;
    for (const auto& rule : rules.classes) {
        auto found = rule->evaluate(f, t);
        if (!found) continue;
        if (found->waste) {
            wasteful.emplace_back(rule.get(), std::move(*found));
        } else if (wasteful.empty()) {
            v.job_class = keep(*rule, *found);  // a precedence class, or the fallback
            break;
        }
    }
    // Ranked by waste; equal waste keeps the registry's order (stable sort).
    std::stable_sort(wasteful.begin(), wasteful.end(),
                     [](const auto& a, const auto& b) { return a.second.waste->more_than(*b.second.waste); });
    for (auto& [rule, found] : wasteful) {
        std::string name = keep(*rule, found);
        if (v.job_class.empty()) v.job_class = name;
        else v.secondary_classes.push_back(name);
    }
    bool brief = v.job_class == "failed" || v.job_class == "too-short";
    for (const auto& rule : rules.flags) {
        if (brief && sizes_resources(rule->name())) continue;
        if (auto found = rule->evaluate(f, t)) {
            std::string name(rule->name());
            v.flags.push_back(name);
            v.evidence[name] = std::move(found->evidence);
            v.recommendations[name] = std::move(found->recommendation);
        }
    }
    // Figures from some nodes only: the verdict says so, and which nodes are missing.
    if (!f.missing_nodes.empty() && !v.job_class.empty() && v.job_class != "no-data") {
        std::string names;
        for (const auto& n : f.missing_nodes) names += (names.empty() ? "" : ", ") + n;
        v.evidence[v.job_class]["missing_nodes"] = f.missing_nodes;
        v.recommendations[v.job_class] = v.recommendations[v.job_class].get<std::string>() +
                                         " (" + names + " never reported: the figures cover the other nodes only)";
    }
    // "Nothing to change" would contradict a flag's advice: say where the change lies.
    if (v.job_class == "efficient" && !v.flags.empty())
        v.recommendations["efficient"] = "no class of waste applies to the cores it asked for; the flags say what to change";
    return v;
}

ClassificationRecord classify_job(const JobRecord& job, const Thresholds& t, double now) {
    JobFeatures f = compute_features(job);
    Verdict v = classify(f, t);
    ClassificationRecord r;
    r.job_id = job.info.job_id;
    r.job_class = std::move(v.job_class);
    r.secondary_classes = std::move(v.secondary_classes);
    r.flags = std::move(v.flags);
    r.evidence = std::move(v.evidence);
    r.recommendations = std::move(v.recommendations);
    r.classified_at = now;
    r.thresholds_hash = t.hash();
    r.allocated_core_s = f.allocated_core_s.value_or(0);
    // Core-hours count only where the allocation behind them is known, so an unknown
    // allocation never shows as negative waste in `perad summary`.
    r.used_core_s = f.allocated_core_s ? f.used_core_s.value_or(0) : 0;
    r.energy_joules = f.energy_joules;
    r.features = f.to_json(false);
    return r;
}

namespace {

std::size_t classify_ids(JobStoreReader& registry, const Thresholds& t, const std::vector<std::uint64_t>& ids,
                         double now, std::vector<ClassPoint>* verdicts) {
    std::vector<ClassificationRecord> out;
    std::vector<ClassPoint> points;
    out.reserve(ids.size());
    registry.in_transaction([&] {
        for (auto id : ids)
            if (auto job = registry.load_job(id, false)) {
                out.push_back(classify_job(*job, t, now));
                points.push_back({{}, job->info.end_time.value_or(now),
                                  job->classification ? job->classification->job_class : std::string()});
            }
        registry.store_classifications(out);
    });
    if (verdicts)
        for (std::size_t i = 0; i < out.size(); ++i) {
            points[i].verdict = std::move(out[i]);
            verdicts->push_back(std::move(points[i]));
        }
    return out.size();
}

}  // namespace

std::size_t classify_pending(JobStoreReader& registry, const Thresholds& t, std::size_t batch, double now,
                             std::vector<ClassPoint>* verdicts) {
    auto ids = registry.unclassified_jobs(batch);
    if (ids.empty()) return 0;
    return classify_ids(registry, t, ids, now, verdicts);
}

std::size_t reclassify(JobStoreReader& registry, const Thresholds& t, std::optional<double> since,
                       std::optional<double> until, double now, std::size_t batch,
                       const std::function<void(const std::vector<ClassPoint>&)>& on_batch) {
    auto ids = registry.ended_jobs(since, until);
    std::size_t done = 0;
    for (std::size_t i = 0; i < ids.size(); i += batch) {
        std::vector<std::uint64_t> part(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                        ids.begin() + static_cast<std::ptrdiff_t>(std::min(ids.size(), i + batch)));
        std::vector<ClassPoint> points;
        done += classify_ids(registry, t, part, now, on_batch ? &points : nullptr);
        if (on_batch) on_batch(points);
    }
    return done;
}

}  // namespace fructosa
