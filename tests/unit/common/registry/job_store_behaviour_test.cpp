// The job registry's behaviour, the same for every store: each test runs against the
// SQLite store (a file in a temporary directory) and the PostgreSQL store (a database of
// its own on the private server of pg_test_server.h). Store-specific tests:
// sqlite_job_store_test.cpp, pg_job_store_test.cpp.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/registry/job_store_factory.h"
#include "tests/unit/common/registry/pg_test_server.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using json = nlohmann::json;
using test::add_finished_job;
using test::meta;
using test::summary;
using test::TempDir;

/// Opens connections to one SQLite file.
struct SqliteStores {
    TempDir dir;
    std::unique_ptr<JobStore> open() {
        RegistrySettings s;
        s.path = dir.file("r.db");
        return open_job_store(s, JobStoreMode::ReadWrite);
    }
};

/// Opens connections to one new PostgreSQL database.
struct PgStores {
    std::string url = test::PgTestServer::get().new_database_url();
    std::unique_ptr<JobStore> open() {
        RegistrySettings s;
        s.url = url;
        return open_job_store(s, JobStoreMode::ReadWrite);
    }
};

template <typename Stores>
class JobStoreBehaviour : public ::testing::Test {
protected:
    /// A new connection to the test's store (each test has a store of its own).
    std::unique_ptr<JobStore> open() { return stores_.open(); }

private:
    Stores stores_;
};

class StoreNames {
public:
    template <typename T>
    static std::string GetName(int) {
        return std::is_same_v<T, SqliteStores> ? "Sqlite" : "PostgreSql";
    }
};

using Stores = ::testing::Types<SqliteStores, PgStores>;
TYPED_TEST_SUITE(JobStoreBehaviour, Stores, StoreNames);

TYPED_TEST(JobStoreBehaviour, WriterReaderRoundTrip) {
    auto store = this->open();
    auto& reg = *store;
    auto m = meta("n[1-2]", 2, 8, 16000);
    reg.record_step_start(42, "n1", "batch", m, 1000);
    reg.record_step_start(42, "n1", "0", m, 1001);
    reg.record_step_start(42, "n2", "0", m, 1002);
    reg.record_step_end(42, "n1", "0", 0, summary(1001, 1500, 8, 3000), 1500);
    reg.record_job_end(42, "n1", 0, summary(1000, 1600, 8, 4000, 0.1, 900), m, 1600, "last step ended");

    auto job = reg.load_job(42);
    ASSERT_TRUE(job);
    EXPECT_EQ(job->info.user, "alice");
    EXPECT_EQ(job->info.uid, 1000u);
    EXPECT_EQ(job->info.account, "proj");
    EXPECT_EQ(job->info.partition, "batch");
    EXPECT_EQ(job->info.job_name, "sim");
    EXPECT_EQ(job->info.nodelist, "n[1-2]");
    EXPECT_EQ(job->info.nnodes, 2u);
    EXPECT_EQ(job->info.ntasks, 16u);
    EXPECT_DOUBLE_EQ(job->info.total_cpus, 16);
    EXPECT_EQ(job->info.mem_mb, 32000u);
    EXPECT_EQ(job->info.cpus_per_node, (json{{"n1", 8.0}, {"n2", 8.0}}));
    EXPECT_EQ(job->info.status, "running");  // n2 has not ended
    EXPECT_EQ(job->info.start_time, 1000.0);
    EXPECT_EQ(job->info.first_end_time, 1600.0);
    ASSERT_EQ(job->nodes.size(), 2u);
    EXPECT_EQ(job->nodes[0].host, "n1");
    EXPECT_TRUE(job->nodes[0].ended);
    EXPECT_EQ(job->nodes[0].reason, "last step ended");
    EXPECT_EQ(job->nodes[0].summary["cpu_seconds"], 4000);
    EXPECT_FALSE(job->nodes[1].ended);
    EXPECT_TRUE(job->nodes[1].summary.is_null());
    ASSERT_EQ(job->steps.size(), 3u);
    bool found = false;
    for (const auto& s : job->steps)
        if (s.host == "n1" && s.step_id == "0") {
            found = true;
            EXPECT_EQ(s.end_time, 1500.0);
            EXPECT_EQ(s.exit_status, 0);
            EXPECT_EQ(s.summary["cpu_seconds"], 3000);
        }
    EXPECT_TRUE(found);
    EXPECT_TRUE(reg.unclassified_jobs(10).empty());

    reg.record_job_end(42, "n2", 0, summary(1002, 1700, 8, 5000), m, 1700, "last step ended");
    job = reg.load_job(42);
    EXPECT_EQ(job->info.status, "finished");
    EXPECT_EQ(job->info.end_time, 1700.0);
    EXPECT_EQ(job->info.finished_at, 1700.0);
    EXPECT_EQ(reg.unclassified_jobs(10), std::vector<std::uint64_t>{42});
}

