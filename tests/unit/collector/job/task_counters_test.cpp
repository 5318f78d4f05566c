#include "collector/job/task_counters.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

TaskCounters::Values io(std::uint64_t read, std::uint64_t write) {
    TaskCounters::Values v;
    v[TaskCounters::read_bytes] = read;
    v[TaskCounters::write_bytes] = write;
    return v;
}

TaskCounters::Values delay(std::uint64_t ns) {
    TaskCounters::Values v;
    v[TaskCounters::runqueue_delay_ns] = ns;
    return v;
}

TEST(TaskCounters, NothingReadIsNotZero) {
    TaskCounters c;
    EXPECT_FALSE(c.total(TaskCounters::read_bytes));
    c.begin();
    c.update(10, 500, delay(7));  // a thread with a schedstat but no io figures
    c.end();
    EXPECT_EQ(c.total(TaskCounters::runqueue_delay_ns), 7u);
    EXPECT_FALSE(c.total(TaskCounters::read_bytes));
}

TEST(TaskCounters, AnExitedThreadKeepsItsLastFigures) {
    TaskCounters c;
    c.begin();
    c.update(10, 500, io(100, 1000));
    c.update(11, 501, io(5, 50));
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 105u);
    c.begin();
    c.update(10, 500, io(300, 1000));  // 11 has exited
    c.end();
    EXPECT_EQ(c.live(), 1u);
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 305u);
    EXPECT_EQ(c.total(TaskCounters::write_bytes), 1050u);
    c.begin();  // every thread gone: the job's totals stay
    c.end();
    EXPECT_EQ(c.live(), 0u);
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 305u);
}

TEST(TaskCounters, AReusedIdWithANewStartTimeIsANewThread) {
    TaskCounters c;
    c.begin();
    c.update(10, 500, io(100, 0));
    c.end();
    c.begin();
    c.update(10, 900, io(20, 0));  // id 10 again, started later: the old thread exited
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 120u);
    EXPECT_EQ(c.live(), 1u);
}

TEST(TaskCounters, AKeptThreadIsNotRetired) {
    TaskCounters c;
    c.begin();
    c.update(10, 500, io(100, 0));
    c.update(11, 501, io(1, 0));
    c.end();
    c.begin();
    c.keep(10);  // listed but not read this time
    c.update(11, 501, io(2, 0));
    c.end();
    EXPECT_EQ(c.live(), 2u);
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 102u);
    c.begin();
    c.update(10, 500, io(150, 0));
    c.update(11, 501, io(2, 0));
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 152u);  // not 252: 10 was never counted twice
}

TEST(TaskCounters, AFigureMissingThisTimeKeepsTheLastOne) {
    TaskCounters c;
    c.begin();
    c.update(10, 500, delay(40));
    c.end();
    c.begin();
    c.update(10, 500, TaskCounters::Values{});  // schedstat unreadable this time
    c.end();
    EXPECT_EQ(c.total(TaskCounters::runqueue_delay_ns), 40u);
    c.begin();
    c.update(10, 500, delay(30));  // a torn read never takes back
    c.end();
    EXPECT_EQ(c.total(TaskCounters::runqueue_delay_ns), 40u);
}

TEST(TaskCounters, AChildOfAFollowedProcessIsLeftToItsParent) {
    TaskCounters c;
    c.begin();
    c.update(1, 100, io(10, 0));                     // the batch script
    c.update(2, 101, io(500, 0), std::uint32_t{1});  // its child
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 510u);
    c.begin();
    c.update(1, 100, io(40, 0));  // 2 exited, not reaped yet; 1 read 30 bytes itself
    c.end();
    // 2's 500 are held for its parent, less what the parent grew meanwhile (its reap may
    // come in the same interval): the total lags 1's own 30 bytes until the reap, never down
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 510u);
    c.begin();
    c.update(1, 100, io(40 + 600, 0));  // reaped: 2's final 600 bytes are in 1's figures now
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 640u);  // not 1140
    c.begin();
    c.update(1, 100, io(650, 0));
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 650u);
}

TEST(TaskCounters, AChildWhoseParentIsGoneKeepsItsFigures) {
    TaskCounters c;
    c.begin();
    c.update(2, 101, io(500, 0), std::uint32_t{1});  // its parent 1 is not the job's
    c.update(3, 102, io(7, 0), std::uint32_t{1});
    c.end();
    c.begin();
    c.update(3, 102, io(7, 0), std::uint32_t{1});
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 507u);
}

TEST(TaskCounters, ATaskReapedByAnOutsideParentCountsItsLastInterval) {
    TaskCounters c;
    c.begin();
    EXPECT_TRUE(c.known_reapers().empty());
    c.update(2, 101, io(500, 0), std::uint32_t{1});  // a step's task; 1 is slurmstepd
    EXPECT_EQ(c.new_outside_parents(), std::vector<std::uint32_t>{1});
    c.update_reaper(1, 50, io(7, 0));  // its own past figures are not the job's
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 500u);
    c.begin();
    // 2 read 300 more bytes, exited, and was reaped: slurmstepd's figures grew by its
    // final 800, plus 2 bytes of its own (counted with the job: they are its step's)
    EXPECT_EQ(c.known_reapers(), std::vector<std::uint32_t>{1});
    c.update_reaper(1, 50, io(7 + 800 + 2, 0));
    EXPECT_TRUE(c.new_outside_parents().empty());
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 802u);
    c.begin();
    EXPECT_TRUE(c.known_reapers().empty());  // no task left, no reap owed: dropped
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 802u);
}

TEST(TaskCounters, AReapThatComesLaterIsAwaitedAndAGoneReaperLeavesTheLastFigures) {
    TaskCounters c;
    c.begin();
    c.update(2, 101, io(500, 0), std::uint32_t{1});
    c.update(3, 102, io(40, 0), std::uint32_t{9});
    EXPECT_EQ(c.new_outside_parents(), (std::vector<std::uint32_t>{1, 9}));
    c.update_reaper(1, 50, io(0, 0));
    c.update_reaper(9, 60, io(0, 0));
    c.end();
    c.begin();
    c.update_reaper(1, 50, io(0, 0));  // 2 and 3 exited, not reaped yet
    c.update_reaper(9, 60, io(0, 0));
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 540u);
    c.begin();
    EXPECT_EQ(c.known_reapers(), (std::vector<std::uint32_t>{1, 9}));  // both still owed a reap
    c.update_reaper(1, 50, io(650, 0));  // the reap: 150 bytes beyond the last sample
    c.end();                             // 9 was not read: it has gone, 3 keeps its 40
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 690u);
    c.begin();
    EXPECT_TRUE(c.known_reapers().empty());
    c.end();
    EXPECT_EQ(c.total(TaskCounters::read_bytes), 690u);
}

}  // namespace
}  // namespace fructosa
