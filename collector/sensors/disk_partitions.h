#pragma once
/// DiskPartitions: mounted physical file systems (psutil's disk_partitions(all=False)),
/// turned into counts and a read-only flag per mount point.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// One line of /proc/self/mounts, octal escapes (\040 for a space...) decoded.
struct Mount {
    std::string device;
    std::string mountpoint;
    std::string fstype;
    std::string options;
    bool operator==(const Mount&) const = default;
};

/// Decodes the kernel's octal escapes of a mounts field: "\040" -> ' ', "\134" -> '\\'.
std::string decode_mount_field(std::string_view field);

/// Parses /proc/self/mounts; throws naming `origin` on a line with fewer than 4 fields.
std::vector<Mount> parse_mounts(std::string_view text, std::string_view origin);

/// File system types that need a device: lines of /proc/filesystems without "nodev",
/// plus zfs (as psutil).
std::vector<std::string> parse_physical_fstypes(std::string_view text);

/// Mounts with a device and a physical fstype, in mount order.
std::vector<Mount> physical_partitions(const std::vector<Mount>& mounts,
                                       const std::vector<std::string>& fstypes);

/// "count", "fstype.<type>" per type, "<mount point>.readonly" (0/1) per mount point
/// (named by path_component; the last mount on a point wins, as it is the visible one).
Readings disk_partitions_readings(const std::vector<Mount>& partitions);

std::unique_ptr<Sensor> make_disk_partitions_sensor();

}  // namespace fructosa::sensors
