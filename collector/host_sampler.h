#pragma once
/// Runs every configured host sensor on its own interval and hands the readings, as
/// `<host>.<Sensor>.<field>` points, to a sink. A failing sensor is logged (rate-limited)
/// and tried again at its next interval; it never stops for good (a 0.3.2 bug).
/// A sensor that has read once and then finds nothing to read (its /proc file cannot be
/// opened: lagent out of descriptors) failed that read: a sensor error, not "not
/// available on this machine", which only a sensor that never read is.
///
/// Sensors with the same time_interval form one group: one timer, one pass in which
/// each of them samples through a PassReader (a file read by several sensors, like
/// /proc/stat, is read once), and one batch of points to the sink.
///
/// Adaptive sampling (lagent.conf [sampling]): every interval is the configured one
/// times a factor the Agent sets from its HostIntervalPolicy (set_interval_factor). The
/// fastest group reports after each pass (on_fast_pass) so the policy can look at the
/// node; its effective interval is published as `<host>.lagent.sample_interval_seconds`
/// with the pass's points.

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio.hpp>

#include "collector/pass_reader.h"
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
    /// Called after each pass of the fastest group with the pass's reader (files read
    /// in the pass are not read again) and the pass's time.
    using PassObserver = std::function<void(const SystemReader&, double now)>;

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
    std::size_t sensor_count() const;
    /// Sensor errors since start, failed reads included (reported in lagent's own metrics).
    std::uint64_t errors() const { return errors_; }

    /// Publishes `<host>.lagent.sample_interval_seconds` with every pass of the fastest
    /// group (set before start; the adaptive policy's metric).
    void publish_interval(bool on) { publish_interval_ = on; }
    void on_fast_pass(PassObserver observer) { observer_ = std::move(observer); }
    /// Every group's interval becomes its configured one times `factor` (> 0). A group
    /// waiting longer than its new interval since its last pass samples sooner.
    void set_interval_factor(double factor);
    double interval_factor() const { return factor_; }
    /// The fastest configured interval (0 without sensors).
    double fastest_interval() const;

private:
    struct Running {
        SensorConfig config;
        std::string base;  ///< `<host>.<Sensor>`, built once
        bool unavailable_reported = false;
        bool has_read = false;  ///< gave non-empty readings at least once
        Complaint complaint;
    };
    struct Group {
        explicit Group(boost::asio::io_context& io, const SystemReader& reader) : timer(io), pass(reader) {}
        double interval_s = 0;  ///< configured
        std::vector<Running> sensors;
        boost::asio::steady_timer timer;
        std::chrono::steady_clock::time_point next, last;
        PassReader pass;
        Points points;  ///< the pass's points (its buffer kept between passes)
        /// False once reconfigure() replaced the group: a tick already due when its timer
        /// was cancelled still runs, and must not touch the destroyed group.
        std::shared_ptr<bool> live = std::make_shared<bool>(true);
    };
    /// Sensors grouped by interval, fastest group first.
    std::vector<std::unique_ptr<Group>> make_groups(std::vector<Running> sensors);
    void tick(Group& g);
    void arm(Group& g);
    void sample_once(double interval_s, const SystemReader& pass, Running& r, Points& out);
    std::chrono::steady_clock::duration effective(const Group& g) const;

    boost::asio::io_context& io_;
    const SystemReader& reader_;
    std::string host_;
    std::string interval_path_;  ///< `<host>.lagent.sample_interval_seconds`
    std::vector<std::unique_ptr<Group>> groups_;  ///< fastest first
    Sink sink_;
    WallClock clock_;
    std::uint64_t errors_ = 0;
    double factor_ = 1;
    bool publish_interval_ = false;
    bool stopped_ = true;
    PassObserver observer_;
};

}  // namespace fructosa
