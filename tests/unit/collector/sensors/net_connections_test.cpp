// NetConnections: sockets by protocol and TCP state from /proc/net.
#include "collector/sensors/net_connections.h"

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
