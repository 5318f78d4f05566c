#include "collector/job/task_sampler.h"

#include <gtest/gtest.h>

#include "collector/job/cgroup_sampler.h"
#include "collector/job/job_metrics.h"
#include "tests/unit/collector/fixture_system_reader.h"
#include "tests/unit/collector/job_tracker_harness.h"

namespace fructosa {
namespace {

// The fixtures' /proc files (see their README.md), v1 job_42:
//   threads 1990 (step_batch), 2001 2002 2003 2004 2010 (step_0), run-queue delay
//   1 + 2 + 0.5 + 0.25 + (2004: "0 0 0", not measured) + 0.25 s = 4 s;
//   processes 1990 (the batch script, parent of the others), 2001, 2002 (threads 2002-2004),
//   2010: read_bytes 4096 + 1048576 + 8192 + 0, write_bytes 0 + 2097152 + 4096 + 1048576.
const std::string kV1 = std::string(FIXTURE_DIR) + "/cgroup_v1";
const std::string kV2 = std::string(FIXTURE_DIR) + "/cgroup_v2";
constexpr std::uint64_t kV1Delay = 4'000'000'000;
constexpr std::uint64_t kV1Read = 4096 + 1048576 + 8192;
constexpr std::uint64_t kV1Write = 2097152 + 4096 + 1048576;
const std::string kFreezer42 = "/sys/fs/cgroup/freezer/slurm_n1/uid_1000/job_42";

/// job_42 as Slurm's v1 plugin makes it: no blkio cgroup.
JobCgroupPaths v1_job_42(std::vector<std::string> controllers = {"cpuacct", "memory", "freezer"}) {
    JobCgroupPaths p;
    p.version = CgroupVersion::v1;
    p.job_id = 42;
    for (const auto& c : controllers) p.v1[c] = "/sys/fs/cgroup/" + c + "/slurm_n1/uid_1000/job_42";
    return p;
}

std::string thread_file(std::uint32_t tid, const std::string& file) {
    return "/proc/" + std::to_string(tid) + "/task/" + std::to_string(tid) + "/" + file;
}

std::string process_file(std::uint32_t pid, const std::string& file) {
    return "/proc/" + std::to_string(pid) + "/" + file;
}

std::string io_text(std::uint64_t read, std::uint64_t write) {
    return "rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: " + std::to_string(read) +
           "\nwrite_bytes: " + std::to_string(write) + "\ncancelled_write_bytes: 0\n";
}

std::string stat_text(std::uint32_t tid, std::uint64_t start) {
    return std::to_string(tid) + " (solver) S 1990 1990 1990 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 " +
           std::to_string(start) + " 0 0\n";
}

std::optional<double> value(const Readings& r, const std::string& field) {
    for (const auto& x : r)
        if (x.field == field) return x.value;
    return std::nullopt;
}

TEST(JobTaskSamplerV1, WithoutBlkioTheTasksGiveIoAndRunQueueDelay) {
    test::FixtureSystemReader sys(kV1);
    JobTaskSampler tasks;
    auto s = sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    EXPECT_TRUE(s.problems.empty());
    EXPECT_EQ(s.threads, 6u);  // counted from the same `tasks` reads
    EXPECT_EQ(s.processes, 4u);
    EXPECT_EQ(s.runqueue_delay_ns, kV1Delay);
    EXPECT_EQ(s.io_read_bytes, kV1Read);
    EXPECT_EQ(s.io_write_bytes, kV1Write);
    EXPECT_FALSE(s.io_read_ops);  // syscr/syscw count system calls, not block operations
    EXPECT_FALSE(s.io_write_ops);
    EXPECT_EQ(s.tasks_skipped, 0u);
    EXPECT_EQ(tasks.followed_threads(), 6u);
    EXPECT_EQ(tasks.followed_processes(), 4u);
}

TEST(JobTaskSamplerV1, WithoutATaskSamplerNothingComesFromProc) {
    test::FixtureSystemReader sys(kV1);
    auto s = sample_job_cgroup(sys, v1_job_42(), 1000.0);
    EXPECT_FALSE(s.runqueue_delay_ns);
    EXPECT_FALSE(s.io_read_bytes);  // no blkio cgroup: not measured, not 0
    EXPECT_FALSE(s.tasks_skipped);
    EXPECT_EQ(s.threads, 6u);
}

TEST(JobTaskSamplerV1, BlkioFiguresStayTheJobsIo) {
    test::FixtureSystemReader sys(kV1);
    JobTaskSampler tasks;
    auto s = sample_job_cgroup(sys, v1_job_42({"cpuacct", "memory", "blkio", "freezer"}), 0, &tasks);
    EXPECT_EQ(s.io_read_bytes, 11534336u);  // blkio's recursive files, as without /proc
    EXPECT_EQ(s.io_read_ops, 110u);
    EXPECT_EQ(s.runqueue_delay_ns, kV1Delay);
    EXPECT_EQ(tasks.followed_processes(), 0u);  // the I/O is blkio's: no process read
}

TEST(JobTaskSamplerV1, AnExitedChildCountsOnceThroughItsParentAndRatesFollow) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    JobTaskSampler tasks;
    JobMetrics metrics(4);
    auto first = sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    metrics.update(first);
    EXPECT_EQ(tasks.followed_processes(), 4u);

