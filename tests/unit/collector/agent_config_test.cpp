#include "collector/agent_config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/config.h"

using namespace fructosa;

namespace {

AgentConfig parse(const std::string& text) { return read_agent_config(IniFile::parse(text, "lagent.conf")); }

}  // namespace

TEST(AgentConfig, MapsOntoTheShippersSettings) {
    auto c = parse(
        "[lmaster]\nhost = m1, m2:17000\nincoming data port = 7999\norder = listed\nfailback seconds = 30\n"
        "[lagent]\nhostname = node7\nbatch interval = 0.5\nmax queued points = 1234\n"
        "spool directory = /tmp/sp\nspool max mb = 3\n");
    ShipperConfig s = shipper_config(c);
    EXPECT_EQ(s.masters, (std::vector<std::pair<std::string, int>>{{"m1", 7999}, {"m2", 17000}}));
    EXPECT_EQ(s.agent_host, "node7");
    EXPECT_DOUBLE_EQ(s.failback_s, 30);
    EXPECT_DOUBLE_EQ(s.batch_interval_s, 0.5);
    EXPECT_EQ(s.max_queued_points, 1234u);
    EXPECT_EQ(s.max_batch_points, ShipperConfig{}.max_batch_points);
    EXPECT_EQ(s.spool_dir, "/tmp/sp");
    EXPECT_EQ(s.spool_max_bytes, 3ull << 20);
    EXPECT_FALSE(s.credential);  // the Agent wires it in
}

TEST(AgentConfig, AgentsSpreadOverTheLmasterListByTheirHostName) {
    using Masters = std::vector<std::pair<std::string, int>>;
    Masters list{{"m1", 7888}, {"m2", 7888}, {"m3", 7888}};
    // Each agent keeps the whole list, in order, starting where its name hashes to.
    std::map<std::string, int> first;
    for (int n = 0; n < 300; ++n) {
        std::string host = "node" + std::to_string(n);
        Masters mine = spread_masters(list, host);
        ASSERT_EQ(mine.size(), 3u);
        auto at = std::find(list.begin(), list.end(), mine[0]) - list.begin();
        for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(mine[i], list[(at + i) % 3]) << host;
        EXPECT_EQ(spread_masters(list, host), mine) << "the same on every call";
        ++first[mine[0].first];
    }
    ASSERT_EQ(first.size(), 3u);
    for (const auto& [m, count] : first) EXPECT_GT(count, 60) << m;
    // FNV-1a of the name: the same on every machine and build.
    EXPECT_EQ(spread_masters(list, "node7")[0].first, "m" + std::to_string(1 + 0x0d4e254eu % 3));
    // The default is to spread; one lmaster is one lmaster.
    auto c = parse("[lmaster]\nhost = m1, m2, m3\n[lagent]\nhostname = node7\n");
    EXPECT_EQ(shipper_config(c).masters, spread_masters(list, "node7"));
    EXPECT_EQ(spread_masters({{"m1", 1}}, "x"), (Masters{{"m1", 1}}));
    EXPECT_THROW(parse("[lmaster]\norder = random\n"), ConfigError);
}

TEST(AgentConfig, MapsOntoTheJobTrackersSettings) {
    auto c = parse(
        "[lagent]\nhostname = node7\n"
        "[jobs]\nsocket = /run/x/%n.sock\nallowed uids = 64030\ndefault interval = 5\nmin interval = 2\n"
        "idle threshold percent = 7\nhardware counters = no\n");
    JobTrackerSettings s = job_tracker_settings(c);
    EXPECT_EQ(s.hostname, "node7");
    EXPECT_TRUE(s.jobs.enabled);
    EXPECT_EQ(s.jobs.socket_path, "/run/x/%n.sock");
    EXPECT_EQ(s.jobs.allowed_uids, std::vector<unsigned>{64030});
    EXPECT_DOUBLE_EQ(s.jobs.default_interval_s, 5);
    EXPECT_DOUBLE_EQ(s.jobs.min_interval_s, 2);
    EXPECT_DOUBLE_EQ(s.jobs.idle_threshold_percent, 7);
    EXPECT_FALSE(s.jobs.hardware_counters);
    EXPECT_TRUE(job_tracker_settings(parse("[jobs]\n")).jobs.hardware_counters);  // on by default
}

