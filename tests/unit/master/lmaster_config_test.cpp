#include "master/lmaster_config.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/config.h"

using namespace fructosa;

namespace {

LmasterConfig parse(const std::string& text) { return read_lmaster_config(IniFile::parse(text, "lmaster.conf")); }

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(LmasterConfig, DefaultsWhenEverythingIsAbsent) {
    auto c = parse("");
    EXPECT_EQ(c.listen.host, "localhost");
    EXPECT_EQ(c.listen.port, 7888);
    EXPECT_EQ(c.listen.max_agents, 10000u);
    EXPECT_DOUBLE_EQ(c.listen.handshake_timeout, 10);
    EXPECT_DOUBLE_EQ(c.listen.idle_timeout, 300);
    EXPECT_DOUBLE_EQ(c.self_metrics_interval, 10);
    EXPECT_EQ(c.graphite.host, "localhost");
    EXPECT_EQ(c.graphite.pickle_port, 2004);
    EXPECT_EQ(c.graphite.plaintext_port, 2003);
    EXPECT_EQ(c.graphite.protocol, CarbonProtocol::Pickle);
    EXPECT_EQ(c.graphite.port(), 2004);
    EXPECT_TRUE(c.graphite.send);
    EXPECT_EQ(c.graphite.prefix, "");
    EXPECT_EQ(c.graphite.max_queued_points, 1000000u);
    EXPECT_EQ(c.logging.filename, "/var/log/fructosa/lmaster.log");
}

TEST(LmasterConfig, ReadsEveryKey) {
    auto c = parse(
        "[lmaster]\nhost = 0.0.0.0\nincoming data port = 17888\nself metrics interval = 2.5\n"
        "max agents = 50\nmax pending handshakes = 7\nhandshake timeout = 0.5\nidle timeout = 60\n"
        "[Graphite]\nhost = carbon.example\ncarbon receiver pickle port = 12004\n"
        "carbon receiver plaintext port = 12003\nprotocol = plaintext\nsend = no\n"
        "prefix = cluster.a\nmax queued points = 42\n"
        "[logging]\nfilename = -\nlevel = DEBUG\n");
    EXPECT_EQ(c.listen.host, "0.0.0.0");
    EXPECT_EQ(c.listen.port, 17888);
    EXPECT_DOUBLE_EQ(c.self_metrics_interval, 2.5);
    EXPECT_EQ(c.listen.max_agents, 50u);
    EXPECT_EQ(c.listen.max_pending_handshakes, 7u);
    EXPECT_DOUBLE_EQ(c.listen.handshake_timeout, 0.5);
    EXPECT_DOUBLE_EQ(c.listen.idle_timeout, 60);
    EXPECT_EQ(c.graphite.host, "carbon.example");
    EXPECT_EQ(c.graphite.pickle_port, 12004);
    EXPECT_EQ(c.graphite.plaintext_port, 12003);
    EXPECT_EQ(c.graphite.protocol, CarbonProtocol::Plaintext);
    EXPECT_EQ(c.graphite.port(), 12003);
    EXPECT_FALSE(c.graphite.send);
    EXPECT_EQ(c.graphite.prefix, "cluster.a");
    EXPECT_EQ(c.graphite.max_queued_points, 42u);
    EXPECT_EQ(c.logging.filename, "-");
    EXPECT_EQ(c.logging.level, LogLevel::Debug);
}

TEST(LmasterConfig, AnOriginalConfigStillWorks) {
    // The keys a 0.3.2 lmaster.conf carried.
    auto c = parse(
        "[lmaster]\nhost = master01\nincoming data port = 7888\n\n"
        "[Graphite]\nhost = graphite01\ncarbon receiver pickle port = 2004\n\n"
        "[logging]\nfilename = /tmp/lmaster.log\nmaxBytes = 1073741824\nbackupCount = 10\nlevel = INFO\n");
    EXPECT_EQ(c.listen.host, "master01");
    EXPECT_EQ(c.graphite.host, "graphite01");
    EXPECT_EQ(c.logging.backup_count, 10);
}

TEST(LmasterConfig, EachBadValueNamesFileLineSectionAndKey) {
    EXPECT_EQ(error_of("[lmaster]\nincoming data port = 0\n"),
              "lmaster.conf:2: [lmaster] incoming data port: 0 is out of range [1, 65535]");
    EXPECT_EQ(error_of("[lmaster]\nhost = a\nself metrics interval = often\n"),
              "lmaster.conf:3: [lmaster] self metrics interval: expected a number, got 'often'");
    EXPECT_EQ(error_of("[lmaster]\nmax agents = -1\n"),
              "lmaster.conf:2: [lmaster] max agents: -1 is out of range [1, 1000000]");
    EXPECT_EQ(error_of("[lmaster]\n\nhandshake timeout = 0\n"),
              "lmaster.conf:3: [lmaster] handshake timeout: 0 is out of range [0.01, 3600]");
    EXPECT_EQ(error_of("[lmaster]\nidle timeout = x\n"),
              "lmaster.conf:2: [lmaster] idle timeout: expected a number, got 'x'");
    EXPECT_EQ(error_of("[Graphite]\ncarbon receiver pickle port = 70000\n"),
              "lmaster.conf:2: [Graphite] carbon receiver pickle port: 70000 is out of range [1, 65535]");
    EXPECT_EQ(error_of("[Graphite]\ncarbon receiver plaintext port = two\n"),
              "lmaster.conf:2: [Graphite] carbon receiver plaintext port: expected an integer, got 'two'");
    EXPECT_EQ(error_of("[Graphite]\nprotocol = json\n"),
              "lmaster.conf:2: [Graphite] protocol: 'json' is not one of: pickle, plaintext");
    EXPECT_EQ(error_of("[Graphite]\nsend = maybe\n"),
              "lmaster.conf:2: [Graphite] send: expected yes/no, true/false, on/off or 1/0, got 'maybe'");
    EXPECT_EQ(error_of("[Graphite]\nmax queued points = 0\n"),
              "lmaster.conf:2: [Graphite] max queued points: 0 is out of range [1, 1000000000]");
    EXPECT_EQ(error_of("[Graphite]\nprefix = my cluster\n"),
              "lmaster.conf:2: [Graphite] prefix: 'my cluster' is not a Graphite path (dot-separated "
              "components of letters, digits and _-:+%@)");
    EXPECT_NE(error_of("[Graphite]\nprefix = a..b\n"), "no error");
    EXPECT_NE(error_of("[Graphite]\nprefix = .a\n"), "no error");
    EXPECT_EQ(error_of("[logging]\nlevel = LOUD\n"),
              "lmaster.conf:2: [logging] level: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL");
}

TEST(LmasterConfig, NameIsOneLevelOfItsOwnSeriesAndDefaultsToTheShortHostName) {
    EXPECT_EQ(self_metrics_name(parse("[lmaster]\nname = lm-b\n")),
              "lm-b");
    EXPECT_EQ(self_metrics_name(parse("[lmaster]\nhost = a\n")),
              sanitize_component(short_hostname()));
    EXPECT_EQ(error_of("[lmaster]\nname = lm.b\n"),
              "lmaster.conf:2: [lmaster] name: 'lm.b' is not one Graphite path component (letters, digits and "
              "_-:+%@, no dot)");
    EXPECT_NE(error_of("[lmaster]\nname = lm b\n"), "no error");
}

TEST(LmasterConfig, UnknownKeysAreRejectedInEverySection) {
    EXPECT_EQ(error_of("[lmaster]\nhost = a\nincoming data prot = 1\n"),
              "lmaster.conf:3: [lmaster] incoming data prot: unknown key (known keys: auth, allowed uids, host, incoming data port, "
              "self metrics interval, max agents, max pending handshakes, handshake timeout, idle timeout, status file, name)");
    EXPECT_EQ(error_of("[Graphite]\n\nhots = a\n").substr(0, 38), "lmaster.conf:3: [Graphite] hots: unkno");
    EXPECT_EQ(error_of("[logging]\nfile = x\n").substr(0, 36), "lmaster.conf:2: [logging] file: unkn");
}

TEST(LmasterConfig, UnknownSectionsAreRejectedWithTheirLine) {
    EXPECT_EQ(error_of("[lmaster]\nhost = a\n\n[graphite]\nhost = b\n"),
              "lmaster.conf:4: [graphite]: unknown section (known sections: lmaster, Graphite, registry, slurm, aggregates, logging)");
    EXPECT_EQ(error_of("[sensor:CPUPercent]\ntime_interval = 1\n"),
              "lmaster.conf:1: [sensor:CPUPercent]: unknown section (known sections: lmaster, Graphite, registry, slurm, aggregates, logging)");
}

TEST(LmasterConfig, MapsOntoTheSettingsOfEachComponent) {
    auto c = parse(
        "[lmaster]\nhost = 0.0.0.0\nincoming data port = 17888\nmax agents = 50\nmax pending handshakes = 7\n"
        "handshake timeout = 0.5\nidle timeout = 60\n"
        "[Graphite]\nhost = carbon.example\ncarbon receiver pickle port = 12004\n"
        "carbon receiver plaintext port = 12003\nprotocol = plaintext\nprefix = cluster.a\nmax queued points = 42\n");
    CarbonSinkSettings carbon = carbon_sink_settings(c.graphite);
    EXPECT_EQ(carbon.host, "carbon.example");
    EXPECT_EQ(carbon.port, 12003);  // the chosen protocol's receiver
    EXPECT_EQ(carbon.protocol, CarbonProtocol::Plaintext);
    EXPECT_EQ(carbon.prefix, "cluster.a");
    EXPECT_EQ(carbon.max_queued_points, 42u);
    EXPECT_EQ(carbon.min_backoff, std::chrono::milliseconds(200));
    EXPECT_EQ(carbon.max_backoff, std::chrono::milliseconds(30000));
    EXPECT_EQ(carbon_sink_settings(parse("").graphite).port, 2004);

    AgentServerSettings server = agent_server_settings(c.listen);
    EXPECT_EQ(server.host, "0.0.0.0");
    EXPECT_EQ(server.port, 17888);
    EXPECT_EQ(server.max_agents, 50u);
    EXPECT_EQ(server.max_pending_handshakes, 7u);
    EXPECT_EQ(server.handshake_timeout, std::chrono::milliseconds(500));
    EXPECT_EQ(server.idle_timeout, std::chrono::milliseconds(60000));
}

TEST(LmasterConfig, AGraphiteClusterIsListedAsCarbonDestinations) {
    auto c = parse("[Graphite]\ndestinations = 127.0.0.1:2104:a, 127.0.0.1:2204:b,cache3:2004\nreplication factor = 2\n"
                   "spool directory = /var/spool/x\nspool max mb = 300\n");
    ASSERT_EQ(c.graphite.destinations.size(), 3u);
    EXPECT_EQ(c.graphite.destinations[1], (CarbonDestination{"127.0.0.1", 2204, "b"}));
    EXPECT_EQ(c.graphite.destinations[2], (CarbonDestination{"cache3", 2004, ""}));
    EXPECT_EQ(c.graphite.replication_factor, 2u);
    auto spool = destination_spool(c.spool, c.graphite.destinations[1], 3);
    EXPECT_EQ(spool.directory, "/var/spool/x/127.0.0.1_2204_b");
    EXPECT_EQ(spool.max_bytes, 100ull << 20);
    EXPECT_EQ(destination_spool(c.spool, c.graphite.destinations[2], 3).directory, "/var/spool/x/cache3_2004");
    auto sink = carbon_sink_settings(c.graphite, c.graphite.destinations[1]);
    EXPECT_EQ(sink.host, "127.0.0.1");
    EXPECT_EQ(sink.port, 2204);
    EXPECT_TRUE(parse("").graphite.destinations.empty());
    EXPECT_EQ(parse("").graphite.replication_factor, 1u);
}

TEST(LmasterConfig, ABadDestinationListNamesTheLineAndTheEntry) {
    EXPECT_EQ(error_of("[Graphite]\ndestinations = a:2004:x, b\n"),
              "lmaster.conf:2: [Graphite] destinations: 'b' is not server:port[:instance]");
    EXPECT_EQ(error_of("[Graphite]\ndestinations = a:2004:x, a:2005:x\n"),
              "lmaster.conf:2: [Graphite] destinations: a:2005:x repeats the server and instance of a:2004:x "
              "(carbon tells destinations apart by server and instance, not port)");
    EXPECT_EQ(error_of("[Graphite]\ndestinations = a:2004:x, b:2004\nreplication factor = 3\n"),
              "lmaster.conf:3: [Graphite] replication factor: 3 copies need at least as many destinations (2 listed)");
    EXPECT_EQ(error_of("[Graphite]\nreplication factor = 2\n"),
              "lmaster.conf:2: [Graphite] replication factor: 2 copies need at least as many destinations (0 listed)");
}

TEST(LmasterConfig, AggregatesHaveDefaultsAndReadEveryKey) {
    LmasterConfig d = parse("");
    EXPECT_TRUE(d.aggregates.enabled);
    EXPECT_EQ(d.aggregates.interval, 10);
    EXPECT_EQ(d.aggregates.reporting_window, 120);
    EXPECT_EQ(d.aggregates.forget_after, 86400);
    EXPECT_EQ(d.aggregates.max_nodes, 100000u);
    LmasterConfig c = parse("[aggregates]\nenabled = no\ninterval = 5\nreporting window = 30\nforget after = 600\n"
                            "max nodes = 20000\n");
    EXPECT_FALSE(c.aggregates.enabled);
    EXPECT_EQ(c.aggregates.interval, 5);
    EXPECT_EQ(c.aggregates.reporting_window, 30);
    EXPECT_EQ(c.aggregates.forget_after, 600);
    EXPECT_EQ(c.aggregates.max_nodes, 20000u);
}

TEST(LmasterConfig, BadAggregatesNameFileLineAndKey) {
    EXPECT_EQ(error_of("[aggregates]\ninterval = 0\n"),
              "lmaster.conf:2: [aggregates] interval: 0 is out of range [0.1, 3600]");
    EXPECT_EQ(error_of("[aggregates]\ninterval = 60\nreporting window = 30\n"),
              "lmaster.conf:3: [aggregates] reporting window: 30 s is shorter than the interval (60 s): a node "
              "reporting once an interval would count as silent");
    EXPECT_EQ(error_of("[aggregates]\nforget after = 60\n"),
              "lmaster.conf:2: [aggregates] forget after: 60 s is shorter than the reporting window (120 s)");
    EXPECT_EQ(error_of("[aggregates]\nmax nodes = 0\n"),
              "lmaster.conf:2: [aggregates] max nodes: 0 is out of range [1, 10000000]");
    EXPECT_EQ(error_of("[aggregates]\ncluster = x\n"),
              "lmaster.conf:2: [aggregates] cluster: unknown key (known keys: enabled, interval, reporting window, "
              "forget after, max nodes)");
}