TYPED_TEST(JobStoreBehaviour, FinishedNeedsEveryNodeOfTheExpandedList) {
    auto store = this->open();
    auto& reg = *store;
    auto m = meta("n[1-3],gpu01", 4, 2, 100);
    for (const char* h : {"n1", "n2", "gpu01"}) reg.record_job_end(7, h, 0, summary(0, 100, 2, 10), m, 100);
    EXPECT_EQ(reg.load_job(7)->info.status, "running");
    reg.record_job_end(7, "n3.cluster.example", 0, summary(0, 100, 2, 10), m, 110);  // FQDN matches n3
    EXPECT_EQ(reg.load_job(7)->info.status, "finished");
}

TYPED_TEST(JobStoreBehaviour, TimeoutMarksPartialNamingMissingNodes) {
    auto store = this->open();
    auto& reg = *store;
    reg.set_lifecycle_policy({false, 60, 86400});
    auto m = meta("n[1-4]", 4, 2, 100);
    reg.record_job_end(9, "n2", 0, summary(0, 100, 2, 10), m, 100);
    reg.record_job_end(9, "n3", 0, summary(0, 100, 2, 10), m, 150);
    EXPECT_TRUE(reg.check_timeouts(100 + 60).empty());  // exactly at the grace: not yet
    const std::string reason = "no job_end within 60 s of the first node's job_end";
    EXPECT_EQ(reg.check_timeouts(100 + 61), (std::vector<JobEventRecorder::TimedOut>{{9, reason}}));
    auto job = reg.load_job(9);
    EXPECT_EQ(job->info.status, "partial");
    EXPECT_EQ(job->info.missing_nodes, "n1,n4");
    EXPECT_EQ(job->info.partial_reason, reason);
    EXPECT_EQ(reg.unclassified_jobs(10), std::vector<std::uint64_t>{9});
    EXPECT_TRUE(reg.check_timeouts(1000).empty());  // already partial

    // A late node narrows the missing list; the last one finishes the job.
    reg.record_job_end(9, "n1", 0, summary(0, 100, 2, 10), m, 400);
    EXPECT_EQ(reg.load_job(9)->info.missing_nodes, "n4");
    EXPECT_EQ(reg.load_job(9)->info.status, "partial");
    reg.record_job_end(9, "n4", 0, summary(0, 100, 2, 10), m, 500);
    EXPECT_EQ(reg.load_job(9)->info.status, "finished");
}

