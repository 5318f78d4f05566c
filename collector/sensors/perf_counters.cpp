#include "collector/sensors/perf_counters.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace fructosa::sensors {

namespace {

class SystemPerfBackend final : public PerfBackend {
  public:
    int open(Event event, int cpu, int target_fd, int group_fd) override {
        perf_event_attr attr{};
        attr.size = sizeof attr;
        attr.type = PERF_TYPE_HARDWARE;
        attr.config =
            event == Event::cycles ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_HW_INSTRUCTIONS;
        attr.read_format =
            PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
        attr.disabled = 0;
        attr.inherit = 0;
        unsigned long flags = PERF_FLAG_FD_CLOEXEC;
        if (target_fd >= 0) flags |= PERF_FLAG_PID_CGROUP;
        long fd = ::syscall(SYS_perf_event_open, &attr, target_fd >= 0 ? target_fd : -1, cpu,
                            group_fd, flags);
        return fd < 0 ? -errno : static_cast<int>(fd);
    }
    bool read_group(int leader_fd, std::vector<std::uint64_t>& words) override {
        words.resize(8);
        ssize_t n = ::read(leader_fd, words.data(), words.size() * sizeof(std::uint64_t));
        if (n < static_cast<ssize_t>(3 * sizeof(std::uint64_t))) return false;
        words.resize(static_cast<std::size_t>(n) / sizeof(std::uint64_t));
        return true;
    }
    void close(int fd) override { ::close(fd); }
    int open_dir(const std::string& path) override {
        int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
    }
};

}  // namespace

PerfBackend& system_perf_backend() {
    static SystemPerfBackend backend;
    return backend;
}

std::string perf_open_error(int err) {
    if (err == ENOENT || err == ENODEV || err == EOPNOTSUPP)
        return "no PMU: the kernel exposes no hardware counters here (a virtual machine without a "
               "virtual PMU?)";
    if (err == EACCES || err == EPERM)
        return "not permitted (kernel.perf_event_paranoid, or lagent without CAP_PERFMON)";
    return std::strerror(err);
}

std::optional<double> ipc_between(const CounterTotals& before, const CounterTotals& after) {
    double cycles = after.cycles - before.cycles;
    double instructions = after.instructions - before.instructions;
    if (!(cycles > 0) || instructions < 0) return std::nullopt;
    return instructions / cycles;
}

CpuCounterGroups::~CpuCounterGroups() { close_all(); }

void CpuCounterGroups::close_all() {
    for (int fd : members_) backend_.close(fd);
    for (int fd : leaders_) backend_.close(fd);
    if (cgroup_fd_ >= 0) backend_.close(cgroup_fd_);
    members_.clear();
    leaders_.clear();
    cgroup_fd_ = -1;
}

std::string CpuCounterGroups::open(const std::vector<int>& cpus, const std::string& cgroup_dir) {
    close_all();
    if (!cgroup_dir.empty()) {
        cgroup_fd_ = backend_.open_dir(cgroup_dir);
        if (cgroup_fd_ < 0) {
            int err = -cgroup_fd_;
            cgroup_fd_ = -1;
            return cgroup_dir + ": " + std::strerror(err);
        }
    }
    for (int cpu : cpus) {
        int leader = backend_.open(PerfBackend::Event::cycles, cpu, cgroup_fd_, -1);
        if (leader < 0) {
            close_all();
            return perf_open_error(-leader);
        }
        leaders_.push_back(leader);
        int member = backend_.open(PerfBackend::Event::instructions, cpu, cgroup_fd_, leader);
        if (member < 0) {
            close_all();
            return perf_open_error(-member);
        }
        members_.push_back(member);
    }
    return "";
}

std::optional<CounterTotals> CpuCounterGroups::read() {
    CounterTotals t;
    bool any = false;
    for (int leader : leaders_) {
        if (!backend_.read_group(leader, words_) || words_.size() < 5 || words_[0] < 2) continue;
        const double enabled = static_cast<double>(words_[1]),
                     running = static_cast<double>(words_[2]);
        if (!(running > 0)) continue;  // never scheduled on the PMU yet
        const double scale = enabled / running;
        t.cycles += static_cast<double>(words_[3]) * scale;
        t.instructions += static_cast<double>(words_[4]) * scale;
        any = true;
    }
    if (!any) return std::nullopt;
    return t;
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view list) {
    std::vector<int> out;
    while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) list.remove_suffix(1);
    if (list.empty()) return std::nullopt;
    while (!list.empty()) {
        auto comma = list.find(',');
        auto item = list.substr(0, comma);
        auto dash = item.find('-');
        int a = 0, b = 0;
        auto num = [](std::string_view s, int& v) {
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
            return !s.empty() && ec == std::errc() && p == s.data() + s.size();
        };
        if (dash == std::string_view::npos) {
            if (!num(item, a)) return std::nullopt;
            b = a;
        } else if (!num(item.substr(0, dash), a) || !num(item.substr(dash + 1), b) || b < a) {
            return std::nullopt;
        }
        for (int c = a; c <= b; ++c) out.push_back(c);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace fructosa::sensors
