#include "collector/sensors/net_connections.h"
#include "collector/sensors/net_if_addrs.h"
#include "collector/sensors/net_if_stats.h"
#include "collector/sensors/net_io.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(NetDev, ParsesEveryNicIncludingDottedNames) {
    auto nics = parse_net_dev(fixture_text("host", "/proc/net/dev"), "dev");
    ASSERT_EQ(nics.size(), 5u);
    EXPECT_EQ(nics[3].name, "eth0");
    // rx bytes 28913424 packets 800, tx bytes 41424 packets 467
    EXPECT_EQ(nics[3].values,
              (std::array<std::uint64_t, 8>{41424, 28913424, 467, 800, 0, 0, 0, 0}));
    EXPECT_EQ(nics[4].name, "eth0.100");  // "eth0.100:1000": the counter touches the colon
    EXPECT_EQ(nics[4].values, (std::array<std::uint64_t, 8>{2000, 1000, 20, 10, 1, 3, 2, 4}));
    EXPECT_THROW(parse_net_dev("h1\nh2\n  eth0: 1 2 3\n", "dev"), std::runtime_error);
    EXPECT_THROW(parse_net_dev("h1\nh2\n  eth0 1 2 3\n", "dev"), std::runtime_error);
}

TEST(NetIOCounters, SumsOverNics) {
    auto r = sample_on("NetIOCounters", "host");
    EXPECT_EQ(r, (Readings{{"bytes_sent", 362331 + 41424 + 2000},
                           {"bytes_recv", 362331 + 28913424 + 1000},
                           {"packets_sent", 3429 + 467 + 20},
                           {"packets_recv", 3429 + 800 + 10},
                           {"errin", 1},
                           {"errout", 3},
                           {"dropin", 2},
                           {"dropout", 4}}));
}

TEST(NetIOCounters, PerNicNamesAreSanitised) {
    auto r = sample_on("NetIOCounters", "host", "pernic = yes\n");
    EXPECT_EQ(r.size(), 8u + 5u * 8u);
    EXPECT_DOUBLE_EQ(at(r, "eth0_100.bytes_sent"), 2000);
    EXPECT_DOUBLE_EQ(at(r, "eth0_100.dropout"), 4);
    EXPECT_DOUBLE_EQ(at(r, "lo.bytes_recv"), 362331);
    EXPECT_FALSE(has(r, "eth0.100.bytes_sent"));
}

TEST(NetConnections, CountsByProtocolAndState) {
    auto r = sample_on("NetConnections", "host");
    // tcp: LISTEN, TIME_WAIT, 2 ESTABLISHED; tcp6: LISTEN; udp: 1; unix: 3.
    EXPECT_DOUBLE_EQ(at(r, "total"), 9);
    EXPECT_DOUBLE_EQ(at(r, "tcp.LISTEN"), 2);
    EXPECT_DOUBLE_EQ(at(r, "tcp.ESTABLISHED"), 2);
    EXPECT_DOUBLE_EQ(at(r, "tcp.TIME_WAIT"), 1);
    EXPECT_DOUBLE_EQ(at(r, "tcp.CLOSE_WAIT"), 0);
    EXPECT_DOUBLE_EQ(at(r, "udp"), 1);
    EXPECT_DOUBLE_EQ(at(r, "unix"), 3);
    EXPECT_FALSE(has(r, "tcp.UNKNOWN"));
    EXPECT_EQ(r.size(), 1u + 11u + 2u);
}

TEST(NetConnections, StatesAndErrors) {
    EXPECT_EQ(tcp_state_name(0x0A), "LISTEN");
    EXPECT_EQ(tcp_state_name(0x0B), "CLOSING");
    EXPECT_EQ(tcp_state_name(0x0C), "UNKNOWN");
    EXPECT_EQ(parse_inet_socket_states("header\n 0: a b 0A x\n 1: a b 01\n", "tcp"),
              (std::vector<int>{10, 1}));
    EXPECT_THROW(parse_inet_socket_states("header\n 0: a b ZZ x\n", "tcp"), std::runtime_error);
    EXPECT_THROW(parse_inet_socket_states("header\n 0: a\n", "tcp"), std::runtime_error);
    ConnectionCounts c;
    c.tcp_by_state["UNKNOWN"] = 2;
    EXPECT_DOUBLE_EQ(at(net_connections_readings(c), "tcp.UNKNOWN"), 2);
}

TEST(NetIFAddrs, CountsPerInterfaceAndFamily) {
    auto r = sample_on("NetIFAddrs", "host");
    EXPECT_EQ(r, (Readings{{"eth0.ipv4", 1},
                           {"eth0.ipv6", 2},
                           {"eth0.link", 1},
                           {"eth0_100.ipv4", 1},
                           {"eth0_100.ipv6", 0},
                           {"eth0_100.link", 1},
                           {"ifb0.ipv4", 0},
                           {"ifb0.ipv6", 0},
                           {"ifb0.link", 1},
                           {"lo.ipv4", 1},
                           {"lo.ipv6", 1},
                           {"lo.link", 1},
                           {"total", 10}}));
}

TEST(NetIFStats, StateDuplexSpeedMtu) {
    auto r = sample_on("NetIFStats", "host");
    // bonding_masters is a file, not an interface.
    EXPECT_EQ(r, (Readings{{"eth0.isup", 1},
                           {"eth0.duplex", 0},
                           {"eth0.speed", 0},
                           {"eth0.mtu", 1400},
                           {"eth0_100.isup", 1},
                           {"eth0_100.duplex", 2},
                           {"eth0_100.speed", 1000},
                           {"eth0_100.mtu", 1500},
                           {"ifb0.isup", 0},
                           {"ifb0.duplex", 0},
                           {"ifb0.speed", 0},
                           {"ifb0.mtu", 1500},
                           {"lo.isup", 1},
                           {"lo.duplex", 0},
                           {"lo.speed", 0},
                           {"lo.mtu", 65536}}));
}

TEST(NetIFStats, MalformedAttributeNamesTheFile) {
    SysfsDir nic{"eth9", {{"mtu", "1500"}, {"flags", "0xzz"}}};
    try {
        net_if_stats_readings({nic});
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/sys/class/net/eth9/flags"), std::string::npos)
            << e.what();
    }
    SysfsDir half{"eth1", {{"mtu", "9000"}, {"operstate", "up"}, {"duplex", "half"}}};
    EXPECT_EQ(
        net_if_stats_readings({half}),
        (Readings{{"eth1.isup", 1}, {"eth1.duplex", 1}, {"eth1.speed", 0}, {"eth1.mtu", 9000}}));
}
