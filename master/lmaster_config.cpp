#include "master/lmaster_config.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "common/config.h"
#include "common/metric.h"

namespace fructosa {

namespace {

constexpr const char* kKnownSections[] = {"lmaster", "Graphite", "registry", "slurm", "aggregates", "logging"};

/// A prefix is one or more dot-separated components, each already path-safe, so
/// a typo like "a..b" or "my prefix" is reported instead of mangling every path.
bool valid_prefix(const std::string& prefix) { return path_is_safe(prefix); }

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

void reject_unknown_sections(const IniFile& file) {
    for (const auto& s : file.sections()) {
        bool known = false;
        for (const char* k : kKnownSections) known = known || s.name == k;
        if (!known)
            throw ConfigError(fmt::format("{}: unknown section (known sections: {})", file.where(s, nullptr),
                                          fmt::join(kKnownSections, ", ")));
    }
}

AgentListenSettings read_listen(SectionReader& r, double& self_metrics_interval, std::string& status_file,
                                std::string& name) {
    AgentListenSettings s;
    s.host = r.get_string("host", s.host);
    if (s.host.empty()) r.fail("host", "must not be empty");
    s.port = static_cast<int>(r.get_int("incoming data port", s.port, 1, 65535));
    self_metrics_interval = r.get_double("self metrics interval", self_metrics_interval, 0.1, 86400);
    s.max_agents = static_cast<std::size_t>(r.get_int("max agents", static_cast<long long>(s.max_agents), 1, 1000000));
    s.max_pending_handshakes = static_cast<std::size_t>(
        r.get_int("max pending handshakes", static_cast<long long>(s.max_pending_handshakes), 1, 1000000));
    s.handshake_timeout = r.get_double("handshake timeout", s.handshake_timeout, 0.01, 3600);
    s.idle_timeout = r.get_double("idle timeout", s.idle_timeout, 0.01, 86400 * 7);
    status_file = r.get_string("status file", "");
    if (!status_file.empty() && status_file[0] != '/') r.fail("status file", "needs an absolute path");
    // One level of lmaster's own series: two lmasters on one host need two names.
    name = r.get_string("name", "");
    if (!name.empty() && (name.find('.') != std::string::npos || !valid_prefix(name)))
        r.fail("name", fmt::format("'{}' is not one Graphite path component (letters, digits and _-:+%@, no dot)", name));
    r.reject_unknown();
    return s;
}

GraphiteSettings read_graphite(SectionReader& r) {
    GraphiteSettings g;
    g.host = r.get_string("host", g.host);
    if (g.host.empty()) r.fail("host", "must not be empty");
    g.pickle_port = static_cast<int>(r.get_int("carbon receiver pickle port", g.pickle_port, 1, 65535));
    g.plaintext_port = static_cast<int>(r.get_int("carbon receiver plaintext port", g.plaintext_port, 1, 65535));
    std::string protocol = r.get_choice("protocol", "pickle", {"pickle", "plaintext"});
    g.protocol = iequals(protocol, "plaintext") ? CarbonProtocol::Plaintext : CarbonProtocol::Pickle;
    g.send = r.get_bool("send", g.send);
    g.prefix = r.get_string("prefix", "");
    if (!g.prefix.empty() && !valid_prefix(g.prefix))
        r.fail("prefix", fmt::format("'{}' is not a Graphite path (dot-separated components of "
                                     "letters, digits and _-:+%@)",
                                     g.prefix));
    g.max_queued_points = static_cast<std::size_t>(
        r.get_int("max queued points", static_cast<long long>(g.max_queued_points), 1, 1000000000));
    for (const auto& text : r.get_list("destinations", {})) {
        try {
            g.destinations.push_back(parse_carbon_destination(text));
        } catch (const std::invalid_argument& e) {
            r.fail("destinations", e.what());
        }
    }
    if (!g.destinations.empty()) {
        try {
            CarbonHashRing check(g.destinations);  // refuses the same server and instance twice
        } catch (const std::invalid_argument& e) {
            r.fail("destinations", e.what());
        }
    }
    g.replication_factor = static_cast<std::size_t>(
        r.get_int("replication factor", static_cast<long long>(g.replication_factor), 1, 1000));
    if (g.replication_factor > std::max<std::size_t>(1, g.destinations.size()))
        r.fail("replication factor", fmt::format("{} copies need at least as many destinations ({} listed)",
                                                 g.replication_factor, g.destinations.size()));
    r.reject_unknown();
    return g;
}

SlurmSettings read_slurm(const IniFile& file) {
    SlurmSettings s;
    SectionReader r(file, "slurm");
    s.enrich = r.get_bool("enrich", s.enrich);
    s.conf = r.get_string("conf", "");
    if (!s.conf.empty() && s.conf[0] != '/') r.fail("conf", "slurm.conf needs an absolute path");
    r.reject_unknown();
    return s;
}

AggregateSettings read_aggregates(const IniFile& file) {
    AggregateSettings a;
    SectionReader r(file, "aggregates");
    a.enabled = r.get_bool("enabled", a.enabled);
    a.interval = r.get_double("interval", a.interval, 0.1, 3600);
    a.reporting_window = r.get_double("reporting window", a.reporting_window, 0.1, 86400);
    if (a.reporting_window < a.interval)
        r.fail("reporting window", fmt::format("{} s is shorter than the interval ({} s): a node reporting once an "
                                               "interval would count as silent",
                                               a.reporting_window, a.interval));
    a.forget_after = r.get_double("forget after", a.forget_after, 1, 86400 * 365);
    if (a.forget_after < a.reporting_window)
        r.fail("forget after", fmt::format("{} s is shorter than the reporting window ({} s)", a.forget_after,
                                           a.reporting_window));
    a.max_nodes = static_cast<std::size_t>(r.get_int("max nodes", static_cast<long long>(a.max_nodes), 1, 10000000));
    r.reject_unknown();
    return a;
}

}  // namespace

std::string self_metrics_name(const LmasterConfig& config) {
    return config.name.empty() ? sanitize_component(short_hostname()) : config.name;
}

LmasterConfig read_lmaster_config(const IniFile& file) {
    reject_unknown_sections(file);
    LmasterConfig c;
    SectionReader lmaster(file, "lmaster");
    c.auth.method = lmaster.get_choice("auth", c.auth.method, {"munge", "none"});
    for (const auto& u : lmaster.get_list("allowed uids", {})) {
        char* end = nullptr;
        unsigned long v = std::strtoul(u.c_str(), &end, 10);
        if (u.empty() || *end) lmaster.fail("allowed uids", fmt::format("'{}' is not a numeric uid", u));
        c.auth.allowed_uids.push_back(static_cast<unsigned>(v));
    }
    c.listen = read_listen(lmaster, c.self_metrics_interval, c.status_file, c.name);
    SectionReader graphite(file, "Graphite");
    c.spool.directory = graphite.get_string("spool directory", c.spool.directory);
    if (c.spool.directory.empty() || c.spool.directory[0] != '/')
        graphite.fail("spool directory", "needs an absolute path");
    c.spool.max_bytes = static_cast<std::uint64_t>(
                            graphite.get_int("spool max mb", static_cast<long long>(c.spool.max_bytes >> 20), 1, 1 << 24))
                        << 20;
    c.graphite = read_graphite(graphite);
    c.registry = read_registry_settings(file);
    c.slurm = read_slurm(file);
    c.aggregates = read_aggregates(file);
    c.logging = read_log_settings(file, kLmasterDefaultLog);
    return c;
}

LmasterConfig load_lmaster_config(const std::string& path) { return read_lmaster_config(IniFile::load(path)); }

CarbonSinkSettings carbon_sink_settings(const GraphiteSettings& graphite) {
    CarbonSinkSettings s;
    s.host = graphite.host;
    s.port = graphite.port();
    s.protocol = graphite.protocol;
    s.prefix = graphite.prefix;
    s.max_queued_points = graphite.max_queued_points;
    return s;
}

CarbonSinkSettings carbon_sink_settings(const GraphiteSettings& graphite, const CarbonDestination& destination) {
    CarbonSinkSettings s = carbon_sink_settings(graphite);
    s.host = destination.server;
    s.port = destination.port;
    return s;
}

SpoolSettings destination_spool(const SpoolSettings& spool, const CarbonDestination& destination,
                                std::size_t destinations) {
    SpoolSettings s = spool;
    // The bound is shared: a destination away for long holds its share of the series for
    // as long as one carbon alone would.
    s.max_bytes = std::max<std::uint64_t>(spool.max_bytes / std::max<std::size_t>(1, destinations), 1u << 20);
    s.directory = fmt::format("{}/{}_{}{}{}", spool.directory, destination.server, destination.port,
                              destination.instance.empty() ? "" : "_", destination.instance);
    return s;
}

AgentServerSettings agent_server_settings(const AgentListenSettings& listen) {
    AgentServerSettings s;
    s.host = listen.host;
    s.port = listen.port;
    s.max_agents = listen.max_agents;
    s.max_pending_handshakes = listen.max_pending_handshakes;
    s.handshake_timeout = to_ms(listen.handshake_timeout);
    s.idle_timeout = to_ms(listen.idle_timeout);
    return s;
}

}  // namespace fructosa
