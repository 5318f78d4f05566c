#include "collector/sensors/top_processes.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>

#include "collector/job/job_of_process.h"
#include "collector/sensors/kept_files.h"
#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::uint64_t> u64_of(std::string_view s) {
    if (!all_digits(s)) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    return v;
}

/// The real uid of /proc/<pid>/status ("Uid:\t1000\t1000\t1000\t1000").
std::optional<std::uint32_t> real_uid(std::string_view status) {
    for (auto line : split_lines(status)) {
        if (!line.starts_with("Uid:")) continue;
        auto w = split_words(line.substr(4));
        if (w.empty()) return std::nullopt;
        auto v = u64_of(w[0]);
        if (!v) return std::nullopt;
        return static_cast<std::uint32_t>(*v);
    }
    return std::nullopt;
}

}  // namespace

std::optional<ProcessStat> parse_process_stat(std::string_view text) {
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    ProcessStat s;
    auto pid = u64_of(trim(text.substr(0, open)));
    if (!pid) return std::nullopt;
    s.pid = static_cast<std::uint32_t>(*pid);
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    // Fields from 3 (state) on, blank-separated. Only 14, 15 (utime, stime), 22 (start
    // time) and 24 (rss) are wanted; scanned in place, as this runs for every process.
    constexpr int wanted[4] = {14, 15, 22, 24};
    std::optional<std::uint64_t> v[4];
    int field = 3, got = 0;
    for (std::size_t i = close + 1; got < 4; ++field) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
        if (i >= text.size()) return std::nullopt;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\n') ++i;
        if (field == wanted[got] && !(v[got++] = u64_of(text.substr(start, i - start)))) return std::nullopt;
    }
    auto &utime = v[0], &stime = v[1], &start = v[2], &rss = v[3];
    s.cpu_ticks = *utime + *stime;
    s.start_ticks = *start;
    s.rss_pages = *rss;
    return s;
}

TopLists rank_processes(const std::map<std::uint32_t, ProcessStat>& previous,
                        const std::vector<ProcessStat>& current, double seconds,
                        double ticks_per_second, std::size_t n) {
    std::vector<TopProcess> all;
    all.reserve(current.size());
    for (const auto& s : current) {
        TopProcess p{s, std::nullopt};
        auto before = previous.find(s.pid);
        if (before != previous.end() && before->second.start_ticks == s.start_ticks &&
            seconds > 0 && s.cpu_ticks >= before->second.cpu_ticks)
            p.cpu_percent = static_cast<double>(s.cpu_ticks - before->second.cpu_ticks) /
                            ticks_per_second / seconds * 100.0;
        all.push_back(std::move(p));
    }
    TopLists out;
    for (const auto& p : all)
        if (p.cpu_percent) out.by_cpu.push_back(p);
    auto by_cpu = [](const TopProcess& a, const TopProcess& b) {
        return *a.cpu_percent != *b.cpu_percent ? *a.cpu_percent > *b.cpu_percent
                                                : a.stat.pid < b.stat.pid;
    };
    auto keep = std::min(n, out.by_cpu.size());
    std::partial_sort(out.by_cpu.begin(), out.by_cpu.begin() + static_cast<std::ptrdiff_t>(keep),
                      out.by_cpu.end(), by_cpu);
    out.by_cpu.resize(keep);
    auto by_rss = [](const TopProcess& a, const TopProcess& b) {
        return a.stat.rss_pages != b.stat.rss_pages ? a.stat.rss_pages > b.stat.rss_pages
                                                    : a.stat.pid < b.stat.pid;
    };
    keep = std::min(n, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      by_rss);
    all.resize(keep);
    out.by_memory = std::move(all);
    return out;
}

std::string process_name_level(std::string_view name) {
    std::string out;
    for (char c : name.substr(0, 48)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        out += ok ? c : '_';
    }
    return out.empty() ? "unknown" : out;
}

std::optional<std::string> system_user_name(std::uint32_t uid) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
        return std::nullopt;
    return std::string(found->pw_name);
}

