#pragma once
/// lmaster's configuration: plain structs read from the 0.3.2-style INI file, and
/// mapped onto the settings each component takes (lmaster_daemon.cpp wires the
/// components together). Defaults live here and in those settings headers; every
/// unknown key or section is an error that names file and line.

#include <cstddef>
#include <string>
#include <vector>

#include "common/logging.h"
#include "common/registry/registry_settings.h"
#include "master/aggregate_settings.h"
#include "master/agent_server_settings.h"
#include "master/auth_settings.h"
#include "master/carbon_hash_ring.h"
#include "master/carbon_sink_settings.h"
#include "master/slurm_settings.h"
#include "master/spooling_sink_settings.h"

namespace fructosa {

class IniFile;

/// `[Graphite]`: where and how lmaster forwards points.
struct GraphiteSettings {
    std::string host = "localhost";
    int pickle_port = 2004;
    int plaintext_port = 2003;
    CarbonProtocol protocol = CarbonProtocol::Pickle;
    /// "send = no" keeps the 0.3.2 behaviour of accepting data without forwarding it.
    bool send = true;
    /// Prepended with a dot to every path ("" = none); each component already path-safe.
    std::string prefix;
    /// Bound of the queue towards carbon; when full the oldest points are dropped.
    std::size_t max_queued_points = 1000000;
    /// A Graphite cluster fed directly (carbon's DESTINATIONS): each series goes to the
    /// carbon-cache(s) carbon's consistent-hash ring picks; empty = `host` alone.
    std::vector<CarbonDestination> destinations;
    /// Copies of each series on distinct destinations (carbon's REPLICATION_FACTOR).
    std::size_t replication_factor = 1;

    /// The port of the chosen protocol's receiver.
    int port() const { return protocol == CarbonProtocol::Pickle ? pickle_port : plaintext_port; }
};

/// `[lmaster]`: the agent-facing side.
struct AgentListenSettings {
    std::string host = "localhost";  ///< address (or name) to listen on
    int port = 7888;                 ///< "incoming data port"
    std::size_t max_agents = 10000;  ///< agents past their Hello; a Hello beyond this is refused
    std::size_t max_pending_handshakes = 1024;  ///< connections without a Hello; beyond, the oldest is closed
    double handshake_timeout = 10;   ///< seconds an agent has to send its Hello
    double idle_timeout = 300;       ///< seconds of silence before a connection is closed
};

struct LmasterConfig {
    AgentListenSettings listen;
    AuthSettings auth;  ///< [lmaster] auth, allowed uids
    double self_metrics_interval = 10;  ///< seconds between lmaster's own metrics
    std::string status_file;  ///< [lmaster] status file: own figures for `fructosad status`; empty: none
    /// [lmaster] name: this lmaster's level in its own series (fructosa.lmaster.<name>.*,
    /// fructosa.cluster.<name>.*); empty: the short host name (self_metrics_name()).
    std::string name;
    GraphiteSettings graphite;
    SpoolSettings spool;        ///< [Graphite] spool directory, spool max mb
    RegistrySettings registry;  ///< [registry]
    SlurmSettings slurm;        ///< [slurm]
    AggregateSettings aggregates;  ///< [aggregates]
    LogSettings logging;
};

inline constexpr const char* kLmasterDefaultLog = "/var/log/fructosa/lmaster.log";

/// Reads every section of `file`; throws ConfigError ("file:line: [section] key: what")
/// on bad values, unknown keys and unknown sections.
LmasterConfig read_lmaster_config(const IniFile& file);

/// The level naming this lmaster in its own series: `[lmaster] name`, else the short host
/// name made a path component.
std::string self_metrics_name(const LmasterConfig& config);

/// Loads and reads `path` (ConfigError also when the file cannot be read).
LmasterConfig load_lmaster_config(const std::string& path);

/// What a CarbonSink takes for `[Graphite]`: its host, the chosen protocol's port,
/// the prefix and the queue bound.
CarbonSinkSettings carbon_sink_settings(const GraphiteSettings& graphite);
/// The same for one destination of a Graphite cluster.
CarbonSinkSettings carbon_sink_settings(const GraphiteSettings& graphite, const CarbonDestination& destination);
/// Where the spool of one cluster destination lives: a folder of `[Graphite] spool
/// directory` named after it, so each destination drains on its own, with an equal share
/// of `spool max mb` (at least 1 MiB).
SpoolSettings destination_spool(const SpoolSettings& spool, const CarbonDestination& destination,
                                std::size_t destinations);

/// What the AgentServer takes for `[lmaster]`.
AgentServerSettings agent_server_settings(const AgentListenSettings& listen);

}  // namespace fructosa
