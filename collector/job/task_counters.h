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
/// A process whose parent is outside the job (a step's tasks, started by slurmstepd) would
/// lose what it did between the last sample and its exit. So the sampler also reads those
/// parents when they are slurmstepd (update_reaper()): slurmstepd's /proc/<pid>/io takes
/// in each task it reaps, and its growth beyond the exited tasks' last figures is that
/// lost tail, which joins the total. slurmstepd's own few bytes (its log and spool
/// files) are counted with it; any other outside parent (init, after a daemonising
/// fork) is never read, since its growth is not the job's.
///
/// Use: begin(), update_reaper() for the known_reapers(), then for each task listed in
/// the job's cgroup either update() (its files were read) or keep() (listed but not read
/// this time), then update_reaper() for the new_outside_parents() that are slurmstepd,
/// then end().

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

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
    /// The reapers followed so far: read them right after begin(), before the tasks, so
    /// that a task reaped during the sample is either in their growth or gone from the
    /// task reads, never both.
    std::vector<std::uint32_t> known_reapers() const;
    /// Parents outside the job of the tasks updated now that are not reapers yet: read
    /// them after the tasks, for the figures their growth is measured from.
    std::vector<std::uint32_t> new_outside_parents() const;
    /// `pid`, an outside parent that reaps the job's tasks (slurmstepd), has these counters now.
    void update_reaper(std::uint32_t pid, std::uint64_t start_ticks, const Values& now);
    /// Tasks neither updated nor kept since begin() have exited: their figures move to
    /// the exited total, or are left to their followed parent or reaper.
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

    /// Moves an exited task's figures to `parent`'s pending ones, or to the exited total.
    void retire(const Entry& e, Entry* parent);

    std::map<Key, Entry> live_;
    std::map<Key, Entry> reapers_;  ///< outside parents read (slurmstepd); their values are not the job's
    std::array<std::uint64_t, kCounters> exited_{};
    std::array<std::uint64_t, kCounters> totals_{};  ///< as of the last end(), never decreasing
    std::array<bool, kCounters> measured_{};        ///< some task ever had the counter
    std::uint64_t generation_ = 0;
};

}  // namespace fructosa