TYPED_TEST(JobStoreBehaviour, ReattachedJobWithoutNodeListWaitsForTimeout) {
    auto store = this->open();
    auto& reg = *store;
    JobMeta empty_meta = job_meta_from_json(json{{"uid", 0}, {"user", ""}, {"nodelist", ""}, {"nnodes", 0}, {"cpus", 0}});
    reg.record_job_end(11, "n1", 0, summary(0, 100, 0, 10), empty_meta, 100, "cgroup removed", true);
    auto job = reg.load_job(11);
    EXPECT_EQ(job->info.status, "running");
    EXPECT_FALSE(job->info.uid.has_value());  // uid 0 with no user means unknown
    EXPECT_TRUE(job->nodes[0].reattached);
    reg.set_lifecycle_policy({false, 60, 86400});
    reg.check_timeouts(1000);
    EXPECT_EQ(reg.load_job(11)->info.status, "partial");
    EXPECT_EQ(reg.load_job(11)->info.missing_nodes, "(node list unknown)");
}

TYPED_TEST(JobStoreBehaviour, LaterJobEndReplacesSummaryAndDropsVerdict) {
    auto store = this->open();
    auto& reg = *store;
    add_finished_job(reg, 5, 1, 4, 0, 1000, 0.5);
    ClassificationRecord c;
    c.job_id = 5;
    c.job_class = "efficient";
    c.classified_at = 2000;
    reg.store_classifications({c});
    EXPECT_TRUE(reg.load_job(5)->classification);
    EXPECT_TRUE(reg.unclassified_jobs(10).empty());

    // Another step on the same node after its job_end: running again, then ends again.
    auto m = meta("n1", 1, 4, 4096);
    reg.record_step_start(5, "n1", "1", m, 1100);
    EXPECT_EQ(reg.load_job(5)->info.status, "running");
    EXPECT_FALSE(reg.load_job(5)->classification);
    reg.record_job_end(5, "n1", 3, summary(0, 1200, 4, 4321), m, 1200);
    auto job = reg.load_job(5);
    EXPECT_EQ(job->info.status, "finished");
    EXPECT_EQ(job->nodes[0].summary["cpu_seconds"], 4321);
    EXPECT_EQ(job->info.exit_status, 3);
    EXPECT_EQ(job->info.end_time, 1200.0);
    EXPECT_EQ(reg.unclassified_jobs(10), std::vector<std::uint64_t>{5});

    // A repeated job_end without a step_start in between also replaces and re-queues.
    reg.store_classifications({c});
    reg.record_job_end(5, "n1", 3, summary(0, 1300, 4, 5000), m, 1300);
    EXPECT_EQ(reg.load_job(5)->nodes[0].summary["cpu_seconds"], 5000);
    EXPECT_EQ(reg.unclassified_jobs(10), std::vector<std::uint64_t>{5});
}

SlurmJobFacts over(std::string state, std::optional<double> limit, std::optional<int> exit_code, double asked_at) {
    SlurmJobFacts f;
    f.answer = SlurmJobFacts::Answer::Over;
    f.state = std::move(state);
    f.time_limit_s = limit;
    f.exit_code = exit_code;
    f.asked_at = asked_at;
    return f;
}

TYPED_TEST(JobStoreBehaviour, SlurmInfo) {
    auto store = this->open();
    auto& reg = *store;
    auto facts = over("TIMEOUT", 3600, 0, 3700);
    facts.start_time = 10;
    facts.end_time = 3610;
    facts.cpus_per_node = {{"n1", 2}, {"n2", 4}};
    reg.set_slurm_info(77, facts);  // before any event: creates the job
    add_finished_job(reg, 77, 1, 2, 0, 3600, 0.9);
    auto job = reg.load_job(77);
    EXPECT_EQ(job->info.slurm_state, "TIMEOUT");
    EXPECT_EQ(job->info.time_limit_s, 3600.0);
    EXPECT_EQ(job->info.slurm_exit_code, 0);
    EXPECT_EQ(job->info.slurm_start_time, 10.0);
    EXPECT_EQ(job->info.slurm_end_time, 3610.0);
    EXPECT_EQ(job->info.slurm_cpus_per_node, (json{{"n1", 2}, {"n2", 4}}));
    EXPECT_EQ(job->info.user, "alice");
    reg.set_slurm_info(77, over("", std::nullopt, 15, 3800));  // empty and absent keep what is there
    job = reg.load_job(77);
    EXPECT_EQ(job->info.slurm_state, "TIMEOUT");
    EXPECT_EQ(job->info.time_limit_s, 3600.0);
    EXPECT_EQ(job->info.slurm_exit_code, 15);
    EXPECT_EQ(job->info.slurm_start_time, 10.0);
    EXPECT_EQ(job->info.slurm_cpus_per_node, (json{{"n1", 2}, {"n2", 4}}));
}

