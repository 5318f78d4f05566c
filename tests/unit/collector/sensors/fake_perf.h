#pragma once
/// A PerfBackend for tests: chosen failures and group counts, descriptors counted.

#include <cerrno>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collector/sensors/perf_counters.h"

namespace fructosa::test {

using sensors::PerfBackend;

/// Counts every descriptor it hands out and takes back; fails opens with `fail_errno`
/// from the `fail_at`-th open on; a group read returns `words` of its leader.
class FakePerf : public PerfBackend {
  public:
    int fail_errno = 0;
    int fail_at = 0;
    int opens = 0, open_fds = 0;
    std::vector<std::pair<int, int>> targets;         ///< (cpu, target_fd) of every counter opened
    std::map<int, std::vector<std::uint64_t>> words;  ///< by leader fd
    int open(Event, int cpu, int target_fd, int) override {
        if (fail_errno && opens >= fail_at) return -fail_errno;
        ++opens;
        ++open_fds;
        targets.emplace_back(cpu, target_fd);
        return 100 + opens;
    }
    bool read_group(int leader, std::vector<std::uint64_t>& out) override {
        auto it = words.find(leader);
        if (it == words.end()) return false;
        out = it->second;
        return true;
    }
    void close(int) override { --open_fds; }
    int open_dir(const std::string& path) override {
        if (path.find("missing") != std::string::npos) return -ENOENT;
        ++open_fds;
        return 7;
    }
};

}  // namespace fructosa::test
