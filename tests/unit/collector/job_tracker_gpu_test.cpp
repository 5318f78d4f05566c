// JobTracker with a GPU source: the job's GPUs from Slurm's ids and from the processes NVML
// lists (mapped through /proc/<pid>/cgroup), their per-job series, the node summary's
// gpu_* keys, and nothing from a stale snapshot.
#include "collector/job_tracker.h"

#include <gtest/gtest.h>

#include "tests/unit/collector/job_tracker_harness.h"

using namespace fructosa;
using namespace fructosa::test;
using State = gpu::GpuMonitor::State;

namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";

gpu::GpuDevice device(const std::string& key, unsigned minor, double util, double energy,
                      std::vector<gpu::GpuProcess> procs) {
    gpu::GpuDevice d;
    d.key = key;
    d.index = minor;
    d.minor = minor;
    d.util_percent = util;
    d.memory_used = 1000;
    d.memory_total = 16000;
    d.power_watts = 75;
    d.energy_joules = energy;
    d.processes = std::move(procs);
    return d;
}

class JobTrackerGpuTest : public JobTrackerHarness {
  protected:
    void SetUp() override {
        JobTrackerHarness::SetUp();
        start(kV1, {"job_42", "job_43"});
        reader_->show("job_42");  // after start: followed from its step_start, not re-attached
        tracker_->set_gpu_source([this] { return view_; });
        set_snapshot(4, 1000);
    }
    /// GPU 0 (busy, running pid 2001 of job_42) and GPU 1 (idle, no process).
    void set_snapshot(double util1, double energy1) {
        auto s = std::make_shared<gpu::GpuSnapshot>();
        s->devices = {device("0", 0, 90, 50, {{2001, 1000, std::nullopt}}), device("1", 1, util1, energy1, {})};
        view_ = {State::ok, s, ""};
    }
    gpu::GpuMonitor::View view_;
};

}  // namespace

TEST_F(JobTrackerGpuTest, TheJobsGpusGetSeriesAndSummaryKeys) {
    // pid 2001 runs in job_42's cgroup; Slurm gave the job GPU 1.
    reader_->set_file("/proc/2001/cgroup", "4:memory:/slurm_n1/uid_1000/job_42/step_batch/task_0\n");
    auto start = step_start_message(42, "batch", 1000);
    start["gpu_ids"] = "1";
    send(start);
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points("jobs.42.n1.gpu.1.util_percent").empty(); }));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.1.util_percent").at(0).value, 4);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.1.energy_joules").at(0).value, 0);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.1.power_watts").at(0).value, 75);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.1.memory_used").at(0).value, 1000);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.0.util_percent").at(0).value, 90);  // its process runs there

    set_snapshot(6, 1300);
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 3; }));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.gpu.1.energy_joules").back().value, 300);
    const nlohmann::json summary = lmaster_.events().back().summary;
    ASSERT_TRUE(summary.contains("gpu_energy_joules")) << summary.dump();
    EXPECT_EQ(summary["gpu_ids"], (nlohmann::json{"0", "1"}));
    EXPECT_EQ(summary["gpu_util_mean_percent"], (47.0 + 48.0) / 2);
    EXPECT_EQ(summary["gpu_util_max_percent"], 90.0);
    EXPECT_EQ(summary["gpu_memory_peak_bytes"], 1000);
    EXPECT_EQ(summary["gpu_memory_total_bytes"], 16000);
    EXPECT_EQ(summary["gpu_energy_joules"], 300.0);  // GPU 0's energy did not change
    EXPECT_EQ(summary["gpu_process_fraction"], 1.0);
    EXPECT_EQ(summary["gpu_shared"], false);
}

TEST_F(JobTrackerGpuTest, AJobWithoutGpusHasNoGpuKeys) {
    send(step_start_message(42, "batch", 1000));  // no gpu_ids, pid 2001 in no job
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points_under("jobs.42.n1.cpu.").empty(); }));
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 3; }));
    EXPECT_TRUE(lmaster_.points_under("jobs.42.n1.gpu.").empty());
    EXPECT_FALSE(lmaster_.events().back().summary.contains("gpu_ids"));
    EXPECT_FALSE(lmaster_.events().back().summary.contains("gpu_util_mean_percent"));
}

TEST_F(JobTrackerGpuTest, AStaleSnapshotGivesNoGpuFigures) {
    view_.state = State::hung;
    auto start = step_start_message(42, "batch", 1000);
    start["gpu_ids"] = "1";
    send(start);
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points_under("jobs.42.n1.cpu.").empty(); }));
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 3; }));
    EXPECT_TRUE(lmaster_.points_under("jobs.42.n1.gpu.").empty());
    EXPECT_FALSE(lmaster_.events().back().summary.contains("gpu_util_mean_percent"));
}
