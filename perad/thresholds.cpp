#include "perad/thresholds.h"

#include <cstdint>

#include <fmt/format.h>

#include "common/config.h"

namespace fructosa {

const std::vector<ThresholdKey>& threshold_keys() {
    using T = Thresholds;
    static const std::vector<ThresholdKey> keys{
        {"too short seconds", &T::too_short_s, 0, 1e9, "too-short: the job ran less than this many seconds"},
        {"memory pressure min oom kills", &T::pressure_min_oom_kills, 1, 1e12,
         "memory-pressure: at least this many OOM kills"},
        {"memory pressure min limit hits", &T::pressure_min_limit_hits, 1, 1e12,
         "memory-pressure: or at least this many hits of the memory limit on nodes whose anonymous memory ..."},
        {"memory pressure min anon fraction", &T::pressure_min_anon_fraction, 0, 100,
         "memory-pressure: ... peaked at least at this share of the limit (below: page cache, not pressure)"},
        {"memory pressure min swap mb", &T::pressure_min_swap_mb, 0, 1e12,
         "memory-pressure: or at least this much swap (MB) used"},
        {"memory pressure min stall fraction", &T::pressure_min_stall_fraction, 0, 1,
         "memory-pressure: or stalled on memory (PSI 'some', cgroup v2) at least this share of elapsed"},
        {"idle fraction", &T::idle_fraction, 0, 1, "idle: at least this share of sampling intervals idle"},
        {"imbalance cv", &T::imbalance_cv, 0, 100,
         "imbalanced: coefficient of variation of per-node CPU efficiency at least this"},
        {"io bound min rate mb per s", &T::io_min_rate_mb_s, 0, 1e9, "io-bound: read+write at least this many MB/s"},
        {"io bound max cpu efficiency", &T::io_max_cpu_efficiency, 0, 100,
         "io-bound: while CPU efficiency stays below this"},
        {"gpu idle percent", &T::gpu_idle_percent, 0, 100, "gpu-idle: mean GPU utilisation below this"},
        {"underutilized cpu efficiency", &T::underutilized_efficiency, 0, 100,
         "underutilized-cpu: CPU efficiency (used / allocated core-seconds) below this"},
        {"memory overrequested fraction", &T::memory_overrequest_fraction, 0, 1,
         "memory-overrequested: peak memory below this share of the request"},
        {"memory overrequested min mb", &T::memory_overrequest_min_mb, 0, 1e12,
         "memory-overrequested: and at least this many MB of the request unused"},
        {"walltime overrequested fraction", &T::walltime_overrequest_fraction, 0, 1,
         "walltime-overrequested: elapsed below this share of the time limit"},
        {"serial min cores", &T::serial_min_cores, 1, 1e9, "serial-on-many-cores: at least this many cores allocated"},
        {"serial max cores used", &T::serial_max_cores_used, 0, 1e9,
         "serial-on-many-cores: at most this many cores used on average"},
        {"oversubscribed efficiency", &T::oversubscribed_efficiency, 0, 1000,
         "oversubscribed: a node used more than this many times its allocated cores"},
        {"oversubscribed runqueue percent per core", &T::oversubscribed_runqueue_percent, 0, 1e9,
         "oversubscribed: or its threads waited for a CPU at least this % of one core per allocated core"},
        {"stalled min fraction", &T::stalled_min_fraction, 0, 1,
         "stalled: idle since the last busy moment for at least this share of elapsed"},
        {"stalled min seconds", &T::stalled_min_s, 0, 1e9, "stalled: and for at least this many seconds"},
        {"stalled min busy intervals", &T::stalled_min_busy_intervals, 1, 1e12,
         "stalled: after at least this many busy sampling intervals (fewer: idle from the start, not stalled)"},
        {"gpu unused process fraction", &T::gpu_unused_process_fraction, 0, 1,
         "gpu-unused: the job's GPUs had a process in less than this share of lagent's samples"},
        {"gpu memory overrequested fraction", &T::gpu_memory_overrequest_fraction, 0, 1,
         "gpu-memory-overrequested: GPU memory peak below this share of the GPU's memory"},
        {"gpu memory overrequested min gb", &T::gpu_memory_overrequest_min_gb, 0, 1e6,
         "gpu-memory-overrequested: and at least this many GB of the GPU's memory unused"},
    };
    return keys;
}

std::string Thresholds::hash() const {
    std::string text;
    for (const auto& s : failed_states) text += s + ",";
    for (const auto& k : threshold_keys()) text += fmt::format(";{}={}", k.key, this->*k.member);
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("{:016x}", h);
}

Thresholds read_thresholds(const IniFile& file) {
    Thresholds t;
    SectionReader r(file, "rules");
    for (const auto& k : threshold_keys()) t.*k.member = r.get_double(k.key, t.*k.member, k.min, k.max);
    t.failed_states = r.get_list("failed states", t.failed_states);
    for (auto& s : t.failed_states)
        for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    r.reject_unknown();
    return t;
}

}  // namespace fructosa
