#pragma once
/// DiskIOCounters: I/O of the machine's disks since boot from /proc/diskstats, summed over
/// whole disks (entries that exist as /sys/block/<name>, as psutil), optionally per disk.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// Field names in the order readings carry them (psutil's sdiskio).
inline constexpr std::array<std::string_view, 9> disk_io_fields = {
    "read_count", "write_count",       "read_bytes",         "write_bytes", "read_time",
    "write_time", "read_merged_count", "write_merged_count", "busy_time"};

/// One /proc/diskstats line; values indexed like disk_io_fields (bytes = sectors * 512,
/// times in ms).
struct DiskStat {
    std::string name;
    std::array<std::uint64_t, 9> values{};
};

/// Parses /proc/diskstats (14 or 18+ fields; the 7-field partition lines of 2.6 kernels
/// have only counts and bytes). Throws naming `origin` on another shape or a bad number.
std::vector<DiskStat> parse_diskstats(std::string_view text, std::string_view origin);

/// The sums over the disks named in `whole_disks`, and with `perdisk` also
/// "<disk>.<field>" for every entry (partitions included, as psutil's perdisk).
Readings disk_io_readings(const std::vector<DiskStat>& stats,
                          const std::vector<std::string>& whole_disks, bool perdisk);

std::unique_ptr<Sensor> make_disk_io_sensor();

}  // namespace fructosa::sensors
