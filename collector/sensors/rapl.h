#pragma once
/// Energy: the RAPL energy counters of /sys/class/powercap (Intel, and AMD since
/// Linux 5.8), as "<zone>.joules" (energy since lagent began reading the zone) and
/// "<zone>.watts" (mean power since the previous sample).
///
/// Zones: every top-level "intel-rapl:N" ("package-0", "package-1", "psys") and its
/// subzones "intel-rapl:N:M" named under it ("package-0.dram", "package-0.core").
/// "intel-rapl-mmio:N" is a second interface to the same package on some client CPUs:
/// it is read only when no "intel-rapl" zone has its name, so a package never counts twice.
/// The 32- or 64-bit counters wrap at max_energy_range_uj (a busy package every few
/// minutes); a sample that finds a counter smaller than before adds the distance to the
/// wrap point and back. Without a range the interval is not counted (no watts).
///
/// Since Linux 5.10 energy_uj is readable by root only: a zone whose counter cannot be
/// read is logged once and left out, never reported as 0.
///
/// The sensor's latest node totals (package and DRAM energy) are what the job tracker
/// shares out among jobs (collector/job/job_energy.h), so it never reads sysfs itself.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

inline constexpr const char* kPowercapRoot = "/sys/class/powercap";

/// What a zone is for the node totals.
enum class RaplKind { package, dram, other };

/// One zone as read from sysfs.
struct RaplZone {
    std::string dir;     ///< its directory, e.g. /sys/class/powercap/intel-rapl:0:0
    std::string series;  ///< "package-0", "package-0.dram", "psys"
    RaplKind kind = RaplKind::other;
    std::optional<std::uint64_t> energy_uj;     ///< nullopt: unreadable (root only) or absent
    std::optional<std::uint64_t> max_range_uj;  ///< nullopt or 0: wrap point unknown
};

/// The zones below `root` in a stable order (by interface, then zone numbers), MMIO
/// duplicates left out. Throws naming the file when a counter is not a number.
std::vector<RaplZone> read_rapl_zones(const SystemReader& sys, const std::string& root);

/// Energy between two readings of one counter in µJ, across one wrap at `max_range_uj`;
/// nullopt when the counter went back and the range is unknown.
std::optional<std::uint64_t> rapl_delta_uj(std::uint64_t before, std::uint64_t after,
                                           std::optional<std::uint64_t> max_range_uj);

/// The node's energy so far, summed over its zones (joules since lagent began reading
/// them). Absent when no zone of that kind could be read.
struct NodeEnergyTotals {
    std::optional<double> package_joules;  ///< every CPU package
    std::optional<double> dram_joules;     ///< every DRAM subzone
};

/// Keeps each zone's running total across samples and wraps.
class RaplMeter {
  public:
    /// Monotonic seconds, for the watts; replaceable in tests.
    using Clock = std::function<double()>;
    explicit RaplMeter(std::string root = kPowercapRoot, Clock clock = {});

    /// Reads every zone and returns its readings; nullopt when the machine has no
    /// readable RAPL zone. Updates totals().
    std::optional<Readings> sample(const SystemReader& sys);
    NodeEnergyTotals totals() const { return totals_; }
    const std::string& root() const { return root_; }
    void set_root(std::string root) { root_ = std::move(root); }

  private:
    struct Counter {
        std::uint64_t last_uj = 0;
        double joules = 0;
        double time = 0;
        RaplKind kind = RaplKind::other;
    };
    std::string root_;
    Clock clock_;
    std::map<std::string, Counter> counters_;  ///< by zone directory
    std::set<std::string> unreadable_logged_;
    NodeEnergyTotals totals_;
};

/// The Energy sensor: a RaplMeter behind the Sensor interface. Option "powercap root"
/// (default /sys/class/powercap) points it at another tree (integration tests).
class EnergySensor final : public Sensor {
  public:
    explicit EnergySensor(RaplMeter::Clock clock = {});
    const SensorInfo& info() const override;
    void configure(SectionReader& options) override;
    std::optional<Readings> sample(const SystemReader& sys) override;
    /// The latest node totals, for the job tracker (the same meter, never reread).
    std::shared_ptr<const RaplMeter> meter() const { return meter_; }

  private:
    std::shared_ptr<RaplMeter> meter_;
};

std::unique_ptr<Sensor> make_energy_sensor();

}  // namespace fructosa::sensors
