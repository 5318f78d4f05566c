#include "collector/sensors/proc_stat.h"

#include <unistd.h>

#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

namespace {

CpuTicks parse_cpu_line(const std::vector<std::string_view>& words, std::string_view origin) {
    // Kernels before 2.6.11 print only 4..7 numbers; user, nice, system, idle are required.
    if (words.size() < 5)
        parse_error(origin, "'" + std::string(words[0]) + "' line has fewer than 4 numbers");
    CpuTicks t{};
    for (std::size_t i = 1; i < words.size() && i <= t.size(); ++i)
        t[i - 1] = to_u64_named(words[i], origin, [&] {
            return std::string(words[0]) + " " + std::string(cpu_time_fields[i - 1]);
        });
    return t;
}

std::uint64_t first_number(const std::vector<std::string_view>& words, std::string_view origin) {
    if (words.size() < 2) parse_error(origin, "'" + std::string(words[0]) + "' line has no number");
    return to_u64(words[1], origin, words[0]);
}

}  // namespace

ProcStat parse_proc_stat(std::string_view text, std::string_view origin) {
    ProcStat st;
    bool have_total = false;
    std::vector<std::string_view> words;
    for (auto line : split_lines(text)) {
        // "intr" and "softirq" carry a number per interrupt (thousands on a large node)
        // after their total, the only one read: those lines are split no further.
        auto key = line.substr(0, line.find(' '));
        if (key == "intr" || key == "softirq") line = line.substr(0, line.find(' ', key.size() + 1));
        split_words(line, words);
        if (words.empty()) continue;
        key = words[0];
        if (key == "cpu") {
            st.total = parse_cpu_line(words, origin);
            have_total = true;
        } else if (key.size() > 3 && key.substr(0, 3) == "cpu") {
            auto n = to_u64(key.substr(3), origin, "CPU number of '" + std::string(key) + "'");
            st.per_cpu.emplace_back(static_cast<int>(n), parse_cpu_line(words, origin));
        } else if (key == "ctxt") {
            st.ctxt = first_number(words, origin);
        } else if (key == "intr") {
            st.intr = first_number(words, origin);
        } else if (key == "softirq") {
            st.softirq = first_number(words, origin);
        } else if (key == "btime") {
            st.btime = first_number(words, origin);
        }
    }
    if (!have_total) parse_error(origin, "no 'cpu' line");
    return st;
}

std::optional<ProcStat> read_proc_stat(const SystemReader& sys) {
    static const std::string path = "/proc/stat";
    static thread_local ParseCache<ProcStat> cache;
    auto text = sys.read_file(path);
    if (!text) return std::nullopt;
    return cache.get(*text, [](const std::string& t) { return parse_proc_stat(t, path); });
}

double clock_ticks_per_second() {
    long hz = ::sysconf(_SC_CLK_TCK);
    return hz > 0 ? static_cast<double>(hz) : 100.0;
}

double cpu_total_ticks(const CpuTicks& t) {
    double sum = 0;
    for (auto v : t) sum += static_cast<double>(v);
    return sum - static_cast<double>(t[8]) - static_cast<double>(t[9]);
}

CpuTicks cpu_ticks_delta(const CpuTicks& t1, const CpuTicks& t2) {
    CpuTicks d{};
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = t2[i] > t1[i] ? t2[i] - t1[i] : 0;
    return d;
}

}  // namespace fructosa::sensors