TEST(AgentConfig, AnEmptyLmasterListIsAConfigErrorNamingFileLineAndKey) {
    try {
        parse("[lmaster]\nhost = ,\n");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "lagent.conf:2: [lmaster] host: expected a comma-separated list, got an empty value");
    }
}

TEST(AgentConfig, SamplingIsOffByDefault) {
    auto c = parse("[lagent]\nhostname = node7\n");
    EXPECT_FALSE(c.sampling.adaptive);
    EXPECT_FALSE(job_tracker_settings(c).sampling.adaptive);
}

TEST(AgentConfig, ReadsTheSamplingPolicy) {
    auto c = parse(
        "[sampling]\nadaptive = yes\nhost min interval = 2\nhost max interval = 120\n"
        "load change per minute = 0.8\nmemory change percent per minute = 3\nidle load = 0.2\n"
        "job fast seconds = 30\njob fast interval = 5\n");
    const SamplingPolicyConfig& p = c.sampling;
    EXPECT_TRUE(p.adaptive);
    EXPECT_DOUBLE_EQ(p.host_min_interval_s, 2);
    EXPECT_DOUBLE_EQ(p.host_max_interval_s, 120);
    EXPECT_DOUBLE_EQ(p.load_change_per_minute, 0.8);
    EXPECT_DOUBLE_EQ(p.memory_change_percent_per_minute, 3);
    EXPECT_DOUBLE_EQ(p.idle_load, 0.2);
    EXPECT_DOUBLE_EQ(p.job_fast_seconds, 30);
    EXPECT_DOUBLE_EQ(p.job_fast_interval_s, 5);
    EXPECT_TRUE(job_tracker_settings(c).sampling.adaptive);
}

TEST(AgentConfig, SamplingBoundsTheWrongWayRoundNameFileLineAndKey) {
    try {
        parse("[sampling]\nadaptive = yes\nhost min interval = 10\nhost max interval = 5\n");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "lagent.conf:4: [sampling] host max interval: 5 s is below host min interval (10 s)");
    }
}

TEST(AgentConfig, AnUnknownSamplingKeyIsAConfigError) {
    try {
        parse("[sampling]\nadaptive = yes\nhost fastest interval = 1\n");
        FAIL() << "no error";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "lagent.conf:3: [sampling] host fastest interval: unknown key (known keys: adaptive, host min "
                  "interval, host max interval, load change per minute, memory change percent per minute, idle load, "
                  "job fast seconds, job fast interval)");
    }
}

TEST(AgentConfig, ASensorWithoutTimeIntervalSamplesAtItsOwnDefault) {
    // (a section without any key is no section to the INI reader: each has an option here)
    auto c = parse("[sensor:CPUFreq]\npercpu = no\n[sensor:TopProcesses]\ncount = 3\n[sensor:CPUPercent]\n"
                   "time_interval = 1\n[sensor:NetConnections]\ntime_interval = 0.5\n");
    std::map<std::string, double> interval;
    for (const auto& s : c.sensors) interval[s.name] = s.interval_s;
    EXPECT_EQ(interval, (std::map<std::string, double>{
                            {"CPUFreq", 60},        // the generic default
                            {"TopProcesses", 10},   // a process table: its own default
                            {"CPUPercent", 1},
                            {"NetConnections", 0.5}}));
    EXPECT_DOUBLE_EQ(make_sensor("TopProcesses")->info().default_interval_s, 10);
    EXPECT_DOUBLE_EQ(make_sensor("CPUFreq")->info().default_interval_s, kDefaultSensorInterval);
    // An explicit time_interval wins over the sensor's default, faster or slower.
    auto fast = parse("[sensor:TopProcesses]\ntime_interval = 1\n");
    ASSERT_EQ(fast.sensors.size(), 1u);
    EXPECT_DOUBLE_EQ(fast.sensors[0].interval_s, 1);
}
