// The registry's lifecycle rules on plain data: no database.
#include "common/registry/job_lifecycle.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

using Hosts = std::vector<std::string>;

JobLifecycle state(const char* status, std::string missing = "", std::optional<double> finished_at = std::nullopt,
                   bool awaits_verdict = false) {
    return JobLifecycle{status, std::move(missing), finished_at, awaits_verdict};
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

TEST(JobLifecycle, OverdueAfterTheGraceOnlyWhileRunning) {
    EXPECT_FALSE(is_overdue(state(kJobRunning), 100, 160, 60));  // exactly at the grace: not yet
    EXPECT_TRUE(is_overdue(state(kJobRunning), 100, 161, 60));
    EXPECT_FALSE(is_overdue(state(kJobRunning), std::nullopt, 1000, 60));  // no node ended yet
    EXPECT_FALSE(is_overdue(state(kJobPartial), 100, 1000, 60));
    EXPECT_FALSE(is_overdue(state(kJobFinished), 100, 1000, 60));
}

TEST(JobLifecycle, StepStartRunsTheJobAgain) {
    for (const auto& before : {state(kJobFinished, "", 100, true), state(kJobPartial, "n2", 100, false),
                               state(kJobRunning)})
        EXPECT_EQ(after_step_start(before), state(kJobRunning));
}

TEST(JobLifecycle, JobEndFinishesACompleteJob) {
    JobCompletion complete{true, Hosts{}, ""};
    EXPECT_EQ(after_job_end(state(kJobRunning), complete, 200), state(kJobFinished, "", 200, true));
    // A repeated job_end of a finished job: finished again, at the new time, awaiting a new verdict.
    EXPECT_EQ(after_job_end(state(kJobFinished, "", 200, false), complete, 300), state(kJobFinished, "", 300, true));
    // The last late node of a partial job.
    EXPECT_EQ(after_job_end(state(kJobPartial, "n4", 150, false), complete, 500), state(kJobFinished, "", 500, true));
}

TEST(JobLifecycle, JobEndOfAnIncompleteJob) {
    JobCompletion waiting{false, Hosts{"n4"}, ""};
    EXPECT_EQ(after_job_end(state(kJobRunning), waiting, 200), state(kJobRunning));
    // A late node of a partial job: one name fewer, and the new figures want a verdict.
    EXPECT_EQ(after_job_end(state(kJobPartial, "n1,n4", 150, false), waiting, 400), state(kJobPartial, "n4", 150, true));
    // Without a usable node list the missing names stay as they were.
    JobCompletion unknown{false, std::nullopt, ""};
    EXPECT_EQ(after_job_end(state(kJobPartial, "(node list unknown)", 150, false), unknown, 400),
              state(kJobPartial, "(node list unknown)", 150, true));
}

TEST(JobLifecycle, TimeoutMakesPartial) {
    EXPECT_EQ(after_timeout(state(kJobRunning), "n1,n4", 161), state(kJobPartial, "n1,n4", 161, true));
}

TEST(JobLifecycle, SlurmInfoAsksForANewVerdictOfAnEndedJob) {
    EXPECT_EQ(after_slurm_info(state(kJobRunning)), state(kJobRunning));
    EXPECT_EQ(after_slurm_info(state(kJobFinished, "", 100, false)), state(kJobFinished, "", 100, true));
    EXPECT_EQ(after_slurm_info(state(kJobPartial, "n2", 100, false)), state(kJobPartial, "n2", 100, true));
}

}  // namespace
}  // namespace fructosa
