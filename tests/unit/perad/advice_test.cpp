// The advice a user reads first, over the job shapes that used to get it wrong: every line
// in full, and the flags that must stay silent. Plus the formatting helpers they share.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
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
    /// The primary class's, the secondary classes' and every flag's, nothing else.
    std::map<std::string, std::string> advice;
    std::vector<std::string> secondary{};  ///< by decreasing waste
};

constexpr double kStart = 1'700'000'000;  // 2023-11-14 22:13:20 UTC

/// Local time is UTC while a test runs, so the times in the advice are the same everywhere.
class UtcTime {
public:
    UtcTime() {
        if (const char* tz = std::getenv("TZ")) old_ = tz;
        ::setenv("TZ", "UTC", 1);
        ::tzset();
    }
    ~UtcTime() {
        if (old_) ::setenv("TZ", old_->c_str(), 1);
        else ::unsetenv("TZ");
        ::tzset();
    }

private:
    std::optional<std::string> old_;
};

Thresholds with(double Thresholds::*key, double value) {
    Thresholds t;
    t.*key = value;
    return t;
}

const std::string kEfficient = "the job used what it asked for: nothing to change";
const std::string kEfficientButFlagged =
    "no class of waste applies to the cores it asked for; the flags say what to change";
const std::string kWaited =
    "it mostly waited (on I/O, the network, a sleep or a lock); check what it waits for";
