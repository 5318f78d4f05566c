#pragma once
/// The numbers perad's rules compare against: the [rules] section of perad.conf, one key
/// per threshold. Defaults live here and nowhere else; kThresholdKeys documents each key
/// (perad/README.md lists the same table).

#include <string>
#include <vector>

namespace fructosa {

class IniFile;

struct Thresholds {
    // failed
    /// Slurm states (first word of the state) that make a job 'failed'.
    std::vector<std::string> failed_states{"FAILED", "OUT_OF_MEMORY", "TIMEOUT", "NODE_FAIL", "BOOT_FAIL",
                                           "DEADLINE", "PREEMPTED", "CANCELLED"};
    double too_short_s = 60;                  ///< too-short: elapsed below this
    double pressure_min_oom_kills = 1;        ///< memory-pressure: at least this many OOM kills,
    double pressure_min_limit_hits = 1;       ///<   or memory limit hits on a node whose
    double pressure_min_anon_fraction = 0.9;  ///<   anonymous peak reached this share of its limit,
    double pressure_min_swap_mb = 1;          ///<   or this much swap used,
    double pressure_min_stall_fraction = 0.1; ///<   or stalled on memory (PSI) this share of elapsed
    double idle_fraction = 0.9;               ///< idle: idle share of intervals at least this
    double imbalance_cv = 0.5;                ///< imbalanced: CV of per-node efficiency at least this
    double io_min_rate_mb_s = 50;             ///< io-bound: I/O rate at least this (MB/s) ...
    double io_max_cpu_efficiency = 0.5;       ///<   ... with CPU efficiency below this
    double gpu_idle_percent = 10;             ///< gpu-idle: mean GPU utilisation below this
    double underutilized_efficiency = 0.5;    ///< underutilized-cpu: CPU efficiency below this
    // flags
    double memory_overrequest_fraction = 0.25;  ///< memory-overrequested: peak / request below this ...
    double memory_overrequest_min_mb = 1024;    ///<   ... and at least this much left unused
    double walltime_overrequest_fraction = 0.25;  ///< walltime-overrequested: elapsed / limit below this
    double serial_min_cores = 4;              ///< serial-on-many-cores: at least this many cores ...
    double serial_max_cores_used = 1.2;       ///<   ... and at most this many used on average
    double oversubscribed_efficiency = 1.05;  ///< oversubscribed: a node used more than this x its cores,
    double oversubscribed_runqueue_percent = 50;  ///<   or threads waited for a CPU this % per allocated core
    double stalled_min_fraction = 0.2;        ///< stalled: idle tail at least this share of elapsed ...
    double stalled_min_s = 600;               ///<   ... and at least this long,
    double stalled_min_busy_intervals = 2;    ///<   after at least this many busy intervals
    double gpu_unused_process_fraction = 0.5;  ///< gpu-unused: GPUs had a process in less than this share of samples
    double gpu_memory_overrequest_fraction = 0.25;  ///< gpu-memory-overrequested: GPU memory peak / total below this ...
    double gpu_memory_overrequest_min_gb = 8;  ///<   ... and at least this much GPU memory (GB) unused

    /// A short hash of every value: stored with each verdict so re-classification can tell
    /// which thresholds a verdict used.
    std::string hash() const;
};

/// One numeric key of [rules].
struct ThresholdKey {
    const char* key;  ///< as written in perad.conf
    double Thresholds::*member;
    double min, max;
    const char* help;
};

/// Every numeric key of [rules], in the order of the rules' precedence.
const std::vector<ThresholdKey>& threshold_keys();

/// Reads [rules] of `file` (absent keys keep their defaults, unknown keys and values out
/// of range throw ConfigError naming file, line and key).
Thresholds read_thresholds(const IniFile& file);

}  // namespace fructosa
