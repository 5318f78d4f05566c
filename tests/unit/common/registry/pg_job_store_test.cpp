// What only the PostgreSQL store does: several lmasters (connections) writing one job at
// once, the partial-job timeout and Slurm's questions taken once across them, its schema
// beside SQLite's, and messages that never show a password. The behaviour it shares with
// SQLite: job_store_behaviour_test.cpp.
#include "common/registry/pg_job_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <barrier>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "common/registry/job_store_factory.h"
#include "common/registry/pg_connection.h"
#include "tests/unit/common/registry/pg_test_server.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using test::meta;
using test::summary;

std::unique_ptr<PgJobStore> open_pg(const std::string& url, JobStoreMode mode = JobStoreMode::ReadWrite) {
    return std::make_unique<PgJobStore>(url, mode, PgJobStore::Schema::Create);
}

// Two lmasters record job_end for different nodes of the same 4-node job at the same
// moment, round after round: each job ends finished with every node, whichever lmaster
// recorded its last node.
TEST(PgJobStore, TwoLmastersRecordingOneJobLoseNoNode) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto a = open_pg(url), b = open_pg(url);
    constexpr int kRounds = 40;
    auto m = meta("n[1-4]", 4, 2, 100);
    std::barrier sync(2);
    auto lmaster = [&](PgJobStore& store, std::vector<std::string> hosts) {
        for (int job = 1; job <= kRounds; ++job) {
            sync.arrive_and_wait();  // both start the job together
            for (const auto& h : hosts) {
                store.record_step_start(job, h, "0", m, 100);
                store.record_job_end(job, h, 0, summary(100, 200, 2, 100), m, 200, "last step ended");
            }
        }
    };
    std::thread ta(lmaster, std::ref(*a), std::vector<std::string>{"n1", "n3"});
    std::thread tb(lmaster, std::ref(*b), std::vector<std::string>{"n2", "n4"});
    ta.join();
    tb.join();
    for (int job = 1; job <= kRounds; ++job) {
        auto r = a->load_job(job);
        ASSERT_TRUE(r) << job;
        EXPECT_EQ(r->info.status, "finished") << job;
        ASSERT_EQ(r->nodes.size(), 4u) << job;
        for (const auto& n : r->nodes) EXPECT_TRUE(n.ended) << job << " " << n.host;
        EXPECT_DOUBLE_EQ(r->info.total_cpus, 8) << job;
    }
    EXPECT_EQ(b->unclassified_jobs(1000).size(), static_cast<std::size_t>(kRounds));
}

// check_timeouts runs on every lmaster; each late job is marked partial by exactly one.
TEST(PgJobStore, TwoLmastersMarkEachLateJobPartialOnce) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto a = open_pg(url), b = open_pg(url);
    for (auto* s : {a.get(), b.get()}) s->set_lifecycle_policy({false, 60, 86400});
    constexpr int kRounds = 10, kJobs = 20;
    std::uint64_t next = 1;
    for (int round = 0; round < kRounds; ++round) {
        std::set<std::uint64_t> late;
        for (int j = 0; j < kJobs; ++j, ++next) {
            a->record_job_end(next, "n1", 0, summary(0, 100, 1, 10), meta("n[1-2]", 2, 1, 10), 100);
            late.insert(next);
        }
        std::vector<JobEventRecorder::TimedOut> by_a, by_b;
        std::barrier sync(2);
        std::thread ta([&] {
            sync.arrive_and_wait();
            by_a = a->check_timeouts(1000);
        });
        std::thread tb([&] {
            sync.arrive_and_wait();
            by_b = b->check_timeouts(1000);
        });
        ta.join();
        tb.join();
        std::multiset<std::uint64_t> marked;
        for (const auto& t : by_a) marked.insert(t.job_id);
        for (const auto& t : by_b) marked.insert(t.job_id);
        EXPECT_EQ(marked, (std::multiset<std::uint64_t>(late.begin(), late.end()))) << "round " << round;
        for (auto id : late) EXPECT_EQ(a->load_job(id, false)->info.status, "partial");
    }
}

