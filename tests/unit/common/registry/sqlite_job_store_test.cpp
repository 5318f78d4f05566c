#include "common/registry/sqlite_job_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/registry/job_store_factory.h"
#include "tests/unit/common/registry/registry_test_util.h"

namespace fructosa {
namespace {

using json = nlohmann::json;
using test::add_finished_job;
using test::meta;
using test::summary;
using test::TempDir;

TEST(SqliteJobStore, CreatesSchemaInWalMode) {
    TempDir dir;
    SqliteJobStore reg(dir.file("r.db"));
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(reg.handle(), "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
    sqlite3_finalize(st);
    // Reopening an existing registry works, read-only too.
    SqliteJobStore again(dir.file("r.db"), JobStoreMode::ReadOnly);
    EXPECT_FALSE(again.load_job(1).has_value());
}

TEST(SqliteJobStore, RefusesMissingAndForeignFiles) {
    TempDir dir;
    EXPECT_THROW(SqliteJobStore(dir.file("absent.db"), JobStoreMode::ReadOnly), JobRegistryError);
    std::ofstream(dir.file("text.db")) << "this is not a database, just some text long enough to look like one\n";
    try {
        SqliteJobStore r(dir.file("text.db"), JobStoreMode::ReadOnly);
        FAIL() << "opened a text file";
    } catch (const JobRegistryError& e) {
        EXPECT_NE(std::string(e.what()).find("text.db"), std::string::npos) << e.what();
    }
    {
        sqlite3* db = nullptr;
        sqlite3_open(dir.file("other.db").c_str(), &db);
        sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
        sqlite3_close(db);
    }
    EXPECT_THROW(SqliteJobStore(dir.file("other.db"), JobStoreMode::ReadOnly), JobRegistryError);
}

TEST(SqliteJobStore, TheWriterMakesItsFolderOnAFreshMachine) {
    TempDir dir;
    std::string path = dir.file("var/lib/fructosa/registry.db");
    EXPECT_THROW(SqliteJobStore(path, JobStoreMode::ReadOnly), JobRegistryError);  // the reader makes nothing
    { SqliteJobStore writer(path); }
    EXPECT_TRUE(std::filesystem::exists(path));
    SqliteJobStore reader(path, JobStoreMode::ReadOnly);
    // A folder that cannot be made is named in the error.
    std::ofstream(dir.file("plain")) << "a file, not a folder\n";
    try {
        SqliteJobStore bad(dir.file("plain/registry.db"));
        FAIL() << "opened below a plain file";
    } catch (const JobRegistryError& e) {
        EXPECT_EQ(std::string(e.what()), "cannot open job registry " + dir.file("plain/registry.db") +
                                             ": cannot create directory " + dir.file("plain") +
                                             " for the job registry: " + dir.file("plain") +
                                             " exists and is not a directory (move it away or change the path)");
    }
}

TEST(SqliteJobStore, TheWritersFolderIs0755) {
    TempDir dir;
    mode_t old = ::umask(077);
    { SqliteJobStore writer(dir.file("lib/fructosa/registry.db")); }
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("lib/fructosa").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
}

// SQLite would open a FIFO and block until a writer comes: `perad show --registry FIFO`
// hung forever. Only a regular file is a registry, for the reader and the writer alike.
// The test holds the FIFO open for writing itself, so that a regression fails the
// assertions below instead of hanging the test.
TEST(SqliteJobStore, RefusesWhatIsNotARegularFile) {
    TempDir dir;
    std::string fifo = dir.file("registry.fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    int keep_open = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    ASSERT_GE(keep_open, 0);
    for (JobStoreMode mode : {JobStoreMode::ReadOnly, JobStoreMode::ReadWrite}) {
        try {
            SqliteJobStore r(fifo, mode);
            ADD_FAILURE() << "opened a FIFO";
        } catch (const JobRegistryError& e) {
            EXPECT_EQ(std::string(e.what()), "cannot open job registry " + fifo + ": it is a FIFO, not a regular file");
        }
    }
    ::close(keep_open);
    std::filesystem::create_directory(dir.file("folder.db"));
    try {
        SqliteJobStore r(dir.file("folder.db"), JobStoreMode::ReadWrite);
        ADD_FAILURE() << "opened a directory";
    } catch (const JobRegistryError& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot open job registry " + dir.file("folder.db") + ": it is a directory, not a regular file");
    }
    // A link to a registry is fine.
    { SqliteJobStore writer(dir.file("real.db")); }
    std::filesystem::create_symlink(dir.file("real.db"), dir.file("link.db"));
    SqliteJobStore reader(dir.file("link.db"), JobStoreMode::ReadOnly);
}

TEST(SqliteJobStore, AnExistingRegistryIsRequiredWhereLmasterMakesIt) {
    TempDir dir;
    RegistrySettings s;
    s.path = dir.file("var/lib/fructosa/registry.db");
    for (JobStoreMode mode : {JobStoreMode::ReadOnly, JobStoreMode::ReadWrite}) {
        try {
            open_existing_job_store(s, mode);
            ADD_FAILURE() << "opened a missing registry";
        } catch (const JobRegistryError& e) {
            EXPECT_EQ(std::string(e.what()), "job registry " + s.path +
                                                 " does not exist: lmaster creates it on its first start "
                                                 "(start lmaster first, or fix [registry] path)");
        }
    }
    EXPECT_FALSE(std::filesystem::exists(dir.file("var")));  // nothing made on the way
    { SqliteJobStore writer(s.path); }
    EXPECT_NE(open_existing_job_store(s, JobStoreMode::ReadWrite), nullptr);
}

}  // namespace
}  // namespace fructosa
