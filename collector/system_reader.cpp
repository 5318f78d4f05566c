#include "collector/system_reader.h"

#include "collector/link_watcher.h"
#include "collector/sock_diag.h"

#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <poll.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace fructosa {

namespace {

/// Reads `fd` from offset 0 with pread(2) until EOF into `out` (its buffer reused); 0, or
/// the errno of the failed read. /proc
/// and /sys files report size 0, and a sysfs attribute that fails to read (EINVAL from
/// an interface without speed) must count as absent rather than as an empty value.
///
/// With `short_read_is_whole`, a first read that returns less than both the buffer and a
/// page is the whole file, and the read that would return 0 at its end is not made.
/// That holds only where the kernel writes the whole text in one go (whole_in_one_read);
/// a /proc file listed record by record (vmstat, diskstats, mountstats) may return a
/// short read well before its end.
int read_from_start(int fd, std::string& out, bool short_read_is_whole) {
    static const std::size_t page = [] {
        long p = ::sysconf(_SC_PAGESIZE);
        return p > 0 ? static_cast<std::size_t>(p) : std::size_t{4096};
    }();
    std::size_t got = 0;
    if (out.capacity() < 4096) out.reserve(4096);
    for (;;) {
        if (out.size() < got + 4096) out.resize(std::max(out.capacity(), got + 4096));
        std::size_t want = out.size() - got;
        ssize_t n = ::pread(fd, out.data() + got, want, static_cast<off_t>(got));
        if (n < 0) {
            if (errno == EINTR) continue;
            out.clear();
            return errno;
        }
        if (n == 0) break;
        bool first = got == 0;
        got += static_cast<std::size_t>(n);
        if (short_read_is_whole && first && static_cast<std::size_t>(n) < want && got < page) break;
    }
    out.resize(got);
    return 0;
}


/// Only the kernel's files give fresh contents to a kept descriptor; a regular file may
/// be replaced by a rename and must be opened by name every time.
bool may_keep_open(const std::string& path) {
    return path.rfind("/proc/", 0) == 0 || path.rfind("/sys/", 0) == 0;
}

/// The mount tables, whose descriptors report a change of the table with POLLPRI.
bool is_mount_table(const std::string& path) {
    return path == "/proc/self/mounts" || path == "/proc/mounts" || path == "/proc/self/mountinfo";
}

/// True when the mount table behind `fd` changed since the last call (or cannot tell).
bool mount_table_changed(int fd) {
    pollfd p{fd, POLLPRI, 0};
    int n = ::poll(&p, 1, 0);
    return n != 0;  // an error counts as a change: read it
}

}  // namespace

/// Files the kernel writes whole in one read of a buffer larger than their text: sysfs
/// attributes (one show(), at most a page; a binary attribute returns a full page per read
/// until its end) and the /proc files built by one single_open() show. Their end needs no
/// second read. Not the rest of /sys: cgroup files (/sys/fs/cgroup: cgroup.procs lists a
/// pid per record), debugfs (Lustre's stats) and tracefs are record by record.
bool whole_in_one_read(const std::string& path) {
    for (const char* sysfs : {"/sys/class/", "/sys/devices/", "/sys/block/", "/sys/bus/"})
        if (path.rfind(sysfs, 0) == 0) return true;
    static const char* const single_show[] = {"/proc/stat", "/proc/meminfo", "/proc/loadavg", "/proc/uptime",
                                              "/proc/net/sockstat", "/proc/net/sockstat6", "/proc/net/snmp"};
    for (const char* p : single_show)
        if (path == p) return true;
    return false;
}

HostSystemReader::HostSystemReader(bool keep_files_open, std::function<double()> clock)
    : keep_open_(keep_files_open),
      clock_(clock ? std::move(clock) : [] {
          return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
      }),
      diag_(std::make_unique<SockDiag>()),
      links_(keep_files_open ? std::make_unique<LinkWatcher>() : nullptr) {}

HostSystemReader::~HostSystemReader() {
    for (auto& [path, fd] : kept_) ::close(fd);
    for (auto& [path, d] : kept_dirs_) ::closedir(d);
}

std::optional<std::string> HostSystemReader::read_file(const std::string& path) const {
    std::string out;
    if (!read_file_into(path, out)) return std::nullopt;
    return out;
}

