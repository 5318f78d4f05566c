// TopProcesses: the busiest and the largest processes, with user, command and job id.
#include "collector/sensors/top_processes.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

struct SteppedTop {
    double now = 1000;
    std::unique_ptr<Sensor> sensor;
    explicit SteppedTop(const std::string& options = "count = 3") {
        TopProcessesSettings s;
        s.clock = [this] { return now; };
        s.user_name = [](std::uint32_t uid) -> std::optional<std::string> {
            if (uid == 0) return "root";
            if (uid == 1000) return "alice";
            return std::nullopt;
        };
        sensor = make_top_processes_sensor(s);
        auto ini = IniFile::parse("[sensor:TopProcesses]\n" + options, "test.conf");
        SectionReader section(ini, "sensor:TopProcesses");
        sensor->configure(section);
        section.reject_unknown();
    }
};

}  // namespace

TEST(TopProcesses, ParsesStatWithParenthesesInTheCommand) {
    auto s = parse_process_stat(fixture_text("processes", "/proc/2002/stat"));
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->pid, 2002u);
    EXPECT_EQ(s->comm, "my (odd) job");
    EXPECT_EQ(s->cpu_ticks, 500u);
    EXPECT_EQ(s->start_ticks, 5100u);
    EXPECT_EQ(s->rss_pages, 100u);
    EXPECT_EQ(parse_process_stat("12 (x) S 1 2 3"), std::nullopt);
    EXPECT_EQ(parse_process_stat("no parentheses"), std::nullopt);
}

TEST(TopProcesses, FirstSampleRanksMemoryOnly) {
    SteppedTop top;
    auto r = top.sensor->sample(FixtureSystemReader(fixture_root("processes")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Readings{{"memory.1.alice.python3.rss_bytes", 250000.0 * 4096},
                            {"memory.1.alice.python3.pid", 2001},
                            {"memory.1.alice.python3.jobid", 42},
                            {"memory.2.root.systemd.rss_bytes", 3000.0 * 4096},
                            {"memory.2.root.systemd.pid", 1},
                            {"memory.3.root.sshd.rss_bytes", 2000.0 * 4096},
                            {"memory.3.root.sshd.pid", 3000}}));
}

TEST(TopProcesses, BusiestProcessesWithTheirJobs) {
    SteppedTop top;
    top.sensor->sample(FixtureSystemReader(fixture_root("processes")));
    top.now += 10;
    auto r = top.sensor->sample(FixtureSystemReader(fixture_root("processes_later")));
    ASSERT_TRUE(r.has_value());
    Readings cpu(r->begin(), r->begin() + 11);
    EXPECT_EQ(cpu, (Readings{{"cpu.1.alice.python3.cpu_percent", 99},
                             {"cpu.1.alice.python3.rss_bytes", 250000.0 * 4096},
                             {"cpu.1.alice.python3.pid", 2001},
                             {"cpu.1.alice.python3.jobid", 42},
                             {"cpu.2.uid1001.my__odd__job.cpu_percent", 40},
                             {"cpu.2.uid1001.my__odd__job.rss_bytes", 100.0 * 4096},
                             {"cpu.2.uid1001.my__odd__job.pid", 2002},
                             {"cpu.2.uid1001.my__odd__job.jobid", 43},
                             {"cpu.3.root.kworker_0_1.cpu_percent", 5},
                             {"cpu.3.root.kworker_0_1.rss_bytes", 0},
                             {"cpu.3.root.kworker_0_1.pid", 3100}}));
    // The pid reused by another process (4000) and the new one (4100) have no CPU figure,
    // so they are in no CPU rank however many ticks they show.
    for (const auto& x : *r) {
        EXPECT_EQ(x.field.find(".old."), std::string::npos) << x.field;
        EXPECT_EQ(x.field.find(".new."), std::string::npos) << x.field;
    }
    EXPECT_EQ(at(*r, "memory.1.alice.python3.cpu_percent"), 99);
    EXPECT_EQ(at(*r, "memory.3.root.sshd.cpu_percent"), 0);
}

TEST(TopProcesses, RankingTiesAndCount) {
    std::map<std::uint32_t, ProcessStat> before = {{1, {1, "a", 100, 5, 10}},
                                                   {2, {2, "b", 100, 5, 10}}};
    std::vector<ProcessStat> now = {{2, "b", 150, 5, 10}, {1, "a", 150, 5, 10}, {3, "c", 1, 6, 20}};
    auto lists = rank_processes(before, now, 1.0, 100, 2);
    ASSERT_EQ(lists.by_cpu.size(), 2u);
    EXPECT_EQ(lists.by_cpu[0].stat.pid, 1u);  // equal CPU: lower pid first
    EXPECT_EQ(lists.by_cpu[0].cpu_percent, 50);
    ASSERT_EQ(lists.by_memory.size(), 2u);
    EXPECT_EQ(lists.by_memory[0].stat.pid, 3u);
    EXPECT_EQ(lists.by_memory[0].cpu_percent, std::nullopt);
    EXPECT_EQ(lists.by_memory[1].stat.pid, 1u);
    EXPECT_TRUE(rank_processes({}, {}, 1.0, 100, 5).by_memory.empty());
}

TEST(TopProcesses, NameLevels) {
    EXPECT_EQ(process_name_level("python3"), "python3");
    EXPECT_EQ(process_name_level("kworker/0:1H-events"), "kworker_0_1H-events");
    EXPECT_EQ(process_name_level("a.b c"), "a_b_c");
    EXPECT_EQ(process_name_level(""), "unknown");
    EXPECT_EQ(process_name_level(std::string(60, 'x')), std::string(48, 'x'));
}

TEST(TopProcesses, CountIsBoundedAndNoProcNotAvailable) {
    EXPECT_THROW(SteppedTop("count = 0"), std::exception);
    EXPECT_THROW(SteppedTop("count = 51"), std::exception);
    SteppedTop one("count = 1");
    auto r = one.sensor->sample(FixtureSystemReader(fixture_root("processes")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->size(), 3u);  // memory.1's rss, pid, jobid
    EXPECT_FALSE(make_sensor("TopProcesses")
                     ->sample(FixtureSystemReader(fixture_root("no-such-tree")))
                     .has_value());
}
