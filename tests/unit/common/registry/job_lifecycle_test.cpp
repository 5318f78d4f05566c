// The registry's lifecycle rules on plain data: no database.
#include "common/registry/job_lifecycle.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

using Hosts = std::vector<std::string>;

JobLifecycle state(const char* status, std::string missing = "", std::optional<double> finished_at = std::nullopt,
                   bool awaits_verdict = false) {
    JobLifecycle job;
    job.status = status;
    job.missing_nodes = std::move(missing);
    job.finished_at = finished_at;
    job.awaits_verdict = awaits_verdict;
    return job;
}

TEST(JobLifecycle, CompleteOnceEveryNodeOfTheExpandedListEnded) {
    auto c = job_completion("n[1-3],gpu01", 4, {"n1", "n2", "gpu01"});
    EXPECT_FALSE(c.complete);
    EXPECT_EQ(c.missing, Hosts{"n3"});
    EXPECT_TRUE(c.nodelist_error.empty());
    c = job_completion("n[1-3],gpu01", 4, {"n1", "n2", "gpu01", "n3.cluster.example"});  // FQDN matches n3
    EXPECT_TRUE(c.complete);
    EXPECT_EQ(c.missing, Hosts{});
    EXPECT_TRUE(job_completion("n1", 1, {"n1.cluster.example"}).complete);
    EXPECT_FALSE(job_completion("n[1-2]", 2, {}).complete);
}

TEST(JobLifecycle, WithoutAUsableListCountsTheEndedHosts) {
    // A re-attached agent sends no node list: nnodes hosts having ended is enough.
    auto c = job_completion("", 2, {"n1"});
    EXPECT_FALSE(c.complete);
    EXPECT_FALSE(c.missing.has_value());
    EXPECT_TRUE(job_completion("", 2, {"n1", "n2"}).complete);
    EXPECT_FALSE(job_completion("", 0, {"n1", "n2"}).complete);  // nothing known: wait for the timeout
    // A list that cannot be expanded says why, and falls back to counting.
    c = job_completion("n[1-", 1, {"n1"});
    EXPECT_FALSE(c.nodelist_error.empty());
    EXPECT_FALSE(c.missing.has_value());
    EXPECT_TRUE(c.complete);
}

TEST(JobLifecycle, PartialNamesTheMissingNodes) {
    EXPECT_EQ(partial_missing_nodes("n[1-4]", {"n2", "n3"}), "n1,n4");
    EXPECT_EQ(partial_missing_nodes("n[1-2]", {"n1.cluster.example"}), "n2");
    EXPECT_EQ(partial_missing_nodes("", {"n1"}), "(node list unknown)");
    EXPECT_EQ(partial_missing_nodes("n[1-", {}), "(node list unreadable: n[1-)");
}

const LifecyclePolicy kNoSlurm{false, 60, 3600};
const LifecyclePolicy kSlurm{true, 60, 3600};

JobLifecycle over_at(JobLifecycle job, double t) {
    job.slurm_over_at = t;
    return job;
}

TEST(JobLifecycle, WithoutSlurmPartialAfterTheGraceFromTheFirstJobEnd) {
    const std::string reason = "no job_end within 60 s of the first node's job_end";
    EXPECT_EQ(timeout_reason(state(kJobRunning), {100, 100}, kNoSlurm, 160), std::nullopt);  // exactly at the grace
    EXPECT_EQ(timeout_reason(state(kJobRunning), {100, 100}, kNoSlurm, 161), reason);
    EXPECT_EQ(timeout_reason(state(kJobRunning), {std::nullopt, 100}, kNoSlurm, 1000), std::nullopt);  // no node ended
    EXPECT_EQ(timeout_reason(state(kJobPartial), {100, 100}, kNoSlurm, 1000), std::nullopt);
    EXPECT_EQ(timeout_reason(state(kJobFinished), {100, 100}, kNoSlurm, 1000), std::nullopt);
}

TEST(JobLifecycle, WithoutSlurmPartialAfterTheRunningTimeoutWithoutEvents) {
    EXPECT_EQ(timeout_reason(state(kJobRunning), {std::nullopt, 100}, kNoSlurm, 3700), std::nullopt);
    EXPECT_EQ(timeout_reason(state(kJobRunning), {std::nullopt, 100}, kNoSlurm, 3701),
              "no job event for 3600 s (node down or lagent stopped)");
}

