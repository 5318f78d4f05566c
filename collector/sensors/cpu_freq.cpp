#include "collector/sensors/cpu_freq.h"

#include <string>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

std::vector<CpuFreq> parse_cpuinfo_mhz(std::string_view text, std::string_view origin) {
    std::vector<CpuFreq> out;
    std::optional<int> processor;
    for (auto line : split_lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        auto key = trim(line.substr(0, colon));
        auto value = trim(line.substr(colon + 1));
        if (key == "processor") {
            processor = static_cast<int>(to_u64(value, origin, "processor"));
        } else if (key == "cpu MHz") {
            CpuFreq f;
            f.cpu = processor.value_or(static_cast<int>(out.size()));
            f.current = to_double(value, origin, "cpu MHz");
            out.push_back(f);
        }
    }
    return out;
}

bool cpuinfo_clock_is_fixed(std::string_view text) {
    bool has_flags = false;
    for (auto line : split_lines(text)) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || trim(line.substr(0, colon)) != "flags") continue;
        has_flags = true;
        for (auto flag : split_words(line.substr(colon + 1)))
            if (flag == "aperfmperf") return false;
    }
    return has_flags;
}

Readings cpu_freq_readings(const std::vector<CpuFreq>& cpus, bool percpu) {
    Readings out;
    if (cpus.empty()) return out;
    double cur = 0, min = 0, max = 0;
    int n_min = 0, n_max = 0;
    for (const auto& c : cpus) {
        cur += c.current;
        if (c.min) {
            min += *c.min;
            ++n_min;
        }
        if (c.max) {
            max += *c.max;
            ++n_max;
        }
    }
    add(out, "current", cur / static_cast<double>(cpus.size()));
    if (n_min > 0) add(out, "min", min / n_min);
    if (n_max > 0) add(out, "max", max / n_max);
    if (percpu)
        for (const auto& c : cpus) add(out, std::to_string(c.cpu) + ".current", c.current);
    return out;
}

namespace {

const std::string cpu_dir = "/sys/devices/system/cpu";

/// One CPU's (or policy's) cpufreq directory in MHz, or nullopt without a current clock.
std::optional<CpuFreq> read_cpufreq_dir(const SystemReader& sys, const std::string& dir, int cpu) {
    auto cur = read_number(sys, dir + "/scaling_cur_freq");
    if (!cur) cur = read_number(sys, dir + "/cpuinfo_cur_freq");
    if (!cur) return std::nullopt;
    CpuFreq f;
    f.cpu = cpu;
    f.current = *cur / 1000.0;
    if (auto v = read_number(sys, dir + "/scaling_min_freq")) f.min = *v / 1000.0;
    if (auto v = read_number(sys, dir + "/scaling_max_freq")) f.max = *v / 1000.0;
    return f;
}

/// cpufreq's policyN directories (newer kernels), else cpuN/cpufreq (as psutil looks).
std::vector<CpuFreq> read_sysfs_freqs(const SystemReader& sys) {
    std::vector<CpuFreq> out;
    for (const auto& name : numbered_names(sys.list_dir(cpu_dir + "/cpufreq"), "policy"))
        if (auto f =
                read_cpufreq_dir(sys, cpu_dir + "/cpufreq/" + name, *number_after(name, "policy")))
            out.push_back(*f);
    if (!out.empty()) return out;
    for (const auto& name : numbered_names(sys.list_dir(cpu_dir), "cpu"))
        if (auto f = read_cpufreq_dir(sys, cpu_dir + "/" + name + "/cpufreq",
                                      *number_after(name, "cpu")))
            out.push_back(*f);
    return out;
}

class CpuFreqSensor final : public Sensor {
  public:
    explicit CpuFreqSensor(MonotonicClock clock) : clock_(std::move(clock)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "CPUFreq",
            "CPU clock (cpufreq, or /proc/cpuinfo without cpufreq: then current only)",
            {{"current", "MHz, mean over CPUs"},
             {"min", "MHz, mean of the scaling minimum"},
             {"max", "MHz, mean of the scaling maximum"},
             {"<n>.current", "MHz of CPU n (percpu = yes)"}},
            {{"percpu", "yes: also one series per CPU (default no)"}}};
        return i;
    }
    void configure(SectionReader& options) override { percpu_ = options.get_bool("percpu", false); }
    std::optional<Readings> sample(const SystemReader& sys) override {
        std::vector<CpuFreq> cpus;
        double now = clock_();
        bool looked = false;  // for cpufreq, in this sample
        if (!without_cpufreq_ || now >= next_probe_) {
            looked = true;
            cpus = read_sysfs_freqs(sys);
            without_cpufreq_ = cpus.empty();
            next_probe_ = now + kCpufreqProbeSeconds;
        }
        if (cpus.empty() && fixed_clock_ && !looked) {
            cpus = *fixed_clock_;
        } else if (cpus.empty()) {
            static const std::string cpuinfo = "/proc/cpuinfo";
            fixed_clock_.reset();
            if (auto text = sys.read_file(cpuinfo)) {
                cpus = parse_cpuinfo_mhz(*text, cpuinfo);
                if (!cpus.empty() && cpuinfo_clock_is_fixed(*text)) fixed_clock_ = cpus;
            }
        }
        if (cpus.empty()) return std::nullopt;
        return cpu_freq_readings(cpus, percpu_);
    }

  private:
    MonotonicClock clock_;
    bool percpu_ = false;
    bool without_cpufreq_ = false;  ///< the last look found no cpufreq: /proc/cpuinfo until next_probe_
    double next_probe_ = 0;
    /// /proc/cpuinfo's clock where it cannot change (cpuinfo_clock_is_fixed): the kernel
    /// writes the whole file, flags and all, for it (7 % of lagent's CPU on a VM
    /// with every sensor on, in `perf`), so it is read again only with the next look for cpufreq.
    std::optional<std::vector<CpuFreq>> fixed_clock_;
};

}  // namespace

std::unique_ptr<Sensor> make_cpu_freq_sensor(MonotonicClock clock) {
    return std::make_unique<CpuFreqSensor>(std::move(clock));
}

std::unique_ptr<Sensor> make_cpu_freq_sensor() { return make_cpu_freq_sensor(steady_seconds); }

}  // namespace fructosa::sensors
