#pragma once
/// One sensor family = one small class behind this interface, registered in
/// sensor_registry.cpp. A sensor turns what it reads into numbers only: list-shaped
/// data (connections, sessions, partitions) becomes counts and per-item series.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/system_reader.h"
#include "common/config.h"

namespace fructosa {

/// One value of a sample. `field` is relative to the sensor and may have several
/// dot-separated levels ("eth0.bytes_sent"); every level must already be a safe path
/// component (use sanitize_component on names that come from the machine).
/// An empty field is the sensor's single value (`host.CPUCount`).
struct Reading {
    std::string field;
    double value = 0;
    bool operator==(const Reading&) const = default;
};
using Readings = std::vector<Reading>;

/// A sensor section without time_interval samples this often (0.3.2 had no default).
inline constexpr double kDefaultSensorInterval = 60;

/// What `lagent --list-sensors` prints.
struct SensorInfo {
    std::string name;  ///< the config section is [sensor:<name>]
    std::string help;  ///< one line
    std::vector<std::pair<std::string, std::string>> fields;   ///< field pattern, meaning/unit
    std::vector<std::pair<std::string, std::string>> options;  ///< option, meaning/default
    /// time_interval when the section has none. A sensor whose figures are read by people
    /// rather than graphed second by second, and costly to take, says so with its own
    /// (TopProcesses: 10 s).
    double default_interval_s = kDefaultSensorInterval;
};

class Sensor {
public:
    virtual ~Sensor() = default;
    virtual const SensorInfo& info() const = 0;
    /// Reads the sensor's own options from its section (time_interval is read by the
    /// caller). Every option must be read through `options` so unknown ones are rejected.
    virtual void configure(SectionReader& options) { (void)options; }
    /// Takes one sample. nullopt: the source does not exist on this machine (no cpufreq,
    /// no hwmon, no battery); the caller says so once and stays quiet. Throws
    /// std::exception on a read or parse error: logged, and tried again next interval.
    virtual std::optional<Readings> sample(const SystemReader& sys) = 0;
};

struct SensorRegistration {
    std::string name;
    std::function<std::unique_ptr<Sensor>()> make;
};

/// Every host sensor, in the order `--list-sensors` shows them. The one place a
/// sensor is registered.
const std::vector<SensorRegistration>& sensor_registry();

/// A new sensor by name, or nullptr when no sensor has that name.
std::unique_ptr<Sensor> make_sensor(const std::string& name);

/// One enabled host sensor ([sensor:<Name>]): the configured instance and how often
/// it samples. What the HostSampler takes, one per sensor.
struct SensorConfig {
    std::string name;
    double interval_s = 0;
    std::shared_ptr<Sensor> sensor;
};

}  // namespace fructosa
