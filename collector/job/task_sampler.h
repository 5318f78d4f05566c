#pragma once
/// The figures of a job that come from its threads' own /proc files rather than from the
/// cgroup: run-queue delay always (no cgroup file has it per job), and storage I/O when
/// the job's cgroup has none (Slurm's cgroup v1 plugin makes no blkio cgroup; a v2 tree
/// may lack the io controller). One JobTaskSampler per job, kept between samples.
///
/// Every thread is read in its own files (/proc/<tid>/task/<tid>/{stat,schedstat,io}):
/// a process's /proc/<pid>/io also holds the I/O of the children it has reaped, so the
/// sum over processes would count a finished child twice (once as an exited process,
/// once in its parent). A thread's figures stop at its last sample: what an exiting
/// thread did after it is not counted.
///
/// Cost: three small reads per thread and sample, into buffers kept here; at most
/// `max_reads` threads are read per sample (kMaxTaskReadsPerSample: 4096 threads is
/// about 12k reads, a few tens of milliseconds of one core). The threads beyond it keep
/// their last figures; the next sample starts where this one stopped, so every thread is
/// read in turn. JobSample::tasks_skipped says how many were not read.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "collector/job/task_counters.h"
#include "collector/system_reader.h"

namespace fructosa {

struct JobSample;

/// Threads read per sample at most (see above).
inline constexpr std::size_t kMaxTaskReadsPerSample = 4096;

class JobTaskSampler {
public:
    explicit JobTaskSampler(std::size_t max_reads = kMaxTaskReadsPerSample) : max_reads_(max_reads) {}

    /// Filled by the cgroup sampler with the thread ids of the job's subtree (v1 `tasks`,
    /// v2 `cgroup.threads`), cleared at each sample.
    std::vector<std::uint32_t>& thread_ids() { return tids_; }

    /// Reads the listed threads' files through `sys` and sets `s.runqueue_delay_ns`,
    /// `s.tasks_skipped` and, when this job's I/O comes from its threads, `s.io_read_bytes`
    /// and `s.io_write_bytes`. Which source the I/O comes from is decided at the first
    /// sample (the cgroup's figures when it has them) and kept, so a controller directory
    /// that goes away first at teardown does not switch sources mid-job.
    void sample(const SystemReader& sys, JobSample& s);

    std::size_t followed_threads() const { return counters_.live(); }

private:
    enum class IoSource { undecided, cgroup, threads };
    /// Reads one thread's files; false when it has gone (its stat is unreadable).
    bool read_thread(const SystemReader& sys, std::uint32_t tid, bool want_io);
    /// path_ = "/proc/<tid>/task/<tid>/<file>"
    const std::string& thread_file(std::uint32_t tid, const char* file);

    std::size_t max_reads_;
    std::size_t next_ = 0;  ///< where the next bounded sample starts in the thread list
    IoSource io_source_ = IoSource::undecided;
    TaskCounters counters_;
    std::vector<std::uint32_t> tids_;
    std::string path_, text_;  ///< reused: no allocation per thread once they have grown
};

}  // namespace fructosa
