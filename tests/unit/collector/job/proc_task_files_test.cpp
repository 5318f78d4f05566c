#include "collector/job/proc_task_files.h"

#include <gtest/gtest.h>

namespace fructosa::proc {
namespace {

TEST(ProcStat, ParentIsField4StartTimeField22) {
    const std::string line =
        "2001 (python3) S 1990 2001 1990 0 -1 4194560 120 0 0 0 50 10 0 0 20 0 1 0 5100 12345678 300 "
        "18446744073709551615 1 1 0 0\n";
    EXPECT_EQ(parse_stat(line), (TaskStat{1990, 5100, "python3"}));
}

TEST(ProcStat, CommandNameWithSpacesAndParentheses) {
    // field 2 may hold ") S 1 2 3": only the last ')' ends it
    const std::string line = "7 (a) S 1 2 3 (b) R 1 7 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 424242 0 0\n";
    EXPECT_EQ(parse_stat(line), (TaskStat{1, 424242, "a) S 1 2 3 (b"}));
}

TEST(ProcStat, ShortOrGarbledLineIsNotAStartTime) {
    EXPECT_FALSE(parse_stat("2001 (python3) S 1990 2001\n"));
    EXPECT_FALSE(parse_stat("no parenthesis at all"));
    EXPECT_FALSE(parse_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 soon 0\n"));
    EXPECT_FALSE(parse_stat(""));
}

TEST(ProcSchedstat, SecondFieldIsTheRunQueueDelay) {
    EXPECT_EQ(parse_schedstat_run_delay("123456789 2000000000 17\n"), 2000000000u);
    EXPECT_EQ(parse_schedstat_run_delay("5000000 0 3\n"), 0u);  // ran, never waited: a real 0
}

TEST(ProcSchedstat, AllZeroMeansNoSchedulerStatistics) {
    EXPECT_FALSE(parse_schedstat_run_delay("0 0 0\n"));
}

TEST(ProcSchedstat, MalformedIsAbsent) {
    EXPECT_FALSE(parse_schedstat_run_delay("1 2\n"));
    EXPECT_FALSE(parse_schedstat_run_delay("1 2 3 4\n"));
    EXPECT_FALSE(parse_schedstat_run_delay("1 x 3\n"));
    EXPECT_FALSE(parse_schedstat_run_delay(""));
}

TEST(ProcIo, StorageBytesOnly) {
    const std::string text =
        "rchar: 999999\nwchar: 888888\nsyscr: 42\nsyscw: 7\nread_bytes: 4096\nwrite_bytes: 209715200\n"
        "cancelled_write_bytes: 8192\n";
    EXPECT_EQ(parse_io(text), (TaskIo{4096, 209715200}));
}

TEST(ProcIo, MissingOrBadFieldIsAbsent) {
    EXPECT_FALSE(parse_io("rchar: 1\nwchar: 2\nread_bytes: 3\n"));  // no write_bytes
    EXPECT_FALSE(parse_io("read_bytes: 3\nwrite_bytes: lots\n"));
    EXPECT_FALSE(parse_io(""));
}

TEST(ProcIds, AppendsNumbersAndCountsLines) {
    std::vector<std::uint32_t> ids = {1};
    EXPECT_EQ(append_ids("2001\n2002\n\n2010\n", ids), 3u);
    EXPECT_EQ(ids, (std::vector<std::uint32_t>{1, 2001, 2002, 2010}));
    EXPECT_EQ(append_ids("", ids), 0u);
    // a line that is not an id still counts as a task, but gives no id to read
    EXPECT_EQ(append_ids("x\n7", ids), 2u);
    EXPECT_EQ(ids.back(), 7u);
    EXPECT_EQ(ids.size(), 5u);
}

}  // namespace
}  // namespace fructosa::proc
