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
