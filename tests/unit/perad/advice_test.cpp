// The advice a user reads first, over the job shapes that used to get it wrong: every line
// in full, and the flags that must stay silent. Plus the formatting helpers they share.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "perad/advice_text.h"
#include "perad/classifier.h"
#include "tests/unit/perad/rule_test_util.h"

namespace fructosa {
namespace {

using test::healthy;
using test::kMB;

TEST(AdviceText, NumbersHaveTheirSizesPrecision) {
    EXPECT_EQ(format_number(0.06), "0.06");
    EXPECT_EQ(format_number(0.98), "0.98");
    EXPECT_EQ(format_number(0.996), "1.0");
    EXPECT_EQ(format_number(1), "1.0");
    EXPECT_EQ(format_number(3.64), "3.6");
    EXPECT_EQ(format_number(9.96), "10");
    EXPECT_EQ(format_number(12.4), "12");
    EXPECT_EQ(format_number(0), "0.00");
}

TEST(AdviceText, CountsArePlural) {
    EXPECT_EQ(count_of(1, "core"), "1 core");
    EXPECT_EQ(count_of(2, "core"), "2 cores");
    EXPECT_EQ(count_of(0, "core"), "0 cores");
    EXPECT_EQ(count_of(1.5, "core"), "1.5 cores");
    EXPECT_EQ(count_of(1, "GPU"), "1 GPU");
    EXPECT_EQ(count_of(4, "GPU"), "4 GPUs");
    EXPECT_EQ(format_percent(0.063), "6%");
}

TEST(AdviceText, SuggestedTimeLimitsRoundBySize) {
    EXPECT_DOUBLE_EQ(suggested_time_limit(8), 60);               // never under a minute
    EXPECT_DOUBLE_EQ(suggested_time_limit(130), 4 * 60);         // 195 s: whole minutes
    EXPECT_DOUBLE_EQ(suggested_time_limit(1200), 30 * 60);       // 30 min: 5 minutes
    EXPECT_DOUBLE_EQ(suggested_time_limit(1300), 35 * 60);       // 32.5 min
    EXPECT_DOUBLE_EQ(suggested_time_limit(3000), 4500);          // 75 min: quarter hours
    EXPECT_DOUBLE_EQ(suggested_time_limit(5 * 3600), 8 * 3600);  // 7.5 h: hours
}

/// A finished job over nodes given as {cpus, cores used}: an hour long, 3 of 4 GB peak per
/// node, one task per allocated core, no time limit.
JobFeatures shape(std::vector<std::pair<double, double>> nodes, double elapsed = 3600) {
    JobFeatures f = healthy();
    f.nodes.clear();
    f.nnodes = f.nodes_reported = static_cast<std::uint32_t>(nodes.size());
    f.elapsed_s = elapsed;
    f.allocated_cpus = 0;
    f.mem_mb = 0;
    double used = 0;
    std::vector<double> effs;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        NodeFeatures n = healthy().nodes[0];
        n.host = "n" + std::to_string(i + 1);
        n.cpus = nodes[i].first;
        n.cores_used = nodes[i].second;
        n.cpu_seconds = nodes[i].second * elapsed;
        n.cpu_efficiency = nodes[i].second / nodes[i].first;
        f.allocated_cpus += n.cpus;
        f.mem_mb += n.mem_mb;
        used += nodes[i].second;
        effs.push_back(*n.cpu_efficiency);
        f.nodes.push_back(n);
    }
    f.ntasks = static_cast<std::uint32_t>(f.allocated_cpus);
    f.allocated_core_s = f.allocated_cpus * elapsed;
    f.used_core_s = used * elapsed;
    f.mean_cores_used = used;
    f.cpu_efficiency = used / f.allocated_cpus;
    if (effs.size() >= 2) {
        double mean = 0, var = 0;
        for (double e : effs) mean += e / static_cast<double>(effs.size());
        for (double e : effs) var += (e - mean) * (e - mean) / static_cast<double>(effs.size());
        std::size_t hi = 0, lo = 0;
        for (std::size_t i = 0; i < effs.size(); ++i) {
            if (effs[i] > effs[hi]) hi = i;
            if (effs[i] < effs[lo]) lo = i;
        }
        f.busiest_node = f.nodes[hi].host;
        f.idlest_node = f.nodes[lo].host;
        if (mean > 0) f.imbalance_cv = std::sqrt(var) / mean;
    }
    return f;
}

void limit(JobFeatures& f, double seconds) {
    f.time_limit_s = seconds;
    f.walltime_fraction = *f.elapsed_s / seconds;
}

/// Only 100 MB of the 4096 MB asked for per node: memory-overrequested applies.
void little_memory(JobFeatures& f) {
    f.memory_peak_bytes = static_cast<std::uint64_t>(100 * kMB);
    f.memory_peak_fraction = 100.0 / 4096;
    for (auto& n : f.nodes)
        n.memory_peak_bytes = f.memory_peak_bytes, n.memory_peak_fraction = 100.0 / 4096;
}

struct Case {
    const char* name;
    JobFeatures job;
    Thresholds t;
    std::string job_class;
    std::map<std::string, std::string> advice;  ///< the class's and every flag's, nothing else
};

Thresholds with(double Thresholds::*key, double value) {
    Thresholds t;
    t.*key = value;
    return t;
}

const std::string kEfficient = "the job used what it asked for: nothing to change";
const std::string kEfficientButFlagged =
    "the job kept the cores it asked for busy; the flags say what else to change";
const std::string kWaited =
    "it mostly waited (on I/O, the network, a sleep or a lock); check what it waits for";
const std::string kShort =
    ": jobs this short spend more time being scheduled than running; bundle many of them "
    "into one job (a loop or a job array)";

std::vector<Case> cases() {
    std::vector<Case> out;
    out.push_back(
        {"one core, busy", shape({{1, 0.95}}), {}, "efficient", {{"efficient", kEfficient}}});
    {
        JobFeatures f = shape({{1, 0.06}});
        f.idle_fraction = 0.5;
        out.push_back(
            {"one core at 6%",
             f,
             {},
             "underutilized-cpu",
             {{"underutilized-cpu", "used 0.06 of its 1 core on average (6%): " + kWaited}}});
    }
    {
        JobFeatures f = shape({{1, 0.5}}, 30);  // tiny: 30 s, 100 MB of 4 GB, 5-minute limit
        little_memory(f);
        limit(f, 300);
        out.push_back(
            {"tiny job", f, {}, "too-short", {{"too-short", "the job ran 30 s" + kShort}}});
    }
    {
        JobFeatures f = shape({{1, 0.9}}, 8);
        limit(f, 300);
        out.push_back({"5-minute limit, ran 8 s",
                       f,
                       {},
                       "too-short",
                       {{"too-short", "the job ran 8 s" + kShort}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}}, 1200);
        limit(f, 7200);
        out.push_back({"2-hour limit, ran 20 minutes",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"walltime-overrequested",
                         "asked for 2:00:00 and ran 0:20:00: ask for about 0:30:00 "
                         "(--time); shorter limits start sooner through backfill"}}});
    }
    {
        JobFeatures f =
            shape({{4, 3.6}}, 210);  // 5 minutes would round to 6: no shorter limit to suggest
        limit(f, 300);
        out.push_back({"suggestion not below the limit",
                       f,
                       with(&Thresholds::walltime_overrequest_fraction, 0.9),
                       "efficient",
                       {{"efficient", kEfficient}}});
    }
    out.push_back({"3 nodes, one busy task each",
                   shape({{1, 0.95}, {1, 0.97}, {1, 0.96}}),
                   with(&Thresholds::serial_min_cores, 1),
                   "efficient",
                   {{"efficient", kEfficient}}});
    out.push_back({"3 nodes, one task on 2 cores each, busy",
                   shape({{2, 1.0}, {2, 1.0}, {2, 1.0}}),
                   {},
                   "efficient",
                   {{"efficient", kEfficient}}});
    out.push_back(
        {"3 nodes, one busy",
         shape({{4, 3.8}, {4, 1.0}, {4, 0.02}}),
         {},
         "imbalanced",
         {{"imbalanced",
           "n1 used 95% of its cores but n3 only 0%: spread the work over all nodes (check "
           "-n/--ntasks-per-node and the program's distribution) or ask for fewer nodes"},
          {"serial-on-many-cores",
           "n2 had 4 cores and kept 1.0 busy on average: the work there ran "
           "serially; parallelise it or ask for fewer cores per node"}}});
    out.push_back({"2-core serial",
                   shape({{2, 0.98}}),
                   with(&Thresholds::serial_min_cores, 2),
                   "underutilized-cpu",
                   {{"underutilized-cpu",
                     "asked for 2 cores, used 0.98 on average (49%): ask for about 1 core "
                     "(--cpus-per-task / --ntasks) or check the program's thread settings"},
                    {"serial-on-many-cores",
                     "asked for 2 cores, used 0.98 on average: the program ran serially; "
                     "ask for 1 core or parallelise it"}}});
    {
        JobFeatures f = shape({{16, 0.5}}, 2);
        f.exit_status = 1;
        little_memory(f);
        limit(f, 3600);
        out.push_back(
            {"failed after 2 s",
             f,
             {},
             "failed",
             {{"failed",
               "the job failed (exit status 1): read its error output for the cause before "
               "resubmitting"}}});
    }
    {
        JobFeatures f = shape({{16, 1.0}}, 20);  // serial, memory and walltime figures of 20 s
        f.ntasks = 32;                           // and more tasks than cores
        little_memory(f);
        limit(f, 3600);
        out.push_back(
            {"too short", f, {}, "too-short", {{"too-short", "the job ran 20 s" + kShort}}});
    }
    out.push_back({"shared node, 4 of its cores",
                   shape({{4, 1.0}}),
                   {},
                   "underutilized-cpu",
                   {{"underutilized-cpu",
                     "asked for 4 cores, used 1.0 on average (25%): ask for about 1 core "
                     "(--cpus-per-task / --ntasks) or check the program's thread settings"},
                    {"serial-on-many-cores",
                     "asked for 4 cores, used 1.0 on average: the program ran serially; "
                     "ask for 1 core or parallelise it"}}});
    for (std::uint32_t gpus : {1u, 2u}) {
        JobFeatures f = shape({{4, 3.6}});
        f.gpus = gpus;
        f.gpu_util_percent = 4;
        out.push_back(
            {gpus == 1 ? "1 idle GPU" : "2 idle GPUs",
             f,
             {},
             "gpu-idle",
             {{"gpu-idle",
               "asked for " + count_of(gpus, "GPU") +
                   ", used 4% on average: check that the "
                   "program really runs on the GPU (framework device settings), or run it "
                   "without GPUs"}}});
    }
    {
        JobFeatures f = healthy();
        f.oom_kills = 1;
        f.limit_hits = 3;
        out.push_back({"memory pressure",
                       f,
                       {},
                       "memory-pressure",
                       {{"memory-pressure",
                         "memory ran short (1 OOM kill, 3 limit hits, 0 MB swapped, peak 3072 MB "
                         "of 4096 MB requested): ask for more memory (--mem) or reduce what the "
                         "program holds at once"}}});
    }
    return out;
}

TEST(Advice, EveryJobShapeGetsRightAdviceInFull) {
    for (const Case& c : cases()) {
        Verdict v = classify(c.job, c.t);
        EXPECT_EQ(v.job_class, c.job_class) << c.name;
        std::map<std::string, std::string> got;
        for (const auto& [name, text] : v.recommendations.items())
            got[name] = text.get<std::string>();
        EXPECT_EQ(got, c.advice) << c.name;
        std::vector<std::string> flags;
        for (const auto& [name, text] : c.advice)
            if (name != c.job_class) flags.push_back(name);
        std::vector<std::string> sorted = v.flags;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(sorted, flags) << c.name;
    }
}

}  // namespace
}  // namespace fructosa
