// The registry's schema: created once, and a file of another version (or no registry at
// all) refused with a message naming the file.
#include "common/registry/sqlite_schema.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "common/registry/job_store.h"
#include "common/registry/sqlite_job_store.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using test::TempDir;

/// A raw SQLite connection to a file, closed at the end of scope.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
    }
    ~RawDb() { sqlite3_close(db_); }
    sqlite3* get() const { return db_; }
    void exec(const char* sql) const { ASSERT_EQ(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql; }
    long long scalar(const char* sql) const {
        sqlite3_stmt* st = nullptr;
        long long v = -1;
        if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
    }

    /// The column names of `table`, sorted and comma-joined.
    std::string sorted_columns(const char* table) const {
        std::string sql = std::string("SELECT group_concat(name) FROM (SELECT name FROM pragma_table_info('") + table +
                          "') ORDER BY name)";
        sqlite3_stmt* st = nullptr;
        std::string v;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
            sqlite3_column_text(st, 0))
            v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return v;
    }

private:
    sqlite3* db_ = nullptr;
};

/// The message of the JobRegistryError that `fn` throws, or "" when it throws none.
template <typename Fn>
std::string registry_error(Fn fn) {
    try {
        fn();
    } catch (const JobRegistryError& e) {
        return e.what();
    }
    return "";
}

TEST(RegistrySchema, CreatedOnceAndRecognised) {
    TempDir dir;
    RawDb db(dir.file("r.db"));
    create_registry_schema(db.get(), dir.file("r.db"));
    create_registry_schema(db.get(), dir.file("r.db"));  // idempotent: no second version row
    EXPECT_EQ(db.scalar("SELECT COUNT(*) FROM schema_version"), 1);
    EXPECT_EQ(db.scalar("SELECT version FROM schema_version"), kRegistrySchemaVersion);
    for (const char* table : {"jobs", "job_nodes", "job_steps", "classifications"})
        EXPECT_EQ(db.scalar((std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                             table + "'")
                                .c_str()),
                  1)
            << table;
    EXPECT_EQ(registry_error([&] { check_registry_schema(db.get(), dir.file("r.db")); }), "");
}

TEST(RegistrySchema, RefusesWhatIsNotAKnownRegistry) {
    TempDir dir;
    const std::string path = dir.file("r.db");
    struct Case {
        const char* setup;
        std::string expected;
    };
    const Case cases[] = {
        {"CREATE TABLE t(x)", path + " is not a FrUCToSA job registry: no such table: schema_version"},
        {"CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(4)",
         "job registry " + path + " has schema version 4, this program knows 3"},
        {"CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(1), (7)",
         "job registry " + path + " has schema version 7, this program knows 3"},
        {"CREATE TABLE schema_version(version INTEGER NOT NULL)",
         "job registry " + path + " has schema version 0, this program knows 3"},
    };
    for (const auto& c : cases) {
        std::remove(path.c_str());
        RawDb db(path);
        db.exec(c.setup);
        EXPECT_EQ(registry_error([&] { check_registry_schema(db.get(), path); }), c.expected) << c.setup;
    }
}

TEST(RegistrySchema, OpeningAFileOfAnotherVersionFailsNamingIt) {
    TempDir dir;
    const std::string path = dir.file("future.db");
    {
        SqliteJobStore created(path);
    }
    RawDb(path).exec("UPDATE schema_version SET version = 4");
    const std::string expected = "job registry " + path + " has schema version 4, this program knows 3";
    EXPECT_EQ(registry_error([&] { SqliteJobStore reader(path, JobStoreMode::ReadOnly); }), expected);
    EXPECT_EQ(registry_error([&] { SqliteJobStore writer(path, JobStoreMode::ReadWrite); }), expected);
    EXPECT_EQ(RawDb(path).scalar("SELECT COUNT(*) FROM schema_version"), 1);  // the writer added nothing
}

