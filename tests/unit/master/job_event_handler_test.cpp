// lmaster's JobEventHandler: lagent's event text in, recorder calls (or registry rows) out;
// bad events and store failures logged, never thrown.
#include "master/job_event_handler.h"

#include <fstream>
#include <sstream>

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

std::string step_start_text(const std::string& host = "n1") {
    return json{{"type", "step_start"}, {"job_id", 5}, {"host", host}, {"step_id", "0"}, {"time", 10.0},
                {"meta", meta("n1", 1, 4, 1000).to_json()}}
        .dump();
}

std::string job_end_text() {
    return json{{"type", "job_end"},      {"job_id", 5},          {"host", "n1"},
                {"time", 20.0},           {"reason", "last step ended"}, {"exit_status", 0},
                {"reattached", false},    {"summary", summary(10, 20, 4, 30)}, {"meta", meta("n1", 1, 4, 1000).to_json()}}
        .dump();
}

class JobEventHandlerTest : public ::testing::Test {
protected:
    void SetUp() override {
        log_ = dir_.file("lmaster.log");
        Log::configure(LogSettings{log_, 0, 0, LogLevel::Info}, "test");
        registry_.path = dir_.file("r.db");
        registry_.partial_after_s = 10;  // checks every second
        slurm_.enrich = false;
    }
    void TearDown() override { Log::configure(LogSettings{"-", 0, 0, LogLevel::Warning}, "test"); }

    /// A handler recording into a fake; `recorder_` points at it.
    std::unique_ptr<JobEventHandler> handler_with_fake() {
        auto fake = std::make_unique<RecordingRecorder>();
        recorder_ = fake.get();
        return std::make_unique<JobEventHandler>(io_, std::move(fake), registry_, slurm_);
    }

