#include "collector/sensors/rapl.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <tuple>

#include "collector/sensors/parse_util.h"
#include "common/logging.h"
#include "common/metric.h"

namespace fructosa::sensors {

namespace {

constexpr std::string_view kMsrPrefix = "intel-rapl:";
constexpr std::string_view kMmioPrefix = "intel-rapl-mmio:";

/// "intel-rapl:1:0" -> interface, package 1, subzone 0 (-1 for a top-level zone).
struct ZoneEntry {
    bool mmio = false;
    int package = 0;
    int sub = -1;
    std::string entry;
    auto key() const { return std::tie(mmio, package, sub); }
};

std::optional<int> small_number(std::string_view s) {
    if (s.empty() || s.size() > 6 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return std::stoi(std::string(s));
}

std::optional<ZoneEntry> parse_entry(const std::string& entry) {
    ZoneEntry z;
    z.entry = entry;
    std::string_view rest = entry;
    if (rest.starts_with(kMmioPrefix)) {
        z.mmio = true;
        rest.remove_prefix(kMmioPrefix.size());
    } else if (rest.starts_with(kMsrPrefix)) {
        rest.remove_prefix(kMsrPrefix.size());
    } else {
        return std::nullopt;  // "intel-rapl" itself: the control type, no counter
    }
    auto colon = rest.find(':');
    auto package = small_number(rest.substr(0, colon));
    if (!package) return std::nullopt;
    z.package = *package;
    if (colon != std::string_view::npos) {
        auto sub = small_number(rest.substr(colon + 1));
        if (!sub) return std::nullopt;
        z.sub = *sub;
    }
    return z;
}

std::optional<std::uint64_t> read_u64(const SystemReader& sys, const std::string& path) {
    auto text = read_trimmed(sys, path);
    if (!text) return std::nullopt;
    return to_u64(*text, path, "counter");
}

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<RaplZone> read_rapl_zones(const SystemReader& sys, const std::string& root) {
    std::vector<ZoneEntry> entries;
    for (const auto& name : sys.list_dir(root))
        if (auto z = parse_entry(name)) entries.push_back(*z);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.key() < b.key(); });

    std::vector<RaplZone> zones;
    std::vector<std::string> top_names;           // series of the top-level zones kept so far
    std::map<std::tuple<bool, int>, std::string> parent_series;  // kept top-level zones
    std::map<std::string, std::vector<std::string>> sub_names;   // per parent, for unique names
    for (const auto& e : entries) {
        RaplZone z;
        z.dir = root + "/" + e.entry;
        std::string name = sanitize_component(read_trimmed(sys, z.dir + "/name").value_or(e.entry));
        if (e.sub < 0) {
            // The MMIO interface of a package the MSR interface already gave: the same energy.
            if (e.mmio && std::find(top_names.begin(), top_names.end(), name) != top_names.end()) continue;
            z.series = unique_name(top_names, name);
            z.kind = name.starts_with("package") ? RaplKind::package
                     : name == "dram"            ? RaplKind::dram
                                                 : RaplKind::other;
            parent_series[{e.mmio, e.package}] = z.series;
        } else {
            auto parent = parent_series.find({e.mmio, e.package});
            if (parent == parent_series.end()) continue;  // a subzone of a skipped duplicate
            z.series = parent->second + "." + unique_name(sub_names[parent->second], name);
            z.kind = name == "dram" ? RaplKind::dram : RaplKind::other;  // core, uncore: inside the package
        }
        z.energy_uj = read_u64(sys, z.dir + "/energy_uj");
        z.max_range_uj = read_u64(sys, z.dir + "/max_energy_range_uj");
        zones.push_back(std::move(z));
    }
    return zones;
}

std::optional<std::uint64_t> rapl_delta_uj(std::uint64_t before, std::uint64_t after,
                                           std::optional<std::uint64_t> max_range_uj) {
    if (after >= before) return after - before;
    if (!max_range_uj || *max_range_uj == 0 || before > *max_range_uj) return std::nullopt;
    return (*max_range_uj - before) + after;
}

RaplMeter::RaplMeter(std::string root, Clock clock)
    : root_(std::move(root)), clock_(clock ? std::move(clock) : Clock(steady_seconds)) {}

std::optional<Readings> RaplMeter::sample(const SystemReader& sys) {
    const double now = clock_();
    Readings out;
    for (const auto& z : read_rapl_zones(sys, root_)) {
        if (!z.energy_uj) {
            if (unreadable_logged_.insert(z.dir).second)
                log_warning("Energy: cannot read {}/energy_uj (root only since Linux 5.10): {} is not measured", z.dir,
                            z.series);
            continue;
        }
        auto [it, is_new] = counters_.try_emplace(z.dir);
        Counter& c = it->second;
        c.kind = z.kind;
        std::optional<double> watts;
        if (!is_new) {
            if (auto d = rapl_delta_uj(c.last_uj, *z.energy_uj, z.max_range_uj)) {
                double joules = static_cast<double>(*d) / 1e6;
                c.joules += joules;
                if (now > c.time) watts = joules / (now - c.time);
            }
        }
        c.last_uj = *z.energy_uj;
        c.time = now;
        add(out, z.series + ".joules", c.joules);
        if (watts) add(out, z.series + ".watts", *watts);
    }
    // Totals over every zone ever read: one unreadable this time keeps what it had counted.
    NodeEnergyTotals t;
    for (const auto& [dir, c] : counters_) {
        if (c.kind == RaplKind::package) t.package_joules = t.package_joules.value_or(0) + c.joules;
        if (c.kind == RaplKind::dram) t.dram_joules = t.dram_joules.value_or(0) + c.joules;
    }
    totals_ = t;
    if (out.empty()) return std::nullopt;
    return out;
}

EnergySensor::EnergySensor(RaplMeter::Clock clock)
    : meter_(std::make_shared<RaplMeter>(kPowercapRoot, std::move(clock))) {}

const SensorInfo& EnergySensor::info() const {
    static const SensorInfo i{
        "Energy",
        "RAPL energy of CPU packages and DRAM (/sys/class/powercap)",
        {{"<zone>.joules", "J since lagent began reading the zone (package-0, package-0.dram, psys...)"},
         {"<zone>.watts", "W, mean since the previous sample"}},
        {{"powercap root", "where the powercap zones are (default /sys/class/powercap)"}}};
    return i;
}

void EnergySensor::configure(SectionReader& options) {
    auto root = options.get_string("powercap root", kPowercapRoot);
    if (root.empty() || root.front() != '/') options.fail("powercap root", "'" + root + "' is not an absolute path");
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    meter_->set_root(root);
}

std::optional<Readings> EnergySensor::sample(const SystemReader& sys) { return meter_->sample(sys); }

std::unique_ptr<Sensor> make_energy_sensor() { return std::make_unique<EnergySensor>(); }

}  // namespace fructosa::sensors
