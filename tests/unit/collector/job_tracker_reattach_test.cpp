// JobTracker::start() finds the jobs already running on its node by their cgroups (a
// restarted lagent) and follows them until their cgroup goes; a step_start tells it who
// the job belongs to. Cgroup v1 fixture: node n1 runs job_42 (uid 1000) and job_43
// (uid 1001); job_44 is node n2's, job_5 sits in a plain tree beside named ones.
#include <gtest/gtest.h>

#include "collector/job_tracker.h"
#include "tests/unit/collector/job_tracker_harness.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kV2 = std::string(FIXTURE_DIR) + "/cgroup_v2";

using JobTrackerReattachTest = JobTrackerHarness;

}  // namespace

TEST_F(JobTrackerReattachTest, StartFollowsTheJobsOfThisNodeAlreadyRunning) {
    start(kV1);
    EXPECT_EQ(tracker_->tracked(), 2u);  // at once, before any message
    ASSERT_TRUE(wait_for([&] {
        return !lmaster_.points("jobs.42.n1.memory.current").empty() &&
               !lmaster_.points("jobs.43.n1.memory.current").empty();
    }));
    EXPECT_EQ(lmaster_.points("jobs.42.n1.memory.current").at(0).value, 2147483648.0);
    EXPECT_EQ(lmaster_.points("jobs.42.n1.cpu.user_seconds").at(0).value, 10.0);
    EXPECT_EQ(lmaster_.points("jobs.43.n1.memory.current").at(0).value, 104857600.0);
    EXPECT_EQ(lmaster_.points("jobs.43.n1.tasks.processes").at(0).value, 1.0);
    EXPECT_TRUE(lmaster_.points("jobs.43.n1.cpu.efficiency_percent").empty());  // cpus unknown
    run_for(50);
    EXPECT_TRUE(lmaster_.points_under("jobs.44.").empty());  // node n2's
    EXPECT_TRUE(lmaster_.points_under("jobs.5.").empty());   // nobody's we could tell
    EXPECT_TRUE(lmaster_.events().empty());                  // nothing started
    EXPECT_EQ(clock_.reads.size(), 2u);                      // one sample each
}

TEST_F(JobTrackerReattachTest, AReattachedJobEndsWhenItsCgroupGoes) {
    settings_.jobs.default_interval_s = 0.1;  // a re-attached job's interval
    start(kV1);
    ASSERT_EQ(tracker_->tracked(), 2u);
    reader_->hide("job_43");
    clock_.now += 30;
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 1; }));
    EXPECT_EQ(tracker_->tracked(), 1u);
    JobEvent end = lmaster_.events()[0];
    EXPECT_EQ(end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(end.job_id, 43u);
    EXPECT_EQ(end.host, "n1");
    EXPECT_EQ(end.time, clock_.now);
    EXPECT_EQ(end.reason, "cgroup removed");
    EXPECT_TRUE(end.reattached);
    EXPECT_EQ(end.exit_status, 0);
    JobMeta from_cgroup;
    from_cgroup.uid = 1001;  // from uid_1001; nothing else is known
    EXPECT_EQ(end.meta, from_cgroup);
    EXPECT_EQ(end.meta.known_uid(), std::optional<std::uint32_t>(1001));
    EXPECT_GE(end.summary.value("samples", 0), 1);
    EXPECT_EQ(end.summary.value("allocated_cpus", -1.0), 0.0);
}

TEST_F(JobTrackerReattachTest, AStepStartTellsWhoseJobItIsButOnlyTheCgroupEndsIt) {
    settings_.jobs.default_interval_s = 0.1;
    start(kV1, {"job_43"});
    ASSERT_EQ(tracker_->tracked(), 1u);
    send(step_start_message(42, "1", 1000));
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 1; }));
    EXPECT_EQ(lmaster_.events()[0].kind, JobEvent::Kind::StepStart);
    EXPECT_EQ(lmaster_.events()[0].meta.user, "alice");

    send(step_end_message(42, "1", 0));
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 2; }));
    EXPECT_EQ(lmaster_.events()[1].kind, JobEvent::Kind::StepEnd);
    EXPECT_EQ(lmaster_.events()[1].step_id, "1");
    // Steps that began before the restart may still run: the job stays followed.
    EXPECT_EQ(tracker_->tracked(), 1u);

    reader_->hide("job_42");
    ASSERT_TRUE(wait_for([&] { return lmaster_.events().size() == 3; }));
    EXPECT_EQ(tracker_->tracked(), 0u);
    JobEvent end = lmaster_.events()[2];
    EXPECT_EQ(end.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(end.job_id, 42u);
    EXPECT_EQ(end.reason, "cgroup removed");
    EXPECT_TRUE(end.reattached);
    EXPECT_EQ(end.meta.uid, 1000u);
    EXPECT_EQ(end.meta.user, "alice");  // learnt from the step_start
    EXPECT_EQ(end.meta.account, "physics");
    EXPECT_EQ(end.meta.job_name, "sim_42");
}

TEST_F(JobTrackerReattachTest, FindsCgroupV2JobsOfItsNodeOnly) {
    settings_.hostname = "n3";
    start(kV2);
    EXPECT_EQ(tracker_->tracked(), 1u);
    ASSERT_TRUE(wait_for([&] { return !lmaster_.points_under("jobs.9.n3.").empty(); }));
    EXPECT_EQ(lmaster_.points("jobs.9.n3.cpu.user_seconds").at(0).value,
              1e-6);  // cpu.stat user_usec 1
    run_for(50);
    EXPECT_TRUE(lmaster_.points_under("jobs.7.").empty());  // the plain scope beside named ones
    EXPECT_TRUE(lmaster_.points_under("jobs.8.").empty());  // node n2's
}
