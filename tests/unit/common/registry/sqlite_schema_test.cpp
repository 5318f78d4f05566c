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
        {"CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(2)",
         "job registry " + path + " has schema version 2, this program knows 1"},
        {"CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(1), (7)",
         "job registry " + path + " has schema version 7, this program knows 1"},
        {"CREATE TABLE schema_version(version INTEGER NOT NULL)",
         "job registry " + path + " has schema version 0, this program knows 1"},
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
    RawDb(path).exec("UPDATE schema_version SET version = 2");
    const std::string expected = "job registry " + path + " has schema version 2, this program knows 1";
    EXPECT_EQ(registry_error([&] { SqliteJobStore reader(path, JobStoreMode::ReadOnly); }), expected);
    EXPECT_EQ(registry_error([&] { SqliteJobStore writer(path, JobStoreMode::ReadWrite); }), expected);
    EXPECT_EQ(RawDb(path).scalar("SELECT COUNT(*) FROM schema_version"), 1);  // the writer added nothing
}

}  // namespace
}  // namespace fructosa