TEST(JobLifecycle, WithSlurmTheGraceStartsAtSlurmsEnd) {
    // A node's early job_end starts no clock, nor does a long quiet: only Slurm's end.
    EXPECT_EQ(timeout_reason(state(kJobRunning), {100, 100}, kSlurm, 100000), std::nullopt);
    EXPECT_EQ(timeout_reason(over_at(state(kJobRunning), 500), {100, 100}, kSlurm, 560), std::nullopt);
    EXPECT_EQ(timeout_reason(over_at(state(kJobRunning), 500), {100, 100}, kSlurm, 561),
              "no job_end within 60 s after slurmctld ended the job (node down or lagent stopped)");
    EXPECT_EQ(timeout_reason(over_at(state(kJobFinished), 500), {100, 100}, kSlurm, 1000), std::nullopt);
}

TEST(JobLifecycle, StepStartRunsTheJobAgain) {
    auto partial = state(kJobPartial, "n2", 100, false);
    partial.partial_reason = "no job event for 3600 s (node down or lagent stopped)";
    for (const auto& before : {state(kJobFinished, "", 100, true), partial, state(kJobRunning)})
        EXPECT_EQ(after_step_start(before), state(kJobRunning));
}

TEST(JobLifecycle, JobEndFinishesACompleteJob) {
    JobCompletion complete{true, Hosts{}, ""};
    EXPECT_EQ(after_job_end(state(kJobRunning), complete, 200, kNoSlurm), state(kJobFinished, "", 200, true));
    // A repeated job_end of a finished job: finished again, at the new time, awaiting a new verdict.
    EXPECT_EQ(after_job_end(state(kJobFinished, "", 200, false), complete, 300, kNoSlurm),
              state(kJobFinished, "", 300, true));
    // The last late node of a partial job.
    auto partial = state(kJobPartial, "n4", 150, false);
    partial.partial_reason = "no job_end within 60 s of the first node's job_end";
    EXPECT_EQ(after_job_end(partial, complete, 500, kNoSlurm), state(kJobFinished, "", 500, true));
}

TEST(JobLifecycle, WithSlurmEveryNodeEndedIsNotEnough) {
    JobCompletion complete{true, Hosts{}, ""};
    // More steps may start until slurmctld says the job is over.
    EXPECT_EQ(after_job_end(state(kJobRunning), complete, 200, kSlurm), state(kJobRunning));
    EXPECT_EQ(after_job_end(over_at(state(kJobRunning), 190), complete, 200, kSlurm),
              over_at(state(kJobFinished, "", 200, true), 190));
}

TEST(JobLifecycle, JobEndOfAnIncompleteJob) {
    JobCompletion waiting{false, Hosts{"n4"}, ""};
    EXPECT_EQ(after_job_end(state(kJobRunning), waiting, 200, kNoSlurm), state(kJobRunning));
    // A late node of a partial job: one name fewer, and the new figures want a verdict.
    EXPECT_EQ(after_job_end(state(kJobPartial, "n1,n4", 150, false), waiting, 400, kNoSlurm),
              state(kJobPartial, "n4", 150, true));
    // Without a usable node list the missing names stay as they were.
    JobCompletion unknown{false, std::nullopt, ""};
    EXPECT_EQ(after_job_end(state(kJobPartial, "(node list unknown)", 150, false), unknown, 400, kNoSlurm),
              state(kJobPartial, "(node list unknown)", 150, true));
}

TEST(JobLifecycle, TimeoutMakesPartial) {
    auto expected = state(kJobPartial, "n1,n4", 161, true);
    expected.partial_reason = "why";
    EXPECT_EQ(after_timeout(state(kJobRunning), "n1,n4", "why", 161), expected);
}

TEST(JobLifecycle, SlurmInfo) {
    JobCompletion complete{true, Hosts{}, ""};
    JobCompletion waiting{false, Hosts{"n2"}, ""};
    // Still running per Slurm: nothing changes.
    EXPECT_EQ(after_slurm_info(state(kJobRunning), std::nullopt, complete, 300), state(kJobRunning));
    // Over, every node ended: finished at the answer.
    EXPECT_EQ(after_slurm_info(state(kJobRunning), 290, complete, 300), over_at(state(kJobFinished, "", 300, true), 290));
    // Over, a node still out: running, the grace counts from Slurm's end.
    EXPECT_EQ(after_slurm_info(state(kJobRunning), 290, waiting, 300), over_at(state(kJobRunning), 290));
    // The first end Slurm gave stays.
    EXPECT_EQ(after_slurm_info(over_at(state(kJobRunning), 290), 400, waiting, 400), over_at(state(kJobRunning), 290));
    // An ended job awaits a verdict on the new figures.
    EXPECT_EQ(after_slurm_info(state(kJobFinished, "", 100, false), 90, complete, 300),
              over_at(state(kJobFinished, "", 100, true), 90));
    EXPECT_EQ(after_slurm_info(state(kJobPartial, "n2", 100, false), 90, waiting, 300),
              over_at(state(kJobPartial, "n2", 100, true), 90));
}

}  // namespace
}  // namespace fructosa
