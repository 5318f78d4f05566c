// The one place where rules are registered. The order of `classes` is the one documented
// in perad/README.md: failed, too-short and no-data come first and win alone; the waste
// classes are ranked by waste, and on equal waste by this order, where a class that says
// why the cores sat unused (waiting on I/O, work not spread over the nodes) comes before
// one that only says that they did (idle, underutilized-cpu).
#include "perad/rule.h"

namespace fructosa {

const RuleSet& builtin_rules() {
    static const RuleSet rules = [] {
        RuleSet r;
        r.classes.push_back(make_failed_rule());
        r.classes.push_back(make_too_short_rule());
        r.classes.push_back(make_no_data_rule());
        r.classes.push_back(make_memory_pressure_rule());
        r.classes.push_back(make_io_bound_rule());
        r.classes.push_back(make_imbalanced_rule());
        r.classes.push_back(make_idle_rule());
        r.classes.push_back(make_gpu_idle_rule());
        r.classes.push_back(make_underutilized_cpu_rule());
        r.classes.push_back(make_cores_unknown_rule());
        r.classes.push_back(make_efficient_rule());
        r.flags.push_back(make_memory_overrequested_rule());
        r.flags.push_back(make_walltime_overrequested_rule());
        r.flags.push_back(make_serial_on_many_cores_rule());
        r.flags.push_back(make_oversubscribed_rule());
        r.flags.push_back(make_stalled_rule());
        r.flags.push_back(make_gpu_unused_rule());
        r.flags.push_back(make_gpu_memory_overrequested_rule());
        return r;
    }();
    return rules;
}

const Rule* find_rule(std::string_view name) {
    for (const auto* list : {&builtin_rules().classes, &builtin_rules().flags})
        for (const auto& r : *list)
            if (r->name() == name) return r.get();
    return nullptr;
}

}  // namespace fructosa
