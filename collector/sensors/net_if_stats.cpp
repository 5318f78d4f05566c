#include "collector/sensors/net_if_stats.h"

#include <net/if.h>

#include <charconv>

#include "collector/sensors/link_cache.h"
#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

const std::string net_dir = "/sys/class/net";

unsigned long parse_flags(const std::string& text, const std::string& origin) {
    std::string_view hex = text;
    if (hex.starts_with("0x") || hex.starts_with("0X")) hex.remove_prefix(2);
    unsigned long v = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (hex.empty() || ec != std::errc() || p != hex.data() + hex.size())
        parse_error(origin, "flags are not hex: '" + text + "'");
    return v;
}

}  // namespace

Readings net_if_stats_readings(const std::vector<SysfsDir>& nics) {
    Readings out;
    for (const auto& nic : nics) {
        auto mtu = nic.get("mtu");
        if (!mtu) continue;
        const std::string dir = net_dir + "/" + nic.name + "/";
        bool up = nic.get("operstate") == "up";
        if (auto flags = nic.get("flags"))
            up = up || (parse_flags(*flags, dir + "flags") & IFF_UP) != 0;
        Duplex duplex = Duplex::Unknown;
        if (auto d = nic.get("duplex"))
            duplex = *d == "full" ? Duplex::Full : *d == "half" ? Duplex::Half : Duplex::Unknown;
        double speed = 0;
        if (auto s = nic.get("speed"))
            speed = std::max<double>(0, static_cast<double>(to_i64(*s, dir + "speed", "speed")));
        auto name = sanitize_component(nic.name);
        add(out, name + ".isup", up ? 1 : 0);
        add(out, name + ".duplex", static_cast<double>(duplex));
        add(out, name + ".speed", speed);
        add(out, name + ".mtu", static_cast<double>(to_u64(*mtu, dir + "mtu", "mtu")));
    }
    return out;
}

namespace {

class NetIfStatsSensor final : public Sensor {
  public:
    explicit NetIfStatsSensor(MonotonicClock clock) : cache_(std::move(clock)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{"NetIFStats",
                                  "state of each network interface",
                                  {{"<nic>.isup", "1 when up"},
                                   {"<nic>.duplex", "0 unknown, 1 half, 2 full"},
                                   {"<nic>.speed", "Mbit/s, 0 when unknown"},
                                   {"<nic>.mtu", "bytes"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        return cache_.get(sys, [&]() -> std::optional<Readings> {
            std::vector<SysfsDir> nics;
            for (const auto& name : sys.list_dir(net_dir))
                nics.push_back(
                    read_sysfs_attrs(sys, net_dir + "/" + name, {"operstate", "flags", "duplex", "speed", "mtu"}));
            auto out = net_if_stats_readings(nics);
            if (out.empty()) return std::nullopt;
            return out;
        });
    }

  private:
    LinkCache cache_;  ///< interfaces are read again only after the kernel announced a change
};

}  // namespace

std::unique_ptr<Sensor> make_net_if_stats_sensor(MonotonicClock clock) {
    return std::make_unique<NetIfStatsSensor>(std::move(clock));
}

std::unique_ptr<Sensor> make_net_if_stats_sensor() { return make_net_if_stats_sensor(steady_seconds); }

}  // namespace fructosa::sensors
