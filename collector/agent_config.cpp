#include "collector/agent_config.h"

#include <fmt/format.h>

#include "common/config.h"
#include "common/metric.h"

namespace fructosa {

namespace {

constexpr std::string_view kSensorPrefix = "sensor:";

std::string known_sensor_names() {
    std::vector<std::string> names;
    for (const auto& r : sensor_registry()) names.push_back(r.name);
    return fmt::format("{}", fmt::join(names, ", "));
}

SensorConfig read_sensor(const IniFile& file, const ConfigSection& section) {
    std::string name = section.name.substr(kSensorPrefix.size());
    SensorConfig sc;
    sc.name = name;
    sc.sensor = make_sensor(name);
    if (!sc.sensor)
        throw ConfigError(fmt::format("{}: unknown sensor '{}' (known sensors: {}; see lagent --list-sensors)",
                                      file.where(section, nullptr), name, known_sensor_names()));
    SectionReader r(file, section);
    // 0.3.2 had no default; a sensor section without an interval samples at the
    // sensor's own default (60 s unless the sensor names another).
    sc.interval_s = r.get_double("time_interval", sc.sensor->info().default_interval_s, 0.01, 86400 * 7);
    sc.sensor->configure(r);
    r.reject_unknown();
    return sc;
}

}  // namespace

AgentConfig read_agent_config(const IniFile& file) {
    AgentConfig c;
    c.config_path = file.origin();
    for (const auto& s : file.sections()) {
        bool known = s.name == "lmaster" || s.name == "Graphite" || s.name == "logging" ||
                     s.name == "lagent" || s.name == "jobs" || s.name == "sampling" ||
                     s.name.rfind(kSensorPrefix, 0) == 0;
        if (!known)
            throw ConfigError(fmt::format(
                "{}: unknown section (known: [lmaster], [lagent], [jobs], [sampling], [Graphite], [logging], "
                "[sensor:<Name>])",
                file.where(s, nullptr)));
    }
    {
        SectionReader r(file, "lmaster");
        auto hosts = r.get_list("host", {"localhost"});
        int port = static_cast<int>(r.get_int("incoming data port", 7888, 1, 65535));
        c.masters.clear();
        for (const auto& h : hosts) {
            // "host:port" overrides the common port for one lmaster.
            auto colon = h.rfind(':');
            MasterAddress m{h, port};
            if (colon != std::string::npos && h.find(':') == colon) {
                m.host = h.substr(0, colon);
                char* end = nullptr;
                long p = std::strtol(h.c_str() + colon + 1, &end, 10);
                if (*end || p < 1 || p > 65535) r.fail("host", fmt::format("'{}': bad port", h));
                m.port = static_cast<int>(p);
            }
            c.masters.push_back(m);
        }
        c.auth = r.get_choice("auth", c.auth, {"munge", "none"});
        c.master_order = r.get_choice("order", c.master_order, {"spread", "listed"});
        c.failback_s = r.get_double("failback seconds", c.failback_s, 0, 86400);
        r.reject_unknown();
    }
    {
        // Accepted for 0.3.2 configs: lagent no longer talks to carbon itself.
        SectionReader r(file, "Graphite");
        r.get_string("host", "");
        r.get_int("carbon receiver pickle port", 2004, 1, 65535);
        r.get_int("carbon receiver plaintext port", 2003, 1, 65535);
        r.reject_unknown();
    }
    {
        SectionReader r(file, "lagent");
        c.hostname = r.get_string("hostname", short_hostname());
        if (!component_is_safe(c.hostname))
            r.fail("hostname", fmt::format("'{}' cannot be one level of a metric path (use letters, digits, '-', '_')",
                                           c.hostname));
        c.batch_interval_s = r.get_double("batch interval", c.batch_interval_s, 0.05, 3600);
        c.max_queued_points = static_cast<std::size_t>(
            r.get_int("max queued points", static_cast<long long>(c.max_queued_points), 100, 100'000'000));
        c.self_metrics_interval_s = r.get_double("self metrics interval", c.self_metrics_interval_s, 0.1, 86400);
        c.spool_dir = r.get_string("spool directory", c.spool_dir);
        if (c.spool_dir.empty() || c.spool_dir[0] != '/') r.fail("spool directory", "needs an absolute path");
        c.spool_max_bytes = static_cast<std::uint64_t>(r.get_int("spool max mb", static_cast<long long>(c.spool_max_bytes >> 20), 1, 1 << 20)) << 20;
        c.status_file = r.get_string("status file", "");
        if (!c.status_file.empty() && c.status_file[0] != '/') r.fail("status file", "needs an absolute path");
        r.reject_unknown();
    }
    {
        SectionReader r(file, "jobs");
        c.jobs.enabled = r.get_bool("enabled", c.jobs.enabled);
        c.jobs.socket_path = r.get_string("socket", "/run/fructosa/lagent.sock");
        for (const auto& u : r.get_list("allowed uids", {})) {
            char* end = nullptr;
            unsigned long v = std::strtoul(u.c_str(), &end, 10);
            if (u.empty() || *end) r.fail("allowed uids", fmt::format("'{}' is not a numeric uid", u));
            c.jobs.allowed_uids.push_back(static_cast<unsigned>(v));
        }
        c.jobs.default_interval_s = r.get_double("default interval", c.jobs.default_interval_s, 0.1, 3600);
        c.jobs.min_interval_s = r.get_double("min interval", c.jobs.min_interval_s, 0.1, 3600);
        c.jobs.cgroup_root = r.get_string("cgroup root", c.jobs.cgroup_root);
        c.jobs.idle_threshold_percent = r.get_double("idle threshold percent", c.jobs.idle_threshold_percent, 0, 100);
        c.jobs.hardware_counters = r.get_bool("hardware counters", c.jobs.hardware_counters);
        r.reject_unknown();
    }
    {
        SectionReader r(file, "sampling");
        SamplingPolicyConfig& p = c.sampling;
        p.adaptive = r.get_bool("adaptive", p.adaptive);
        p.host_min_interval_s = r.get_double("host min interval", p.host_min_interval_s, 0.1, 86400);
        p.host_max_interval_s = r.get_double("host max interval", p.host_max_interval_s, 0.1, 86400);
        if (p.host_max_interval_s < p.host_min_interval_s)
            r.fail("host max interval", fmt::format("{} s is below host min interval ({} s)", p.host_max_interval_s,
                                                    p.host_min_interval_s));
        p.load_change_per_minute = r.get_double("load change per minute", p.load_change_per_minute, 0, 1e6);
        p.memory_change_percent_per_minute =
            r.get_double("memory change percent per minute", p.memory_change_percent_per_minute, 0, 100);
        p.idle_load = r.get_double("idle load", p.idle_load, 0, 1e6);
        p.job_fast_seconds = r.get_double("job fast seconds", p.job_fast_seconds, 0, 86400);
        p.job_fast_interval_s = r.get_double("job fast interval", p.job_fast_interval_s, 0.1, 3600);
        r.reject_unknown();
    }
    c.log = read_log_settings(file, "/var/log/fructosa/lagent.log");
    for (const auto& s : file.sections())
        if (s.name.rfind(kSensorPrefix, 0) == 0) c.sensors.push_back(read_sensor(file, s));
    return c;
}

AgentConfig read_agent_config(const std::string& path) { return read_agent_config(IniFile::load(path)); }

ShipperConfig shipper_config(const AgentConfig& config) {
    ShipperConfig s;
    s.masters.clear();
    for (const auto& m : config.masters) s.masters.emplace_back(m.host, m.port);
    if (config.master_order == "spread") s.masters = spread_masters(std::move(s.masters), config.hostname);
    s.failback_s = config.failback_s;
    s.agent_host = config.hostname;
    s.batch_interval_s = config.batch_interval_s;
    s.max_queued_points = config.max_queued_points;
    s.spool_dir = config.spool_dir;
    s.spool_max_bytes = config.spool_max_bytes;
    return s;
}

JobTrackerSettings job_tracker_settings(const AgentConfig& config) {
    return {config.hostname, config.jobs, config.sampling};
}

}  // namespace fructosa
