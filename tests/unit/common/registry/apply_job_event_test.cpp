// apply_job_event: each lagent event becomes the recorder call it stands for.
#include "common/registry/apply_job_event.h"

#include <gtest/gtest.h>

#include "common/registry/sqlite_job_store.h"
#include "tests/unit/common/registry/recording_recorder.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using json = nlohmann::json;
using test::meta;
using test::RecordingRecorder;
using test::summary;
using test::TempDir;

TEST(ApplyJobEvent, AppliesLagentEventsToTheStore) {
    TempDir dir;
    SqliteJobStore reg(dir.file("r.db"));
    json start{{"type", "step_start"}, {"job_id", 3}, {"host", "n1"}, {"step_id", "0"}, {"time", 10.0},
               {"meta", meta("n1", 1, 2, 100).to_json()}};
    json end{{"type", "step_end"}, {"job_id", 3}, {"host", "n1"}, {"step_id", "0"}, {"time", 20.0},
             {"exit_status", 1}, {"summary", summary(10, 20, 2, 5)}};
    json job_end{{"type", "job_end"}, {"job_id", 3}, {"host", "n1"}, {"time", 21.0}, {"reason", "last step ended"},
                 {"exit_status", 1}, {"reattached", false}, {"summary", summary(10, 20, 2, 5)},
                 {"meta", meta("n1", 1, 2, 100).to_json()}};
    for (const auto& e : {start, end, job_end}) apply_job_event(reg, job_event_from_json(e));
    auto job = reg.load_job(3);
    EXPECT_EQ(job->info.status, "finished");
    EXPECT_EQ(job->info.exit_status, 1);
    EXPECT_EQ(job->steps.at(0).exit_status, 1);
}

TEST(ApplyJobEvent, EachKindBecomesItsRecorderCall) {
    RecordingRecorder rec;
    JobEvent start{.kind = JobEvent::Kind::StepStart, .job_id = 3, .host = "n1", .time = 10, .step_id = "batch",
                   .meta = meta("n[1-2]", 2, 4, 100)};
    JobEvent end{.kind = JobEvent::Kind::StepEnd, .job_id = 3, .host = "n1", .time = 20, .step_id = "batch",
                 .exit_status = 2, .summary = summary(10, 20, 4, 5)};
    JobEvent job_end{.kind = JobEvent::Kind::JobEnd, .job_id = 3, .host = "n1", .time = 21,
                     .meta = meta("n[1-2]", 2, 4, 100), .exit_status = 2, .summary = summary(10, 20, 4, 5),
                     .reason = "cgroup removed", .reattached = true};
    for (const auto& e : {start, end, job_end}) apply_job_event(rec, e);
    ASSERT_EQ(rec.calls.size(), 3u);

    const auto& s = rec.calls[0];
    EXPECT_EQ(s.what, "step_start");
    EXPECT_EQ(s.job_id, 3u);
    EXPECT_EQ(s.host, "n1");
    EXPECT_EQ(s.step_id, "batch");
    EXPECT_EQ(s.meta, meta("n[1-2]", 2, 4, 100));
    EXPECT_EQ(s.time, 10);

    const auto& e = rec.calls[1];
    EXPECT_EQ(e.what, "step_end");
    EXPECT_EQ(e.step_id, "batch");
    EXPECT_EQ(e.exit_status, 2);
    EXPECT_EQ(e.summary, summary(10, 20, 4, 5));
    EXPECT_EQ(e.time, 20);

    const auto& j = rec.calls[2];
    EXPECT_EQ(j.what, "job_end");
    EXPECT_EQ(j.exit_status, 2);
    EXPECT_EQ(j.summary, summary(10, 20, 4, 5));
    EXPECT_EQ(j.meta, meta("n[1-2]", 2, 4, 100));
    EXPECT_EQ(j.time, 21);
    EXPECT_EQ(j.reason, "cgroup removed");
    EXPECT_TRUE(j.reattached);
}

TEST(ApplyJobEvent, StoreFailurePassesThrough) {
    RecordingRecorder rec;
    rec.fail = true;
    JobEvent start{.kind = JobEvent::Kind::StepStart, .job_id = 3, .host = "n1", .time = 10, .step_id = "0"};
    EXPECT_THROW(apply_job_event(rec, start), JobRegistryError);
}

}  // namespace
}  // namespace fructosa
