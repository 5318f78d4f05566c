#include "collector/job/task_sampler.h"

#include <charconv>

#include "collector/job/cgroup_sampler.h"
#include "collector/job/proc_task_files.h"

namespace fructosa {

const std::string& JobTaskSampler::thread_file(std::uint32_t tid, const char* file) {
    char id[16];
    auto end = std::to_chars(id, id + sizeof id, tid).ptr;
    path_.assign("/proc/");
    path_.append(id, end);
    path_.append("/task/");
    path_.append(id, end);
    path_.push_back('/');
    path_.append(file);
    return path_;
}

bool JobTaskSampler::read_thread(const SystemReader& sys, std::uint32_t tid, bool want_io) {
    if (!sys.read_file_into(thread_file(tid, "stat"), text_)) return false;
    auto start = proc::parse_stat_start_time(text_);
    if (!start) return false;
    TaskCounters::Values now;
    if (sys.read_file_into(thread_file(tid, "schedstat"), text_))
        now[TaskCounters::runqueue_delay_ns] = proc::parse_schedstat_run_delay(text_);
    if (want_io && sys.read_file_into(thread_file(tid, "io"), text_)) {
        if (auto io = proc::parse_io(text_)) {
            now[TaskCounters::read_bytes] = io->read_bytes;
            now[TaskCounters::write_bytes] = io->write_bytes;
        }
    }
    counters_.update(tid, *start, now);
    return true;
}

void JobTaskSampler::sample(const SystemReader& sys, JobSample& s) {
    if (io_source_ == IoSource::undecided)
        io_source_ = s.io_read_bytes || s.io_write_bytes ? IoSource::cgroup : IoSource::threads;
    const bool want_io = io_source_ == IoSource::threads;

    const std::size_t n = tids_.size();
    const std::size_t reads = std::min(n, max_reads_);
    const std::size_t first = n > max_reads_ ? next_ % n : 0;
    counters_.begin();
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t tid = tids_[(first + i) % n];
        if (i < reads)
            read_thread(sys, tid, want_io);  // a thread that has gone is retired by end()
        else
            counters_.keep(tid);
    }
    counters_.end();
    next_ = first + reads;

    s.tasks_skipped = n - reads;
    s.runqueue_delay_ns = counters_.total(TaskCounters::runqueue_delay_ns);
    if (want_io) {
        s.io_read_bytes = counters_.total(TaskCounters::read_bytes);
        s.io_write_bytes = counters_.total(TaskCounters::write_bytes);
        s.io_read_ops.reset();  // a thread's syscall counts are not block-layer operations
        s.io_write_ops.reset();
    }
}

}  // namespace fructosa
