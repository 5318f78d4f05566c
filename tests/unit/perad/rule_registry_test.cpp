// The one registration point of perad's rules: names, order and lookup.
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "perad/rule.h"

namespace fructosa {
namespace {

TEST(Rules, EveryRuleHasAUniqueName) {
    std::set<std::string> seen;
    for (const auto* list : {&builtin_rules().classes, &builtin_rules().flags})
        for (const auto& r : *list) EXPECT_TRUE(seen.insert(std::string(r->name())).second) << r->name();
    EXPECT_EQ(builtin_rules().classes.back()->name(), "efficient");
}

std::vector<std::string> names_of(const std::vector<std::unique_ptr<Rule>>& rules) {
    std::vector<std::string> out;
    for (const auto& r : rules) out.emplace_back(r->name());
    return out;
}

TEST(RuleRegistry, ClassesInTheOrderOfPrecedenceOfTheReadme) {
    EXPECT_EQ(names_of(builtin_rules().classes),
              (std::vector<std::string>{"failed", "too-short", "no-data", "memory-pressure", "io-bound", "imbalanced",
                                        "idle", "gpu-idle", "underutilized-cpu", "cores-unknown",
                                        "efficient"}));
    EXPECT_EQ(names_of(builtin_rules().flags),
              (std::vector<std::string>{"memory-overrequested", "walltime-overrequested", "serial-on-many-cores",
                                        "oversubscribed", "stalled", "gpu-unused", "gpu-memory-overrequested"}));
}

TEST(RuleRegistry, FindRuleReturnsTheRegisteredRuleOrNull) {
    for (const auto* list : {&builtin_rules().classes, &builtin_rules().flags})
        for (const auto& r : *list) EXPECT_EQ(find_rule(r->name()), r.get()) << r->name();
    for (const char* unknown : {"", "Failed", "efficient ", "slow", "memory_pressure"})
        EXPECT_EQ(find_rule(unknown), nullptr) << "'" << unknown << "'";
}

}  // namespace
}  // namespace fructosa