namespace {

class TopProcessesSensor final : public Sensor {
  public:
    explicit TopProcessesSensor(TopProcessesSettings s) : s_(std::move(s)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "TopProcesses",
            "the processes with the highest CPU use and the largest memory, with their job ids",
            {{"cpu.<rank>.<user>.<command>.cpu_percent",
              "% of one core since the previous sample (rank 1 = busiest)"},
             {"cpu.<rank>.<user>.<command>.rss_bytes", "resident memory, bytes"},
             {"cpu.<rank>.<user>.<command>.pid", "process id"},
             {"cpu.<rank>.<user>.<command>.jobid", "Slurm job id; absent outside every job"},
             {"memory.<rank>.<user>.<command>.<value>",
              "the same four, ranked by resident memory"}},
            {{"count", "processes in each list, 1 to 50 (default 5)"}},
            // A table people read, not a series graphed second by second, and the
            // costliest scan lagent makes (/proc/<pid>/stat of every process, about 3 us
            // of kernel time each): every 10 s unless time_interval says otherwise.
            10};
        return i;
    }
    void configure(SectionReader& options) override {
        count_ = static_cast<std::size_t>(options.get_int("count", 5, 1, 50));
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        double now = s_.clock();
        std::vector<ProcessStat> current;
        std::string text;
        for (const auto& entry : sys.list_dir("/proc")) {
            if (!all_digits(entry)) continue;
            // Kept open: one pread per process and sample instead of open, read, close.
            if (!stats_.read(sys, "/proc/" + entry + "/stat", text)) continue;  // exited meanwhile
            if (auto st = parse_process_stat(text)) current.push_back(std::move(*st));
        }
        stats_.sweep();  // processes that exited
        if (current.empty()) return std::nullopt;
        auto lists =
            rank_processes(previous_, current, now - previous_time_, s_.ticks_per_second, count_);
        previous_.clear();
        for (auto& st : current) previous_.emplace(st.pid, std::move(st));
        previous_time_ = now;
        Readings out;
        add_list(out, sys, "cpu", lists.by_cpu);
        add_list(out, sys, "memory", lists.by_memory);
        return out;
    }

  private:
    void add_list(Readings& out, const SystemReader& sys, const std::string& list,
                  const std::vector<TopProcess>& ps) {
        std::string text;
        for (std::size_t i = 0; i < ps.size(); ++i) {
            const auto& p = ps[i];
            const std::string dir = "/proc/" + std::to_string(p.stat.pid);
            std::optional<std::uint32_t> uid;
            if (sys.read_file_into(dir + "/status", text)) uid = real_uid(text);
            std::optional<std::uint64_t> job;
            if (sys.read_file_into(dir + "/cgroup", text)) job = slurm_job_of_proc_cgroup(text);
            std::string base = list + "." + std::to_string(i + 1) + "." +
                               process_name_level(uid ? user_of(*uid) : std::string("unknown")) +
                               "." + process_name_level(p.stat.comm) + ".";
            if (p.cpu_percent) add(out, base + "cpu_percent", *p.cpu_percent);
            add(out, base + "rss_bytes", static_cast<double>(p.stat.rss_pages) * s_.page_size);
            add(out, base + "pid", p.stat.pid);
            if (job) add(out, base + "jobid", static_cast<double>(*job));
        }
    }
    /// The user's name, "uid<N>" when it has none; remembered (a bounded cache).
    std::string user_of(std::uint32_t uid) {
        auto it = users_.find(uid);
        if (it != users_.end()) return it->second;
        if (users_.size() > 4096) users_.clear();
        auto name = s_.user_name(uid).value_or("uid" + std::to_string(uid));
        users_.emplace(uid, name);
        return name;
    }

    TopProcessesSettings s_;
    std::size_t count_ = 5;
    std::map<std::uint32_t, ProcessStat> previous_;
    double previous_time_ = 0;
    std::map<std::uint32_t, std::string> users_;
    KeptFiles stats_{4096, true};  ///< /proc/<pid>/stat; beyond that many processes read plainly
};

}  // namespace

std::unique_ptr<Sensor> make_top_processes_sensor(TopProcessesSettings settings) {
    return std::make_unique<TopProcessesSensor>(std::move(settings));
}

std::unique_ptr<Sensor> make_top_processes_sensor() {
    TopProcessesSettings s;
    s.ticks_per_second = static_cast<double>(::sysconf(_SC_CLK_TCK));
    s.page_size = static_cast<double>(::sysconf(_SC_PAGESIZE));
    return make_top_processes_sensor(std::move(s));
}

}  // namespace fructosa::sensors
