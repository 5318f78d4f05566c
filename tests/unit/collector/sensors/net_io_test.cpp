// NetIOCounters: /proc/net/dev summed over NICs, optionally per NIC.
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
