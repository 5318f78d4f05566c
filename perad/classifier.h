#pragma once
/// Turns features into a verdict (one primary class, any flags, evidence and advice for
/// each) and runs that over the registry: the jobs waiting for a verdict, or past jobs again.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/registry/job_store.h"
#include "perad/class_publisher.h"
#include "perad/features.h"
#include "perad/rule.h"
#include "perad/thresholds.h"

namespace fructosa {

struct Verdict {
    std::string job_class;
    /// Other classes that apply, by decreasing waste; their evidence and advice sit next to
    /// the primary class's.
    std::vector<std::string> secondary_classes;
    std::vector<std::string> flags;
    nlohmann::json evidence = nlohmann::json::object();         ///< name -> figures
    nlohmann::json recommendations = nlohmann::json::object();  ///< name -> one line
};

/// The primary class (a precedence class, else the class with the most waste, else a
/// fallback; see RuleSet), the secondary classes and every flag rule that applies.
Verdict classify(const JobFeatures& f, const Thresholds& t, const RuleSet& rules = builtin_rules());

/// Features and verdict of one job as the registry stores them.
ClassificationRecord classify_job(const JobRecord& job, const Thresholds& t, double now);

/// Classifies up to `batch` jobs that wait for a verdict, storing them in one
/// transaction; returns how many it classified.
/// With `verdicts`, the new verdicts and their jobs' end times are appended there.
std::size_t classify_pending(JobStoreReader& registry, const Thresholds& t, std::size_t batch, double now,
                             std::vector<ClassPoint>* verdicts = nullptr);

/// Classifies again every finished or partial job ending in [since, until] (either may be
/// empty), in transactions of `batch`; returns how many. `on_batch`, when given, gets each
/// stored batch's verdicts with the classes they replaced (to publish them).
std::size_t reclassify(JobStoreReader& registry, const Thresholds& t, std::optional<double> since,
                       std::optional<double> until, double now, std::size_t batch = 1000,
                       const std::function<void(const std::vector<ClassPoint>&)>& on_batch = {});

}  // namespace fructosa
