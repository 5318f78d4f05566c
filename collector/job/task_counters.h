#pragma once
/// Cumulative per-thread counters summed over a job's threads, across samples. A thread
/// that exits keeps the last figures seen for it in the total, so the job's totals never
/// go backwards while its threads come and go. Threads are named by id AND start time
/// (field 22 of /proc/<tid>/stat): a reused id with a new start time is a new thread,
/// and the old one's figures are kept as an exited thread's.
///
/// Use: begin(), then for each thread listed in the job's cgroup either update() (its
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
    /// The thread `tid` started at `start_ticks` has these counters now; an absent value
    /// leaves the one last seen.
    void update(std::uint32_t tid, std::uint64_t start_ticks, const Values& now);
    /// `tid` is still listed but was not read: whatever was known of it stays live.
    void keep(std::uint32_t tid);
    /// Threads neither updated nor kept since begin() have exited: their figures move to
    /// the exited total.
    void end();

    /// Live plus exited threads' figures; nullopt until some thread had this counter.
    std::optional<std::uint64_t> total(Counter c) const;
    /// Threads followed now (the size of the per-thread map).
    std::size_t live() const { return live_.size(); }

private:
    struct Key {
        std::uint32_t tid;
        std::uint64_t start;
        auto operator<=>(const Key&) const = default;
    };
    struct Entry {
        Values values;
        std::uint64_t generation = 0;
    };
    void retire(const Entry& e);

    std::map<Key, Entry> live_;
    std::array<std::uint64_t, kCounters> exited_{};
    std::array<bool, kCounters> measured_{};  ///< some thread ever had the counter
    std::uint64_t generation_ = 0;
};

}  // namespace fructosa
