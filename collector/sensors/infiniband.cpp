#include "collector/sensors/infiniband.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

const std::string ib_dir = "/sys/class/infiniband";

/// Traffic counters: our name, the 64-bit counters_ext file, the counters file, and
/// whether the value counts 4-byte words.
struct TrafficCounter {
    std::string_view name, ext_file, file;
    bool words;
};
constexpr std::array<TrafficCounter, 4> traffic_counters = {{
    {"xmit_bytes", "port_xmit_data_64", "port_xmit_data", true},
    {"rcv_bytes", "port_rcv_data_64", "port_rcv_data", true},
    {"xmit_packets", "port_xmit_packets_64", "port_xmit_packets", false},
    {"rcv_packets", "port_rcv_packets_64", "port_rcv_packets", false},
}};

/// The LID, "0x1a" in hex; nullopt when absent.
std::optional<std::uint64_t> parse_lid(const std::string& text, const std::string& path) {
    std::string_view t = text;
    if (t.starts_with("0x") || t.starts_with("0X")) t.remove_prefix(2);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v, 16);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size())
        parse_error(path, "not a LID: '" + text + "'");
    return v;
}

/// The number before ':' of "4: ACTIVE".
int parse_coded(const std::string& text, const std::string& path) {
    auto colon = text.find(':');
    return static_cast<int>(
        to_i64(trim(std::string_view(text).substr(0, colon)), path, "state code"));
}

/// The Gbit/s of "100 Gb/sec (4X EDR)".
double parse_rate(const std::string& text, const std::string& path) {
    auto words = split_words(text);
    if (words.size() < 2 || words[1] != "Gb/sec")
        parse_error(path, "not a link rate: '" + text + "'");
    return to_double(words[0], path, "link rate");
}

std::optional<std::uint64_t> read_counter(KeptFiles& files, const SystemReader& sys,
                                          const std::string& path) {
    auto text = read_kept_trimmed(files, sys, path);
    if (!text) return std::nullopt;
    return to_u64(*text, path, "counter");
}

}  // namespace

const std::vector<std::string>& ib_error_counters() {
    static const std::vector<std::string> names = {"symbol_error",
                                                   "link_error_recovery",
                                                   "link_downed",
                                                   "port_rcv_errors",
                                                   "port_rcv_remote_physical_errors",
                                                   "port_rcv_switch_relay_errors",
                                                   "port_xmit_discards",
                                                   "port_xmit_constraint_errors",
                                                   "port_rcv_constraint_errors",
                                                   "local_link_integrity_errors",
                                                   "excessive_buffer_overrun_errors",
                                                   "VL15_dropped"};
    return names;
}

std::vector<IbPort> read_ib_ports(const SystemReader& sys, KeptFiles& files) {
    std::vector<IbPort> out;
    for (const auto& dev : sys.list_dir(ib_dir)) {
        const std::string ports_dir = ib_dir + "/" + dev + "/ports";
        auto ports = sys.list_dir(ports_dir);
        std::sort(ports.begin(), ports.end(), [](const std::string& a, const std::string& b) {
            return a.size() != b.size() ? a.size() < b.size() : a < b;
        });
        for (const auto& port : ports) {
            const std::string dir = ports_dir + "/" + port;
            auto lid_text = read_kept_trimmed(files, sys, dir + "/lid");
            if (!lid_text || parse_lid(*lid_text, dir + "/lid").value_or(0) == 0) continue;
            IbPort p;
            p.device = dev;
            p.port = port;
            if (auto t = read_kept_trimmed(files, sys, dir + "/state"))
                p.state = parse_coded(*t, dir + "/state");
            if (auto t = read_kept_trimmed(files, sys, dir + "/phys_state"))
                p.phys_state = parse_coded(*t, dir + "/phys_state");
            if (auto t = read_kept_trimmed(files, sys, dir + "/rate"))
                p.rate_gbps = parse_rate(*t, dir + "/rate");
            for (const auto& c : traffic_counters) {
                auto v = read_counter(files, sys, dir + "/counters_ext/" + std::string(c.ext_file));
                if (!v) v = read_counter(files, sys, dir + "/counters/" + std::string(c.file));
                if (v) p.traffic[std::string(c.name)] = c.words ? *v * 4 : *v;
            }
            for (const auto& name : ib_error_counters())
                if (auto v = read_counter(files, sys, dir + "/counters/" + name))
                    p.errors[name] = *v;
            out.push_back(std::move(p));
        }
    }
    return out;
}

