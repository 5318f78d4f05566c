#pragma once
/// The readings of a sensor that reads the network interfaces (NetIFStats, NetIFAddrs),
/// kept while the kernel announces no link or address change (SystemReader::
/// link_generation) and at most kLinkRefreshSeconds: the sensor still reports every
/// sample, without reading sysfs or calling getifaddrs(3) each second for figures that
/// change a few times a day. A reader that cannot tell (fixture trees, no rtnetlink)
/// gets a fresh read every sample.

#include <functional>
#include <optional>

#include "collector/sensor.h"
#include "collector/sensors/counter_rate.h"

namespace fructosa::sensors {

/// Even without an announcement (a driver that changes its link speed silently), the
/// interfaces are read again this often.
inline constexpr double kLinkRefreshSeconds = 60;

class LinkCache {
  public:
    explicit LinkCache(MonotonicClock clock = steady_seconds) : clock_(std::move(clock)) {}
    /// The kept readings when nothing changed since they were read, else `read()`'s
    /// (kept when they are readings; nullopt and exceptions are not).
    std::optional<Readings> get(const SystemReader& sys, const std::function<std::optional<Readings>()>& read);

  private:
    MonotonicClock clock_;
    std::optional<Readings> kept_;
    std::uint64_t generation_ = 0;
    double refresh_at_ = 0;
};

}  // namespace fructosa::sensors