TYPED_TEST(JobStoreBehaviour, WithSlurmANodesJobEndWaitsForSlurmsEnd) {
    auto store = this->open();
    auto& reg = *store;
    reg.set_lifecycle_policy({true, 60, 86400});
    auto m = meta("n[1-2]", 2, 2, 100);
    reg.record_step_start(3, "n1", "batch", m, 100);
    reg.record_step_start(3, "n2", "0", m, 101);
    reg.record_job_end(3, "n2", 0, summary(101, 110, 2, 10), m, 110);  // its srun step ended early
    EXPECT_TRUE(reg.check_timeouts(10000).empty());  // no grace from a node's end: the batch step runs
    EXPECT_EQ(reg.load_job(3)->info.status, "running");
    reg.record_job_end(3, "n1", 0, summary(100, 500, 2, 10), m, 500);
    EXPECT_EQ(reg.load_job(3)->info.status, "running");  // every node ended, Slurm has not said so
    reg.set_slurm_info(3, over("COMPLETED", 3600, 0, 505));
    auto job = reg.load_job(3);
    EXPECT_EQ(job->info.status, "finished");
    EXPECT_EQ(job->info.finished_at, 505.0);
    EXPECT_EQ(reg.unclassified_jobs(10), std::vector<std::uint64_t>{3});
}

TYPED_TEST(JobStoreBehaviour, WithSlurmANodeThatNeverEndedMakesPartialAfterSlurmsEnd) {
    auto store = this->open();
    auto& reg = *store;
    reg.set_lifecycle_policy({true, 60, 86400});
    auto m = meta("n[1-2]", 2, 2, 100);
    reg.record_step_start(4, "n1", "0", m, 100);
    reg.record_step_start(4, "n2", "0", m, 100);
    reg.record_job_end(4, "n1", 0, summary(100, 200, 2, 10), m, 200);
    // Quiet jobs are asked about, longest quiet first; a job asked is quiet again from then.
    reg.record_step_start(5, "n1", "0", meta("n1", 1, 1, 10), 150);
    // (Only the first is asked here: the PostgreSQL store claims what it returns.)
    EXPECT_EQ(reg.jobs_to_ask_slurm(1000, 60, 1), std::vector<std::uint64_t>{5});
    SlurmJobFacts running;
    running.answer = SlurmJobFacts::Answer::Running;
    running.asked_at = 1000;
    reg.set_slurm_info(5, running);
    EXPECT_EQ(reg.jobs_to_ask_slurm(1010, 60, 10), std::vector<std::uint64_t>{4});
    EXPECT_EQ(reg.load_job(5)->info.status, "running");

    // Slurm ended job 4 at 300; n2 never sent job_end.
    auto facts = over("NODE_FAIL", std::nullopt, 1, 1020);
    facts.end_time = 300;
    reg.set_slurm_info(4, facts);
    EXPECT_EQ(reg.load_job(4)->info.status, "running");
    EXPECT_EQ(reg.jobs_to_ask_slurm(1100, 60, 10), std::vector<std::uint64_t>{5});  // 4 is over: not asked
    const std::string reason = "no job_end within 60 s after slurmctld ended the job (node down or lagent stopped)";
    EXPECT_EQ(reg.check_timeouts(1100), (std::vector<JobEventRecorder::TimedOut>{{4, reason}}));
    auto job = reg.load_job(4);
    EXPECT_EQ(job->info.status, "partial");
    EXPECT_EQ(job->info.missing_nodes, "n2");
    EXPECT_EQ(job->info.partial_reason, reason);

    // A job slurmctld no longer knows is over from when it said so.
    SlurmJobFacts forgotten;
    forgotten.answer = SlurmJobFacts::Answer::Forgotten;
    forgotten.asked_at = 2000;
    reg.set_slurm_info(5, forgotten);
    EXPECT_TRUE(reg.check_timeouts(2060).empty());
    EXPECT_EQ(reg.check_timeouts(2061).size(), 1u);
    EXPECT_EQ(reg.load_job(5)->info.missing_nodes, "n1");
}