    std::string log_text() const {
        std::ifstream in(log_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    TempDir dir_;
    std::string log_;
    boost::asio::io_context io_;
    RegistrySettings registry_;
    SlurmSettings slurm_;
    RecordingRecorder* recorder_ = nullptr;
};

TEST_F(JobEventHandlerTest, EventsReachTheRecorder) {
    auto handler = handler_with_fake();
    handler->on_event("n1", step_start_text());
    handler->on_event("n1", job_end_text());
    ASSERT_EQ(recorder_->calls.size(), 2u);
    EXPECT_EQ(recorder_->calls[0].what, "step_start");
    EXPECT_EQ(recorder_->calls[0].job_id, 5u);
    EXPECT_EQ(recorder_->calls[0].meta, meta("n1", 1, 4, 1000));
    EXPECT_EQ(recorder_->calls[1].what, "job_end");
    EXPECT_EQ(recorder_->calls[1].reason, "last step ended");
    EXPECT_EQ(recorder_->calls[1].summary, summary(10, 20, 4, 30));
}

TEST_F(JobEventHandlerTest, MalformedEventsAreRefusedAndLogged) {
    auto handler = handler_with_fake();
    handler->on_event("n1", "{not json");
    handler->on_event("n2", step_start_text("n1"));  // names another host than the agent's
    handler->on_event("n1", R"({"type":"step_start","host":"n1","time":1,"step_id":"0"})");
    handler->on_event("n1", R"({"type":"reboot","job_id":1,"host":"n1","time":1})");
    EXPECT_TRUE(recorder_->calls.empty());
    EXPECT_EQ(handler->stats().events_refused, 4u);
    EXPECT_EQ(handler->stats().events_lost, 0u);
    // Rate-limited: the first refusal is written, the repeats are counted for later.
    std::string log = log_text();
    EXPECT_NE(log.find("job event from n1 refused: not valid JSON"), std::string::npos) << log;
    handler->on_event("n1", step_start_text());
    EXPECT_EQ(recorder_->calls.size(), 1u);  // good events still pass
}

TEST_F(JobEventHandlerTest, RefusalNamesTheProblem) {
    auto handler = handler_with_fake();
    handler->on_event("n2", step_start_text("n1"));
    std::string log = log_text();
    EXPECT_NE(log.find("job event from n2 refused: names host 'n1' but came from agent 'n2'"), std::string::npos)
        << log;
    EXPECT_TRUE(recorder_->calls.empty());
}

TEST_F(JobEventHandlerTest, AHostThatIsNoStringIsRefusedNotThrown) {
    auto handler = handler_with_fake();
    EXPECT_NO_THROW(handler->on_event("n1", R"({"type":"step_start","job_id":1,"host":7,"time":1,"step_id":"0"})"));
    EXPECT_TRUE(recorder_->calls.empty());
    EXPECT_NE(log_text().find("job event from n1 refused: job event without a \"host\""), std::string::npos)
        << log_text();
}

TEST_F(JobEventHandlerTest, MissingFieldIsNamed) {
    auto handler = handler_with_fake();
    handler->on_event("n1", R"({"type":"step_end","job_id":1,"host":"n1","time":1})");
    std::string log = log_text();
    EXPECT_NE(log.find("job event from n1 refused: job event step_end without a \"step_id\""), std::string::npos)
        << log;
}

TEST_F(JobEventHandlerTest, StoreFailureIsLoggedNotThrown) {
    auto handler = handler_with_fake();
    recorder_->fail = true;
    EXPECT_NO_THROW(handler->on_event("n1", step_start_text()));
    EXPECT_NO_THROW(handler->on_event("n1", step_start_text()));
    EXPECT_EQ(handler->stats().events_lost, 2u);  // lmaster's job_events_lost
    EXPECT_EQ(handler->stats().events_refused, 0u);
    std::string log = log_text();
    EXPECT_NE(log.find("job registry /test/r.db: disk I/O error (event from n1 lost; 1 lost so far)"),
              std::string::npos)
        << log;
}

TEST_F(JobEventHandlerTest, OverdueJobsAreLoggedAsPartial) {
    auto handler = handler_with_fake();
    recorder_->overdue = {{9, "no job event for 3600 s (node down or lagent stopped)"}};
    handler->start();
    io_.run_for(std::chrono::milliseconds(1500));
    handler->stop();
    ASSERT_FALSE(recorder_->timeout_checks.empty());
    std::string log = log_text();
    EXPECT_NE(log.find("job 9: recorded as partial: no job event for 3600 s (node down or lagent stopped)"),
              std::string::npos)
        << log;
}

TEST_F(JobEventHandlerTest, GivesTheRecorderItsLifecyclePolicy) {
    registry_.running_timeout_s = 3600;
    auto handler = handler_with_fake();
    ASSERT_TRUE(recorder_->policy);
    EXPECT_FALSE(recorder_->policy->slurm_decides);  // enrichment off
    EXPECT_EQ(recorder_->policy->partial_after_s, 10.0);
    EXPECT_EQ(recorder_->policy->running_timeout_s, 3600.0);
    // Without a readable slurm.conf enrichment is off, and the job's end is the nodes' again.
    slurm_.enrich = true;
    slurm_.conf = dir_.file("no-slurm.conf");
    handler = handler_with_fake();
    EXPECT_FALSE(recorder_->policy->slurm_decides);
}

TEST_F(JobEventHandlerTest, RecordsIntoTheRegistryItOpens) {
    {
        JobEventHandler handler(io_, registry_, slurm_);
        handler.on_event("n1", step_start_text());
        handler.on_event("n1", job_end_text());
    }
    SqliteJobStore reader(registry_.path, JobStoreMode::ReadOnly);
    auto job = reader.load_job(5);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->info.status, "finished");
    EXPECT_EQ(job->info.user, "alice");
    EXPECT_EQ(job->nodes.at(0).summary["cpu_seconds"], 30);
}

TEST_F(JobEventHandlerTest, UnopenableRegistryThrowsNamingTheFile) {
    std::ofstream(dir_.file("plain")) << "a file where the registry's folder should be\n";
    registry_.path = dir_.file("plain/r.db");
    try {
        JobEventHandler handler(io_, registry_, slurm_);
        FAIL() << "opened " << registry_.path;
    } catch (const JobRegistryError& e) {
        EXPECT_NE(std::string(e.what()).find(registry_.path), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace fructosa
