#pragma once
/// One classification rule: a small class that looks at a job's features and says whether
/// its class or flag applies, with the numbers that made it so and one line a user can
/// act on. Every rule is registered in rule_registry.cpp, in order of precedence.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "perad/features.h"
#include "perad/thresholds.h"

namespace fructosa {

/// What a class cost, to choose the primary class among several that apply: idle
/// GPU-seconds first (the scarcest resource), then core-seconds allocated but not used,
/// then memory MB-seconds unused or needed, then seconds lost. Larger is worse.
struct Waste {
    double gpu_s = 0;
    double core_s = 0;
    double mem_mb_s = 0;
    double time_s = 0;

    /// Whether this wastes more than `o`, comparing the resources in the order above.
    bool more_than(const Waste& o) const;
    nlohmann::json to_json() const;
};

/// What a rule found: the figures that triggered it and the advice.
struct Finding {
    nlohmann::json evidence;     ///< object of named figures
    std::string recommendation;  ///< one line for the job's user
    /// Set by the classes ranked by waste (memory-pressure, idle, imbalanced, io-bound,
    /// gpu-idle, underutilized-cpu); empty for the classes ranked by precedence and for flags.
    std::optional<Waste> waste = std::nullopt;
};

class Rule {
public:
    virtual ~Rule() = default;
    /// The class or flag this rule decides, e.g. "memory-pressure".
    virtual std::string_view name() const = 0;
    /// A finding when the rule applies to `f`; nullopt when it does not, or when a figure
    /// it needs is unknown.
    virtual std::optional<Finding> evaluate(const JobFeatures& f, const Thresholds& t) const = 0;
};

/// The built-in rules: classes and flags (every flag that applies). Classes whose finding
/// carries no waste go by their order: one that applies before any class with a waste
/// applied is the primary class alone (failed, too-short, no-data); after them they are
/// fallbacks when none applied (cores-unknown, efficient). Classes with a waste are ranked
/// by it: the largest is the primary class, the others are secondary; equal waste keeps
/// the order here.
struct RuleSet {
    std::vector<std::unique_ptr<Rule>> classes;
    std::vector<std::unique_ptr<Rule>> flags;
};

/// The one registration point (rule_registry.cpp).
const RuleSet& builtin_rules();
/// The class or flag rule called `name`, or nullptr.
const Rule* find_rule(std::string_view name);

// Factories, one per rule (class_rules.cpp, flag_rules.cpp).
std::unique_ptr<Rule> make_failed_rule();
std::unique_ptr<Rule> make_too_short_rule();
std::unique_ptr<Rule> make_no_data_rule();
std::unique_ptr<Rule> make_memory_pressure_rule();
std::unique_ptr<Rule> make_idle_rule();
std::unique_ptr<Rule> make_imbalanced_rule();
std::unique_ptr<Rule> make_io_bound_rule();
std::unique_ptr<Rule> make_gpu_idle_rule();
std::unique_ptr<Rule> make_underutilized_cpu_rule();
std::unique_ptr<Rule> make_cores_unknown_rule();
std::unique_ptr<Rule> make_efficient_rule();
std::unique_ptr<Rule> make_memory_overrequested_rule();
std::unique_ptr<Rule> make_walltime_overrequested_rule();
std::unique_ptr<Rule> make_serial_on_many_cores_rule();
std::unique_ptr<Rule> make_oversubscribed_rule();
std::unique_ptr<Rule> make_stalled_rule();
std::unique_ptr<Rule> make_gpu_unused_rule();
std::unique_ptr<Rule> make_gpu_memory_overrequested_rule();

/// The first word of the Slurm state, upper-cased, when it is one of `t.failed_states`
/// ("CANCELLED by 1000" gives "CANCELLED"); else empty.
std::string failed_slurm_state(const JobFeatures& f, const Thresholds& t);

/// The core-seconds a job allocated but did not use, over the nodes that reported (0 when
/// the allocation behind them is unknown).
double unused_core_s(const JobFeatures& f);

/// "1-02:03:04", "2:03:04" or "45 s": a duration for people.
std::string format_duration(double seconds);

}  // namespace fructosa
