#include "common/disk_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "common/directories.h"

namespace fructosa {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kHeader = 8;
constexpr std::uint32_t kMaxRecord = 64u << 20;

std::uint32_t get_u32(const unsigned char* p) {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

void put_u32(unsigned char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<unsigned char>(v >> (8 * i));
}

/// Reads exactly n bytes at off; false at or past the end of the data.
bool pread_all(int fd, void* buf, std::size_t n, std::uint64_t off) {
    auto* p = static_cast<char*>(buf);
    while (n > 0) {
        ssize_t r = ::pread(fd, p, n, static_cast<off_t>(off));
        if (r <= 0) return false;
        p += r;
        n -= static_cast<std::size_t>(r);
        off += static_cast<std::uint64_t>(r);
    }
    return true;
}

/// The byte length of the whole records at the start of a segment (a torn tail is cut).
std::uint64_t valid_length(int fd, std::uint64_t size, std::uint32_t* points = nullptr) {
    std::uint64_t off = 0;
    unsigned char h[kHeader];
    while (off + kHeader <= size && pread_all(fd, h, kHeader, off)) {
        std::uint32_t len = get_u32(h);
        if (len > kMaxRecord || off + kHeader + len > size) break;
        if (points) *points += get_u32(h + 4);
        off += kHeader + len;
    }
    return off;
}

}  // namespace

DiskSpool::DiskSpool(std::string dir, std::uint64_t max_bytes, std::uint64_t segment_bytes, Clock clock)
    : dir_(std::move(dir)), max_bytes_(max_bytes), segment_bytes_(segment_bytes), clock_(std::move(clock)) {
    try {
        ensure_directory(dir_, "the spool");
    } catch (const std::runtime_error& e) {
        throw SpoolError(fmt::format("spool {}: {}", dir_, e.what()));
    }
    std::error_code ec;
    if (::access(dir_.c_str(), W_OK) != 0)
        throw SpoolError(fmt::format("spool {}: not writable: {}", dir_, std::strerror(errno)));
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        std::string name = e.path().filename().string();
        if (name.size() == 20 && name.ends_with(".seg"))
            segments_.push_back(std::stoull(name.substr(0, 16), nullptr, 16));
    }
    std::sort(segments_.begin(), segments_.end());
    if (std::ifstream in(dir_ + "/commit"); in) in >> committed_.segment >> committed_.offset;
    for (auto s : segments_) bytes_ += fs::file_size(segment_path(s), ec);
    if (segments_.empty()) {
        open_tail(std::max<std::uint64_t>(committed_.segment, 1), true);
        segments_.push_back(tail_segment_);
    } else {
        open_tail(segments_.back(), false);
    }
    if (committed_ < start()) committed_ = start();
    persisted_ = committed_;
}

std::uint64_t DiskSpool::unsent_bytes(const std::string& dir) {
    std::error_code ec;
    SpoolPos committed;
    if (std::ifstream in(dir + "/commit"); in) in >> committed.segment >> committed.offset;
    std::uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (name.size() != 20 || !name.ends_with(".seg")) continue;
        std::uint64_t segment = std::strtoull(name.substr(0, 16).c_str(), nullptr, 16);
        std::uint64_t size = fs::file_size(e.path(), ec);
        if (ec) continue;
        if (segment > committed.segment) total += size;
        else if (segment == committed.segment && size > committed.offset) total += size - committed.offset;
    }
    return total;
}

DiskSpool::~DiskSpool() {
    if (commit_dirty_) write_commit();
    if (tail_fd_ >= 0) ::close(tail_fd_);
    if (commit_fd_ >= 0) ::close(commit_fd_);
}

std::string DiskSpool::segment_path(std::uint64_t segment) const {
    return fmt::format("{}/{:016x}.seg", dir_, segment);
}

void DiskSpool::open_tail(std::uint64_t segment, bool create) {
    // Opened before anything changes: a segment that cannot be created (no space, no
    // descriptor) leaves the spool as it was, still appending to its old tail.
    std::string path = segment_path(segment);
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0) throw SpoolError(fmt::format("spool {}: cannot open: {}", path, std::strerror(errno)));
    if (tail_fd_ >= 0) ::close(tail_fd_);
    tail_fd_ = fd;
    tail_segment_ = segment;
    struct stat st {};
    ::fstat(tail_fd_, &st);
    std::uint64_t size = static_cast<std::uint64_t>(st.st_size);
    tail_size_ = valid_length(tail_fd_, size);
    if (tail_size_ < size) {  // a record torn by a crash
        if (::ftruncate(tail_fd_, static_cast<off_t>(tail_size_)) != 0) {
        }
        bytes_ -= size - tail_size_;
    }
}

SpoolPos DiskSpool::start() const { return {segments_.front(), 0}; }

