#pragma once
/// The SystemReader of the tests (ninja's VirtualFileSystem shape): a fixture tree copied
/// from a real machine stands in for it, so sensors and cgroup code run unchanged on
/// files checked into tests/fixtures. Production code only ever reads the live machine.

#include <string>

#include "collector/system_reader.h"

namespace fructosa::test {

/// Looks every absolute path up below `root` (root + "/proc/stat"). What the live reader
/// asks the kernel for comes from text files at the top of the tree:
///   "<root>/statvfs"  lines "path total used free" (bytes) for fs_usage(path);
///   "<root>/ifaddrs"  lines "interface ipv4|ipv6|link" for interface_addresses().
/// inet_socket_states() is nullopt, so sensors parse the tree's /proc/net files.
/// A malformed statvfs or ifaddrs line throws std::runtime_error naming file and line.
class FixtureSystemReader : public SystemReader {
  public:
    explicit FixtureSystemReader(std::string root) : root_(std::move(root)) {}
    std::optional<std::string> read_file(const std::string& path) const override;
    std::vector<std::string> list_dir(const std::string& path) const override;
    bool exists(const std::string& path) const override;
    std::optional<FsUsage> fs_usage(const std::string& path) const override;
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override;
    std::optional<std::string> host_path(const std::string& path) const override { return root_ + path; }
    /// What link_generation() answers: nullopt (cannot tell) unless a test sets it.
    std::optional<std::uint64_t> link_generation_value;
    std::optional<std::uint64_t> link_generation() const override { return link_generation_value; }
    const std::string& root() const { return root_; }

  private:
    std::string root_;
    HostSystemReader files_;  ///< reads the tree's files, at paths below root_
};

}  // namespace fructosa::test
