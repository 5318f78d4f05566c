#include "collector/sensors/net_io.h"

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

std::vector<NicCounters> parse_net_dev(std::string_view text, std::string_view origin) {
    std::vector<NicCounters> out;
    auto lines = split_lines(text);
    std::vector<std::string_view> w;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        auto line = lines[i];
        if (trim(line).empty()) continue;
        // The name ends at the last ':' (counters can touch it: "eth0:123456").
        auto colon = line.rfind(':');
        if (colon == std::string_view::npos)
            parse_error(origin, "line without ':': '" + std::string(line) + "'");
        NicCounters n;
        n.name = std::string(trim(line.substr(0, colon)));
        split_words(line.substr(colon + 1), w);
        if (w.size() < 16)
            parse_error(origin, n.name + ": expected 16 counters, got " + std::to_string(w.size()));
        auto num = [&](std::size_t k) {
            return to_u64_named(w[k], origin, [&] { return n.name + " counter " + std::to_string(k + 1); });
        };
        // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit.
        n.values = {num(8), num(0), num(9), num(1), num(2), num(10), num(3), num(11)};
        out.push_back(std::move(n));
    }
    return out;
}

Readings net_io_readings(const std::vector<NicCounters>& nics, bool pernic) {
    std::array<double, 8> sum{};
    for (const auto& n : nics)
        for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += static_cast<double>(n.values[i]);
    Readings out;
    for (std::size_t i = 0; i < sum.size(); ++i) add(out, std::string(net_io_fields[i]), sum[i]);
    if (pernic)
        for (const auto& n : nics) {
            auto nic = sanitize_component(n.name);
            for (std::size_t i = 0; i < n.values.size(); ++i)
                add(out, nic + "." + std::string(net_io_fields[i]),
                    static_cast<double>(n.values[i]));
        }
    return out;
}

namespace {

class NetIoSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "NetIOCounters",
            "network traffic since boot, summed over NICs",
            {{"bytes_sent", "bytes"},
             {"bytes_recv", "bytes"},
             {"packets_sent", "packets"},
             {"packets_recv", "packets"},
             {"errin", "receive errors"},
             {"errout", "transmit errors"},
             {"dropin", "incoming packets dropped"},
             {"dropout", "outgoing packets dropped"},
             {"<nic>.<field>", "the same per NIC (pernic = yes; 'eth0.100' is 'eth0_100')"}},
            {{"pernic", "yes: also one set of series per NIC (default no)"}}};
        return i;
    }
    void configure(SectionReader& options) override { pernic_ = options.get_bool("pernic", false); }
    std::optional<Readings> sample(const SystemReader& sys) override {
        static const std::string path = "/proc/net/dev";
        auto text = sys.read_file(path);
        if (!text) return std::nullopt;
        return net_io_readings(parse_net_dev(*text, path), pernic_);
    }

  private:
    bool pernic_ = false;
};

}  // namespace

std::unique_ptr<Sensor> make_net_io_sensor() { return std::make_unique<NetIoSensor>(); }

}  // namespace fructosa::sensors