// jobs_to_ask_slurm claims what it returns: two lmasters asking at once never get the
// same job, and together they get every quiet one.
TEST(PgJobStore, TwoLmastersNeverAskSlurmAboutTheSameJobAtOnce) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto a = open_pg(url), b = open_pg(url);
    for (std::uint64_t id = 1; id <= 30; ++id) a->record_step_start(id, "n1", "0", meta("n1", 1, 1, 10), 100);
    std::vector<std::uint64_t> by_a, by_b;
    std::barrier sync(2);
    std::thread ta([&] {
        sync.arrive_and_wait();
        by_a = a->jobs_to_ask_slurm(1000, 60, 100);
    });
    std::thread tb([&] {
        sync.arrive_and_wait();
        by_b = b->jobs_to_ask_slurm(1000, 60, 100);
    });
    ta.join();
    tb.join();
    std::multiset<std::uint64_t> asked(by_a.begin(), by_a.end());
    asked.insert(by_b.begin(), by_b.end());
    std::multiset<std::uint64_t> all;
    for (std::uint64_t id = 1; id <= 30; ++id) all.insert(id);
    EXPECT_EQ(asked, all);
    // Claimed: quiet again only `quiet_s` after the claim.
    EXPECT_TRUE(a->jobs_to_ask_slurm(1000, 60, 100).empty());
    EXPECT_TRUE(a->jobs_to_ask_slurm(1060, 60, 100).empty());
    EXPECT_EQ(a->jobs_to_ask_slurm(1061, 60, 100).size(), 30u);
}

// Two lmasters starting together on an empty database make the tables once.
TEST(PgJobStore, LmastersStartingTogetherCreateTheSchemaOnce) {
    std::string url = test::PgTestServer::get().new_database_url();
    std::vector<std::thread> starts;
    std::vector<std::string> errors(4);
    std::barrier sync(4);
    for (int i = 0; i < 4; ++i)
        starts.emplace_back([&, i] {
            sync.arrive_and_wait();
            try {
                open_pg(url);
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    for (auto& t : starts) t.join();
    for (const auto& e : errors) EXPECT_EQ(e, "");
    PgConnection c(url);
    EXPECT_EQ(c.query("SELECT COUNT(*), MAX(version) FROM schema_version").row(0).int64(0), 1);
    EXPECT_EQ(c.query("SELECT MAX(version) FROM schema_version").row(0).int64(0), 3);
}

/// Column names of `table` in the SQLite schema.
std::vector<std::string> sqlite_columns(sqlite3* db, const std::string& table) {
    std::vector<std::string> cols;
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, ("SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid").c_str(), -1, &st,
                       nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) cols.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return cols;
}

TEST(PgJobStore, HasTheColumnsOfTheSqliteSchema) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto pg = open_pg(url);
    test::TempDir dir;
    RegistrySettings s;
    s.path = dir.file("r.db");
    auto sqlite = open_job_store(s, JobStoreMode::ReadWrite);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(s.path.c_str(), &db), SQLITE_OK);
    for (const char* table : {"schema_version", "jobs", "job_nodes", "job_steps", "classifications"}) {
        auto r = pg->connection().query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1::text ORDER BY ordinal_position",
            PgParams().add(table));
        std::vector<std::string> cols;
        for (int i = 0; i < r.rows(); ++i) cols.push_back(r.row(i).text(0));
        EXPECT_EQ(cols, sqlite_columns(db, table)) << table;
        EXPECT_FALSE(cols.empty()) << table;
    }
    sqlite3_close(db);
}

TEST(PgJobStore, ReaderRequiresTheTablesAndNeverMakesThem) {
    std::string url = test::PgTestServer::get().new_database_url();
    RegistrySettings s;
    s.url = url;
    for (JobStoreMode mode : {JobStoreMode::ReadOnly, JobStoreMode::ReadWrite}) {
        try {
            open_existing_job_store(s, mode);
            ADD_FAILURE() << "opened a database without the tables";
        } catch (const JobRegistryError& e) {
            EXPECT_EQ(std::string(e.what()), "job registry " + url +
                                                 " has no FrUCToSA tables: lmaster creates them on its first start "
                                                 "(start lmaster first, or fix [registry] url)");
        }
    }
    PgConnection c(url);
    EXPECT_EQ(c.query("SELECT to_regclass('jobs') IS NULL").row(0).int64(0), 1);  // nothing made on the way
    open_job_store(s, JobStoreMode::ReadWrite);  // lmaster makes them
    EXPECT_NE(open_existing_job_store(s, JobStoreMode::ReadOnly), nullptr);
}

