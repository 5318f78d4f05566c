// NetConnections: sockets by protocol and TCP state from /proc/net.
#include "collector/sensors/net_connections.h"

#include <netinet/in.h>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

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

TEST(NetConnections, UnixSocketsAreTheLinesAfterTheHeader) {
    EXPECT_EQ(count_unix_sockets(""), 0);
    EXPECT_EQ(count_unix_sockets("Num       RefCount Protocol Flags    Type St Inode Path\n"), 0);
    EXPECT_EQ(count_unix_sockets("header\na\nb\n"), 2);
    EXPECT_EQ(count_unix_sockets("header\n\n  c  \n\n"), 1);  // blank lines are not sockets
    EXPECT_EQ(count_unix_sockets(fixture_text("host", "/proc/net/unix")), 3);
}

TEST(NetConnections, UdpSocketsComeFromSockstatWhereTheKernelHasIt) {
    // The kernel's hashed-socket counters: no walk of the UDP hash table.
    TempTree tree;
    tree.write("/proc/net/sockstat",
               "sockets: used 28\nTCP: inuse 4 orphan 0 tw 3 alloc 4 mem 0\nUDP: inuse 6 mem 0\n"
               "UDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n")
        .write("/proc/net/sockstat6", "TCP6: inuse 0\nUDP6: inuse 4\nUDPLITE6: inuse 0\n")
        // Lists that disagree, to show they are not what was counted.
        .write("/proc/net/udp", "header\n 0: a b 07\n")
        .write("/proc/net/tcp", "header\n 0: a b 0A\n")
        .write("/proc/net/unix", "header\n");
    auto reader = tree.reader();
    auto r = make_sensor("NetConnections")->sample(reader);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(at(*r, "udp"), 10);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.LISTEN"), 1);  // TCP states still from the socket list
    EXPECT_DOUBLE_EQ(at(*r, "total"), 11);
    // Without sockstat6 (no IPv6): UDP alone.
    TempTree v4;
    v4.write("/proc/net/sockstat", "UDP: inuse 2 mem 0\n").write("/proc/net/unix", "header\n");
    auto reader4 = v4.reader();
    r = make_sensor("NetConnections")->sample(reader4);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(at(*r, "udp"), 2);

    EXPECT_EQ(parse_sockstat_inuse("UDP: inuse 6 mem 0\n", "UDP", "s"), 6);
    EXPECT_EQ(parse_sockstat_inuse("UDPLITE: inuse 3\nUDP: mem 1 inuse 5\n", "UDP", "s"), 5);
    EXPECT_EQ(parse_sockstat_inuse("TCP: inuse 4\n", "UDP", "s"), std::nullopt);
    EXPECT_THROW(parse_sockstat_inuse("UDP: mem 0\n", "UDP", "s"), std::runtime_error);
    EXPECT_THROW(parse_sockstat_inuse("UDP: inuse x\n", "UDP", "s"), std::runtime_error);
}

namespace {

/// A tree whose TCP states come as a sock_diag dump gives them.
class DumpingReader : public FixtureSystemReader {
  public:
    using FixtureSystemReader::FixtureSystemReader;
    std::vector<int> tcp;
    std::optional<std::vector<int>> inet_socket_states(int protocol) const override {
        if (protocol == IPPROTO_TCP) return tcp;
        return std::nullopt;
    }
};

}  // namespace

TEST(NetConnections, DumpedStatesAreCountedByCodeUnknownOnesTogether) {
    TempTree tree;
    tree.write("/proc/net/sockstat", "UDP: inuse 0 mem 0\n").write("/proc/net/unix", "header\n");
    DumpingReader reader(tree.reader().root());
    reader.tcp = {1, 1, 10, 6, 6, 6, 11, 0, 12, 99};
    auto r = make_sensor("NetConnections")->sample(reader);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.ESTABLISHED"), 2);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.LISTEN"), 1);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.TIME_WAIT"), 3);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.CLOSING"), 1);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.SYN_SENT"), 0);
    EXPECT_DOUBLE_EQ(at(*r, "tcp.UNKNOWN"), 3);  // 0, 12 and 99
    EXPECT_DOUBLE_EQ(at(*r, "total"), 10);
}
