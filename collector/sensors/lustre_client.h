#pragma once
/// LustreClient: bytes and operations of every Lustre client mount from its llite
/// stats (llite.*.stats: /sys/kernel/debug/lustre/llite/<fs>-<id>/stats on Lustre 2.12
/// and later, /proc/fs/lustre/llite/<fs>-<id>/stats before), as rates per mount point.

#include <memory>
#include <string_view>
#include <vector>

#include "collector/sensors/mount_rates.h"

namespace fructosa::sensors {

/// Counters of one llite stats file: read_bytes and write_bytes (the sums of the
/// "[bytes]" lines), read_ops and write_ops (their sample counts), metadata_ops (the
/// sample counts of every other line: open, close, getattr, ...; not the "read"/"write"
/// latency lines of newer versions, the osc_* lines or other byte counts) and ops
/// (read_ops + write_ops + metadata_ops). Throws naming `origin` on a malformed line.
std::map<std::string, std::uint64_t> parse_llite_stats(std::string_view text,
                                                       std::string_view origin);

/// The mount point of llite instance `instance` ("lfs01-ffff8c0b5a7d1000") from
/// /proc/self/mounts text: the one lustre mount whose device ends in ":/lfs01"; nullopt
/// when there is none or more than one.
std::optional<std::string> lustre_mount_point(std::string_view mounts, std::string_view instance);

std::unique_ptr<Sensor> make_lustre_client_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_lustre_client_sensor();

}  // namespace fructosa::sensors
