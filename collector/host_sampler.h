#pragma once
/// Runs every configured host sensor on its own interval and hands the readings, as
/// `<host>.<Sensor>.<field>` points, to a sink. A failing sensor is logged (rate-limited)
/// and tried again at its next interval; it never stops for good (a 0.3.2 bug).
/// A sensor that has read once and then finds nothing to read (its /proc file cannot be
/// opened: lagent out of descriptors) failed that read: a sensor error, not "not
/// available on this machine", which only a sensor that never read is.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>

#include "collector/sensor.h"
#include "collector/system_reader.h"
#include "common/logging.h"
#include "common/metric.h"
#include "common/metric_path.h"

namespace fructosa {

/// Wall-clock time in epoch seconds; replaceable in tests.
using WallClock = std::function<double()>;
double system_wall_clock();

/// Turns readings into points under `base` (host_series_base or job_series_base of
/// common/metric_path.h): each path is child_path(base, field).
Points readings_to_points(std::string_view base, const Readings& readings, double timestamp);

class HostSampler {
public:
    using Sink = std::function<void(Points)>;

    HostSampler(boost::asio::io_context& io, std::string host, std::vector<SensorConfig> sensors,
                const SystemReader& reader, Sink sink, WallClock clock = system_wall_clock);
    /// Takes the first sample of every sensor now, then keeps each on its interval.
    void start();
    void stop();
    /// New sensors and intervals (SIGHUP): a sensor kept by name keeps its state and
    /// continues on its new interval from now; a new one samples at once; a removed one stops.
    void reconfigure(std::vector<SensorConfig> sensors);
    /// The interval of the running sensor `name`, or 0 when it does not run.
    double interval_of(std::string_view name) const;
    std::size_t sensor_count() const { return running_.size(); }
    /// Sensor errors since start, failed reads included (reported in lagent's own metrics).
    std::uint64_t errors() const { return errors_; }

private:
    struct Running {
        SensorConfig config;
        std::unique_ptr<boost::asio::steady_timer> timer;
        std::chrono::steady_clock::time_point next;
        bool unavailable_reported = false;
        bool has_read = false;  ///< gave non-empty readings at least once
        /// False once reconfigure() removed it: a tick already due when its timer was
        /// cancelled still runs, and must not touch the destroyed sensor.
        std::shared_ptr<bool> live = std::make_shared<bool>(true);
        Complaint complaint;
    };
    void tick(Running& r);
    void schedule_next(Running& r);
    void sample_once(Running& r);

    boost::asio::io_context& io_;
    std::string host_;
    std::vector<std::unique_ptr<Running>> running_;
    const SystemReader& reader_;
    Sink sink_;
    WallClock clock_;
    std::uint64_t errors_ = 0;
};

}  // namespace fructosa
