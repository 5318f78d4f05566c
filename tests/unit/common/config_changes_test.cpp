// config_changes: what SIGHUP finds changed between two config files, by section and key.
#include "common/config_changes.h"

#include <gtest/gtest.h>

using namespace fructosa;

namespace {

std::vector<std::string> described(const std::vector<ConfigChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(describe(c) + " @ " + c.where);
    return out;
}

}  // namespace

TEST(ConfigChanges, SameValuesAreNoChangeWhateverTheKeysCaseAndComments) {
    auto a = IniFile::parse("[lagent]\nbatch interval = 1\n[logging]\nlevel = INFO\n", "old.conf");
    auto b = IniFile::parse("# new comment\n[lagent]\nBatch Interval = 1\n\n[logging]\nlevel = INFO\n", "new.conf");
    EXPECT_TRUE(config_changes(a, b).empty());
}

TEST(ConfigChanges, NamesChangedAddedAndRemovedKeysWithTheirLines) {
    auto a = IniFile::parse("[lagent]\nbatch interval = 1\nhostname = n1\n[sensor:CPUCount]\ntime_interval = 60\n",
                            "old.conf");
    auto b = IniFile::parse("[lagent]\nbatch interval = 2\n[logging]\nlevel = DEBUG\n", "new.conf");
    EXPECT_EQ(described(config_changes(a, b)),
              (std::vector<std::string>{"[lagent] batch interval @ new.conf:2", "[logging] level @ new.conf:4",
                                        "[lagent] hostname @ old.conf:3",
                                        "[sensor:CPUCount] time_interval @ old.conf:5"}));
}

TEST(ConfigChanges, OnlyTheChangesRefusedAreReturnedAsNeedingARestart) {
    auto a = IniFile::parse("[lagent]\nbatch interval = 1\n[logging]\nlevel = INFO\n", "old.conf");
    auto b = IniFile::parse("[lagent]\nbatch interval = 2\n[logging]\nlevel = DEBUG\n", "new.conf");
    auto refused = log_changes_needing_restart(
        config_changes(a, b), [](const ConfigChange& c) { return c.section == "logging"; }, "lagent");
    EXPECT_EQ(described(refused), (std::vector<std::string>{"[lagent] batch interval @ new.conf:2"}));
}
