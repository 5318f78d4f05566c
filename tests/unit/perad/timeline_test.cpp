// A job's timeline from fixed render answers: which series become which figure, how a
// node's lines, min/max and time axis are printed (character by character), how a wide
// job is cut to its busiest and idlest node, the JSON, and why there is none.
#include "perad/timeline.h"

#include <sstream>

#include <gtest/gtest.h>

#include "perad/time_arg.h"
#include "tests/unit/perad/carbon_listener.h"

namespace fructosa {
namespace {

using json = nlohmann::json;
constexpr auto kNone = std::nullopt;

RenderSeries series(const std::string& target, const Samples& values, double t0 = 1000) {
    RenderSeries s{target, {}};
    for (std::size_t i = 0; i < values.size(); ++i) s.points.push_back({t0 + static_cast<double>(i), values[i]});
    return s;
}

std::string rep(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::string clock(double t) { return format_local_time(t).substr(11); }

TEST(TimelineTargets, OnePerFigureWithPrefix) {
    EXPECT_EQ(timeline_targets(7, ""),
              (std::vector<std::string>{"jobs.7.*.cpu.efficiency_percent", "jobs.7.*.cpu.usage_percent",
                                        "jobs.7.*.memory.current", "jobs.7.*.memory.limit",
                                        "jobs.7.*.io.read_bytes_per_s", "jobs.7.*.io.write_bytes_per_s",
                                        "jobs.7.*.gpu.*.util_percent"}));
    EXPECT_EQ(timeline_targets(7, "site.a")[0], "site.a.jobs.7.*.cpu.efficiency_percent");
}

TEST(AssembleTimeline, DerivesTheFiguresPerHost) {
    auto t = assemble_timeline(
        {series("p.jobs.7.n2.cpu.usage_percent", {150, kNone}),
         series("p.jobs.7.n1.cpu.efficiency_percent", {90, 10}),
         series("p.jobs.7.n1.cpu.usage_percent", {360, 40}),
         series("p.jobs.7.n1.memory.current", {100, kNone}),
         series("p.jobs.7.n1.memory.limit", {kNone, 400}),
         series("p.jobs.7.n1.io.read_bytes_per_s", {1, 2}),
         series("p.jobs.7.n1.io.write_bytes_per_s", {10, kNone}),
         series("p.jobs.7.n1.gpu.0.util_percent", {20, kNone}),
         series("p.jobs.7.n1.gpu.1.util_percent", {40, 60}),
         series("p.jobs.7.n2.memory.current", {5, 6}),
         series("p.jobs.8.n3.cpu.usage_percent", {1, 1}),  // another job: ignored
         series("sumSeries(p.jobs.7.*.cpu.usage_percent)", {1, 1})},
        7, "p");
    ASSERT_EQ(t.nodes.size(), 2u);
    const NodeTimeline& n1 = t.nodes[0];
    EXPECT_EQ(n1.host, "n1");
    ASSERT_EQ(n1.series.size(), 4u);
    EXPECT_EQ(n1.series[0].key, "cpu_efficiency_percent");  // efficiency wins over usage
    EXPECT_EQ(n1.series[0].values, (Samples{90, 10}));
    EXPECT_EQ(n1.series[0].times, (std::vector<double>{1000, 1001}));
    EXPECT_EQ(n1.series[1].key, "memory_percent_of_limit");  // the limit stands for every slot
    EXPECT_EQ(n1.series[1].values, (Samples{25, kNone}));
    EXPECT_EQ(n1.series[2].key, "io_bytes_per_s");  // a gap where either direction is one
    EXPECT_EQ(n1.series[2].values, (Samples{11, kNone}));
    EXPECT_EQ(n1.series[3].key, "gpu_utilization_percent");  // the measured GPUs' mean
    EXPECT_EQ(n1.series[3].values, (Samples{30, 60}));
    EXPECT_EQ(n1.mean_cpu(), 50);
    const NodeTimeline& n2 = t.nodes[1];
    ASSERT_EQ(n2.series.size(), 2u);
    EXPECT_EQ(n2.series[0].key, "cpu_usage_percent");
    EXPECT_EQ(n2.series[1].key, "memory_bytes");  // no limit: bytes
    EXPECT_EQ(n2.mean_cpu(), 150);
    EXPECT_TRUE(assemble_timeline({}, 7, "").nodes.empty());
}

TEST(PrintTimeline, BusyThenIdleNodeCharacterByCharacter) {
    JobTimeline t;
    t.source = "http://g:8080";
    t = [&] {
        JobTimeline x = assemble_timeline(
            {series("jobs.7.n1.cpu.efficiency_percent", {kNone, 100, 100, 100, 100, 0, 0, 0, 0, 0}),
             series("jobs.7.n1.memory.current", {1 << 20, 1 << 20, 2 << 20, 2 << 20, 2 << 20, 2 << 20, 2 << 20,
                                                 2 << 20, 2 << 20, 2 << 20}),
             series("jobs.7.n1.io.read_bytes_per_s", {kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone, kNone,
                                                     kNone}),
             series("jobs.7.n1.io.write_bytes_per_s", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0})},
            7, "");
        x.source = "http://g:8080";
        return x;
    }();
    t.silent = {"n2"};
    std::ostringstream out;
    print_timeline(out, t);
    // 10 slots drawn 4 columns each; the first slot not measured.
    const std::string cpu = rep("·", 4) + rep("█", 16) + rep("▁", 20);
    const std::string mem = rep("▅", 8) + rep("█", 32);  // 1 MiB then 2 MiB on 0-2 MiB
    const std::string axis = clock(1000) + std::string(40 - 16, ' ') + clock(1009);
    EXPECT_EQ(out.str(), "Timeline  (graphite-web http://g:8080; · = not measured)\n"
                         "  n1  cpu efficiency   " + cpu + "  min 0%  max 100%\n"
                         "      memory           " + mem + "  min 1.0 MiB  max 2.0 MiB\n"
                         "      i/o rate         (not measured)\n"
                         "                       " + axis + "\n"
                         "  no series from n2\n");
}

TEST(PrintTimeline, WideJobShowsBusiestIdlestAndASummary) {
    std::vector<RenderSeries> s;
    const double eff[] = {50, 90, 10, 30, 70};
    for (int i = 0; i < 5; ++i)
        s.push_back(series("jobs.7.n" + std::to_string(i) + ".cpu.efficiency_percent", Samples(60, eff[i])));
    s.push_back(series("jobs.7.n5.memory.current", Samples(60, 1.0)));  // no CPU figures
    JobTimeline t = assemble_timeline(s, 7, "");
    t.source = "http://g";
    ASSERT_EQ(t.nodes.size(), 6u);
    std::ostringstream out;
    print_timeline(out, t);
    const std::string axis = clock(1000) + std::string(60 - 16, ' ') + clock(1059);
    EXPECT_EQ(out.str(), "Timeline  (graphite-web http://g; · = not measured)\n"
                         "  n1 (busiest)  cpu efficiency   " + rep("█", 60) + "  min 90%  max 90%\n"
                         "  n2 (idlest)   cpu efficiency   " + rep("▁", 60) + "  min 10%  max 10%\n"
                         "                                 " + axis + "\n"
                         "  6 nodes, 4 not drawn: mean CPU per node 10% to 90% (median 50%), 1 without; "
                         "--format json has every node\n");
}

TEST(PrintTimeline, LongSeriesAreSqueezedAndShortAxesWritten) {
    JobTimeline t = assemble_timeline({series("jobs.7.n1.cpu.efficiency_percent", Samples(120, 50.0))}, 7, "");
    t.source = "http://g";
    std::ostringstream out;
    print_timeline(out, t);
    EXPECT_NE(out.str().find("  n1  cpu efficiency   " + rep("▅", 60) + "  min 50%  max 50%\n"), std::string::npos)
        << out.str();
}

TEST(TimelineJson, PointsWithNullForGaps) {
    JobTimeline t = assemble_timeline({series("jobs.7.n1.cpu.usage_percent", {kNone, 250})}, 7, "");
    t.source = "http://g";
    t.from = 1000;
    t.until = 1002;
    t.silent = {"n2"};
    EXPECT_EQ(timeline_json(t),
              json::parse(R"({"source": "http://g", "from": 1000.0, "until": 1002.0, "silent_nodes": ["n2"],
                              "nodes": [{"host": "n1", "series": {"cpu_usage_percent": [[1000.0, null], [1001.0, 250.0]]}}]})"));
}

JobRecord job(std::optional<double> start) {
    JobRecord j;
    j.info.job_id = 7;
    j.info.start_time = start;
    j.info.end_time = start ? std::optional<double>(*start + 10) : std::nullopt;
    return j;
}

TEST(LoadTimeline, SaysWhyThereIsNone) {
    EXPECT_EQ(load_timeline("", "", job(1000), 2000).why_none,
              "perad.conf sets no [graphite] web url to read the job's series from");
    EXPECT_EQ(load_timeline("http://127.0.0.1:1", "", job(std::nullopt), 2000).why_none,
              "the registry has no start time for the job");
    test::CarbonListener closed(false);
    const std::string url = "http://127.0.0.1:" + std::to_string(closed.port());
    TimelineOutcome o = load_timeline(url, "", job(1000), 2000);
    EXPECT_FALSE(o.timeline);
    EXPECT_EQ(o.why_none, "graphite-web at " + url + ": Connection refused (connecting)");
}

}  // namespace
}  // namespace fructosa
