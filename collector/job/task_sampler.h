#pragma once
/// The figures of a job that come from its tasks' own /proc files rather than from the
/// cgroup: run-queue delay always (no cgroup file has it per job), and storage I/O when
/// the job's cgroup has none (Slurm's cgroup v1 plugin makes no blkio cgroup; a v2 tree
/// may lack the io controller). One JobTaskSampler per job, kept between samples.
///
/// The run-queue delay is read per thread (/proc/<tid>/task/<tid>/{stat,schedstat}): no
/// other figure holds a thread's once it exits, so an exited thread keeps its last one.
/// The I/O is read per process (/proc/<pid>/{stat,io}): a process's figures hold its
/// exited threads and every child it reaped, so a process that lived less than an
/// interval still counts through its parent; TaskCounters hands such a child's figures
/// to its parent when the parent is followed (see there). A process whose parent is not in
/// the job (a step's task, child of slurmstepd) is counted through slurmstepd once it is
/// reaped, so what it did after the last sample before it exited is not missed either.
///
/// Cost: two small reads per thread and per process and sample, into buffers kept here;
/// at most `max_reads` threads and as many processes are read per sample
/// (kMaxTaskReadsPerSample: 4096 threads are about 8k reads, some ms of one core). The
/// tasks beyond it keep their last figures; the next sample starts where this one
/// stopped, so every task is read in turn. JobSample::tasks_skipped says how many were
/// not read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/job/task_counters.h"
#include "collector/system_reader.h"

namespace fructosa {

struct JobSample;

/// Threads, and processes, read per sample at most (see above).
inline constexpr std::size_t kMaxTaskReadsPerSample = 4096;

class JobTaskSampler {
public:
    explicit JobTaskSampler(std::size_t max_reads = kMaxTaskReadsPerSample) : max_reads_(max_reads) {}

    /// Filled by the cgroup sampler with the thread ids of the job's subtree (v1 `tasks`,
    /// v2 `cgroup.threads`), cleared at each sample.
    std::vector<std::uint32_t>& thread_ids() { return tids_; }
    /// The same for the process ids (`cgroup.procs`).
    std::vector<std::uint32_t>& process_ids() { return pids_; }

    /// Reads the listed tasks' files through `sys` and sets `s.runqueue_delay_ns`,
    /// `s.tasks_skipped` and, when this job's I/O comes from its processes,
    /// `s.io_read_bytes` and `s.io_write_bytes`. Which source the I/O comes from is decided
    /// at the first sample (the cgroup's figures when it has them) and kept, so a
    /// controller directory that goes away first at teardown does not switch sources.
    void sample(const SystemReader& sys, JobSample& s);

    std::size_t followed_threads() const { return threads_.live(); }
    std::size_t followed_processes() const { return processes_.live(); }

private:
    enum class IoSource { undecided, cgroup, processes };
    /// One thread's run-queue delay; nothing when it has gone (its stat is unreadable).
    void read_thread(const SystemReader& sys, std::uint32_t tid);
    /// One process's I/O bytes, the same way.
    void read_process(const SystemReader& sys, std::uint32_t pid);
    /// Those of `pids` that are slurmstepd, as reapers of the job's processes (see TaskCounters).
    void read_reapers(const SystemReader& sys, const std::vector<std::uint32_t>& pids);
    /// Reads up to max_reads_ of `ids` into `counters` from `*next` on and keeps the rest,
    /// with `reapers(pids)` before and after them (TaskCounters' order); returns how many
    /// were not read.
    template <typename Read, typename Reapers>
    std::size_t sample_list(const std::vector<std::uint32_t>& ids, std::size_t* next, TaskCounters& counters,
                            Read&& read, Reapers&& reapers);
    /// path_ = "/proc/<pid>/<file>", or "/proc/<tid>/task/<tid>/<file>" for a thread
    const std::string& proc_file(std::uint32_t id, const char* file, bool thread);

    std::size_t max_reads_;
    std::size_t next_thread_ = 0, next_process_ = 0;  ///< where the next bounded sample starts
    IoSource io_source_ = IoSource::undecided;
    TaskCounters threads_, processes_;
    std::vector<std::uint32_t> tids_, pids_;
    std::string path_, text_;  ///< reused: no allocation per task once they have grown
};

}  // namespace fructosa
