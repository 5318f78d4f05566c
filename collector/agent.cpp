#include "collector/agent.h"

#include <csignal>

#include "collector/job_tracker.h"
#include "collector/munge_credential.h"
#include "common/fd_limit.h"

namespace fructosa {

namespace {

ShipperConfig shipper_config_with_credential(const AgentConfig& c) {
    ShipperConfig s = shipper_config(c);
    s.credential = make_credential_provider(c.auth, c.hostname);
    return s;
}

}  // namespace

Agent::Agent(AgentConfig config)
    : config_(std::move(config)),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      self_timer_(io_),
      shipper_(io_, shipper_config_with_credential(config_)),
      sampler_(io_, config_.hostname, config_.sensors, host_reader_, [this](Points p) { shipper_.add(std::move(p)); }) {
    if (config_.jobs.enabled) jobs_ = std::make_unique<JobTracker>(io_, job_tracker_settings(config_), reader_, shipper_);
    if (config_.sampling.adaptive) {
        policy_ = std::make_unique<HostIntervalPolicy>(config_.sampling, sampler_.fastest_interval());
        sampler_.set_interval_factor(policy_->factor());
        sampler_.publish_interval(true);
        // Through the pass's reader: /proc/meminfo is the one VirtualMemory just read.
        sampler_.on_fast_pass([this](const SystemReader& pass, double now) {
            auto loadavg = pass.read_file("/proc/loadavg");
            auto meminfo = pass.read_file("/proc/meminfo");
            if (!loadavg || !meminfo) return;
            if (auto state = node_state(*loadavg, *meminfo, now)) {
                policy_->observe(*state);
                sampler_.set_interval_factor(policy_->factor());
            }
        });
    }
}

Agent::~Agent() = default;

void Agent::wait_signal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        if (sig == SIGHUP) {
            reopen_log_on_hangup();
            wait_signal();
            return;
        }
        log_info("signal {} received: stopping", sig);
        stop();
    });
}

int Agent::run(const ReadyFn& ready) {
    // Plugin connections and the sensors' /proc reads share the descriptors: a burst of
    // connections under a 1,024 limit would leave /proc/stat unreadable.
    if (auto limit = raise_fd_limit()) log_debug("open file limit: {}", *limit);
    wait_signal();
    if (config_.auth == "none")
        log_warning("[lmaster] auth = none: this agent does not authenticate; an lmaster with auth = munge refuses it");
    if (jobs_) jobs_->start();  // binds the plugin socket: fails here, before `ready`
    shipper_.start();
    sampler_.start();
    schedule_self_metrics();
    log_info("lagent {} started as host '{}', {} sensors, shipping to {}:{}", FRUCTOSA_VERSION, config_.hostname,
             config_.sensors.size(), config_.masters.front().host, config_.masters.front().port);
    ready();
    io_.run();
    log_info("lagent stopped");
    return 0;
}

void Agent::stop() {
    sampler_.stop();
    if (jobs_) jobs_->stop();
    self_timer_.cancel();
    shipper_.stop();
    signals_.cancel();
}

void Agent::schedule_self_metrics() {
    self_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(config_.self_metrics_interval_s)));
    self_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        ShipperStats s = shipper_.stats();
        double now = system_wall_clock();
        std::string base = lagent_series_base(config_.hostname);
        Points p{{child_path(base, "points_sent"), now, double(s.points_sent)},
                 {child_path(base, "points_queued"), now, double(s.points_queued)},
                 {child_path(base, "points_dropped"), now, double(s.points_dropped)},
                 {child_path(base, "events_dropped"), now, double(s.events_dropped)},
                 {child_path(base, "reconnects"), now, double(s.reconnects)},
                 {child_path(base, "sensor_errors"), now, double(sampler_.errors())}};
        if (jobs_) {
            PluginMessageStats m = jobs_->plugin_stats();
            p.push_back({child_path(base, "jobs_tracked"), now, double(jobs_->tracked())});
            p.push_back({child_path(base, "plugin_refused"), now, double(m.refused)});
            p.push_back({child_path(base, "plugin_malformed"), now, double(m.malformed)});
            p.push_back({child_path(base, "plugin_wrong_node"), now, double(m.wrong_node)});
            p.push_back({child_path(base, "plugin_accept_pauses"), now, double(m.accept_pauses)});
        }
        shipper_.add(std::move(p));
        schedule_self_metrics();
    });
}

}  // namespace fructosa
