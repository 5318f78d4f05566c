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

}  // namespace
}  // namespace fructosa
