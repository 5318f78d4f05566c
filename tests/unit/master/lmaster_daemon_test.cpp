// What lmaster applies on SIGHUP: [logging] level only; every other key needs a restart.
#include "master/lmaster_daemon.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(LmasterReload, OnlyTheLogLevelIsAppliedWhileRunning) {
    EXPECT_TRUE(lmaster_applies_on_hangup({"logging", "level", "f:1"}));
    EXPECT_FALSE(lmaster_applies_on_hangup({"logging", "filename", "f:1"}));
    EXPECT_FALSE(lmaster_applies_on_hangup({"lmaster", "incoming data port", "f:1"}));
    EXPECT_FALSE(lmaster_applies_on_hangup({"Graphite", "host", "f:1"}));
}

TEST(LmasterReload, StatusFileIsReadAndNeedsAnAbsolutePath) {
    EXPECT_EQ(read_lmaster_config(IniFile::parse("[lmaster]\nstatus file = /run/x.status\n", "l.conf")).status_file,
              "/run/x.status");
    try {
        read_lmaster_config(IniFile::parse("[lmaster]\nstatus file = x\n", "l.conf"));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "l.conf:2: [lmaster] status file: needs an absolute path");
    }
}