TYPED_TEST(JobStoreBehaviour, WithoutSlurmARunningJobWithNoEventTimesOut) {
    auto store = this->open();
    auto& reg = *store;
    reg.set_lifecycle_policy({false, 60, 3600});
    reg.record_step_start(6, "n1", "0", meta("n[1-2]", 2, 1, 10), 100);
    reg.record_step_start(6, "n2", "0", meta("n[1-2]", 2, 1, 10), 200);
    EXPECT_TRUE(reg.check_timeouts(200 + 3600).empty());  // the last event counts
    auto marked = reg.check_timeouts(200 + 3601);
    EXPECT_EQ(marked, (std::vector<JobEventRecorder::TimedOut>{{6, "no job event for 3600 s (node down or lagent stopped)"}}));
    EXPECT_EQ(reg.load_job(6)->info.missing_nodes, "n1,n2");
    // A step starting on it after all: running again, the reason gone.
    reg.record_step_start(6, "n1", "1", meta("n[1-2]", 2, 1, 10), 5000);
    EXPECT_EQ(reg.load_job(6)->info.status, "running");
    EXPECT_EQ(reg.load_job(6)->info.partial_reason, "");
}

TYPED_TEST(JobStoreBehaviour, StepStartReopensAnEndedNode) {
    auto store = this->open();
    auto& reg = *store;
    reg.set_lifecycle_policy({true, 60, 86400});
    auto m = meta("n[1-2]", 2, 1, 10);
    reg.record_job_end(8, "n1", 0, summary(0, 100, 1, 1), m, 100);
    reg.record_step_start(8, "n1", "2", m, 120);  // the next step of the batch script
    reg.record_job_end(8, "n2", 0, summary(0, 130, 1, 1), m, 130);
    reg.set_slurm_info(8, over("COMPLETED", std::nullopt, 0, 140));
    EXPECT_EQ(reg.load_job(8)->info.status, "running");  // n1 runs step 2
    reg.record_job_end(8, "n1", 0, summary(0, 150, 1, 2), m, 150);
    EXPECT_EQ(reg.load_job(8)->info.status, "finished");
}