TEST(PgJobStore, ReadOnlyRefusesWrites) {
    std::string url = test::PgTestServer::get().new_database_url();
    open_pg(url)->record_step_start(1, "n1", "0", meta("n1", 1, 1, 10), 100);
    auto reader = open_pg(url, JobStoreMode::ReadOnly);
    EXPECT_EQ(reader->load_job(1)->info.status, "running");
    EXPECT_THROW(reader->record_job_end(1, "n1", 0, summary(0, 1, 1, 1), meta("n1", 1, 1, 10), 200),
                 JobRegistryError);
    EXPECT_EQ(reader->load_job(1)->info.status, "running");
}

TEST(PgJobStore, AFailedTransactionLeavesNothing) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto store = open_pg(url);
    EXPECT_THROW(store->in_transaction([&] {
        store->record_step_start(1, "n1", "0", meta("n1", 1, 1, 10), 100);
        throw std::runtime_error("perad failed half-way");
    }),
                 std::runtime_error);
    EXPECT_FALSE(store->load_job(1));
    store->record_step_start(2, "n1", "0", meta("n1", 1, 1, 10), 100);  // the connection still works
    EXPECT_TRUE(store->load_job(2));
}

// The database restarted (here: the server ended lmaster's session): the next event is
// recorded on a new connection, not lost; a reader connects again as well.
TEST(PgJobStore, OutlivesALostConnection) {
    std::string url = test::PgTestServer::get().new_database_url();
    auto store = open_pg(url);
    PgConnection admin(url);
    auto end_session = [&] {
        auto pid = store->connection().query("SELECT pg_backend_pid()").row(0).int64(0);
        ASSERT_EQ(admin.query("SELECT pg_terminate_backend($1::integer)", PgParams().add(pid)).row(0).int64(0), 1);
        // Gone once the server no longer lists it (the backend ends asynchronously).
        while (admin.query("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1::integer", PgParams().add(pid))
                   .row(0)
                   .int64(0) != 0)
            std::this_thread::yield();
    };
    end_session();
    store->record_step_start(1, "n1", "0", meta("n1", 1, 1, 10), 100);
    EXPECT_EQ(store->load_job(1)->info.status, "running");
    end_session();
    EXPECT_THROW(store->load_job(1), JobRegistryError);  // a read finds out by failing once
    EXPECT_EQ(store->load_job(1)->info.status, "running");
}

TEST(PgJobStore, ConnectionErrorsNameTheServerWithoutThePassword) {
    // Port 1 of 127.0.0.1: nothing listens, the refusal is immediate.
    const std::string url = "postgresql://fructosa:s3cret@127.0.0.1:1/registry";
    try {
        open_pg(url);
        FAIL() << "connected to nothing";
    } catch (const JobRegistryError& e) {
        std::string msg = e.what();
        EXPECT_EQ(msg.rfind("cannot connect to job registry postgresql://fructosa:***@127.0.0.1:1/registry: ", 0), 0u)
            << msg;
        EXPECT_EQ(msg.find("s3cret"), std::string::npos) << msg;
        EXPECT_NE(msg.find("127.0.0.1"), std::string::npos) << msg;
    }
    // Through the factory, as lmaster and perad open it, and with postgres:// too.
    RegistrySettings s;
    s.url = "postgres://u@127.0.0.1:1/db?password=s3cret&connect_timeout=5";
    try {
        open_job_store(s, JobStoreMode::ReadWrite);
        FAIL() << "connected to nothing";
    } catch (const JobRegistryError& e) {
        EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("postgres://u@127.0.0.1:1/db?password=***&connect_timeout=5"),
                  std::string::npos)
            << e.what();
    }
}

TEST(PgJobStore, SqlErrorsNameTheServer) {
    std::string url = test::PgTestServer::get().new_database_url();
    PgConnection c(url);
    try {
        c.exec("SELECT * FROM no_such_table");
        FAIL() << "ran a query on a missing table";
    } catch (const JobRegistryError& e) {
        EXPECT_EQ(std::string(e.what()), "job registry " + url + ": relation \"no_such_table\" does not exist");
    }
}

}  // namespace
}  // namespace fructosa
