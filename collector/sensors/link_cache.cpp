#include "collector/sensors/link_cache.h"

namespace fructosa::sensors {

std::optional<Readings> LinkCache::get(const SystemReader& sys,
                                       const std::function<std::optional<Readings>()>& read) {
    // Asked before reading: a change announced during the read is seen next time.
    auto generation = sys.link_generation();
    double now = clock_();
    if (generation && kept_ && *generation == generation_ && now < refresh_at_) return kept_;
    kept_.reset();
    auto readings = read();
    if (generation && readings) {
        kept_ = readings;
        generation_ = *generation;
        refresh_at_ = now + kLinkRefreshSeconds;
    }
    return readings;
}

}  // namespace fructosa::sensors
