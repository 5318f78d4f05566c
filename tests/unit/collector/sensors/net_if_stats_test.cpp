// NetIFStats: state, duplex, speed and MTU from /sys/class/net.
#include "collector/sensors/net_if_stats.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

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
