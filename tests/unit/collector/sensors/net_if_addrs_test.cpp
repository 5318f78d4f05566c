// NetIFAddrs: addresses per interface and family.
#include "collector/sensors/net_if_addrs.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

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

TEST(NetIFAddrs, UnknownFamiliesCountOnlyInTheTotal) {
    EXPECT_EQ(net_if_addrs_readings(
                  {{"ib0", "ipv6"}, {"ib0", "packet"}, {"bond0.5", "ipv4"}, {"ib0", "ipv6"}}),
              (Readings{{"bond0_5.ipv4", 1},
                        {"bond0_5.ipv6", 0},
                        {"bond0_5.link", 0},
                        {"ib0.ipv4", 0},
                        {"ib0.ipv6", 2},
                        {"ib0.link", 0},
                        {"total", 4}}));
    EXPECT_EQ(net_if_addrs_readings({}), (Readings{{"total", 0}}));
}