bool HostSystemReader::read_file_into(const std::string& path, std::string& out) const {
    if (keep_open_) {
        if (auto it = kept_.find(path); it != kept_.end()) {
            auto table = mount_tables_.find(path);
            if (table != mount_tables_.end() && !mount_table_changed(it->second)) {
                out.assign(table->second);
                return true;
            }
            int err = read_from_start(it->second, out, whole_in_one_read(path));
            if (err == 0) {
                if (table != mount_tables_.end()) table->second.assign(out);
                return true;
            }
            // ENODEV: the kernel object behind it is gone (the NIC was removed), and a
            // new one of that name is found by opening the path again. Any other error
            // (EINVAL: a NIC without link speed) is the attribute's answer this time.
            if (err != ENODEV) return false;
            ::close(it->second);
            kept_.erase(it);
            mount_tables_.erase(path);
        }
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    int err = read_from_start(fd, out, whole_in_one_read(path));
    if (err != ENODEV && keep_open_ && kept_.size() < kMaxKeptOpen && may_keep_open(path)) {
        kept_.emplace(path, fd);
        // Polled from now on: the open recorded the table's state, which this read saw.
        if (err == 0 && is_mount_table(path)) mount_tables_[path] = out;
    } else
        ::close(fd);
    return err == 0;
}

namespace {

/// Entry names of an open directory from its start, without "." and "..".
void read_names(DIR* d, std::vector<std::string>& names) {
    ::rewinddir(d);
    while (const dirent* e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        names.emplace_back(e->d_name);
    }
}

}  // namespace

std::vector<std::string> HostSystemReader::list_dir(const std::string& path) const {
    std::vector<std::string> names;
    // A kernel directory that was missing or empty is looked for again once a minute:
    // sensors for hardware this node lacks (hwmon, powercap, InfiniBand, Lustre) ask each
    // second, and each ask was a failed path walk.
    double now = 0;
    if (keep_open_ && may_keep_open(path)) {
        now = clock_();
        if (auto it = absent_dirs_.find(path); it != absent_dirs_.end()) {
            if (now < it->second) return names;
            absent_dirs_.erase(it);
        }
    }
    // A kept kernel directory is read again from its start (fresh entries, no path walk).
    // One that lists nothing is opened afresh by name: a removed device's directory stays
    // empty through the old descriptor while a new one of that name may have appeared.
    if (auto it = kept_dirs_.find(path); it != kept_dirs_.end()) {
        read_names(it->second, names);
        if (!names.empty()) {
            std::sort(names.begin(), names.end());
            return names;
        }
        ::closedir(it->second);
        kept_dirs_.erase(it);
    }
    DIR* d = ::opendir(path.c_str());
    if (d != nullptr) read_names(d, names);
    if (names.empty() && keep_open_ && may_keep_open(path) && absent_dirs_.size() < kMaxKeptOpen)
        absent_dirs_.emplace(path, now + kAbsentDirRetryS);
    if (d == nullptr) return names;
    if (keep_open_ && !names.empty() && kept_.size() + kept_dirs_.size() < kMaxKeptOpen && may_keep_open(path))
        kept_dirs_.emplace(path, d);
    else
        ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

bool HostSystemReader::exists(const std::string& path) const {
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

std::optional<FsUsage> HostSystemReader::fs_usage(const std::string& path) const {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return std::nullopt;
    // psutil's disk_usage: "free" is what an unprivileged user may still use,
    // "used" counts the blocks reserved for root as free.
    FsUsage u;
    u.total = static_cast<std::uint64_t>(st.f_blocks) * st.f_frsize;
    u.free = static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
    u.used = static_cast<std::uint64_t>(st.f_blocks - st.f_bfree) * st.f_frsize;
    return u;
}

std::vector<std::pair<std::string, std::string>> HostSystemReader::interface_addresses() const {
    std::vector<std::pair<std::string, std::string>> out;
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (auto* a = list; a != nullptr; a = a->ifa_next) {
        if (a->ifa_addr == nullptr || a->ifa_name == nullptr) continue;
        switch (a->ifa_addr->sa_family) {
            case AF_INET:
                out.emplace_back(a->ifa_name, "ipv4");
                break;
            case AF_INET6:
                out.emplace_back(a->ifa_name, "ipv6");
                break;
#ifdef AF_PACKET
            case AF_PACKET:
                out.emplace_back(a->ifa_name, "link");
                break;
#endif
            default:
                break;
        }
    }
    ::freeifaddrs(list);
    return out;
}

std::optional<std::uint64_t> HostSystemReader::link_generation() const {
    if (!links_) return std::nullopt;
    return links_->generation();
}

std::optional<std::vector<int>> HostSystemReader::inet_socket_states(int protocol) const {
    std::vector<int> states;
    if (!diag_->states(protocol, states)) return std::nullopt;
    return states;
}

}  // namespace fructosa
