// What perad applies on SIGHUP: the rules, poll interval, batch size and log level.
#include "perad/perad_daemon.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(PeradReload, RulesPollingAndLevelAreAppliedTheRestNeedsARestart) {
    EXPECT_TRUE(perad_applies_on_hangup({"rules", "too short seconds", "f:1"}));
    EXPECT_TRUE(perad_applies_on_hangup({"perad", "poll interval", "f:1"}));
    EXPECT_TRUE(perad_applies_on_hangup({"perad", "batch size", "f:1"}));
    EXPECT_TRUE(perad_applies_on_hangup({"logging", "level", "f:1"}));
    EXPECT_FALSE(perad_applies_on_hangup({"perad", "status file", "f:1"}));
    EXPECT_FALSE(perad_applies_on_hangup({"registry", "path", "f:1"}));
    EXPECT_FALSE(perad_applies_on_hangup({"graphite", "host", "f:1"}));
}
