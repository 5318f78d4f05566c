// LinkCache: interface readings kept while the kernel announces no change, at most a minute.
#include "collector/sensors/link_cache.h"
#include "collector/sensors/net_if_addrs.h"
#include "collector/sensors/net_if_stats.h"

#include <stdexcept>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(LinkCache, KeptWhileNothingChangedAndAtMostAMinute) {
    TempTree tree;
    auto reader = tree.reader();
    double now = 10;
    LinkCache cache([&] { return now; });
    int reads = 0;
    auto read = [&]() -> std::optional<Readings> { return Readings{{"x", static_cast<double>(++reads)}}; };
    // A reader that cannot tell: read every time.
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 1}}));
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 2}}));
    // With announcements: kept until the generation moves...
    reader.link_generation_value = 7;
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 3}}));
    now += 1;
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 3}}));
    reader.link_generation_value = 8;
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 4}}));
    // ... or kLinkRefreshSeconds passed since the read.
    now += kLinkRefreshSeconds - 0.5;
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 4}}));
    now += 0.5;
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 5}}));
    // Back to a reader that cannot tell: read again, however recent the kept ones.
    reader.link_generation_value.reset();
    EXPECT_EQ(cache.get(reader, read), (Readings{{"x", 6}}));
}

TEST(LinkCache, NothingToReadAndErrorsAreNotKept) {
    TempTree tree;
    auto reader = tree.reader();
    reader.link_generation_value = 1;
    LinkCache cache([] { return 0.0; });
    int reads = 0;
    EXPECT_EQ(cache.get(reader, [&]() -> std::optional<Readings> { ++reads; return std::nullopt; }), std::nullopt);
    EXPECT_EQ(cache.get(reader, [&]() -> std::optional<Readings> { ++reads; return std::nullopt; }), std::nullopt);
    EXPECT_EQ(reads, 2);
    EXPECT_THROW(cache.get(reader, []() -> std::optional<Readings> { throw std::runtime_error("x"); }),
                 std::runtime_error);
    EXPECT_EQ(cache.get(reader, [] { return std::optional<Readings>(Readings{{"y", 1}}); }), (Readings{{"y", 1}}));
}

TEST(LinkCache, NetIfStatsReadsSysfsAgainOnlyAfterAnAnnouncement) {
    TempTree tree;
    tree.write("/sys/class/net/eth0/mtu", "1500\n").write("/sys/class/net/eth0/operstate", "up\n");
    auto reader = tree.reader();
    reader.link_generation_value = 3;
    double now = 0;
    auto s = make_net_if_stats_sensor([&] { return now; });
    auto r = s->sample(reader);
    ASSERT_TRUE(r);
    EXPECT_DOUBLE_EQ(at(*r, "eth0.mtu"), 1500);
    tree.write("/sys/class/net/eth0/mtu", "9000\n");
    now += 1;
    EXPECT_DOUBLE_EQ(at(*s->sample(reader), "eth0.mtu"), 1500);  // no announcement yet
    reader.link_generation_value = 4;                             // the kernel's RTM_NEWLINK
    EXPECT_DOUBLE_EQ(at(*s->sample(reader), "eth0.mtu"), 9000);
}

TEST(LinkCache, NetIfAddrsCallsGetifaddrsAgainOnlyAfterAnAnnouncement) {
    TempTree tree;
    tree.write("/ifaddrs", "eth0 ipv4\n");
    auto reader = tree.reader();
    reader.link_generation_value = 1;
    auto s = make_net_if_addrs_sensor([] { return 0.0; });
    EXPECT_DOUBLE_EQ(at(*s->sample(reader), "total"), 1);
    tree.write("/ifaddrs", "eth0 ipv4\neth0 ipv6\n");
    EXPECT_DOUBLE_EQ(at(*s->sample(reader), "total"), 1);
    reader.link_generation_value = 2;
    EXPECT_DOUBLE_EQ(at(*s->sample(reader), "total"), 2);
}
