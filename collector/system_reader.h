#pragma once
/// Every sensor reads the machine through this interface, so unit tests run the same
/// code on fixture trees copied from real /proc and /sys.

#include <cstdint>
#include <optional>
#include <string>
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
};

/// Reads the live machine when `root` is empty, or a fixture tree in which every absolute
/// path is looked up below `root` (e.g. root + "/proc/stat"). On a fixture tree,
/// fs_usage(path) reads "<root>/statvfs" lines "path total used free", and
/// interface_addresses() reads "<root>/ifaddrs" lines "interface family".
class HostSystemReader : public SystemReader {
public:
    explicit HostSystemReader(std::string root = "") : root_(std::move(root)) {}
    std::optional<std::string> read_file(const std::string& path) const override;
    std::vector<std::string> list_dir(const std::string& path) const override;
    bool exists(const std::string& path) const override;
    std::optional<FsUsage> fs_usage(const std::string& path) const override;
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override;
    /// Live machine: sock_diag netlink; fixture tree: nullopt (the /proc/net files are read).
    std::optional<std::vector<int>> inet_socket_states(int protocol) const override;
    const std::string& root() const { return root_; }

private:
    std::string root_;
};

}  // namespace fructosa