SpoolPos DiskSpool::append(std::string_view data, std::uint32_t points) {
    if (tail_size_ > 0 && tail_size_ + kHeader + data.size() > segment_bytes_) {
        open_tail(tail_segment_ + 1, true);
        segments_.push_back(tail_segment_);
    }
    SpoolPos pos{tail_segment_, tail_size_};
    std::string rec(kHeader, '\0');
    put_u32(reinterpret_cast<unsigned char*>(rec.data()), static_cast<std::uint32_t>(data.size()));
    put_u32(reinterpret_cast<unsigned char*>(rec.data()) + 4, points);
    rec.append(data);
    std::size_t done = 0;
    while (done < rec.size()) {
        ssize_t n = ::write(tail_fd_, rec.data() + done, rec.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = errno;
            if (::ftruncate(tail_fd_, static_cast<off_t>(tail_size_)) != 0) {
            }
            throw SpoolError(fmt::format("spool {}: write failed: {}", dir_, std::strerror(err)));
        }
        done += static_cast<std::size_t>(n);
    }
    tail_size_ += rec.size();
    bytes_ += rec.size();
    enforce_bound();
    return pos;
}

void DiskSpool::enforce_bound() {
    while (bytes_ > max_bytes_ && segments_.size() > 1) {
        std::uint64_t victim = segments_.front();
        std::string path = segment_path(victim);
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        std::uint32_t points = 0;
        if (fd >= 0) {
            struct stat st {};
            ::fstat(fd, &st);
            valid_length(fd, static_cast<std::uint64_t>(st.st_size), &points);
            ::close(fd);
        }
        std::error_code ec;
        bytes_ -= std::min<std::uint64_t>(bytes_, fs::file_size(path, ec));
        fs::remove(path, ec);
        segments_.erase(segments_.begin());
        // Points already committed were delivered: only undelivered ones are lost.
        if (committed_.segment <= victim) dropped_points_ += points;
        if (committed_ < start()) {
            committed_ = start();
            write_commit();
        }
    }
}

std::optional<SpoolRecord> DiskSpool::read(SpoolPos at) const {
    if (at < start()) at = start();
    for (;;) {
        if (at.segment > tail_segment_) return std::nullopt;
        if (at.segment == tail_segment_ && at.offset >= tail_size_) return std::nullopt;
        if (!std::binary_search(segments_.begin(), segments_.end(), at.segment)) {
            at = {at.segment + 1, 0};
            continue;
        }
        std::string path = segment_path(at.segment);
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw SpoolError(fmt::format("spool {}: cannot read: {}", path, std::strerror(errno)));
        unsigned char h[kHeader];
        bool ok = pread_all(fd, h, kHeader, at.offset);
        std::uint32_t len = ok ? get_u32(h) : 0;
        SpoolRecord rec;
        if (ok && len <= kMaxRecord) {
            rec.data.resize(len);
            ok = pread_all(fd, rec.data.data(), len, at.offset + kHeader);
        } else {
            ok = false;
        }
        ::close(fd);
        if (!ok) {  // end of a full segment: go on with the next
            at = {at.segment + 1, 0};
            continue;
        }
        rec.pos = at;
        rec.points = get_u32(h + 4);
        rec.next = {at.segment, at.offset + kHeader + len};
        if (rec.next.segment != tail_segment_) {
            std::error_code ec;
            if (rec.next.offset >= fs::file_size(path, ec)) rec.next = {at.segment + 1, 0};
        }
        return rec;
    }
}

void DiskSpool::commit(SpoolPos upto, SpoolPos keep_from) {
    bool advanced = committed_ < upto;
    if (advanced) committed_ = upto;
    keep_from = std::min(keep_from, committed_);
    while (segments_.size() > 1 && segments_.front() < keep_from.segment) {
        std::error_code ec;
        std::string path = segment_path(segments_.front());
        bytes_ -= std::min<std::uint64_t>(bytes_, fs::file_size(path, ec));
        fs::remove(path, ec);
        segments_.erase(segments_.begin());
    }
    if (!advanced) return;
    if (keep_from.segment == tail_segment_ && keep_from.offset >= tail_size_ && tail_size_ >= segment_bytes_ / 4 &&
        segments_.size() == 1) {
        // Everything is done: start a fresh segment so the spool does not grow forever.
        std::error_code ec;
        std::string old = segment_path(tail_segment_);
        open_tail(tail_segment_ + 1, true);
        segments_ = {tail_segment_};
        fs::remove(old, ec);
        bytes_ = 0;
        committed_ = {tail_segment_, 0};
        write_commit();  // the old segment is gone: the file must not point into it
        return;
    }
    commit_dirty_ = true;
    if (clock_() - commit_written_ >= kCommitEvery) write_commit();
}

void DiskSpool::write_commit() {
    commit_written_ = clock_();
    commit_dirty_ = false;
    persisted_ = committed_;
    // Rewritten in place, every second, through one descriptor: always 42 bytes (two
    // right-aligned 20-digit numbers, read back with >>), so each write covers the whole
    // of the last one and no temporary file is created and renamed per commit (that was
    // most of lagent's file-system work). A process dying mid-write cannot tear 42 bytes
    // at offset 0 of the page cache; a machine crash is not what the spool survives.
    if (commit_fd_ < 0) commit_fd_ = ::open((dir_ + "/commit").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (commit_fd_ < 0) return;  // tried again at the next commit; the old position stays
    std::string line = fmt::format("{:>20} {:>20}\n", committed_.segment, committed_.offset);
    if (::pwrite(commit_fd_, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
        ::close(commit_fd_);
        commit_fd_ = -1;
    }
}

}  // namespace fructosa
