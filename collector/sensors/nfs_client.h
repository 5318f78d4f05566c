#pragma once
/// NFSClient: bytes and operations of every NFS mount (nfs, nfs4) from
/// /proc/self/mountstats, as rates per mount point.

#include <memory>
#include <string_view>
#include <vector>

#include "collector/sensors/mount_rates.h"

namespace fructosa::sensors {

/// The NFS mounts of mountstats text, in file order: counters read_bytes (normal +
/// O_DIRECT reads of applications, the "bytes:" line's 1st and 3rd), write_bytes (2nd
/// and 4th), read_ops and write_ops (the READ and WRITE per-op lines' first column) and
/// ops (every per-op line's first column summed). The mount point's octal escapes
/// ("\040") are undone before path_component. Throws naming `origin` on a malformed line
/// of an NFS mount.
std::vector<MountCounters> parse_mountstats(std::string_view text, std::string_view origin);

/// True when the mount table (/proc/self/mounts text) has an nfs or nfs4 mount. Without
/// one the sensor does not read mountstats, which the kernel writes for every mount of
/// the node (most of the sensor's cost, each interval, where nothing is NFS).
bool mounts_list_nfs(std::string_view mounts);

std::unique_ptr<Sensor> make_nfs_client_sensor(MonotonicClock clock);
std::unique_ptr<Sensor> make_nfs_client_sensor();

}  // namespace fructosa::sensors
