#include "collector/system_reader.h"

#include "collector/sock_diag.h"

#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

namespace fructosa {

namespace {

/// Reads with read(2) until EOF: /proc and /sys files report size 0, and a sysfs
/// attribute that fails to read (EINVAL from an interface without speed) must count
/// as absent rather than as an empty value.
bool read_whole_file(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    out.clear();
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return true;
}

}  // namespace

std::optional<std::string> HostSystemReader::read_file(const std::string& path) const {
    std::string out;
    if (!read_whole_file(path, out)) return std::nullopt;
    return out;
}

bool HostSystemReader::read_file_into(const std::string& path, std::string& out) const {
    return read_whole_file(path, out);
}

std::vector<std::string> HostSystemReader::list_dir(const std::string& path) const {
    std::vector<std::string> names;
    std::error_code ec;
    std::filesystem::directory_iterator it(path, ec);
    if (ec) return names;
    for (const auto& entry : it) names.push_back(entry.path().filename().string());
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

std::optional<std::vector<int>> HostSystemReader::inet_socket_states(int protocol) const {
    return sock_diag_states(protocol);
}

}  // namespace fructosa
