#pragma once
/// A bounded first-in-first-out log of records on disk: lagent keeps its unacknowledged
/// batches in one, lmaster what it has acknowledged but not yet handed to Graphite.
///
/// Layout: `<dir>/<segment>.seg` files (segment numbers in hex, 4 MiB each by default)
/// holding records `[u32 length][u32 points][length bytes]` (little-endian), and
/// `<dir>/commit` with the position before which every record is done (rewritten in place at most
/// every kCommitEvery, 1 s, and on a clean close: after a crash, at most the last second
/// committed is sent again, as bounded duplicates). Segments wholly before the commit
/// position (or before an older position the owner still wants to read back) are deleted. When the spool would exceed `max_bytes`, its
/// oldest segment is dropped and its points counted: oldest data goes first, never
/// silently. A record cut short by a crash is trimmed on open. No fsync: the spool
/// survives the death of the process (the page cache keeps it), not of the machine.

#include <chrono>
#include <compare>
#include <functional>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

struct SpoolPos {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;
    auto operator<=>(const SpoolPos&) const = default;
};

struct SpoolRecord {
    SpoolPos pos;   ///< where it starts
    SpoolPos next;  ///< where the record after it starts
    std::uint32_t points = 0;
    std::string data;
};

class SpoolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class DiskSpool {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    /// Opens (creating) the spool in `dir`; throws SpoolError naming the directory.
    /// `clock` paces the commit file (tests pass their own).
    DiskSpool(std::string dir, std::uint64_t max_bytes, std::uint64_t segment_bytes = 4u << 20,
              Clock clock = std::chrono::steady_clock::now);
    ~DiskSpool();
    DiskSpool(const DiskSpool&) = delete;
    DiskSpool& operator=(const DiskSpool&) = delete;

    /// Bytes a spool in `dir` holds beyond its commit position (records not yet sent), read
    /// without opening it for writing: nothing is created; 0 when there is no spool.
    static std::uint64_t unsent_bytes(const std::string& dir);

    /// Appends one record; returns where it starts. Throws SpoolError on a write error.
    SpoolPos append(std::string_view data, std::uint32_t points);
    /// The record at `at`, or the first one after it (also across segments, and from
    /// start() when `at` was dropped); nullopt at the end.
    std::optional<SpoolRecord> read(SpoolPos at) const;
    /// Every record before `upto` is done: deletes spent segments; the position is
    /// persisted at most every kCommitEvery (and on destruction).
    void commit(SpoolPos upto) { commit(upto, upto); }
    /// As commit(upto), but keeps the segments from `keep_from` on readable (a sender
    /// that may have to send records before `upto` again). Neither position goes back.
    void commit(SpoolPos upto, SpoolPos keep_from);
    static constexpr std::chrono::seconds kCommitEvery{1};
    /// The position in the commit file: where a restart after a crash resumes.
    SpoolPos persisted() const { return persisted_; }

    SpoolPos committed() const { return committed_; }
    SpoolPos start() const;  ///< the oldest position still stored
    SpoolPos end() const { return {tail_segment_, tail_size_}; }
    std::uint64_t bytes() const { return bytes_; }
    std::uint64_t dropped_points() const { return dropped_points_; }
    const std::string& dir() const { return dir_; }

private:
    std::string segment_path(std::uint64_t segment) const;
    /// Makes `segment` the tail (its torn end cut); throws SpoolError, changing nothing.
    void open_tail(std::uint64_t segment, bool create);
    void enforce_bound();
    void write_commit();

    std::string dir_;
    std::uint64_t max_bytes_;
    std::uint64_t segment_bytes_;
    std::vector<std::uint64_t> segments_;  ///< ascending
    std::uint64_t tail_segment_ = 0;
    std::uint64_t tail_size_ = 0;
    int tail_fd_ = -1;
    int commit_fd_ = -1;  ///< `<dir>/commit`, kept open and rewritten in place
    std::uint64_t bytes_ = 0;
    SpoolPos committed_;
    SpoolPos persisted_;
    Clock clock_;
    std::uint64_t dropped_points_ = 0;
    std::chrono::steady_clock::time_point commit_written_{};
    bool commit_dirty_ = false;
};

}  // namespace fructosa