const std::string kMemoryAdvice = ": ask for more memory (--mem) or reduce what the program holds at once";
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
          {"underutilized-cpu",
           "asked for 12 cores, used 4.8 on average (40%): ask for about 5 cores (--cpus-per-task / "
           "--ntasks) or check the program's thread settings"},
          {"serial-on-many-cores",
           "n2 had 4 cores and kept 1.0 busy on average: the work there ran "
           "serially; parallelise it or ask for fewer cores per node"}},
         {"underutilized-cpu"}});
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
    out.push_back({"one core's work, measured a hair over a core",
                   shape({{3, 1.004}}),
                   {},
                   "underutilized-cpu",
                   {{"underutilized-cpu",
                     "asked for 3 cores, used 1.0 on average (33%): ask for about 1 core "
                     "(--cpus-per-task / --ntasks) or check the program's thread settings"}}});
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
        JobFeatures f = healthy();  // limit hits where the anonymous memory is unknown: not counted
        f.oom_kills = 1;
        f.limit_hits = f.nodes[0].limit_hits = 3;
        out.push_back({"memory pressure: an OOM kill",
                       f,
                       {},
                       "memory-pressure",
                       {{"memory-pressure",
                         "memory ran short (1 OOM kill, peak 3072 MB of 4096 MB requested)" + kMemoryAdvice}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // the program's own memory filled the limit
        f.memory_peak_bytes = f.nodes[0].memory_peak_bytes = static_cast<std::uint64_t>(4090 * kMB);
        f.memory_anon_peak_bytes = f.nodes[0].memory_anon_peak_bytes = static_cast<std::uint64_t>(3973 * kMB);
        f.memory_anon_fraction = f.nodes[0].memory_anon_fraction = 3973.0 / 4096;
        f.limit_hits = f.nodes[0].limit_hits = 12;
        out.push_back({"real memory pressure: limit hits with anonymous memory at the limit",
                       f,
                       {},
                       "memory-pressure",
                       {{"memory-pressure",
                         "memory ran short (12 limit hits with anonymous memory at 97% of the limit, peak 4090 MB "
                         "of 4096 MB requested)" +
                             kMemoryAdvice}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // cgroup v2: stalled on memory a third of the time
        f.memory_stall_s = 1200;
        f.memory_stall_fraction = 1200.0 / 3600;
        out.push_back({"real memory pressure: PSI stall",
                       f,
                       {},
                       "memory-pressure",
                       {{"memory-pressure",
                         "memory ran short (stalled on memory 33% of the time, peak 3072 MB of 4096 MB "
                         "requested)" +
                             kMemoryAdvice}}});
    }
    {
        // Streaming I/O: the page cache fills the limit and is reclaimed there; the program's
        // own memory stays small. Not pressure.
        JobFeatures f = shape({{1, 0.95}});
        f.memory_peak_bytes = f.nodes[0].memory_peak_bytes = static_cast<std::uint64_t>(4096 * kMB);
        f.memory_anon_peak_bytes = f.nodes[0].memory_anon_peak_bytes = static_cast<std::uint64_t>(300 * kMB);
        f.memory_anon_fraction = f.nodes[0].memory_anon_fraction = 300.0 / 4096;
        f.limit_hits = f.nodes[0].limit_hits = 400;
        f.io_read_bytes = static_cast<std::uint64_t>(200000 * kMB);
        f.io_rate_bytes_per_s = 200000 * kMB / 3600;
        out.push_back({"page cache at the limit under streaming I/O",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficient}}});
    }
    {
        // srun -n1 -c1 running 4 busy processes confined to its one core.
        JobFeatures f = shape({{1, 0.99}});
        f.runqueue_delay_percent = f.nodes[0].runqueue_delay_percent = 300;
        out.push_back({"oversubscribed: 4 processes on 1 core",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"oversubscribed",
                         "asked for 1 core and kept 0.99 busy with 3.0 threads on average waiting for a CPU: ask "
                         "for 4 cores (--cpus-per-task) or start fewer threads or processes (OMP_NUM_THREADS)"}}});
    }
    {
        JobFeatures f = shape({{4, 3.95}, {4, 3.9}});  // n2's threads queue for its 4 cores
        f.nodes[1].runqueue_delay_percent = 420;
        f.nodes[0].runqueue_delay_percent = 20;
        f.runqueue_delay_percent = 440;
        out.push_back({"oversubscribed: one node of two",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"oversubscribed",
                         "n2 had 4 cores and kept 3.9 busy with 4.2 threads on average waiting for a CPU: ask "
                         "for 9 cores per node (--cpus-per-task) or start fewer threads or processes "
                         "(OMP_NUM_THREADS)"}}});
    }
    {
        // Worked for 42 minutes, then sat idle for the last 18 until the job ended.
        JobFeatures f = shape({{1, 0.7}});
        f.idle_fraction = 0.3;
        f.first_busy_time = kStart + 10;
        f.last_busy_time = kStart + 2520;
        f.idle_tail_s = 1080;
        f.busy_intervals = 250;
        out.push_back({"busy, then idle until the end",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"stalled",
                         "the job stopped working at 2023-11-14 22:55:20 and stayed idle for the last 0:18:00 (30% "
                         "of the job): it hung or waited; check for deadlocks, add a timeout, and end the job when "
                         "the work is done"}}});
    }
    {
        // A start-up blip, then nothing: idle from the start, not stalled.
        JobFeatures f = shape({{4, 0.01}});
        f.idle_fraction = 1.0;
        f.idle_threshold_percent = 5;
        f.first_busy_time = kStart;
        f.last_busy_time = kStart + 10;
        f.idle_tail_s = 3590;
        f.busy_intervals = 1;
        out.push_back({"idle from the start",
                       f,
                       {},
                       "idle",
                       {{"idle",
                         "the CPUs were idle (under 5% busy) 100% of the time: check that the job is not waiting "
                         "on input, a lock or a licence, and end idle interactive sessions"},
                        {"underutilized-cpu",
                         "asked for 4 cores, used 0.01 on average (0%): ask for about 1 core (--cpus-per-task / "
                         "--ntasks) or check the program's thread settings"}},
                       {"underutilized-cpu"}});
    }
    {
        JobFeatures f = shape({{8, 2.0}});  // idle GPU-seconds outrank idle core-seconds
        f.gpus = 2;
        f.gpu_util_percent = 5;
        out.push_back({"idle GPUs and idle cores",
                       f,
                       {},
                       "gpu-idle",
                       {{"gpu-idle",
                         "asked for 2 GPUs, used 5% on average: check that the program really runs on the GPU "
                         "(framework device settings), or run it without GPUs"},
                        {"underutilized-cpu",
                         "asked for 8 cores, used 2.0 on average (25%): ask for about 2 cores (--cpus-per-task / "
                         "--ntasks) or check the program's thread settings"}},
                       {"underutilized-cpu"}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // busy GPU, but held with no process most of the run
        f.gpus = 1;
        f.gpu_util_percent = 60;
        f.gpu_process_fraction = 0.2;
        out.push_back({"a GPU held with no process most of the run",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"gpu-unused",
                         "the job held 1 GPU with no process on it for 80% of its run: ask for GPUs only in the "
                         "steps that use them (srun --gres=gpu:N), or start the GPU work sooner"}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // 2 GPUs idle and without a process
        f.gpus = 2;
        f.gpu_ids = {"n1:0", "n1:1"};
        f.gpu_util_percent = 0;
        f.gpu_process_fraction = 0;
        out.push_back({"2 GPUs never used",
                       f,
                       {},
                       "gpu-idle",
                       {{"gpu-idle",
                         "asked for 2 GPUs, used 0% on average: check that the program really runs on the GPU "
                         "(framework device settings), or run it without GPUs"},
                        {"gpu-unused",
                         "the job held 2 GPUs with no process on them for 100% of its run: ask for GPUs only in "
                         "the steps that use them (srun --gres=gpu:N), or start the GPU work sooner"}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // 5 GB of an 80 GB GPU
        f.gpus = 1;
        f.gpu_util_percent = 70;
        f.gpu_process_fraction = 1;
        f.gpu_memory_peak_bytes = 5ull << 30;
        f.gpu_memory_total_bytes = 80ull << 30;
        f.gpu_memory_fraction = 5.0 / 80;
        out.push_back({"little of a big GPU's memory",
                       f,
                       {},
                       "efficient",
                       {{"efficient", kEfficientButFlagged},
                        {"gpu-memory-overrequested",
                         "the job used at most 5.0 GB of its GPU's 80 GB of memory: a smaller GPU or a MIG slice "
                         "(--gres=gpu:<type>) would do and leave this GPU to jobs that need it"}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // 1 of 8 GB: little, but too little unused to be worth a move
        f.gpus = 1;
        f.gpu_util_percent = 70;
        f.gpu_process_fraction = 0.9;
        f.gpu_memory_peak_bytes = 1ull << 30;
        f.gpu_memory_total_bytes = 8ull << 30;
        f.gpu_memory_fraction = 1.0 / 8;
        out.push_back({"little of a small GPU's memory", f, {}, "efficient", {{"efficient", kEfficient}}});
    }
    {
        JobFeatures f = shape({{8, 2.0}});  // unused core-seconds outrank memory
        f.oom_kills = 2;
        out.push_back({"idle cores and an OOM kill",
                       f,
                       {},
                       "underutilized-cpu",
                       {{"underutilized-cpu",
                         "asked for 8 cores, used 2.0 on average (25%): ask for about 2 cores (--cpus-per-task / "
                         "--ntasks) or check the program's thread settings"},
                        {"memory-pressure",
                         "memory ran short (2 OOM kills, peak 3072 MB of 4096 MB requested)" + kMemoryAdvice}},
                       {"memory-pressure"}});
    }
    {
        JobFeatures f = shape({{4, 3.6}, {4, 3.7}});  // n3 never sent its figures
        f.nnodes = 3;
        f.missing_nodes = {"n3"};
        out.push_back({"a node never reported",
                       f,
                       {},
                       "efficient",
                       {{"efficient",
                         kEfficient + " (n3 never reported: the figures cover the other nodes only)"}}});
    }
    {
        JobFeatures f = shape({{4, 3.6}});  // lagent re-attached: CPU time without the cores
        f.nodes[0].cpus = 0;
        f.nodes[0].cpu_efficiency.reset();
        f.allocated_cpus = 0;
        f.measured_cpus.reset();
        f.allocated_core_s.reset();
        f.cpu_efficiency.reset();
        out.push_back({"cores unknown",
                       f,
                       {},
                       "cores-unknown",
                       {{"cores-unknown",
                         "lagent measured the job's CPU time but not how many cores it was allocated (it "
                         "re-attached to the job after a restart, or the plugin sent no metadata): its efficiency "
                         "cannot be judged"}}});
    }
    return out;
}

TEST(Advice, EveryJobShapeGetsRightAdviceInFull) {
    UtcTime utc;
    for (const Case& c : cases()) {
        Verdict v = classify(c.job, c.t);
        EXPECT_EQ(v.job_class, c.job_class) << c.name;
        EXPECT_EQ(v.secondary_classes, c.secondary) << c.name;
        std::map<std::string, std::string> got;
        for (const auto& [name, text] : v.recommendations.items())
            got[name] = text.get<std::string>();
        EXPECT_EQ(got, c.advice) << c.name;
        std::vector<std::string> flags;
        for (const auto& [name, text] : c.advice)
            if (name != c.job_class && std::find(c.secondary.begin(), c.secondary.end(), name) == c.secondary.end())
                flags.push_back(name);
        std::vector<std::string> sorted = v.flags;
        std::sort(sorted.begin(), sorted.end());
        EXPECT_EQ(sorted, flags) << c.name;
    }
}

}  // namespace
}  // namespace fructosa
