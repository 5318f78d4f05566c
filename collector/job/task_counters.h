#pragma once
/// Cumulative per-task counters summed over a job's tasks (threads or processes), across
/// samples. Tasks are named by id AND start time (field 22 of /proc/<pid>/stat): a reused
/// id with a new start time is a new task, and the old one counts as exited.
///
/// A task that exits keeps its last figures in the total. A process whose parent is still
/// one of the job's followed tasks hands them to the parent instead, as "pending": the
/// parent's /proc/<pid>/io takes in the figures of each child it reaps, and as the
/// parent's own figures grow, its pending ones shrink by as much, so a reaped child is
/// never counted twice and the total does not dip between the child's exit (it leaves
/// cgroup.procs at once) and its parent's wait(). The total never goes backwards.
///
/// Use: begin(), then for each task listed in the job's cgroup either update() (its
/// files were read) or keep() (listed but not read this time), then end().

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

namespace fructosa {

class TaskCounters {
public:
    enum Counter : std::size_t { read_bytes, write_bytes, runqueue_delay_ns, kCounters };
    using Values = std::array<std::optional<std::uint64_t>, kCounters>;

    void begin() { ++generation_; }
    /// The task `tid` started at `start_ticks` has these counters now; an absent value
    /// leaves the one last seen. `parent`: the pid whose counters will take this task's
    /// in when it exits (processes' /proc/<pid>/io); nullopt for threads.
    void update(std::uint32_t tid, std::uint64_t start_ticks, const Values& now,
                std::optional<std::uint32_t> parent = std::nullopt);
    /// `tid` is still listed but was not read: whatever was known of it stays live.
    void keep(std::uint32_t tid);
    /// Tasks neither updated nor kept since begin() have exited: their figures move to
    /// the exited total, or are left to their followed parent.
    void end();

    /// Live plus exited tasks' figures, never less than at the last end(); nullopt until
    /// some task had this counter.
    std::optional<std::uint64_t> total(Counter c) const;
    /// Tasks followed now (the size of the per-task map).
    std::size_t live() const { return live_.size(); }

private:
    struct Key {
        std::uint32_t tid;
        std::uint64_t start;
        auto operator<=>(const Key&) const = default;
    };
    struct Entry {
        Values values;
        std::array<std::uint64_t, kCounters> pending{};  ///< exited children's, until reaped
        std::array<std::uint64_t, kCounters> grown{};    ///< since the last end(): may be a reaped child's
        std::optional<std::uint32_t> parent;
        std::uint64_t generation = 0;
    };
    /// The entry of `tid` updated or kept in this sample, or nullptr.
    Entry* followed_now(std::uint32_t tid);

    std::map<Key, Entry> live_;
    std::array<std::uint64_t, kCounters> exited_{};
    std::array<std::uint64_t, kCounters> totals_{};  ///< as of the last end(), never decreasing
    std::array<bool, kCounters> measured_{};        ///< some task ever had the counter
    std::uint64_t generation_ = 0;
};

}  // namespace fructosa
