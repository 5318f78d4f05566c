#include "master/agent_paths.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "common/metric_path.h"

using namespace fructosa;

TEST(AgentPaths, ValidHostsAreSinglePathLevels) {
    struct Case {
        std::string host;
        bool valid;
    };
    const Case cases[] = {
        {"node001", true},   {"gpu-07", true},     {"n_1", true},      {"a:b", true},
        {"", false},         {"node001.cluster", false}, {"a b", false}, {"a/b", false},
        {"..", false},       {"node\n1", false},   {std::string("n\0", 2), false}, {"jobs", false},
        {"fructosa", false}, {std::string(256, 'a'), false}, {std::string(255, 'a'), true},
    };
    for (const auto& c : cases) EXPECT_EQ(valid_agent_host(c.host), c.valid) << "'" << c.host << "'";
}

TEST(AgentPaths, AnAgentWritesOnlyItsOwnSeries) {
    struct Case {
        std::string path;
        bool allowed;
    };
    const Case cases[] = {
        // its own trees
        {"node001.CPUPercent.0", true},
        {"node001.VirtualMemory.percent", true},
        {"jobs.42.node001.cpu.user", true},
        {"jobs.18446744073709551615.node001.mem.rss", true},
        {"fructosa.lagent.node001.points_sent", true},
        // another host's
        {"node002.CPUPercent.0", false},
        {"jobs.42.node002.cpu.user", false},
        {"fructosa.lagent.node002.points_sent", false},
        {"fructosa.lmaster.m1.points_in", false},
        // a prefix of the host is not the host
        {"node0011.CPUPercent.0", false},
        {"node00.CPUPercent.0", false},
        {"jobs.42.node0011.cpu", false},
        // nothing after the host
        {"node001", false},
        {"node001.", false},
        {"jobs.42.node001", false},
        {"fructosa.lagent.node001", false},
        // bad job ids
        {"jobs.x42.node001.cpu", false},
        {"jobs..node001.cpu", false},
        {"jobs.4 2.node001.cpu", false},
        {"jobs.123456789012345678901.node001.cpu", false},
        {"jobs.node001.cpu", false},
        // path-unsafe components anywhere
        {"node001..x", false},
        {"node001.a/../../etc", false},
        {"node001.a b", false},
        {"node001.x\n", false},
        {"node001.x\nnode002.y 1 2", false},
        {std::string("node001.x\0y", 11), false},
        {".node001.x", false},
        {"", false},
    };
    for (const auto& c : cases) EXPECT_EQ(agent_may_write(c.path, "node001"), c.allowed) << "'" << c.path << "'";
}

TEST(AgentPaths, ReservedOrInvalidHostsMayWriteNothing) {
    EXPECT_FALSE(agent_may_write("jobs.42.node002.cpu", "jobs"));
    EXPECT_FALSE(agent_may_write("fructosa.lmaster.m.points_in", "fructosa"));
    EXPECT_FALSE(agent_may_write("a.b.c", "a.b"));
    EXPECT_FALSE(agent_may_write(".x", ""));
}

TEST(AgentPaths, NeitherLmasterNorPeradSeriesEvenUnderItsOwnName) {
    const std::string refused[] = {
        "fructosa.lmaster.node001.points_in",
        "fructosa.perad.jobs.42.class.idle",
        "fructosa.other.node001.x",
        "fructosa.node001.x",
    };
    for (const auto& p : refused) EXPECT_FALSE(agent_may_write(p, "node001")) << p;
}

TEST(AgentPaths, EveryPathLagentBuildsForItsHostIsAllowed) {
    const std::string built[] = {
        child_path(host_series_base("node001", "CPUPercent"), "0"),
        child_path(host_series_base("node001", "CPUCount"), ""),
        child_path(job_series_base(42, "node001"), "cpu.user_seconds"),
        child_path(job_series_base(std::numeric_limits<std::uint64_t>::max(), "node001"), "memory.peak"),
        child_path(lagent_series_base("node001"), "points_sent"),
    };
    for (const auto& p : built) {
        EXPECT_TRUE(agent_may_write(p, "node001")) << p;
        EXPECT_FALSE(agent_may_write(p, "node002")) << p;
    }
}
