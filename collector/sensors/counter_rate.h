#pragma once
/// Per-second rates of cumulative kernel counters between two samples, for the sensors
/// that report rates (InfiniBand, NFSClient, LustreClient). A counter that went
/// backwards was reset (perfquery -R, a driver reload, a remount) or wrapped: the
/// interval has no rate, never a negative one, and the next interval starts from the
/// new value.

#include <cstdint>
#include <optional>

namespace fructosa::sensors {

/// (current - previous) / seconds, or nullopt when either value is missing, seconds is
/// not positive, or current < previous.
inline std::optional<double> counter_rate(std::optional<std::uint64_t> previous,
                                          std::optional<std::uint64_t> current, double seconds) {
    if (!previous || !current || !(seconds > 0) || *current < *previous) return std::nullopt;
    return static_cast<double>(*current - *previous) / seconds;
}

}  // namespace fructosa::sensors

#include <functional>

namespace fructosa::sensors {

/// Seconds on a monotonic clock; rate sensors take one so tests can step it.
using MonotonicClock = std::function<double()>;
/// std::chrono::steady_clock in seconds.
double steady_seconds();

}  // namespace fructosa::sensors
