// A job's GPU figures: its devices in a snapshot, the per-job series, and the node
// summary keys (absent when not measured, the share of a GPU shared with another job).
#include "collector/job/job_gpu_figures.h"

#include <gtest/gtest.h>

using namespace fructosa;
using namespace fructosa::gpu;

namespace {

GpuDevice device(const std::string& key, unsigned minor, double util, std::uint64_t mem, double energy,
                 std::vector<GpuProcess> procs) {
    GpuDevice d;
    d.key = key;
    d.minor = minor;
    d.util_percent = util;
    d.memory_used = mem;
    d.memory_total = 80000;
    d.power_watts = 100;
    d.energy_joules = energy;
    d.processes = std::move(procs);
    return d;
}

}  // namespace

TEST(JobGpuKeys, AllocatedMinorsAndDevicesRunningTheJob) {
    GpuSnapshot s;
    s.devices = {device("0", 0, 0, 0, 0, {}), device("1", 3, 0, 0, 0, {}), device("1_mig2", 0, 0, 0, 0, {})};
    s.devices[2].minor.reset();
    EXPECT_EQ(job_gpu_keys(s, std::set<unsigned>{3}, {}), (std::vector<std::string>{"1"}));
    EXPECT_EQ(job_gpu_keys(s, std::set<unsigned>{}, {"1_mig2"}), (std::vector<std::string>{"1_mig2"}));
    EXPECT_EQ(job_gpu_keys(s, std::nullopt, {}), std::vector<std::string>{});
}

TEST(JobGpuAccumulator, AGpuOfItsOwnGivesTheGpusFiguresAndEnergySinceTheStart) {
    JobGpuAccumulator acc;
    GpuDevice d1 = device("0", 0, 20, 1000, 500, {{10, 1000, std::nullopt}});
    EXPECT_EQ(acc.add({{&d1, {}, false}}), (Readings{{"gpu.0.power_watts", 100},
                                                      {"gpu.0.energy_joules", 0},
                                                      {"gpu.0.util_percent", 20},
                                                      {"gpu.0.memory_used", 1000}}));
    GpuDevice d2 = device("0", 0, 60, 3000, 800, {});
    EXPECT_EQ(acc.add({{&d2, {}, false}}), (Readings{{"gpu.0.power_watts", 100},
                                                      {"gpu.0.energy_joules", 300},
                                                      {"gpu.0.util_percent", 60},
                                                      {"gpu.0.memory_used", 3000}}));
    nlohmann::json s = nlohmann::json::object();
    acc.put_summary(s);
    EXPECT_EQ(s, nlohmann::json::parse(R"({"gpu_ids":["0"],"gpu_util_mean_percent":40.0,"gpu_util_max_percent":60.0,
        "gpu_memory_peak_bytes":3000,"gpu_memory_total_bytes":80000,"gpu_energy_joules":300.0,
        "gpu_process_fraction":0.5,"gpu_shared":false})"));
}

TEST(JobGpuAccumulator, ASharedGpuGivesTheJobsProcessesShare) {
    JobGpuAccumulator acc;
    GpuDevice d = device("0", 0, 90, 5000, 100, {{10, 1000, 30.0}, {20, 4000, 60.0}});
    d.per_process_util = true;
    EXPECT_EQ(acc.add({{&d, {{10, 1000, 30.0}}, true}}),
              (Readings{{"gpu.0.util_percent", 30}, {"gpu.0.memory_used", 1000}}));
    nlohmann::json s = nlohmann::json::object();
    acc.put_summary(s);
    EXPECT_EQ(s, nlohmann::json::parse(R"({"gpu_ids":["0"],"gpu_util_mean_percent":30.0,"gpu_util_max_percent":30.0,
        "gpu_memory_peak_bytes":1000,"gpu_memory_total_bytes":80000,"gpu_process_fraction":1.0,"gpu_shared":false})"));
}

TEST(JobGpuAccumulator, ASharedGpuWithoutPerProcessUtilisationSaysShared) {
    JobGpuAccumulator acc;
    GpuDevice d = device("0", 0, 90, 5000, 100, {{10, 1000, std::nullopt}, {20, 4000, std::nullopt}});
    EXPECT_EQ(acc.add({{&d, {{10, 1000, std::nullopt}}, true}}), (Readings{{"gpu.0.memory_used", 1000}}));
    nlohmann::json s = nlohmann::json::object();
    acc.put_summary(s);
    EXPECT_FALSE(s.contains("gpu_util_mean_percent"));
    EXPECT_FALSE(s.contains("gpu_energy_joules"));
    EXPECT_EQ(s["gpu_shared"], true);
}

TEST(JobGpuAccumulator, AMigInstanceHasMemoryButNoUtilisation) {
    JobGpuAccumulator acc;
    GpuDevice m;
    m.key = "1_mig2";
    m.memory_used = 2048;
    m.memory_total = 10000;
    m.processes = std::vector<GpuProcess>{{300, 2048, std::nullopt}};
    EXPECT_EQ(acc.add({{&m, {{300, 2048, std::nullopt}}, false}}), (Readings{{"gpu.1_mig2.memory_used", 2048}}));
    nlohmann::json s = nlohmann::json::object();
    acc.put_summary(s);
    EXPECT_EQ(s, nlohmann::json::parse(R"({"gpu_ids":["1_mig2"],"gpu_memory_peak_bytes":2048,
        "gpu_memory_total_bytes":10000,"gpu_process_fraction":1.0,"gpu_shared":false})"));
}

TEST(JobGpuAccumulator, NoGpuNoKeys) {
    JobGpuAccumulator acc;
    EXPECT_TRUE(acc.add({}).empty());
    nlohmann::json s = nlohmann::json::object();
    acc.put_summary(s);
    EXPECT_EQ(s, nlohmann::json::object());
}
