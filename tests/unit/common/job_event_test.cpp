// The job event's JSON mapping: what lagent sends, what lmaster accepts.
#include "common/job_event.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

using json = nlohmann::json;

JobMeta full_meta() {
    JobMeta m;
    m.uid = 1000;
    m.user = "alice";
    m.account = "proj";
    m.partition = "batch";
    m.job_name = "sim";
    m.nodelist = "n[1-2]";
    m.nnodes = 2;
    m.cpus = 8;
    m.mem_mb = 16000;
    m.gpus = 1;
    m.ntasks = 16;
    m.interval = 2.5;
    return m;
}

json a_summary() { return json{{"samples", 3}, {"first_time", 1000.5}, {"cpu_seconds", 12.25}, {"oom_kills", 0}}; }

/// The meta object as lagent built it by hand, with the same C++ types (unsigned counts,
/// unsigned long memory, double interval).
json hand_built_meta() {
    unsigned uid = 1000, nnodes = 2, cpus = 8, gpus = 1, ntasks = 16;
    unsigned long mem_mb = 16000;
    double interval = 2.5;
    return json{{"uid", uid},           {"user", "alice"},     {"account", "proj"},
                {"partition", "batch"}, {"job_name", "sim"},   {"nodelist", "n[1-2]"},
                {"nnodes", nnodes},     {"cpus", cpus},        {"mem_mb", mem_mb},
                {"gpus", gpus},         {"ntasks", ntasks},    {"interval", interval}};
}

JobEvent step_start() {
    return JobEvent{.kind = JobEvent::Kind::StepStart, .job_id = 42, .host = "n1", .time = 1700000000.25,
                    .step_id = "batch", .meta = full_meta()};
}
JobEvent step_end() {
    return JobEvent{.kind = JobEvent::Kind::StepEnd, .job_id = 42, .host = "n1", .time = 1700000100.5,
                    .step_id = "0", .exit_status = 3, .summary = a_summary()};
}
JobEvent job_end() {
    return JobEvent{.kind = JobEvent::Kind::JobEnd, .job_id = 42, .host = "n1", .time = 1700000200.75,
                    .meta = full_meta(), .exit_status = 3, .summary = a_summary(), .reason = "last step ended",
                    .reattached = true};
}

TEST(JobEvent, WritesWhatLagentSent) {
    unsigned long job_id = 42;
    int exit_status = 3;
    json start{{"type", "step_start"}, {"job_id", job_id}, {"host", "n1"}, {"step_id", "batch"},
               {"time", 1700000000.25}, {"meta", hand_built_meta()}};
    EXPECT_EQ(step_start().to_json().dump(), start.dump());
    json end{{"type", "step_end"}, {"job_id", job_id}, {"host", "n1"}, {"step_id", "0"},
             {"time", 1700000100.5}, {"exit_status", exit_status}};
    end["summary"] = a_summary();
    EXPECT_EQ(step_end().to_json().dump(), end.dump());
    json ended{{"type", "job_end"},     {"job_id", job_id},          {"host", "n1"},
               {"time", 1700000200.75}, {"reason", "last step ended"}, {"exit_status", exit_status},
               {"reattached", true},    {"summary", a_summary()},    {"meta", hand_built_meta()}};
    EXPECT_EQ(job_end().to_json().dump(), ended.dump());
}

TEST(JobEvent, StepEndWithoutSummaryLeavesItOut) {
    EXPECT_TRUE(JobEvent{}.summary.is_null());
    JobEvent e{.kind = JobEvent::Kind::StepEnd, .job_id = 42, .host = "n1", .time = 1700000100.5, .step_id = "0",
               .exit_status = 3};
    json j = e.to_json();
    EXPECT_FALSE(j.contains("summary"));
    EXPECT_EQ(j.size(), 6u);
    EXPECT_EQ(job_event_from_json(j), e);
}

TEST(JobEvent, RoundTripsEveryKindAndField) {
    for (const JobEvent& e : {step_start(), step_end(), job_end()}) {
        JobEvent back = job_event_from_json(e.to_json());
        EXPECT_EQ(back, e) << e.to_json().dump();
        EXPECT_EQ(job_event_from_json(json::parse(e.to_json().dump())), e);
    }
    EXPECT_EQ(job_meta_from_json(full_meta().to_json()), full_meta());
    EXPECT_EQ(job_meta_from_json(hand_built_meta()), full_meta());
}

TEST(JobEvent, KindNames) {
    EXPECT_STREQ(to_string(JobEvent::Kind::StepStart), "step_start");
    EXPECT_STREQ(to_string(JobEvent::Kind::StepEnd), "step_end");
    EXPECT_STREQ(to_string(JobEvent::Kind::JobEnd), "job_end");
}

TEST(JobEvent, UidZeroWithoutUserIsUnknown) {
    JobMeta m;
    EXPECT_FALSE(m.known_uid().has_value());  // what a re-attached lagent sends
    m.user = "root";
    EXPECT_EQ(m.known_uid(), 0u);
    m = full_meta();
    EXPECT_EQ(m.known_uid(), 1000u);
    m.user.clear();
    EXPECT_EQ(m.known_uid(), 1000u);
}

