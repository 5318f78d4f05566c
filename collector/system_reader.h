#pragma once
/// Every sensor reads the machine through this interface, so unit tests run the same
/// code on fixture trees copied from real /proc and /sys (the fake reader lives in tests/).

#include <dirent.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fructosa {

/// statvfs figures in bytes, as psutil's disk_usage reports them.
struct FsUsage {
    std::uint64_t total = 0;
    std::uint64_t used = 0;
    std::uint64_t free = 0;  ///< available to unprivileged users
};

class SystemReader {
public:
    virtual ~SystemReader() = default;
    /// The whole file, or nullopt when it does not exist or cannot be read.
    virtual std::optional<std::string> read_file(const std::string& path) const = 0;
    /// The whole file into `out`, reusing its buffer (the job sampler reads a few files
    /// per thread and sample); false, with `out` unspecified, when read_file would give
    /// nullopt.
    virtual bool read_file_into(const std::string& path, std::string& out) const {
        auto text = read_file(path);
        if (!text) return false;
        out = std::move(*text);
        return true;
    }
    /// Entry names of a directory (no "." or ".."), sorted; empty when it does not exist.
    virtual std::vector<std::string> list_dir(const std::string& path) const = 0;
    virtual bool exists(const std::string& path) const = 0;
    /// Usage of the file system holding `path`, or nullopt.
    virtual std::optional<FsUsage> fs_usage(const std::string& path) const = 0;
    /// Addresses per interface name as (interface, family) pairs, family "ipv4"/"ipv6"/"link".
    virtual std::vector<std::pair<std::string, std::string>> interface_addresses() const = 0;
    /// Kernel state codes of every TCP or UDP socket (IPv4 and IPv6) when the machine offers
    /// a cheaper way than /proc/net/{tcp,udp}[6]; nullopt means "parse those files".
    virtual std::optional<std::vector<int>> inet_socket_states(int protocol) const {
        (void)protocol;
        return std::nullopt;
    }
    /// A number that changes whenever the machine's network interfaces or their addresses
    /// may have changed (rtnetlink announcements, collector/link_watcher.h); nullopt when
    /// the reader cannot tell, and a sensor must read them again every sample.
    virtual std::optional<std::uint64_t> link_generation() const { return std::nullopt; }
    /// Where `path` lies on the live file system, for a sensor that keeps the file open
    /// and re-reads it with pread (sensors/kept_files.h); nullopt when this reader has no
    /// real file behind its paths, and the sensor reads through read_file_into.
    virtual std::optional<std::string> host_path(const std::string& path) const {
        (void)path;
        return std::nullopt;
    }
};

class SockDiag;
class LinkWatcher;

/// True for a kernel file whose whole text one read returns when the buffer is larger
/// (sysfs attributes, the /proc files of one show): HostSystemReader then makes no
/// second read to find its end.
bool whole_in_one_read(const std::string& path);

/// Reads the live machine: files by their absolute paths, statvfs(3), getifaddrs(3) and
/// sock_diag netlink. Tests use tests/unit/collector/fixture_system_reader.h instead.
///
/// With `keep_files_open` (the host sensors' reader), a /proc or /sys file stays open
/// after its first read and is read again with pread(2) from offset 0, which the kernel
/// answers with fresh contents: no path walk and no open/close per sample. A kept file
/// that fails to read (its device or interface went away) is closed and opened afresh
/// once. At most kMaxKeptOpen files are kept; beyond that files are opened per read. A
/// kept mount table is read again only when the kernel says it changed. Kernel
/// directories are kept open the same way and listed again with rewinddir(3); one that
/// is missing or empty is looked for again only after kAbsentDirRetryS (a driver loaded
/// or a Lustre file system mounted later shows within a minute). The end of a sysfs
/// attribute (/sys/class, /sys/devices, /sys/block, /sys/bus) or of a /proc file the
/// kernel writes in one go is found without a second read.
/// The job tracker's reader keeps nothing open: a job's cgroup files go with the job.
class HostSystemReader : public SystemReader {
public:
    static constexpr std::size_t kMaxKeptOpen = 512;
    /// Seconds before a missing or empty kernel directory is opened again (keep_files_open).
    static constexpr double kAbsentDirRetryS = 60;

    /// `clock`: monotonic seconds for kAbsentDirRetryS (steady_clock when empty; tests).
    explicit HostSystemReader(bool keep_files_open = false, std::function<double()> clock = {});
    ~HostSystemReader() override;
    HostSystemReader(const HostSystemReader&) = delete;
    HostSystemReader& operator=(const HostSystemReader&) = delete;

    std::optional<std::string> read_file(const std::string& path) const override;
    bool read_file_into(const std::string& path, std::string& out) const override;
    std::vector<std::string> list_dir(const std::string& path) const override;
    bool exists(const std::string& path) const override;
    std::optional<FsUsage> fs_usage(const std::string& path) const override;
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override;
    /// From sock_diag netlink; nullopt where the kernel lacks it (the /proc/net files are read).
    std::optional<std::vector<int>> inet_socket_states(int protocol) const override;
    std::optional<std::string> host_path(const std::string& path) const override { return path; }
    /// From an rtnetlink socket (the host sensors' reader, with keep_files_open); nullopt
    /// for the job tracker's reader.
    std::optional<std::uint64_t> link_generation() const override;

    /// Files held open now (tests).
    std::size_t files_kept_open() const { return kept_.size(); }
    /// Directories held open now (tests).
    std::size_t dirs_kept_open() const { return kept_dirs_.size(); }
    /// Missing or empty directories not looked for again before their minute is up (tests).
    std::size_t dirs_absent() const { return absent_dirs_.size(); }

private:
    bool keep_open_;
    mutable std::unordered_map<std::string, int> kept_;  ///< path -> descriptor
    /// The last text of each kept mount table (/proc/self/mounts, mountinfo): read again
    /// only when poll(2) says the table changed (POLLPRI), as the kernel signals on
    /// every mount, unmount and remount.
    mutable std::unordered_map<std::string, std::string> mount_tables_;
    /// Kept kernel directories (/sys/class/net, cpufreq's policies), listed again from their start.
    mutable std::unordered_map<std::string, DIR*> kept_dirs_;
    std::function<double()> clock_;
    /// Missing or empty kernel directories -> the clock_ time to look for them again.
    mutable std::unordered_map<std::string, double> absent_dirs_;
    std::unique_ptr<SockDiag> diag_;                     ///< its netlink socket stays open
    std::unique_ptr<LinkWatcher> links_;                 ///< with keep_open_ only
};

}  // namespace fructosa
