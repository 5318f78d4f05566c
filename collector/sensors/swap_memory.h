#pragma once
/// SwapMemory: swap space from /proc/meminfo, pages swapped in and out from /proc/vmstat.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "collector/sensor.h"
#include "collector/sensors/meminfo.h"

namespace fructosa::sensors {

/// Pages swapped in and out since boot (pswpin, pswpout of /proc/vmstat).
struct SwapCounts {
    std::uint64_t pages_in = 0;
    std::uint64_t pages_out = 0;
};

/// Reads pswpin and pswpout; throws naming `origin` when one is missing or malformed.
SwapCounts parse_vmstat_swap(std::string_view text, std::string_view origin);

/// total, used, free, percent (used / total * 100, 0 without swap) and, when `counts`
/// is given, sin and sout in bytes (pages * `page_size`).
Readings swap_memory_readings(const MemInfo& m, const std::optional<SwapCounts>& counts,
                              std::uint64_t page_size, std::string_view origin);

std::unique_ptr<Sensor> make_swap_memory_sensor();

}  // namespace fructosa::sensors
