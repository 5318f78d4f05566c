#pragma once
/// A SystemReader for one sampling pass of the HostSampler: every sensor due at the same
/// moment reads through it, and each file, directory listing or existence check is asked
/// of the machine once per pass, however many sensors ask. /proc/stat, read by CPUTimes,
/// CPUTimesPercent, CPUPercent, CPUStats and BootTime, is read once per second, not
/// five times; /proc/meminfo once for VirtualMemory and SwapMemory.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/system_reader.h"

namespace fructosa {

class PassReader : public SystemReader {
public:
    explicit PassReader(const SystemReader& machine) : machine_(machine) {}
    /// A new pass: what was read before is forgotten (the buffers are kept for reuse).
    void begin_pass();

    std::optional<std::string> read_file(const std::string& path) const override;
    bool read_file_into(const std::string& path, std::string& out) const override;
    std::vector<std::string> list_dir(const std::string& path) const override;
    bool exists(const std::string& path) const override;
    std::optional<FsUsage> fs_usage(const std::string& path) const override { return machine_.fs_usage(path); }
    std::optional<std::string> host_path(const std::string& path) const override { return machine_.host_path(path); }
    std::vector<std::pair<std::string, std::string>> interface_addresses() const override {
        return machine_.interface_addresses();
    }
    std::optional<std::vector<int>> inet_socket_states(int protocol) const override {
        return machine_.inet_socket_states(protocol);
    }
    /// Asked of the machine once a pass (NetIFStats and NetIFAddrs both ask: one drain of
    /// the rtnetlink socket serves both).
    std::optional<std::uint64_t> link_generation() const override;

private:
    struct File {
        std::uint64_t pass = 0;  ///< read in this pass; stale otherwise
        bool present = false;
        std::string text;
    };
    /// The file as read in this pass (read now when it was not yet).
    const File& file(const std::string& path) const;

    const SystemReader& machine_;
    std::uint64_t pass_ = 1;
    mutable std::map<std::string, File, std::less<>> files_;
    mutable std::map<std::string, std::vector<std::string>, std::less<>> dirs_;
    mutable std::map<std::string, bool, std::less<>> exists_;
    mutable std::uint64_t link_pass_ = 0;  ///< the pass link_ was asked in
    mutable std::optional<std::uint64_t> link_;
};

}  // namespace fructosa
