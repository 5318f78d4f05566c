// InfiniBand: ports of /sys/class/infiniband, rates between two samples.
#include "collector/sensors/infiniband.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

/// A sensor whose clock the test sets.
struct SteppedIb {
    double now = 100;
    std::unique_ptr<Sensor> sensor = make_infiniband_sensor([this] { return now; });
};

}  // namespace

TEST(InfiniBand, PortsWithALidInNameOrder) {
    KeptFiles files;
    auto ports = read_ib_ports(FixtureSystemReader(fixture_root("infiniband")), files);
    ASSERT_EQ(ports.size(), 3u);  // mlx5_0 port 2 has LID 0x0
    EXPECT_EQ(ports[0].device, "hfi1_0");
    EXPECT_EQ(ports[1].device, "mlx4_0");
    EXPECT_EQ(ports[2].device, "mlx5_0");
    EXPECT_EQ(ports[2].port, "1");
    EXPECT_EQ(ports[2].state, 4);
    EXPECT_EQ(ports[2].phys_state, 5);
    EXPECT_EQ(ports[2].rate_gbps, 100);
    EXPECT_EQ(ports[2].traffic.at("xmit_bytes"), 4000000u);  // 1,000,000 words
    EXPECT_EQ(ports[2].traffic.at("rcv_packets"), 6000u);
    // counters/ saturated at 2^32-1: the 64-bit counters_ext files win.
    EXPECT_EQ(ports[1].traffic.at("xmit_bytes"), 40000000000u);
    EXPECT_EQ(ports[1].traffic.at("xmit_packets"), 100u);
    EXPECT_EQ(ports[1].errors.at("symbol_error"), 3u);
    EXPECT_EQ(ports[1].errors.size(), ib_error_counters().size());
    EXPECT_GT(files.open_count(), 0u);
}

TEST(InfiniBand, FirstSampleHasStateAndErrorsButNoRates) {
    SteppedIb ib;
    auto r = ib.sensor->sample(FixtureSystemReader(fixture_root("infiniband")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(at(*r, "mlx5_0.1.state"), 4);
    EXPECT_EQ(at(*r, "mlx5_0.1.rate_gbps"), 100);
    EXPECT_EQ(at(*r, "mlx5_0.1.link_downed"), 1);
    EXPECT_EQ(at(*r, "mlx5_0.1.errors"), 3);  // link_downed 1 + port_rcv_errors 2
    EXPECT_EQ(at(*r, "mlx4_0.1.rate_gbps"), 56);
    EXPECT_FALSE(has(*r, "mlx5_0.2.state"));
    for (const auto& x : *r) EXPECT_FALSE(x.field.ends_with("_per_s")) << x.field;
}

TEST(InfiniBand, RatesPerSecondAndAResetCounterGivesNoRate) {
    SteppedIb ib;
    ib.sensor->sample(FixtureSystemReader(fixture_root("infiniband")));
    ib.now += 10;
    auto r = ib.sensor->sample(FixtureSystemReader(fixture_root("infiniband_later")));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(at(*r, "mlx5_0.1.xmit_bytes_per_s"), 100000);
    EXPECT_EQ(at(*r, "mlx5_0.1.rcv_bytes_per_s"), 200000);
    EXPECT_EQ(at(*r, "mlx5_0.1.xmit_packets_per_s"), 100);
    EXPECT_EQ(at(*r, "mlx5_0.1.rcv_packets_per_s"), 200);
    EXPECT_EQ(at(*r, "mlx5_0.1.port_rcv_errors"), 3);
    EXPECT_EQ(at(*r, "mlx4_0.1.xmit_bytes_per_s"), 1000000);
    EXPECT_EQ(at(*r, "mlx4_0.1.xmit_packets_per_s"), 1);
    EXPECT_EQ(at(*r, "hfi1_0.1.xmit_bytes_per_s"), 0);
    // mlx4_0's 64-bit receive counter was reset: no rate, and no sum over ports.
    EXPECT_FALSE(has(*r, "mlx4_0.1.rcv_bytes_per_s"));
    EXPECT_FALSE(has(*r, "rcv_bytes_per_s"));
    EXPECT_EQ(at(*r, "xmit_bytes_per_s"), 1100000);
    EXPECT_EQ(at(*r, "rcv_packets_per_s"), 202);
    for (const auto& x : *r) EXPECT_GE(x.value, 0) << x.field;
}

TEST(InfiniBand, A32BitCounterThatWrapsGivesNoRateThenResumes) {
    TempTree t;
    const std::string d = "/sys/class/infiniband/mlx5_0/ports/1";
    t.write(d + "/lid", "0x2\n").write(d + "/counters/port_xmit_data", "4294967290\n");
    SteppedIb ib;
    auto reader = t.reader();
    ib.sensor->sample(reader);
    t.write(d + "/counters/port_xmit_data", "5\n");  // past 2^32: wrapped (or reset)
    ib.now += 2;
    auto wrapped = ib.sensor->sample(reader);
    ASSERT_TRUE(wrapped.has_value());
    EXPECT_FALSE(has(*wrapped, "mlx5_0.1.xmit_bytes_per_s"));
    EXPECT_FALSE(has(*wrapped, "xmit_bytes_per_s"));
    t.write(d + "/counters/port_xmit_data", "105\n");  // re-read through the kept descriptor
    ib.now += 2;
    auto resumed = ib.sensor->sample(reader);
    ASSERT_TRUE(resumed.has_value());
    EXPECT_EQ(at(*resumed, "mlx5_0.1.xmit_bytes_per_s"), 200);  // 100 words x 4 / 2 s
    EXPECT_FALSE(has(*resumed, "mlx5_0.1.state"));              // no state file: absent, not 0
}

TEST(InfiniBand, NoDeviceOrOnlyPortsWithoutLidIsNotAvailable) {
    EXPECT_FALSE(
        make_sensor("InfiniBand")->sample(FixtureSystemReader(fixture_root("host"))).has_value());
    TempTree t;
    t.write("/sys/class/infiniband/mlx5_0/ports/1/lid", "0x0\n");
    EXPECT_FALSE(make_sensor("InfiniBand")->sample(t.reader()).has_value());
}

TEST(InfiniBand, MalformedAttributesNameTheFile) {
    TempTree t;
    t.write("/sys/class/infiniband/mlx5_0/ports/1/lid", "0x1\n")
        .write("/sys/class/infiniband/mlx5_0/ports/1/rate", "fast\n");
    KeptFiles files;
    try {
        read_ib_ports(t.reader(), files);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "/sys/class/infiniband/mlx5_0/ports/1/rate: not a link rate: 'fast'");
    }
}
