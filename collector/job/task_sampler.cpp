#include "collector/job/task_sampler.h"

#include <charconv>

#include "collector/job/cgroup_sampler.h"
#include "collector/job/proc_task_files.h"

namespace fructosa {

const std::string& JobTaskSampler::proc_file(std::uint32_t id, const char* file, bool thread) {
    char digits[16];
    auto end = std::to_chars(digits, digits + sizeof digits, id).ptr;
    path_.assign("/proc/");
    path_.append(digits, end);
    if (thread) {
        path_.append("/task/");
        path_.append(digits, end);
    }
    path_.push_back('/');
    path_.append(file);
    return path_;
}

void JobTaskSampler::read_thread(const SystemReader& sys, std::uint32_t tid) {
    if (!sys.read_file_into(proc_file(tid, "stat", true), text_)) return;
    auto stat = proc::parse_stat(text_);
    if (!stat) return;
    TaskCounters::Values now;
    if (sys.read_file_into(proc_file(tid, "schedstat", true), text_))
        now[TaskCounters::runqueue_delay_ns] = proc::parse_schedstat_run_delay(text_);
    threads_.update(tid, stat->start_ticks, now);
}

void JobTaskSampler::read_process(const SystemReader& sys, std::uint32_t pid) {
    if (!sys.read_file_into(proc_file(pid, "stat", false), text_)) return;
    auto stat = proc::parse_stat(text_);
    if (!stat) return;
    TaskCounters::Values now;
    if (sys.read_file_into(proc_file(pid, "io", false), text_)) {
        if (auto io = proc::parse_io(text_)) {
            now[TaskCounters::read_bytes] = io->read_bytes;
            now[TaskCounters::write_bytes] = io->write_bytes;
        }
    }
    processes_.update(pid, stat->start_ticks, now, stat->ppid);
}

void JobTaskSampler::read_reapers(const SystemReader& sys, const std::vector<std::uint32_t>& pids) {
    for (std::uint32_t pid : pids) {
        if (!sys.read_file_into(proc_file(pid, "stat", false), text_)) continue;
        auto stat = proc::parse_stat(text_);
        if (!stat || stat->comm != "slurmstepd") continue;
        TaskCounters::Values now;
        if (!sys.read_file_into(proc_file(pid, "io", false), text_)) continue;
        auto io = proc::parse_io(text_);
        if (!io) continue;
        now[TaskCounters::read_bytes] = io->read_bytes;
        now[TaskCounters::write_bytes] = io->write_bytes;
        processes_.update_reaper(pid, stat->start_ticks, now);
    }
}

template <typename Read, typename Reapers>
std::size_t JobTaskSampler::sample_list(const std::vector<std::uint32_t>& ids, std::size_t* next,
                                        TaskCounters& counters, Read&& read, Reapers&& reapers) {
    const std::size_t n = ids.size();
    const std::size_t reads = std::min(n, max_reads_);
    const std::size_t first = n > max_reads_ ? *next % n : 0;
    counters.begin();
    reapers(counters.known_reapers());
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t id = ids[(first + i) % n];
        if (i < reads)
            read(id);  // a task that has gone is left out, and end() retires it
        else
            counters.keep(id);
    }
    reapers(counters.new_outside_parents());
    counters.end();
    *next = first + reads;
    return n - reads;
}

void JobTaskSampler::sample(const SystemReader& sys, JobSample& s) {
    if (io_source_ == IoSource::undecided)
        io_source_ = s.io_read_bytes || s.io_write_bytes ? IoSource::cgroup : IoSource::processes;

    std::size_t skipped =
        sample_list(tids_, &next_thread_, threads_, [&](std::uint32_t tid) { read_thread(sys, tid); },
                    [](const std::vector<std::uint32_t>&) {});
    s.runqueue_delay_ns = threads_.total(TaskCounters::runqueue_delay_ns);

    if (io_source_ == IoSource::processes) {
        skipped += sample_list(
            pids_, &next_process_, processes_, [&](std::uint32_t pid) { read_process(sys, pid); },
            [&](const std::vector<std::uint32_t>& pids) { read_reapers(sys, pids); });
        s.io_read_bytes = processes_.total(TaskCounters::read_bytes);
        s.io_write_bytes = processes_.total(TaskCounters::write_bytes);
        s.io_read_ops.reset();  // a process's syscall counts are not block-layer operations
        s.io_write_ops.reset();
    }
    s.tasks_skipped = skipped;
}

}  // namespace fructosa
