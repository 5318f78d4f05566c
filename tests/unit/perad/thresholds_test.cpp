// The [rules] section of perad.conf: one key per threshold with its default and range, the
// hash stored with each verdict, and errors that name file, line and key.
#include "perad/thresholds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/config.h"

namespace fructosa {
namespace {

Thresholds rules(const std::string& body) {
    return read_thresholds(IniFile::parse("[rules]\n" + body, "p.conf"));
}

TEST(Thresholds, EveryKeyWithItsDefaultInPrecedenceOrder) {
    struct Case {
        const char* key;
        double value;
    };
    const Case expected[] = {
        {"too short seconds", 60},
        {"memory pressure min oom kills", 1},
        {"memory pressure min limit hits", 1},
        {"memory pressure min anon fraction", 0.9},
        {"memory pressure min swap mb", 1},
        {"memory pressure min stall fraction", 0.1},
        {"idle fraction", 0.9},
        {"imbalance cv", 0.5},
        {"io bound min rate mb per s", 50},
        {"io bound max cpu efficiency", 0.5},
        {"gpu idle percent", 10},
        {"underutilized cpu efficiency", 0.5},
        {"memory overrequested fraction", 0.25},
        {"memory overrequested min mb", 1024},
        {"walltime overrequested fraction", 0.25},
        {"serial min cores", 4},
        {"serial max cores used", 1.2},
        {"oversubscribed efficiency", 1.05},
        {"oversubscribed runqueue percent per core", 50},
        {"stalled min fraction", 0.2},
        {"stalled min seconds", 600},
        {"stalled min busy intervals", 2},
        {"gpu unused process fraction", 0.5},
        {"gpu memory overrequested fraction", 0.25},
        {"gpu memory overrequested min gb", 8},
    };
    const auto& keys = threshold_keys();
    ASSERT_EQ(keys.size(), std::size(expected));
    const Thresholds defaults;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_STREQ(keys[i].key, expected[i].key);
        EXPECT_DOUBLE_EQ(defaults.*keys[i].member, expected[i].value) << keys[i].key;
        EXPECT_LE(keys[i].min, defaults.*keys[i].member) << keys[i].key;
        EXPECT_GE(keys[i].max, defaults.*keys[i].member) << keys[i].key;
        EXPECT_NE(std::string(keys[i].help).find(": "), std::string::npos)
            << keys[i].key;  // "rule: what"
    }
    EXPECT_EQ(defaults.failed_states,
              (std::vector<std::string>{"FAILED", "OUT_OF_MEMORY", "TIMEOUT", "NODE_FAIL",
                                        "BOOT_FAIL", "DEADLINE", "PREEMPTED", "CANCELLED"}));
}

TEST(Thresholds, EachKeyHasItsOwnMember) {
    std::set<std::string> names;
    for (const auto& k : threshold_keys()) {
        EXPECT_TRUE(names.insert(k.key).second) << k.key;
        Thresholds t;
        t.*k.member = -7;
        int marked = 0;
        for (const auto& other : threshold_keys()) marked += t.*other.member == -7;
        EXPECT_EQ(marked, 1) << k.key;
    }
}

TEST(Thresholds, ReadsKeysAndUppercasesStates) {
    Thresholds t =
        rules("idle fraction = 0.8\nstalled min seconds = 0\nfailed states = failed, Timeout\n");
    EXPECT_DOUBLE_EQ(t.idle_fraction, 0.8);
    EXPECT_DOUBLE_EQ(t.stalled_min_s, 0);
    EXPECT_DOUBLE_EQ(t.too_short_s, 60);  // absent: the default
    EXPECT_EQ(t.failed_states, (std::vector<std::string>{"FAILED", "TIMEOUT"}));
    // Every key is read into its own member.
    for (const auto& k : threshold_keys()) {
        Thresholds one = rules(std::string(k.key) + " = " + std::to_string(k.min) + "\n");
        EXPECT_DOUBLE_EQ(one.*k.member, k.min) << k.key;
    }
}

TEST(Thresholds, NoRulesSectionIsTheDefaults) {
    EXPECT_EQ(read_thresholds(IniFile::parse("[perad]\npoll interval = 1\n", "p.conf")).hash(),
              Thresholds{}.hash());
}

TEST(Thresholds, ErrorsNameFileLineAndKey) {
    struct Case {
        const char* body;
        const char* expected;
    };
    const Case cases[] = {
        {"idle fraction = 1.5\n", "p.conf:2: [rules] idle fraction"},
        {"\nmemory pressure min oom kills = 0\n",
         "p.conf:3: [rules] memory pressure min oom kills"},
        {"too short seconds = soon\n", "p.conf:2: [rules] too short seconds"},
        {"idle fractions = 0.5\n", "idle fractions"},
    };
    for (const auto& c : cases) {
        try {
            rules(c.body);
            ADD_FAILURE() << "no error for " << c.body;
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
        }
    }
}

TEST(Thresholds, HashIsStableAndFollowsEveryValue) {
    // Stored with verdicts: the default's hash must not change unless a default (or the
    // set of keys) does.
    EXPECT_EQ(Thresholds{}.hash(), "86f22c8a8a299837");  // the three gpu-* keys of 0.4 added
    std::set<std::string> hashes{Thresholds{}.hash()};
    for (const auto& k : threshold_keys()) {
        Thresholds t;
        t.*k.member += 0.5;
        EXPECT_TRUE(hashes.insert(t.hash()).second) << k.key;
    }
    Thresholds reordered;
    std::swap(reordered.failed_states[0], reordered.failed_states[1]);
    EXPECT_TRUE(hashes.insert(reordered.hash()).second);
    Thresholds fewer;
    fewer.failed_states.pop_back();
    EXPECT_TRUE(hashes.insert(fewer.hash()).second);
    EXPECT_EQ(fewer.hash().size(), 16u);
}

}  // namespace
}  // namespace fructosa