    // 10 s later: 2010 (1 MiB written, a child of the batch script 1990) has exited and
    // is gone from the lists and /proc, not yet reaped; 2001 wrote 10 MB more, and its
    // thread waited 10 s more on the run queue (one thread waiting all the time).
    sys.set_file(kFreezer42 + "/step_0/tasks", "2001\n2002\n2003\n2004\n");
    sys.set_file(kFreezer42 + "/step_0/cgroup.procs", "2001\n2002\n");
    sys.hide("2010");
    sys.set_file(process_file(2001, "io"), io_text(1048576, 2097152 + 10'000'000));
    sys.set_file(thread_file(2001, "schedstat"), "999 12000000000 40\n");
    auto second = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(second.threads, 5u);
    EXPECT_EQ(tasks.followed_threads(), 5u);
    EXPECT_EQ(tasks.followed_processes(), 3u);
    EXPECT_EQ(second.io_write_bytes, kV1Write + 10'000'000);  // 2010's 1 MiB still counted
    EXPECT_EQ(second.io_read_bytes, kV1Read);
    EXPECT_EQ(second.runqueue_delay_ns, kV1Delay + 10'000'000'000);

    auto r = metrics.update(second);
    EXPECT_DOUBLE_EQ(value(r, "io.write_bytes").value(), double(kV1Write + 10'000'000));
    EXPECT_DOUBLE_EQ(value(r, "io.write_bytes_per_s").value(), 1'000'000.0);
    EXPECT_DOUBLE_EQ(value(r, "io.read_bytes_per_s").value(), 0.0);
    EXPECT_DOUBLE_EQ(value(r, "cpu.runqueue_delay_percent").value(), 100.0);
    EXPECT_DOUBLE_EQ(value(r, "tasks.skipped").value(), 0.0);
    EXPECT_FALSE(value(r, "io.read_ops"));

    // 1990 reaps 2010: its /proc/1990/io now holds 2010's 1 MiB, which is not counted again
    sys.set_file(process_file(1990, "io"), io_text(4096, 1048576));
    auto third = sample_job_cgroup(sys, v1_job_42(), 1020.0, &tasks);
    EXPECT_EQ(third.io_write_bytes, kV1Write + 10'000'000);
    // 1990 writes 5 bytes more: they count
    sys.set_file(process_file(1990, "io"), io_text(4096, 1048576 + 5));
    EXPECT_EQ(sample_job_cgroup(sys, v1_job_42(), 1030.0, &tasks).io_write_bytes, kV1Write + 10'000'005);
}

TEST(JobTaskSamplerV1, AnExitedProcessWhoseParentIsNotInTheJobKeepsItsBytes) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    JobTaskSampler tasks;
    sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    // the batch script 1990 (parent 1980: slurmstepd, outside the job) exits; 2010 writes more
    sys.set_file(kFreezer42 + "/step_batch/tasks", "");
    sys.set_file(kFreezer42 + "/step_batch/cgroup.procs", "");
    sys.hide("1990");
    sys.set_file(process_file(2010, "io"), io_text(0, 1048576 + 100));
    auto s = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(tasks.followed_processes(), 3u);
    EXPECT_EQ(s.io_read_bytes, kV1Read);  // 1990's 4096 read bytes kept
    EXPECT_EQ(s.io_write_bytes, kV1Write + 100);
    EXPECT_EQ(s.runqueue_delay_ns, kV1Delay);  // its thread's 1 s kept too
}

/// The batch script 1990's parent 1980 as slurmstepd (or another program) in /proc.
void add_parent_1980(test::CgroupOverlay& sys, const std::string& comm, std::uint64_t write) {
    sys.set_file(process_file(1980, "stat"),
                 "1980 (" + comm + ") S 1 1980 1980 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4900 0 0\n");
    sys.set_file(process_file(1980, "io"), io_text(0, write));
}

TEST(JobTaskSamplerV1, AProcessReapedBySlurmstepdCountsWhatItWroteAfterTheLastSample) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    add_parent_1980(sys, "slurmstepd", 300);
    JobTaskSampler tasks;
    sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    // the batch script 1990 writes 5000 bytes more, exits, and slurmstepd reaps it:
    // slurmstepd's figures grow by 1990's final write_bytes (0 + 5000)
    sys.set_file(kFreezer42 + "/step_batch/tasks", "");
    sys.set_file(kFreezer42 + "/step_batch/cgroup.procs", "");
    sys.hide("1990");
    add_parent_1980(sys, "slurmstepd", 300 + 5000);
    auto s = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(s.io_write_bytes, kV1Write + 5000);
    EXPECT_EQ(s.io_read_bytes, kV1Read);  // 1990's 4096 read bytes, paid back by the reap: once
}

