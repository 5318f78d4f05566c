#include "collector/agent.h"

#include <csignal>

#include "collector/agent_reload.h"
#include "collector/job_tracker.h"
#include "collector/munge_credential.h"
#include "collector/sensors/rapl.h"
#include "collector/sensors/gpu.h"
#include "common/fd_limit.h"

namespace fructosa {

namespace {

ShipperConfig shipper_config_with_credential(const AgentConfig& c) {
    ShipperConfig s = shipper_config(c);
    s.credential = make_credential_provider(c.auth, c.hostname);
    return s;
}

std::string describe_masters(const AgentConfig& c) {
    std::string out;
    for (const auto& m : c.masters) out += fmt::format("{}{}:{}", out.empty() ? "" : ", ", m.host, m.port);
    return out;
}

}  // namespace

Agent::Agent(AgentConfig config)
    : config_(std::move(config)),
      status_(config_.status_file),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      self_timer_(io_),
      shipper_(io_, shipper_config_with_credential(config_)),
      sampler_(io_, config_.hostname, config_.sensors, host_reader_, [this](Points p) { shipper_.add(std::move(p)); }) {
    if (config_.jobs.enabled) {
        jobs_ = std::make_unique<JobTracker>(io_, job_tracker_settings(config_), reader_, shipper_);
        // Jobs get their share of what the Energy sensor last read (never a second read).
        for (const auto& sc : config_.sensors)
            if (auto* energy = dynamic_cast<const sensors::EnergySensor*>(sc.sensor.get()))
                jobs_->set_energy_feed([meter = energy->meter()] { return meter->totals(); });
    }
    // Per-job GPU figures come from the GPU sensor's monitor: one NVML reader per lagent.
    for (const auto& s : config_.sensors)
        if (auto* gpu = dynamic_cast<sensors::GpuSensor*>(s.sensor.get()); gpu && jobs_)
            jobs_->set_gpu_source([monitor = gpu->monitor()] { return monitor->latest(); });
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
            reload();
            wait_signal();
            return;
        }
        log_info("signal {} received: stopping", sig);
        stop();
    });
}

void Agent::reload() {
    if (!started_file_) {
        log_info("SIGHUP: no configuration file to re-read");
        return;
    }
    try {
        IniFile fresh = IniFile::load(config_.config_path);
        AgentReload plan = plan_agent_reload(*started_file_, *applied_file_, fresh);
        log_changes_needing_restart(plan.needs_restart, [](const ConfigChange&) { return false; }, "lagent");
        if (plan.sensors_changed) {
            sampler_.reconfigure(plan.config.sensors);
            log_info("SIGHUP: sensors re-read: {} sensors", sampler_.sensor_count());
        }
        if (plan.masters_changed) {
            shipper_.set_masters(shipper_config(plan.config).masters);
            log_info("SIGHUP: lmaster list re-read: {}", describe_masters(plan.config));
        }
        if (plan.level_changed) {
            Log::set_level(plan.config.log.level);
            log_info("SIGHUP: log level re-read");
        }
        applied_file_ = std::move(fresh);
        log_info("SIGHUP: configuration re-read");
    } catch (const std::exception& e) {
        log_error("SIGHUP: keeping the running configuration: {}", e.what());
    }
}

int Agent::run(const ReadyFn& ready) {
    if (!config_.config_path.empty()) {
        try {
            started_file_ = IniFile::load(config_.config_path);
            applied_file_ = started_file_;
        } catch (const std::exception& e) {
            log_warning("SIGHUP will not re-read the configuration: {}", e.what());
        }
    }
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
        status_.write(p, now);
        shipper_.add(std::move(p));
        schedule_self_metrics();
    });
}

}  // namespace fructosa
