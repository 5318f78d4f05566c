// What the enricher makes of slurmctld's job record, without slurmctld: final or not, the
// figures, and the cpus per node only when every node has a count.
#include "master/slurm_job_record.h"

#include <slurm/slurm.h>

#include <gtest/gtest.h>

namespace fructosa {
namespace {

using Answer = SlurmJobFacts::Answer;

SlurmJobRecord completed() {
    SlurmJobRecord r;
    r.job_state = JOB_COMPLETE;
    r.time_limit = 30;
    r.exit_code = 0;
    r.start_time = 1700000000;
    r.end_time = 1700000042;
    r.nodes = "n[1-2]";
    r.cpus_on_node = {2, 4};
    return r;
}

TEST(SlurmJobRecord, AFinalStateGivesEveryFact) {
    SlurmJobFacts f = slurm_job_facts(completed(), 1700000050);
    EXPECT_EQ(f.answer, Answer::Over);
    EXPECT_EQ(f.state, "COMPLETED");
    EXPECT_EQ(f.time_limit_s, 1800.0);
    EXPECT_EQ(f.exit_code, 0);
    EXPECT_EQ(f.start_time, 1700000000.0);
    EXPECT_EQ(f.end_time, 1700000042.0);
    EXPECT_EQ(f.cpus_per_node, (std::map<std::string, double>{{"n1", 2}, {"n2", 4}}));
    EXPECT_EQ(f.asked_at, 1700000050.0);
    EXPECT_EQ(f.over_at(), 1700000042.0);  // the grace counts from Slurm's end
}

TEST(SlurmJobRecord, StatesAndExitCodes) {
    struct Case {
        std::uint32_t state, exit_code;
        const char* name;
        int shell_code;
    };
    const Case cases[] = {
        {JOB_FAILED, 3 << 8, "FAILED", 3},          // exited 3
        {JOB_CANCELLED, 9, "CANCELLED", 128 + 9},   // killed by SIGKILL
        {JOB_TIMEOUT, 15, "TIMEOUT", 128 + 15},
        {JOB_OOM, 0, "OUT_OF_MEMORY", 0},
        {JOB_NODE_FAIL, 1 << 8, "NODE_FAIL", 1},
    };
    for (const auto& c : cases) {
        SlurmJobRecord r = completed();
        r.job_state = c.state;
        r.exit_code = c.exit_code;
        SlurmJobFacts f = slurm_job_facts(r, 0);
        EXPECT_EQ(f.state, c.name);
        EXPECT_EQ(f.exit_code, c.shell_code) << c.name;
    }
    EXPECT_EQ(slurm_state_name(99), "UNKNOWN");
}

TEST(SlurmJobRecord, NotFinalIsRunning) {
    for (std::uint32_t state : {std::uint32_t{JOB_PENDING}, std::uint32_t{JOB_RUNNING}, std::uint32_t{JOB_SUSPENDED},
                                std::uint32_t{JOB_COMPLETE | JOB_COMPLETING}}) {
        SlurmJobRecord r = completed();
        r.job_state = state;
        SlurmJobFacts f = slurm_job_facts(r, 5);
        EXPECT_EQ(f.answer, Answer::Running) << state;
        EXPECT_EQ(f.state, "");
        EXPECT_FALSE(f.over_at());
    }
}

TEST(SlurmJobRecord, UnlimitedAndUnknownAreLeftOut) {
    SlurmJobRecord r = completed();
    r.time_limit = INFINITE;
    r.start_time = 0;
    r.end_time = 0;
    SlurmJobFacts f = slurm_job_facts(r, 77);
    EXPECT_FALSE(f.time_limit_s);
    EXPECT_FALSE(f.start_time);
    EXPECT_FALSE(f.end_time);
    EXPECT_EQ(f.over_at(), 77.0);  // no end time: over from when slurmctld said so
    r.time_limit = NO_VAL;
    EXPECT_FALSE(slurm_job_facts(r, 0).time_limit_s);
}

TEST(SlurmJobRecord, CpusPerNodeOnlyWhenEveryNodeHasACount) {
    SlurmJobRecord r = completed();
    r.cpus_on_node = {};  // slurmctld sent no job resources
    EXPECT_TRUE(slurm_job_facts(r, 0).cpus_per_node.empty());
    r.cpus_on_node = {2};  // fewer counts than nodes
    EXPECT_TRUE(slurm_job_facts(r, 0).cpus_per_node.empty());
    r.cpus_on_node = {2, -1};  // a node libslurm did not know
    EXPECT_TRUE(slurm_job_facts(r, 0).cpus_per_node.empty());
    r.nodes = "n[1-";  // unreadable list
    r.cpus_on_node = {2, 4};
    EXPECT_TRUE(slurm_job_facts(r, 0).cpus_per_node.empty());
}

TEST(SlurmJobFacts, ForgottenIsOverWhenAsked) {
    SlurmJobFacts f;
    f.answer = Answer::Forgotten;
    f.asked_at = 12;
    EXPECT_EQ(f.over_at(), 12.0);
    f.answer = Answer::Failed;
    EXPECT_FALSE(f.over_at());
}

}  // namespace
}  // namespace fructosa