TEST(JobTaskSamplerV1, AnOutsideParentThatIsNotSlurmstepdIsNotRead) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    add_parent_1980(sys, "systemd", 300);
    JobTaskSampler tasks;
    sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    sys.set_file(kFreezer42 + "/step_batch/tasks", "");
    sys.set_file(kFreezer42 + "/step_batch/cgroup.procs", "");
    sys.hide("1990");
    add_parent_1980(sys, "systemd", 300 + 5000 + 1'000'000);  // whatever init reaps is not the job's
    auto s = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(s.io_write_bytes, kV1Write);
}

TEST(JobTaskSamplerV1, AReusedPidWithANewStartTimeIsANewProcess) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    JobTaskSampler tasks;
    sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    // 2010 exited, 1990 reaped it (its 1 MiB is in 1990's figures now), and its id went to
    // a new process of the job that has written 4096 bytes: the new one's 4096 come on
    // top (taken as the same process, max() would have kept 1 MiB and added nothing).
    sys.set_file(process_file(1990, "io"), io_text(4096, 1048576));
    for (const auto& stat : {process_file(2010, "stat"), thread_file(2010, "stat")})
        sys.set_file(stat, stat_text(2010, 9999));
    sys.set_file(process_file(2010, "io"), io_text(0, 4096));
    sys.set_file(thread_file(2010, "schedstat"), "10 20 1\n");
    auto s = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(s.io_write_bytes, kV1Write + 4096);
    EXPECT_EQ(s.runqueue_delay_ns, kV1Delay + 20);  // the old thread's 0.25 s kept, the new one's 20 ns added
    EXPECT_EQ(tasks.followed_threads(), 6u);
    EXPECT_EQ(tasks.followed_processes(), 4u);
}

TEST(JobTaskSamplerV1, TheReadBoundCountsSkipsAndReadsEveryThreadInTurn) {
    test::FixtureSystemReader sys(kV1);
    JobTaskSampler tasks(4);  // threads in list order: 2001 2002 2003 2004 2010 (step_0), 1990 (step_batch)
    auto first = sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    EXPECT_EQ(first.tasks_skipped, 2u);  // 6 threads, 4 processes: 2 threads not read
    EXPECT_EQ(first.runqueue_delay_ns, 2'750'000'000u);  // 2001 2002 2003 (2004 unmeasured)
    EXPECT_EQ(tasks.followed_threads(), 4u);
    auto second = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(second.tasks_skipped, 2u);
    EXPECT_EQ(second.runqueue_delay_ns, kV1Delay);  // 2010 and 1990 now; the others kept
    EXPECT_EQ(second.io_write_bytes, kV1Write);
    EXPECT_EQ(tasks.followed_threads(), 6u);
}

TEST(JobTaskSamplerV1, AThreadWhoseFilesVanishedIsRetiredWithItsFigures) {
    test::FixtureSystemReader base(kV1);
    test::CgroupOverlay sys(base);
    JobTaskSampler tasks;
    sample_job_cgroup(sys, v1_job_42(), 1000.0, &tasks);
    sys.hide("2001");  // still listed, but gone by the time its files are read
    auto s = sample_job_cgroup(sys, v1_job_42(), 1010.0, &tasks);
    EXPECT_EQ(tasks.followed_threads(), 5u);
    EXPECT_EQ(s.io_write_bytes, kV1Write);
    EXPECT_EQ(s.runqueue_delay_ns, kV1Delay);
}

TEST(JobTaskSamplerV2, ReadsCgroupThreadsButNotSlurmstepd) {
    test::FixtureSystemReader sys(kV2);
    JobCgroupPaths p;
    p.version = CgroupVersion::v2;
    p.job_id = 7;
    p.unified = "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_7";
    JobTaskSampler tasks;
    auto s = sample_job_cgroup(sys, p, 50.0, &tasks);
    // threads 3010 3011 3012 3020 2995: 3 + 1 + 0.5 + 0.5 + 0 s; slurmstepd's 3000 and
    // 2990 (900 s each) sit in step_*/slurm and are not the job's
    EXPECT_EQ(s.runqueue_delay_ns, 5'000'000'000u);
    EXPECT_EQ(tasks.followed_threads(), 5u);
    EXPECT_EQ(s.tasks_skipped, 0u);
    EXPECT_EQ(s.io_read_bytes, 1048576u + 4096u);  // io.stat, not the threads
    EXPECT_EQ(s.io_read_ops, 17u);
}

TEST(JobTaskSamplerV2, NoThreadListNoTaskFigures) {
    test::FixtureSystemReader base(kV2);
    test::CgroupOverlay sys(base);
    sys.hide("cgroup.threads");  // a kernel or tree without the thread lists
    JobCgroupPaths p;
    p.version = CgroupVersion::v2;
    p.job_id = 7;
    p.unified = "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_7";
    JobTaskSampler tasks;
    auto s = sample_job_cgroup(sys, p, 0, &tasks);
    EXPECT_TRUE(s.present);
    EXPECT_EQ(s.processes, 4u);
    EXPECT_FALSE(s.tasks_skipped);
    EXPECT_FALSE(s.runqueue_delay_ns);
    EXPECT_EQ(tasks.followed_threads(), 0u);
    EXPECT_EQ(s.io_read_bytes, 1048576u + 4096u);
}

}  // namespace
}  // namespace fructosa
