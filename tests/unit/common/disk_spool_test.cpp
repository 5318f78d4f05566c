#include "common/disk_spool.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

using namespace fructosa;
namespace fs = std::filesystem;

namespace {

struct SpoolDir {
    std::string path = (fs::temp_directory_path() / ("fructosa-spool-" + std::to_string(::getpid()) + "-" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                           .string();
    SpoolDir() { fs::remove_all(path); }
    ~SpoolDir() { fs::remove_all(path); }
};

std::vector<std::string> read_all(const DiskSpool& s, SpoolPos from) {
    std::vector<std::string> out;
    for (auto r = s.read(from); r; r = s.read(r->next)) out.push_back(r->data);
    return out;
}

}  // namespace

TEST(DiskSpool, RecordsComeBackInOrderAcrossSegments) {
    SpoolDir d;
    DiskSpool s(d.path, 1 << 20, 64);  // tiny segments: many of them
    for (int i = 0; i < 20; ++i) s.append("record-" + std::to_string(i), 1);
    auto all = read_all(s, s.committed());
    ASSERT_EQ(all.size(), 20u);
    EXPECT_EQ(all.front(), "record-0");
    EXPECT_EQ(all.back(), "record-19");
}

TEST(DiskSpool, CommitSurvivesReopenAndDeletesSpentSegments) {
    SpoolDir d;
    SpoolPos after_ten;
    {
        DiskSpool s(d.path, 1 << 20, 64);
        for (int i = 0; i < 20; ++i) s.append("record-" + std::to_string(i), 1);
        auto r = s.read(s.committed());
        for (int i = 0; i < 9; ++i) r = s.read(r->next);
        after_ten = r->next;
        s.commit(after_ten);
    }
    DiskSpool s(d.path, 1 << 20, 64);  // as after a kill -9 and a restart
    EXPECT_EQ(s.committed(), after_ten);
    auto rest = read_all(s, s.committed());
    ASSERT_EQ(rest.size(), 10u);
    EXPECT_EQ(rest.front(), "record-10");
    EXPECT_LT(s.bytes(), 20u * 17);
}

TEST(DiskSpool, FullSpoolDropsTheOldestAndCountsTheirPoints) {
    SpoolDir d;
    DiskSpool s(d.path, 400, 100);
    for (int i = 0; i < 40; ++i) s.append(std::string(40, 'x'), 7);
    EXPECT_LE(s.bytes(), 400u);
    auto left = read_all(s, s.committed()).size();
    EXPECT_EQ(s.dropped_points() + 7 * left, 40u * 7);
    EXPECT_GT(s.dropped_points(), 0u);
}

TEST(DiskSpool, ATornRecordIsTrimmedOnOpen) {
    SpoolDir d;
    {
        DiskSpool s(d.path, 1 << 20);
        s.append("whole", 1);
    }
    for (const auto& e : fs::directory_iterator(d.path))
        if (e.path().extension() == ".seg") std::ofstream(e.path(), std::ios::app) << "\x09\x00\x00\x00\x01";
    DiskSpool s(d.path, 1 << 20);
    EXPECT_EQ(read_all(s, s.committed()), std::vector<std::string>{"whole"});
    s.append("next", 1);
    EXPECT_EQ(read_all(s, s.committed()), (std::vector<std::string>{"whole", "next"}));
}

TEST(DiskSpool, AnUnwritableDirectoryIsNamed) {
    try {
        DiskSpool s("/proc/fructosa-cannot-be-here", 1 << 20);
        FAIL() << "opened";
    } catch (const SpoolError& e) {
        EXPECT_NE(std::string(e.what()).find("/proc/fructosa-cannot-be-here"), std::string::npos);
    }
}

TEST(DiskSpool, TheCommitFileLagsAtMostOneSecondSoACrashResendsAtMostThat) {
    SpoolDir d;
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    DiskSpool s(d.path, 1 << 20, 4u << 20, [&] { return now; });
    std::vector<SpoolPos> after;
    for (int i = 0; i < 4; ++i) {
        s.append("record-" + std::to_string(i), 1);
        after.push_back(s.end());
    }
    s.commit(after[0]);  // the first commit is written at once
    EXPECT_EQ(s.persisted(), after[0]);
    now += std::chrono::milliseconds(900);
    s.commit(after[1]);  // within the second: in memory only
    EXPECT_EQ(s.committed(), after[1]);
    EXPECT_EQ(s.persisted(), after[0]);
    {
        DiskSpool crashed(d.path, 1 << 20);  // what a restart after kill -9 reads now
        EXPECT_EQ(read_all(crashed, crashed.committed()),
                  (std::vector<std::string>{"record-1", "record-2", "record-3"}));
    }
    now += std::chrono::milliseconds(100);
    s.commit(after[2]);  // a second after the last write: on disk
    EXPECT_EQ(s.persisted(), after[2]);
    DiskSpool crashed(d.path, 1 << 20);
    EXPECT_EQ(read_all(crashed, crashed.committed()), (std::vector<std::string>{"record-3"}));
}

TEST(DiskSpool, SegmentsAnOwnerStillWantsToReadStayAfterTheCommit) {
    SpoolDir d;
    DiskSpool s(d.path, 1 << 20, 16);  // segments of one record each
    std::vector<SpoolPos> start;
    for (int i = 0; i < 6; ++i) start.push_back(s.append("record-" + std::to_string(i), 1));
    s.commit(s.end(), start[2]);  // all done, but records from 2 on may be sent again
    EXPECT_EQ(s.committed(), s.end());
    EXPECT_EQ(read_all(s, start[2]), (std::vector<std::string>{"record-2", "record-3", "record-4", "record-5"}));
    EXPECT_EQ(read_all(s, start[0]).front(), "record-2");  // the older ones are gone
    s.commit(s.end(), start[4]);
    EXPECT_EQ(read_all(s, start[2]), (std::vector<std::string>{"record-4", "record-5"}));
}

TEST(DiskSpool, UnsentBytesAreWhatLiesBeyondTheCommitAndReadingThemCreatesNothing) {
    SpoolDir d;
    EXPECT_EQ(DiskSpool::unsent_bytes(d.path), 0u);
    EXPECT_FALSE(fs::exists(d.path));
    SpoolPos half;
    {
        DiskSpool s(d.path, 1 << 20, 64);
        for (int i = 0; i < 20; ++i) s.append("record-" + std::to_string(i), 1);
        EXPECT_EQ(DiskSpool::unsent_bytes(d.path), s.bytes());
        auto r = s.read(s.committed());
        for (int i = 0; i < 9; ++i) r = s.read(r->next);
        half = r->next;
        s.commit(half);
    }
    std::uint64_t after_half = DiskSpool::unsent_bytes(d.path);
    EXPECT_GT(after_half, 0u);
    {
        DiskSpool s(d.path, 1 << 20, 64);
        EXPECT_LT(after_half, s.bytes() + 1);
        s.commit(s.end());
    }
    EXPECT_EQ(DiskSpool::unsent_bytes(d.path), 0u);
}
