#pragma once
/// Parsers for the cgroup v1 and v2 interface files the job sampler reads. Pure
/// functions on the file text, so each format is tested on its own; every parser
/// returns nullopt when the text is not in the kernel's format (never a made-up 0).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fructosa::cgroup {

/// A file holding one unsigned number ("3067904\n"): memory.current, cpuacct.usage, ...
std::optional<std::uint64_t> parse_u64_file(std::string_view text);

/// A limit file: a number, or "max" (v2) which gives `unlimited`. v1 has no "max": its
/// "no limit" is PAGE_COUNTER_MAX pages (9223372036854771712 with 4 KiB pages), so any
/// value at or above 2^62 is taken as unlimited too.
std::optional<std::uint64_t> parse_limit_file(std::string_view text, std::uint64_t unlimited);

/// "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events,
/// memory.oom_control). Lines that do not hold exactly a key and an unsigned number are
/// skipped; nullopt only when no line could be read.
std::optional<std::map<std::string, std::uint64_t>> parse_flat_keyed(std::string_view text);

/// Read and write totals summed over devices.
struct IoTotals {
    std::uint64_t read = 0;
    std::uint64_t write = 0;
    bool operator==(const IoTotals&) const = default;
};

/// v1 blkio.*io_service_bytes* / *io_serviced* files: "MAJ:MIN Read N" lines summed per
/// operation over devices; the lone "Total N" line (all devices, all operations) is not
/// a read or write figure and is skipped. A file with only "Total 0" means no I/O yet.
std::optional<IoTotals> parse_blkio(std::string_view text);

/// v2 io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N" per device.
struct IoStat {
    IoTotals bytes;
    IoTotals ops;
    bool operator==(const IoStat&) const = default;
};
/// Sums io.stat over devices. An empty file is a valid "no I/O yet".
std::optional<IoStat> parse_io_stat(std::string_view text);

/// One line of a PSI file ("some" or "full").
struct PressureLine {
    double avg10 = 0;
    double avg60 = 0;
    double avg300 = 0;
    std::uint64_t total_us = 0;
    bool operator==(const PressureLine&) const = default;
};
struct PressureFile {
    std::optional<PressureLine> some;
    std::optional<PressureLine> full;  ///< absent in older kernels' cpu.pressure
};
/// v2 cpu.pressure / memory.pressure / io.pressure
/// ("some avg10=0.12 avg60=0.05 avg300=0.01 total=123456").
std::optional<PressureFile> parse_pressure(std::string_view text);

/// Number of non-empty lines: cgroup.procs, cgroup.threads, tasks.
std::size_t count_lines(std::string_view text);

}  // namespace fructosa::cgroup