/// A registry written by the first release (schema version 1, as it created its tables):
/// a writer migrates it, keeping its rows; a reader alone refuses it, naming the versions.
TEST(RegistrySchema, VersionOneIsMigratedByTheWriterAndKeepsItsJobs) {
    TempDir dir;
    const std::string path = dir.file("v1.db");
    RawDb(path).exec(
        "CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(1);"
        "CREATE TABLE jobs(job_id INTEGER PRIMARY KEY, user TEXT NOT NULL DEFAULT '', uid INTEGER,"
        " account TEXT NOT NULL DEFAULT '', partition TEXT NOT NULL DEFAULT '', job_name TEXT NOT NULL DEFAULT '',"
        " nodelist TEXT NOT NULL DEFAULT '', nnodes INTEGER NOT NULL DEFAULT 0, ntasks INTEGER NOT NULL DEFAULT 0,"
        " cpus_per_node TEXT NOT NULL DEFAULT '{}', total_cpus REAL NOT NULL DEFAULT 0,"
        " mem_mb INTEGER NOT NULL DEFAULT 0, gpus INTEGER NOT NULL DEFAULT 0, interval REAL NOT NULL DEFAULT 0,"
        " submit_time REAL, start_time REAL, end_time REAL, first_end_time REAL,"
        " status TEXT NOT NULL DEFAULT 'running', missing_nodes TEXT NOT NULL DEFAULT '', exit_status INTEGER,"
        " slurm_state TEXT, time_limit_s REAL, slurm_exit_code INTEGER, finished_at REAL,"
        " pending_classification INTEGER NOT NULL DEFAULT 0, job_class TEXT, allocated_core_s REAL,"
        " used_core_s REAL);"
        "CREATE TABLE classifications(job_id INTEGER PRIMARY KEY, class TEXT NOT NULL,"
        " flags TEXT NOT NULL DEFAULT '', evidence TEXT NOT NULL DEFAULT '{}',"
        " recommendations TEXT NOT NULL DEFAULT '{}', features TEXT NOT NULL DEFAULT '{}',"
        " classified_at REAL NOT NULL, thresholds_hash TEXT NOT NULL DEFAULT '');"
        "INSERT INTO jobs(job_id, user, nnodes, status) VALUES(42, 'alice', 1, 'finished');"
        "INSERT INTO classifications(job_id, class, classified_at) VALUES(42, 'idle', 1);");
    EXPECT_EQ(registry_error([&] { SqliteJobStore reader(path, JobStoreMode::ReadOnly); }),
              "job registry " + path + " has schema version 1, this program knows 3");
    {
        SqliteJobStore writer(path, JobStoreMode::ReadWrite);
        auto job = writer.load_job(42, false);
        ASSERT_TRUE(job);
        EXPECT_EQ(job->info.user, "alice");
        EXPECT_FALSE(job->info.slurm_start_time);
        EXPECT_EQ(job->info.slurm_cpus_per_node, nlohmann::json::object());
        ASSERT_TRUE(job->classification);
        EXPECT_EQ(job->classification->job_class, "idle");
        EXPECT_TRUE(job->classification->secondary_classes.empty());
    }
    EXPECT_EQ(RawDb(path).scalar("SELECT version FROM schema_version"), 3);
    EXPECT_EQ(RawDb(path).scalar("SELECT COUNT(*) FROM schema_version"), 1);
    // The migration adds every column a new file has (kSchema and the migrations agree).
    {
        SqliteJobStore fresh(dir.file("v2.db"));
    }
    for (const char* table : {"jobs", "job_nodes", "job_steps", "classifications"})
        EXPECT_EQ(RawDb(path).sorted_columns(table), RawDb(dir.file("v2.db")).sorted_columns(table)) << table;
    EXPECT_EQ(registry_error([&] { SqliteJobStore reader(path, JobStoreMode::ReadOnly); }), "");
}

/// A version 2 registry (before energy): the writer adds jobs.energy_joules, empty for
/// the jobs it had, and rebuilds the summary's covering index with it.
TEST(RegistrySchema, VersionTwoGainsTheEnergyColumn) {
    TempDir dir;
    const std::string path = dir.file("v2.db");
    {
        SqliteJobStore created(path);
    }
    RawDb(path).exec(
        "DROP INDEX jobs_summary; ALTER TABLE jobs DROP COLUMN energy_joules;"
        "CREATE INDEX jobs_summary ON jobs(end_time, job_class, user, account, partition, allocated_core_s,"
        " used_core_s);"
        "UPDATE schema_version SET version = 2;"
        "INSERT INTO jobs(job_id, user, nnodes, status, allocated_core_s, used_core_s)"
        " VALUES(42, 'alice', 1, 'finished', 100, 50);");
    EXPECT_EQ(registry_error([&] { SqliteJobStore reader(path, JobStoreMode::ReadOnly); }),
              "job registry " + path + " has schema version 2, this program knows 3");
    {
        SqliteJobStore writer(path, JobStoreMode::ReadWrite);
        auto rows = writer.summarize({}, "user");
        ASSERT_EQ(rows.size(), 1u);
        EXPECT_EQ(rows[0].energy_kwh, std::nullopt);
        EXPECT_EQ(rows[0].energy_jobs, 0u);
    }
    EXPECT_EQ(RawDb(path).scalar("SELECT version FROM schema_version"), 3);
    EXPECT_EQ(RawDb(path).scalar("SELECT COUNT(*) FROM jobs WHERE energy_joules IS NULL"), 1);
    EXPECT_EQ(RawDb(path).scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs_summary'"
                                 " AND sql LIKE '%energy_joules%'"),
              1);
    {
        SqliteJobStore fresh(dir.file("v3.db"));
    }
    EXPECT_EQ(RawDb(path).sorted_columns("jobs"), RawDb(dir.file("v3.db")).sorted_columns("jobs"));
}

}  // namespace
}  // namespace fructosa
