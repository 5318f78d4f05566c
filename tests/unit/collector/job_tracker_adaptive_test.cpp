// JobTracker with [sampling] adaptive = yes: a job samples at the fast interval for its
// first seconds (by the tracker's wall clock, a fake one here) and again after a new
// step starts, and publishes the interval it samples at.
#include "collector/job_tracker.h"

#include <gtest/gtest.h>

#include "tests/unit/collector/job_tracker_harness.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kInterval = "jobs.42.n1.sampling.interval_seconds";
const std::string kMemory = "jobs.42.n1.memory.current";

class AdaptiveJobTrackerTest : public JobTrackerHarness {
  protected:
    void SetUp() override {
        JobTrackerHarness::SetUp();
        // The harness's jobs sample every 3600 s: any second timer sample is a fast one.
        settings_.sampling.adaptive = true;
        settings_.sampling.job_fast_seconds = 60;
        settings_.sampling.job_fast_interval_s = 0.1;
        start(kV1, {"job_43"});
    }
    std::vector<double> intervals() const {
        std::vector<double> out;
        for (const auto& p : lmaster_.points(kInterval)) out.push_back(p.value);
        return out;
    }
    /// Lets the fast phase pass (wall clock 61 s on) and waits for the sample that says so.
    void end_fast_phase() {
        clock_.now += 61;
        ASSERT_TRUE(wait_for([&] { return !intervals().empty() && intervals().back() == 3600; }));
    }
};

}  // namespace

TEST_F(AdaptiveJobTrackerTest, AJobSamplesFastAtItsStartThenAtItsOwnInterval) {
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points(kMemory).size() >= 3; }));  // 3600 s would give one
    auto fast = intervals();
    ASSERT_GE(fast.size(), 3u);
    for (double v : fast) EXPECT_EQ(v, 0.1);

    end_fast_phase();
    std::size_t samples = lmaster_.points(kMemory).size();
    run_for(400);  // four fast intervals: now at 3600 s, nothing more
    EXPECT_EQ(lmaster_.points(kMemory).size(), samples);
}

TEST_F(AdaptiveJobTrackerTest, ANewStepStartsAFastPhaseAgain) {
    send(step_start_message(42, "batch", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.points(kMemory).size() >= 2; }));
    end_fast_phase();
    std::size_t before = lmaster_.points(kMemory).size();
    send(step_start_message(42, "0", 1000));
    // The step's immediate sample, then fast timer samples (not one in 3600 s).
    ASSERT_TRUE(wait_for([&] { return lmaster_.points(kMemory).size() >= before + 3; }));
    EXPECT_EQ(intervals().back(), 0.1);
}
