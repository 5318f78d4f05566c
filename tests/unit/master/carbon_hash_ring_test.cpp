#include "master/carbon_hash_ring.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

using namespace fructosa;

namespace {

std::vector<CarbonDestination> three_instances() {
    return {{"127.0.0.1", 2104, "a"}, {"127.0.0.1", 2204, "b"}, {"127.0.0.1", 2304, "c"}};
}

std::vector<std::string> instances_for(const CarbonHashRing& ring, std::string_view metric, std::size_t count) {
    std::vector<std::size_t> idx;
    ring.destinations_for(metric, count, idx);
    std::vector<std::string> out;
    for (auto i : idx) out.push_back(ring.destinations()[i].instance);
    return out;
}

}  // namespace

// The expected values were printed by carbon 1.1.10's own carbon.hashing (Debian 12's
// graphite-carbon): ConsistentHashRing([...]).get_nodes(key) and carbonHash(key, 'carbon_ch').
// The integration test test_carbon_cluster.py checks the same against the installed module.
TEST(CarbonHashRing, PositionsAreCarbonsFirstSixteenBitsOfMd5) {
    EXPECT_EQ(CarbonHashRing::position("node1.CPUPercent.0"), 32136u);
    EXPECT_EQ(CarbonHashRing::position("jobs.42.node1.cpu.usage_percent"), 48315u);
    EXPECT_EQ(CarbonHashRing::position("fructosa.lmaster.m1.points_in"), 27821u);
    EXPECT_EQ(CarbonHashRing::position("a"), 3265u);
}

TEST(CarbonHashRing, PicksTheDestinationsCarbonPicksInCarbonsOrder) {
    CarbonHashRing ring(three_instances());
    EXPECT_EQ(instances_for(ring, "node1.CPUPercent.0", 3), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(instances_for(ring, "jobs.42.node1.cpu.usage_percent", 3), (std::vector<std::string>{"c", "b", "a"}));
    EXPECT_EQ(instances_for(ring, "fructosa.lmaster.m1.points_in", 3), (std::vector<std::string>{"b", "a", "c"}));
    EXPECT_EQ(instances_for(ring, "a", 3), (std::vector<std::string>{"a", "c", "b"}));
    EXPECT_EQ(instances_for(ring, "cluster.n0042.VirtualMemory.used", 1), (std::vector<std::string>{"a"}));
}

TEST(CarbonHashRing, DestinationsWithoutInstanceHashAsPythonsNone) {
    std::vector<CarbonDestination> five;
    for (int i = 1; i <= 5; ++i) five.push_back({"10.0.0." + std::to_string(i), 2004, ""});
    CarbonHashRing ring(five);
    auto servers = [&](std::string_view metric) {
        std::vector<std::size_t> idx;
        ring.destinations_for(metric, 2, idx);
        std::vector<std::string> out;
        for (auto i : idx) out.push_back(ring.destinations()[i].server);
        return out;
    };
    EXPECT_EQ(servers("node1.CPUPercent.0"), (std::vector<std::string>{"10.0.0.1", "10.0.0.5"}));
    EXPECT_EQ(servers("jobs.42.node1.cpu.usage_percent"), (std::vector<std::string>{"10.0.0.1", "10.0.0.4"}));
    EXPECT_EQ(servers("fructosa.lmaster.m1.points_in"), (std::vector<std::string>{"10.0.0.3", "10.0.0.5"}));
    EXPECT_EQ(servers("a"), (std::vector<std::string>{"10.0.0.2", "10.0.0.5"}));
    EXPECT_EQ(servers("cluster.n0042.VirtualMemory.used"), (std::vector<std::string>{"10.0.0.4", "10.0.0.5"}));
}

TEST(CarbonHashRing, SpreadsSeriesOverEveryDestinationAndMovesOnlyTheLeaversShare) {
    CarbonHashRing three(three_instances());
    auto two_list = three_instances();
    two_list.pop_back();
    CarbonHashRing two(two_list);
    std::map<std::string, int> per_instance;
    int moved = 0, total = 3000;
    std::vector<std::size_t> a, b;
    for (int n = 0; n < total; ++n) {
        std::string metric = "node" + std::to_string(n % 100) + ".CPUPercent." + std::to_string(n / 100);
        three.destinations_for(metric, 1, a);
        two.destinations_for(metric, 1, b);
        ++per_instance[three.destinations()[a[0]].instance];
        // Removing "c" moves only the series that were on "c".
        if (three.destinations()[a[0]].instance != "c") {
            EXPECT_EQ(a, b) << metric;
        } else {
            ++moved;
        }
    }
    ASSERT_EQ(per_instance.size(), 3u);
    for (const auto& [instance, count] : per_instance) {
        EXPECT_GT(count, total / 6) << instance;
        EXPECT_LT(count, total / 2) << instance;
    }
    EXPECT_EQ(moved, per_instance["c"]);
}

TEST(CarbonHashRing, ReplicasAreDistinctAndNeverMoreThanTheDestinations) {
    CarbonHashRing ring(three_instances());
    std::vector<std::size_t> idx;
    ring.destinations_for("x.y.z", 5, idx);
    EXPECT_EQ(idx.size(), 3u);
    EXPECT_EQ(std::set<std::size_t>(idx.begin(), idx.end()).size(), 3u);
    CarbonHashRing one({{"graphite", 2004, ""}});
    one.destinations_for("x.y.z", 2, idx);
    EXPECT_EQ(idx, std::vector<std::size_t>{0});
}

TEST(CarbonHashRing, RefusesTheSameServerAndInstanceTwiceAsCarbonDoes) {
    EXPECT_THROW(CarbonHashRing({{"h", 2004, "a"}, {"h", 2005, "a"}}), std::invalid_argument);
    EXPECT_THROW(CarbonHashRing(std::vector<CarbonDestination>{}), std::invalid_argument);
    EXPECT_NO_THROW(CarbonHashRing({{"h", 2004, "a"}, {"h", 2005, "b"}}));
}

TEST(CarbonDestination, ParsesCarbonsDestinationSyntax) {
    EXPECT_EQ(parse_carbon_destination("127.0.0.1:2004:a"), (CarbonDestination{"127.0.0.1", 2004, "a"}));
    EXPECT_EQ(parse_carbon_destination("cache1:2104"), (CarbonDestination{"cache1", 2104, ""}));
    EXPECT_EQ(to_string(CarbonDestination{"cache1", 2104, ""}), "cache1:2104");
    EXPECT_EQ(to_string(CarbonDestination{"cache1", 2104, "b"}), "cache1:2104:b");
    auto reason = [](std::string_view text) {
        try {
            parse_carbon_destination(text);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(reason("cache1"), "'cache1' is not server:port[:instance]");
    EXPECT_EQ(reason("cache1:x"), "'cache1:x': 'x' is not a port number");
    EXPECT_EQ(reason("cache1:70000:a"), "'cache1:70000:a': '70000' is not a port number");
    EXPECT_EQ(reason(":2004"), "':2004': '' is not a server name");
    EXPECT_EQ(reason("h:2004:"), "'h:2004:': '' is not an instance name");
    EXPECT_EQ(reason("h:2004:a'b"), "'h:2004:a'b': 'a'b' is not an instance name");
}
