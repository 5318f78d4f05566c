#include "collector/sensors/mount_rates.h"

#include <algorithm>

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

Readings mount_rate_readings(const std::vector<MountCounters>& previous,
                             const std::vector<MountCounters>& current, double seconds) {
    Readings out;
    std::vector<std::string> taken;
    for (const auto& m : current) {
        auto name = unique_name(taken, m.name);
        auto before = std::find_if(previous.begin(), previous.end(),
                                   [&](const MountCounters& p) { return p.key == m.key; });
        if (before == previous.end()) continue;  // newly mounted: rates from the next sample
        for (const auto& [counter, value] : m.counters) {
            auto then = before->counters.find(counter);
            if (then == before->counters.end()) continue;
            if (auto r = counter_rate(then->second, value, seconds))
                add(out, name + "." + counter + "_per_s", *r);
        }
    }
    return out;
}

namespace {

class MountRateSensor final : public Sensor {
  public:
    MountRateSensor(SensorInfo info, MountReader read, MonotonicClock clock)
        : info_(std::move(info)), read_(std::move(read)), clock_(std::move(clock)) {}
    const SensorInfo& info() const override { return info_; }
    std::optional<Readings> sample(const SystemReader& sys) override {
        double now = clock_();
        auto mounts = read_(sys, files_);
        files_.sweep();
        if ((!mounts || mounts->empty()) && !has_read_) return std::nullopt;
        if (!mounts) return std::nullopt;  // the file went away: a failed read
        has_read_ = true;
        Readings out;
        if (previous_) out = mount_rate_readings(*previous_, *mounts, now - previous_time_);
        previous_ = std::move(mounts);
        previous_time_ = now;
        return out;
    }

  private:
    SensorInfo info_;
    MountReader read_;
    MonotonicClock clock_;
    KeptFiles files_;
    std::optional<std::vector<MountCounters>> previous_;
    double previous_time_ = 0;
    bool has_read_ = false;
};

}  // namespace

std::unique_ptr<Sensor> make_mount_rate_sensor(SensorInfo info, MountReader read,
                                               MonotonicClock clock) {
    return std::make_unique<MountRateSensor>(std::move(info), std::move(read), std::move(clock));
}

}  // namespace fructosa::sensors
