// JobTracker's cpu.ipc: sent for a job whose perf_event cgroup is counted, and only then.
#include <gtest/gtest.h>

#include "collector/job_tracker.h"
#include "tests/unit/collector/job_tracker_harness.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";

class JobTrackerHwCountersTest : public JobTrackerHarness {};

}  // namespace

TEST_F(JobTrackerHwCountersTest, CpuIpcOnlyForTheJobWhoseCgroupIsCounted) {
    perf_.fail_errno = 0;
    perf_.words[101] = {2, 10, 10, 1000, 1000};
    // Hidden at start so lagent does not re-attach to them (a re-attached job outlives its steps).
    start(kV1, {"job_42", "job_43"});
    reader_->show("job_42");
    reader_->show("job_43");
    // job_42 has a perf_event cgroup in the fixture, job_43 has none.
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    send(step_start_message(43, "0", 1001));
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points_under("jobs.43.n1.").empty(); }));
    EXPECT_EQ(perf_.targets.size(), 2u);  // one CPU online: job 42's cycles and instructions
    EXPECT_TRUE(lmaster_.points("jobs.42.n1.cpu.ipc").empty());  // the first sample primes
    perf_.words[101] = {2, 20, 20, 3000, 2000};                  // +2000 cycles, +1000 instructions
    clock_.now += 1;
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points("jobs.42.n1.cpu.ipc").empty(); }));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.cpu.ipc"),
              (Points{{"jobs.42.n1.cpu.ipc", clock_.now, 0.5}}));
    send(step_end_message(43, "0", 0));
    ASSERT_TRUE(wait_for([&] { return tracker_->tracked() == 0; }));
    EXPECT_TRUE(lmaster_.points("jobs.43.n1.cpu.ipc").empty());
    EXPECT_EQ(perf_.open_fds, 0);  // job 42's counters closed with the job
}

TEST_F(JobTrackerHwCountersTest, NoPmuNoSeries) {
    start(kV1, {"job_42", "job_43"});  // the harness's backend has no PMU
    reader_->show("job_42");
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points_under("jobs.42.n1.").size() >= 16; }));
    send(step_end_message(42, "batch", 0));
    ASSERT_TRUE(wait_for([&] { return tracker_->tracked() == 0; }));
    EXPECT_TRUE(lmaster_.points("jobs.42.n1.cpu.ipc").empty());
    EXPECT_EQ(perf_.opens, 0);
}