Readings ib_readings(const std::vector<IbPort>* previous, const std::vector<IbPort>& current,
                     double seconds) {
    Readings out;
    std::map<std::string, double> sums;
    std::map<std::string, bool> sum_broken;  ///< a port measured but without a rate this interval
    for (const auto& p : current) {
        const std::string base =
            sanitize_component(p.device) + "." + sanitize_component(p.port) + ".";
        if (p.state) add(out, base + "state", *p.state);
        if (p.phys_state) add(out, base + "phys_state", *p.phys_state);
        if (p.rate_gbps) add(out, base + "rate_gbps", *p.rate_gbps);
        double errors = 0;
        for (const auto& [name, v] : p.errors) {
            add(out, base + sanitize_component(name), static_cast<double>(v));
            errors += static_cast<double>(v);
        }
        if (!p.errors.empty()) add(out, base + "errors", errors);
        if (!previous) continue;
        auto before = std::find_if(previous->begin(), previous->end(), [&](const IbPort& q) {
            return q.device == p.device && q.port == p.port;
        });
        if (before == previous->end()) continue;  // a new port: its rates start next time
        for (const auto& c : traffic_counters) {
            const std::string name(c.name);
            auto now = p.traffic.find(name);
            if (now == p.traffic.end()) continue;
            auto then = before->traffic.find(name);
            std::optional<std::uint64_t> prev;
            if (then != before->traffic.end()) prev = then->second;
            if (auto r = counter_rate(prev, now->second, seconds)) {
                add(out, base + name + "_per_s", *r);
                sums[name] += *r;
            } else {
                sum_broken[name] = true;
            }
        }
    }
    for (const auto& c : traffic_counters) {
        const std::string name(c.name);
        if (sums.count(name) && !sum_broken[name]) add(out, name + "_per_s", sums[name]);
    }
    return out;
}

namespace {

class InfiniBandSensor final : public Sensor {
  public:
    explicit InfiniBandSensor(MonotonicClock clock) : clock_(std::move(clock)) {}
    const SensorInfo& info() const override {
        static const SensorInfo i{
            "InfiniBand",
            "InfiniBand and Omni-Path ports with a LID (/sys/class/infiniband)",
            {{"<dev>.<port>.xmit_bytes_per_s",
              "bytes/s sent (data words x 4; 64-bit counters where present)"},
             {"<dev>.<port>.rcv_bytes_per_s", "bytes/s received"},
             {"<dev>.<port>.xmit_packets_per_s", "packets/s sent"},
             {"<dev>.<port>.rcv_packets_per_s", "packets/s received"},
             {"<dev>.<port>.state", "4 = ACTIVE (1 DOWN, 2 INIT, 3 ARMED)"},
             {"<dev>.<port>.phys_state", "5 = LinkUp (2 Polling, 3 Disabled)"},
             {"<dev>.<port>.rate_gbps", "link rate, Gbit/s"},
             {"<dev>.<port>.<error counter>",
              "symbol_error, link_downed, port_rcv_errors, ... cumulative"},
             {"<dev>.<port>.errors", "sum of the error counters, cumulative"},
             {"{xmit,rcv}_{bytes,packets}_per_s", "the sums over ports"}},
            {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        double now = clock_();
        auto ports = read_ib_ports(sys, files_);
        files_.sweep();
        if (ports.empty() && !has_read_) return std::nullopt;
        has_read_ = true;
        auto out = ib_readings(previous_ ? &*previous_ : nullptr, ports, now - previous_time_);
        previous_ = std::move(ports);
        previous_time_ = now;
        return out;
    }

  private:
    MonotonicClock clock_;
    KeptFiles files_{1024, true};  ///< sysfs attributes: one read each
    std::optional<std::vector<IbPort>> previous_;
    double previous_time_ = 0;
    bool has_read_ = false;
};

}  // namespace

std::unique_ptr<Sensor> make_infiniband_sensor(MonotonicClock clock) {
    return std::make_unique<InfiniBandSensor>(std::move(clock));
}
std::unique_ptr<Sensor> make_infiniband_sensor() { return make_infiniband_sensor(steady_seconds); }

}  // namespace fructosa::sensors