TEST(JobEvent, OptionalFieldsReadLeniently) {
    // Fields of another type read as empty; a non-string step_id or reason as its JSON text.
    json e{{"type", "job_end"},  {"job_id", 7},           {"host", "n1"},      {"time", 5},
           {"reason", 12},       {"exit_status", "bad"},  {"reattached", 1},   {"summary", json::array()},
           {"meta", "nothing"}};
    JobEvent j = job_event_from_json(e);
    EXPECT_EQ(j.kind, JobEvent::Kind::JobEnd);
    EXPECT_EQ(j.job_id, 7u);
    EXPECT_EQ(j.time, 5.0);
    EXPECT_EQ(j.reason, "12");
    EXPECT_EQ(j.exit_status, 0);
    EXPECT_FALSE(j.reattached);
    EXPECT_TRUE(j.summary.is_null());
    EXPECT_EQ(j.meta, JobMeta{});
    // Absent ones too, and only the fields of the event's kind are read.
    j = job_event_from_json(json{{"type", "step_start"}, {"job_id", 7}, {"host", "n1"}, {"time", 5}, {"step_id", 0},
                                 {"exit_status", 4}, {"reason", "x"}, {"summary", a_summary()}});
    EXPECT_EQ(j.step_id, "0");
    EXPECT_EQ(j.exit_status, 0);
    EXPECT_EQ(j.reason, "");
    EXPECT_TRUE(j.summary.is_null());
    EXPECT_EQ(j.meta, JobMeta{});
    j = job_event_from_json(json{{"type", "step_end"}, {"job_id", 7}, {"host", "n1"}, {"time", 5}, {"step_id", "1"},
                                 {"meta", full_meta().to_json()}});
    EXPECT_EQ(j.meta, JobMeta{});
    EXPECT_EQ(j.exit_status, 0);
    EXPECT_TRUE(j.summary.is_null());
}

TEST(JobEvent, MetaReadsLeniently) {
    json m{{"uid", -5},   {"user", 3},      {"nodelist", "n1"}, {"nnodes", 2.9},     {"cpus", "8"},
           {"gpus", -1},  {"ntasks", 1e12}, {"mem_mb", 4096},   {"interval", -2.5},  {"extra", true}};
    JobMeta got = job_meta_from_json(m);
    EXPECT_EQ(got.uid, 0u);
    EXPECT_EQ(got.user, "");
    EXPECT_EQ(got.account, "");
    EXPECT_EQ(got.nodelist, "n1");
    EXPECT_EQ(got.nnodes, 2u);  // a fraction is cut
    EXPECT_EQ(got.cpus, 0u);
    EXPECT_EQ(got.gpus, 0u);
    EXPECT_EQ(got.ntasks, 4294967295u);  // at most the type's maximum
    EXPECT_EQ(got.mem_mb, 4096u);
    EXPECT_EQ(got.interval, -2.5);  // the registry ignores a non-positive interval
    EXPECT_EQ(job_meta_from_json(json()), JobMeta{});
    EXPECT_EQ(job_meta_from_json(json::array({1, 2})), JobMeta{});
}

TEST(JobEvent, MalformedEventsSayWhatIsWrong) {
    struct Case {
        json input;
        const char* error;
    };
    const Case cases[] = {
        {json::array(), "job event is not a JSON object"},
        {json("step_start"), "job event is not a JSON object"},
        {json{{"job_id", 1}}, "job event without a \"type\""},
        {json{{"type", 1}, {"job_id", 1}, {"host", "n1"}, {"time", 1}}, "job event without a \"type\""},
        {json{{"type", "step_start"}, {"host", "n1"}}, "job event without a numeric \"job_id\""},
        {json{{"type", "step_start"}, {"job_id", -1}, {"host", "n1"}, {"time", 1}},
         "job event without a numeric \"job_id\""},
        {json{{"type", "step_start"}, {"job_id", 1.5}, {"host", "n1"}, {"time", 1}},
         "job event without a numeric \"job_id\""},
        {json{{"type", "step_start"}, {"job_id", "1"}, {"host", "n1"}, {"time", 1}},
         "job event without a numeric \"job_id\""},
        {json{{"type", "step_start"}, {"job_id", std::uint64_t(1) << 63}, {"host", "n1"}, {"time", 1}},
         "job event without a numeric \"job_id\""},  // beyond a signed 64-bit id
        {json{{"type", "step_start"}, {"job_id", 1}, {"time", 1}}, "job event without a \"host\""},
        {json{{"type", "job_end"}, {"job_id", 1}, {"host", ""}, {"time", 1}}, "job event without a \"host\""},
        {json{{"type", "job_end"}, {"job_id", 1}, {"host", 5}, {"time", 1}}, "job event without a \"host\""},
        {json{{"type", "job_end"}, {"job_id", 1}, {"host", "n1"}}, "job event without a numeric \"time\""},
        {json{{"type", "job_end"}, {"job_id", 1}, {"host", "n1"}, {"time", "x"}},
         "job event without a numeric \"time\""},
        {json{{"type", "step_start"}, {"job_id", 1}, {"host", "n1"}, {"time", 1}},
         "job event step_start without a \"step_id\""},
        {json{{"type", "step_end"}, {"job_id", 1}, {"host", "n1"}, {"time", 1}},
         "job event step_end without a \"step_id\""},
        {json{{"type", "oops"}, {"job_id", 1}, {"host", "n1"}, {"time", 1}}, "unknown job event type 'oops'"},
        {json{{"type", "oops"}}, "job event without a numeric \"job_id\""},  // the fields come first
    };
    for (const auto& c : cases) {
        try {
            job_event_from_json(c.input);
            ADD_FAILURE() << "accepted " << c.input.dump();
        } catch (const JobEventError& e) {
            EXPECT_STREQ(e.what(), c.error) << c.input.dump();
        }
    }
}

}  // namespace
}  // namespace fructosa
