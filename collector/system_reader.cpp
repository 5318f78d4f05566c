#include "collector/system_reader.h"

#include <netinet/in.h>

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
#include <charconv>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace fructosa {

namespace {

/// Reads with read(2) until EOF: /proc and /sys files report size 0, and a sysfs
/// attribute that fails to read (EINVAL from an interface without speed) must count
/// as absent rather than as an empty value.
std::optional<std::string> read_whole_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

/// Splits a fixture line into whitespace-separated words.
std::vector<std::string> words_of(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
}

std::uint64_t fixture_number(const std::string& text, const std::string& file, int line) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
        throw std::runtime_error(file + ":" + std::to_string(line) + ": not a number: '" + text +
                                 "'");
    return v;
}

}  // namespace

std::optional<std::string> HostSystemReader::read_file(const std::string& path) const {
    return read_whole_file(root_ + path);
}

std::vector<std::string> HostSystemReader::list_dir(const std::string& path) const {
    std::vector<std::string> names;
    std::error_code ec;
    std::filesystem::directory_iterator it(root_ + path, ec);
    if (ec) return names;
    for (const auto& entry : it) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

bool HostSystemReader::exists(const std::string& path) const {
    std::error_code ec;
    return std::filesystem::exists(root_ + path, ec);
}

std::optional<FsUsage> HostSystemReader::fs_usage(const std::string& path) const {
    if (root_.empty()) {
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
    const std::string file = root_ + "/statvfs";
    auto text = read_whole_file(file);
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 4)
            throw std::runtime_error(file + ":" + std::to_string(line_no) +
                                     ": expected 'path total used free'");
        if (w[0] != path) continue;
        return FsUsage{fixture_number(w[1], file, line_no), fixture_number(w[2], file, line_no),
                       fixture_number(w[3], file, line_no)};
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> HostSystemReader::interface_addresses() const {
    std::vector<std::pair<std::string, std::string>> out;
    if (root_.empty()) {
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
    const std::string file = root_ + "/ifaddrs";
    auto text = read_whole_file(file);
    if (!text) return out;
    std::istringstream in(*text);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 2 || (w[1] != "ipv4" && w[1] != "ipv6" && w[1] != "link"))
            throw std::runtime_error(file + ":" + std::to_string(line_no) +
                                     ": expected 'interface ipv4|ipv6|link'");
        out.emplace_back(w[0], w[1]);
    }
    return out;
}

std::optional<std::vector<int>> HostSystemReader::inet_socket_states(int protocol) const {
    if (!root_.empty()) return std::nullopt;
    return sock_diag_states(protocol);
}

}  // namespace fructosa
