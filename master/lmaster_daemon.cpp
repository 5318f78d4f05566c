#include "master/lmaster_daemon.h"

#include <iostream>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "common/config.h"
#include "common/disk_spool.h"
#include "common/fd_limit.h"
#include "common/logging.h"
#include "common/metric.h"
#include "master/agent_server.h"
#include "master/aggregating_sink.h"
#include "master/carbon_cluster_sink.h"
#include "master/carbon_sink.h"
#include "master/spooling_sink.h"
#include "master/job_event_handler.h"
#include "master/null_sink.h"
#include "master/self_metrics.h"

namespace fructosa {

namespace asio = boost::asio;

namespace {

constexpr auto kFlushGrace = std::chrono::milliseconds(2000);

/// Each connection is one descriptor: take the hard limit so `max agents` agents plus
/// `max pending handshakes` connections without a Hello can be held.
void check_fd_limit(std::size_t max_connections) {
    auto limit = raise_fd_limit();
    if (limit && *limit < max_connections + 64)
        log_warning("open file limit {} is below max agents plus max pending handshakes ({}) plus lmaster's own "
                    "descriptors",
                    *limit, max_connections);
}

std::chrono::milliseconds to_ms(double seconds) {
    return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

/// One carbon (or relay) behind a spool, a Graphite cluster of them behind carbon's
/// ring, or nothing at all (`send = no`).
std::unique_ptr<GraphiteSink> make_graphite_sink(asio::io_context& io, const LmasterConfig& config) {
    const auto& g = config.graphite;
    if (!g.send) return std::make_unique<NullSink>();
    if (g.destinations.empty())
        return std::make_unique<SpoolingSink>(io, std::make_unique<CarbonSink>(io, carbon_sink_settings(g)),
                                              config.spool);
    // The single destination's spool is the parent folder of the cluster's: what it still
    // holds would lie there unseen. Say so (it is not sent to the cluster: its series
    // would need the ring too, and the old carbon may be one of the destinations anyway).
    if (auto left = DiskSpool::unsent_bytes(config.spool.directory); left > 0)
        log_warning("spool {} holds {} bytes not yet sent from before [Graphite] destinations was set: they are not "
                    "sent now; to deliver them, run lmaster once without destinations (with host = the old carbon) "
                    "until it logs 'spool drained'",
                    config.spool.directory, left);
    std::vector<std::unique_ptr<GraphiteSink>> members;
    for (const auto& d : g.destinations)
        members.push_back(std::make_unique<SpoolingSink>(
            io, std::make_unique<CarbonSink>(io, carbon_sink_settings(g, d)),
            destination_spool(config.spool, d, g.destinations.size())));
    return std::make_unique<CarbonClusterSink>(CarbonHashRing(g.destinations), std::move(members),
                                               g.replication_factor, g.prefix);
}

/// For the ready line: where the points go.
std::string graphite_destination(const GraphiteSettings& g) {
    if (g.destinations.empty()) return fmt::format("{}:{} ({})", g.host, g.port(), to_string(g.protocol));
    std::string list;
    for (const auto& d : g.destinations) list += (list.empty() ? "" : ", ") + to_string(d);
    return fmt::format("a Graphite cluster of {} by carbon_ch, {} cop{} of each series ({}): {}",
                       g.destinations.size(), g.replication_factor, g.replication_factor == 1 ? "y" : "ies",
                       to_string(g.protocol), list);
}

}  // namespace

bool lmaster_applies_on_hangup(const ConfigChange& c) { return iequals(c.section, "logging") && c.key == "level"; }

namespace {

/// SIGHUP's re-read: the running file stays the reference, so a key that needs a
/// restart is named at every SIGHUP until lmaster restarts.
void reload_lmaster_config(const std::optional<IniFile>& started, const std::string& path) {
    if (!started) {
        log_info("SIGHUP: no configuration file to re-read");
        return;
    }
    try {
        IniFile fresh = IniFile::load(path);
        LmasterConfig c = read_lmaster_config(fresh);
        log_changes_needing_restart(config_changes(*started, fresh), lmaster_applies_on_hangup, "lmaster");
        if (c.logging.level != Log::level()) {
            Log::set_level(c.logging.level);
            log_info("SIGHUP: log level re-read");
        }
        log_info("SIGHUP: configuration re-read");
    } catch (const std::exception& e) {
        log_error("SIGHUP: keeping the running configuration: {}", e.what());
    }
}

}  // namespace

RunFn make_lmaster_run(const LmasterConfig& config, const std::string& config_path) {
    std::optional<IniFile> started;
    if (!config_path.empty()) started = IniFile::load(config_path);
    return [config, config_path, started](const ReadyFn& ready) -> int {
        check_fd_limit(config.listen.max_agents + config.listen.max_pending_handshakes);
        asio::io_context io;
        std::unique_ptr<GraphiteSink> sink = make_graphite_sink(io, config);
        AggregatingSink* aggregates = nullptr;  // [aggregates]: cluster figures computed on the way in
        if (config.aggregates.enabled) {
            auto a = std::make_unique<AggregatingSink>(
                io, std::move(sink), ClusterAggregator(config.aggregates, self_metrics_name(config)));
            aggregates = a.get();
            sink = std::move(a);
        }
        // Before the server: its sessions hand job events to the handler's worker.
        JobEventHandler jobs(io, config.registry, config.slurm);  // throws naming the registry file
        AgentServer server(io, agent_server_settings(config.listen), *sink, make_authenticator(config.auth));
        server.on_job_event(
            [&jobs, &io, aggregates](const std::string& host, const wire::JobEvent& e) {  // on the registry worker
                log_debug("job event {} from {}: {}", e.seq, host, e.json.substr(0, 4000));
                // The aggregator belongs to the network thread, as the batches that feed it.
                if (aggregates)
                    boost::asio::post(io, [aggregates, host, json = e.json] { aggregates->on_job_event(host, json); });
                jobs.on_event(host, e.json);
            },
            jobs.worker());
        jobs.start();
        server.listen();  // throws "cannot listen on host:port: ..."
        SelfMetrics self(io, to_ms(config.self_metrics_interval), self_metrics_name(config), server, *sink, &jobs.stats());
        self.set_status_file(config.status_file);

        asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
        bool stopping = false;
        std::function<void()> wait_signal = [&]() {
            signals.async_wait([&](const boost::system::error_code& ec, int sig) {
                if (ec) return;
                if (sig == SIGHUP) {
                    reopen_log_on_hangup();
                    reload_lmaster_config(started, config_path);
                    wait_signal();
                    return;
                }
                if (stopping) return;
                stopping = true;
                log_info("signal {}: stopping", sig);
                self.stop();
                server.stop();
                jobs.stop();
                sink->stop(kFlushGrace, [&]() {
                    signals.cancel();
                    io.stop();
                });
                wait_signal();  // a second TERM during the flush is simply absorbed
            });
        };
        wait_signal();

        sink->start();
        self.start();
        log_info("lmaster {} ready: forwarding to Graphite at {}{}", FRUCTOSA_VERSION,
                 graphite_destination(config.graphite), config.graphite.send ? "" : " [send = no: nothing is forwarded]");
        ready();
        io.run();
        auto s = sink->stats();
        log_info("lmaster stopped: {} points in, {} out, {} dropped, {} invalid", s.points_in, s.points_out,
                 s.points_dropped, s.points_invalid);
        return 0;
    };
}

int check_lmaster_config(const std::string& path) {
    try {
        load_lmaster_config(path);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 2;
    }
    std::cout << path << ": OK\n";
    return 0;
}

}  // namespace fructosa
