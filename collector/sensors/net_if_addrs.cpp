#include "collector/sensors/net_if_addrs.h"

#include <array>
#include <map>

#include "collector/sensors/link_cache.h"
#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

Readings net_if_addrs_readings(const std::vector<std::pair<std::string, std::string>>& addresses) {
    static constexpr std::array<const char*, 3> families = {"ipv4", "ipv6", "link"};
    std::map<std::string, std::array<int, 3>> per_nic;
    for (const auto& [nic, family] : addresses) {
        auto& counts = per_nic[sanitize_component(nic)];
        for (std::size_t i = 0; i < families.size(); ++i)
            if (family == families[i]) ++counts[i];
    }
    Readings out;
    for (const auto& [nic, counts] : per_nic)
        for (std::size_t i = 0; i < families.size(); ++i)
            add(out, nic + "." + families[i], counts[i]);
    add(out, "total", static_cast<double>(addresses.size()));
    return out;
}

namespace {

class NetIfAddrsSensor final : public Sensor {
  public:
    explicit NetIfAddrsSensor(MonotonicClock clock) : cache_(std::move(clock)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{"NetIFAddrs",
                                  "addresses per network interface",
                                  {{"<nic>.ipv4", "IPv4 addresses"},
                                   {"<nic>.ipv6", "IPv6 addresses"},
                                   {"<nic>.link", "link-layer (MAC) addresses"},
                                   {"total", "addresses of all interfaces"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        return cache_.get(sys, [&]() -> std::optional<Readings> {
            auto addresses = sys.interface_addresses();
            if (addresses.empty()) return std::nullopt;
            return net_if_addrs_readings(addresses);
        });
    }

  private:
    LinkCache cache_;  ///< addresses are read again only after the kernel announced a change
};

}  // namespace

std::unique_ptr<Sensor> make_net_if_addrs_sensor(MonotonicClock clock) {
    return std::make_unique<NetIfAddrsSensor>(std::move(clock));
}

std::unique_ptr<Sensor> make_net_if_addrs_sensor() { return make_net_if_addrs_sensor(steady_seconds); }

}  // namespace fructosa::sensors
