// plan_agent_reload: what lagent applies on SIGHUP, and which changed keys need a restart.
#include "collector/agent_reload.h"

#include <gtest/gtest.h>

using namespace fructosa;

namespace {

IniFile ini(const std::string& text) { return IniFile::parse(text, "lagent.conf"); }

std::vector<std::string> named(const std::vector<ConfigChange>& changes) {
    std::vector<std::string> out;
    for (const auto& c : changes) out.push_back(describe(c));
    return out;
}

const char* kStarted =
    "[lmaster]\nhost = m1\n[lagent]\nhostname = n1\nbatch interval = 1\n"
    "[sensor:CPUCount]\ntime_interval = 60\n[logging]\nfilename = -\nlevel = INFO\n";

}  // namespace

TEST(AgentReload, SensorsMastersAndLevelAreAppliedTheRestNeedsARestart) {
    IniFile started = ini(kStarted);
    IniFile fresh = ini(
        "[lmaster]\nhost = m2, m1\nincoming data port = 7999\n[lagent]\nhostname = n1\nbatch interval = 2\n"
        "[sensor:CPUCount]\ntime_interval = 5\n[sensor:BootTime]\ntime_interval = 60\n"
        "[logging]\nfilename = /tmp/x.log\nlevel = DEBUG\n");
    AgentReload plan = plan_agent_reload(started, started, fresh);
    EXPECT_TRUE(plan.sensors_changed);
    EXPECT_TRUE(plan.masters_changed);
    EXPECT_TRUE(plan.level_changed);
    ASSERT_EQ(plan.config.sensors.size(), 2u);
    EXPECT_EQ(plan.config.sensors[0].name, "CPUCount");
    EXPECT_DOUBLE_EQ(plan.config.sensors[0].interval_s, 5);
    EXPECT_EQ(shipper_config(plan.config).masters,
              (std::vector<std::pair<std::string, int>>{{"m2", 7999}, {"m1", 7999}}));
    EXPECT_EQ(plan.config.log.level, LogLevel::Debug);
    EXPECT_EQ(named(plan.needs_restart),
              (std::vector<std::string>{"[lagent] batch interval", "[logging] filename"}));
}

TEST(AgentReload, WhatWasAppliedAlreadyIsNotAppliedAgainButARestartIsStillNamed) {
    IniFile started = ini(kStarted);
    IniFile fresh = ini(
        "[lmaster]\nhost = m1\n[lagent]\nhostname = n1\nbatch interval = 3\n"
        "[sensor:CPUCount]\ntime_interval = 5\n[logging]\nfilename = -\nlevel = INFO\n");
    AgentReload plan = plan_agent_reload(started, fresh, fresh);
    EXPECT_FALSE(plan.sensors_changed);
    EXPECT_FALSE(plan.masters_changed);
    EXPECT_FALSE(plan.level_changed);
    EXPECT_EQ(named(plan.needs_restart), (std::vector<std::string>{"[lagent] batch interval"}));
}

TEST(AgentReload, ABadFileIsAConfigErrorAndNothingIsPlanned) {
    IniFile started = ini(kStarted);
    try {
        plan_agent_reload(started, started, ini("[lagent]\nbatch interval = 0\n"));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("lagent.conf:2: [lagent] batch interval: ", 0), 0u) << e.what();
    }
}

TEST(AgentReload, StatusFileNeedsAnAbsolutePath) {
    try {
        read_agent_config(ini("[lagent]\nstatus file = run/x\n"));
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), "lagent.conf:2: [lagent] status file: needs an absolute path");
    }
}

TEST(AgentReload, ANewLmasterOrderIsANewListButANewFailbackNeedsARestart) {
    IniFile started = ini("[lmaster]\nhost = m1, m2, m3\norder = listed\n[lagent]\nhostname = n1\n");
    IniFile fresh = ini("[lmaster]\nhost = m1, m2, m3\norder = spread\nfailback seconds = 5\n[lagent]\nhostname = n1\n");
    AgentReload plan = plan_agent_reload(started, started, fresh);
    EXPECT_TRUE(plan.masters_changed);
    EXPECT_EQ(shipper_config(plan.config).masters,
              spread_masters({{"m1", 7888}, {"m2", 7888}, {"m3", 7888}}, "n1"));
    EXPECT_EQ(named(plan.needs_restart), (std::vector<std::string>{"[lmaster] failback seconds"}));
}