TYPED_TEST(JobStoreBehaviour, ListFiltersAndSummary) {
    auto store = this->open();
    auto& reg = *store;
    add_finished_job(reg, 1, 1, 4, 0, 3600, 0.25, "alice");  // 4 core-h, 1 used
    add_finished_job(reg, 2, 2, 8, 100, 3600, 0.5, "bob");   // 16 core-h, 8 used
    add_finished_job(reg, 3, 1, 2, 200, 3600, 1.0, "alice");  // 2 core-h, 2 used
    auto m = meta("n9", 1, 1, 10, "carol");
    reg.record_step_start(4, "n9", "0", m, 300);  // still running
    ClassificationRecord c1{1, "underutilized-cpu", {"serial-on-many-cores"}, {"idle"}, {}, {}, {}, 1, "h", 4 * 3600, 3600,
                            1.8e6};  // 0.5 kWh
    ClassificationRecord c2{2, "underutilized-cpu", {}, {}, {}, {}, {}, 1, "h", 16 * 3600, 8 * 3600, 7.2e6};
    ClassificationRecord c3{3, "efficient", {}, {}, {}, {}, {}, 1, "h", 2 * 3600, 2 * 3600, std::nullopt};
    reg.store_classifications({c1, c2, c3});
    EXPECT_EQ(reg.load_job(1)->classification->secondary_classes, std::vector<std::string>{"idle"});
    EXPECT_TRUE(reg.load_job(2)->classification->secondary_classes.empty());

    auto ids = [](const std::vector<JobListRow>& rows) {
        std::vector<std::uint64_t> out;
        for (const auto& r : rows) out.push_back(r.info.job_id);
        return out;
    };
    JobFilter all;
    EXPECT_EQ(ids(reg.list_jobs(all)), (std::vector<std::uint64_t>{3, 2, 1, 4}));  // latest end first, running last
    JobFilter f;
    f.user = "alice";
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{3, 1}));
    f = {};
    f.job_class = "underutilized-cpu";
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{2, 1}));
    f = {};
    f.flag = "serial-on-many-cores";
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{1}));
    f = {};
    f.since = 3700;
    f.until = 3750;
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{2}));
    f = {};
    f.status = "running";
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{4}));
    f = {};
    f.job_class = "unclassified";
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{4}));
    f = {};
    f.limit = 2;
    EXPECT_EQ(ids(reg.list_jobs(f)), (std::vector<std::uint64_t>{3, 2}));
    auto row = reg.list_jobs(all)[2];
    EXPECT_EQ(row.job_class, "underutilized-cpu");
    EXPECT_EQ(row.flags, std::vector<std::string>{"serial-on-many-cores"});
    EXPECT_EQ(reg.load_job(1)->classification->energy_joules, 1.8e6);
    EXPECT_EQ(reg.load_job(3)->classification->energy_joules, std::nullopt);

    auto by_user = reg.summarize(JobFilter{}, "user");
    ASSERT_EQ(by_user.size(), 3u);
    EXPECT_EQ(by_user[0].key, "bob");  // 8 core-h wasted
    EXPECT_NEAR(by_user[0].wasted_core_h, 8, 1e-9);
    EXPECT_NEAR(*by_user[0].energy_kwh, 2, 1e-9);
    EXPECT_EQ(by_user[0].energy_jobs, 1u);
    EXPECT_EQ(by_user[1].key, "alice");  // 3 wasted
    EXPECT_NEAR(by_user[1].allocated_core_h, 6, 1e-9);
    EXPECT_NEAR(by_user[1].used_core_h, 3, 1e-9);
    EXPECT_EQ(by_user[1].jobs, 2u);
    EXPECT_EQ(by_user[1].per_class.at("efficient"), 1u);
    EXPECT_NEAR(*by_user[1].energy_kwh, 0.5, 1e-9);  // job 3 measured none
    EXPECT_EQ(by_user[1].energy_jobs, 1u);
    EXPECT_EQ(by_user[2].key, "carol");
    EXPECT_EQ(by_user[2].per_class.at("unclassified"), 1u);
    EXPECT_EQ(by_user[2].energy_kwh, std::nullopt);
    auto by_class = reg.summarize(JobFilter{}, "class");
    EXPECT_EQ(by_class[0].key, "underutilized-cpu");
    EXPECT_EQ(by_class[0].jobs, 2u);
    EXPECT_THROW(reg.summarize(JobFilter{}, "color"), std::invalid_argument);
}

TYPED_TEST(JobStoreBehaviour, ReaderSeesWritesOfAnotherConnection) {
    auto writer_store = this->open();
    auto reader_store = this->open();
    auto& writer = *writer_store;
    auto& reader = *reader_store;
    add_finished_job(writer, 1, 1, 1, 0, 100, 1);
    EXPECT_EQ(reader.unclassified_jobs(10), std::vector<std::uint64_t>{1});
    EXPECT_TRUE(reader.load_job(1));
    add_finished_job(writer, 2, 1, 1, 0, 100, 1);
    EXPECT_EQ(reader.unclassified_jobs(10).size(), 2u);
}

}  // namespace
}  // namespace fructosa
