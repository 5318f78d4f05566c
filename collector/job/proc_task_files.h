#pragma once
/// Parsers for the per-thread /proc files the job sampler reads when the cgroup itself
/// lacks a figure (cgroup v1 without blkio, v2 without io.stat) or has none at all (run
/// queue delay). Pure functions on the file text; nullopt when the text is not in the
/// kernel's format.

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

namespace fructosa::proc {

/// What the job sampler takes from /proc/<pid>/stat: field 4 (the parent's pid) and field
/// 22 (when the task started, in clock ticks after boot: with the pid it names one task
/// for good, since the kernel reuses pids).
struct TaskStat {
    std::uint32_t ppid = 0;
    std::uint64_t start_ticks = 0;
    std::string comm;  ///< field 2 without its parentheses, e.g. "slurmstepd"
    bool operator==(const TaskStat&) const = default;
};
/// The command name (field 2) runs to the last ')', as it may hold spaces and parentheses.
std::optional<TaskStat> parse_stat(std::string_view text);

/// The second field of /proc/<tid>/schedstat: nanoseconds the thread waited on a run
/// queue. A kernel without scheduler statistics shows "0 0 0", read as nullopt (not
/// measured) rather than as no waiting.
std::optional<std::uint64_t> parse_schedstat_run_delay(std::string_view text);

/// Storage-layer bytes of /proc/<pid>/io (read_bytes, write_bytes): what reached or came
/// from the block layer, the meaning blkio and io.stat have. rchar/wchar (any read(2),
/// pipes and page cache included) and syscr/syscw (system call counts) are not read.
/// A process's figures hold its exited threads and the children it has reaped.
struct TaskIo {
    std::uint64_t read_bytes = 0;
    std::uint64_t write_bytes = 0;
    bool operator==(const TaskIo&) const = default;
};
std::optional<TaskIo> parse_io(std::string_view text);

/// Appends the ids of a cgroup.procs / cgroup.threads / tasks file (one number a line)
/// to `out`; a line that is not a number is skipped. Returns the number of non-empty
/// lines, which is what the thread and process counts use.
std::size_t append_ids(std::string_view text, std::vector<std::uint32_t>& out);

}  // namespace fructosa::proc
