#include "master/carbon_cluster_sink.h"

#include <gtest/gtest.h>

#include <memory>

#include "recording_sink.h"

using namespace fructosa;

namespace {

/// Records what it is given and reports the counters a test sets.
class CountingSink : public test_support::RecordingSink {
public:
    SinkStats stats() const override { return reported; }
    SinkStats reported;
    bool stopped = false;
    std::function<void()> pending_done;
    void stop(std::chrono::milliseconds, std::function<void()> done) override {
        stopped = true;
        pending_done = std::move(done);
    }
};

struct Cluster {
    std::vector<CountingSink*> members;
    std::unique_ptr<CarbonClusterSink> sink;
};

Cluster make_cluster(std::size_t replication, std::string prefix = "", std::size_t cache = 1u << 20) {
    std::vector<CarbonDestination> dests{{"127.0.0.1", 2104, "a"}, {"127.0.0.1", 2204, "b"}, {"127.0.0.1", 2304, "c"}};
    std::vector<std::unique_ptr<GraphiteSink>> members;
    Cluster c;
    for (std::size_t i = 0; i < dests.size(); ++i) {
        auto m = std::make_unique<CountingSink>();
        c.members.push_back(m.get());
        members.push_back(std::move(m));
    }
    c.sink = std::make_unique<CarbonClusterSink>(CarbonHashRing(dests), std::move(members), replication,
                                                 std::move(prefix), cache);
    return c;
}

Points series(int n) {
    Points pts;
    for (int i = 0; i < n; ++i) pts.push_back({"node" + std::to_string(i) + ".CPUPercent.0", 100.0 + i, double(i)});
    return pts;
}

std::size_t member_of(const Cluster& c, const std::string& path) {
    for (std::size_t m = 0; m < c.members.size(); ++m)
        for (const auto& p : c.members[m]->points())
            if (p.path == path) return m;
    return c.members.size();
}

}  // namespace

TEST(CarbonClusterSink, EachPointGoesToTheCacheTheRingPicksForItsFullPath) {
    for (std::string prefix : {"", "site.cluster"}) {
        auto c = make_cluster(1, prefix);
        c.sink->offer(series(300));
        std::vector<std::size_t> want;
        std::size_t total = 0;
        for (auto* m : c.members) {
            EXPECT_GT(m->points().size(), 0u);
            total += m->points().size();
        }
        EXPECT_EQ(total, 300u);
        for (const auto& p : series(300)) {
            std::string key = prefix.empty() ? p.path : prefix + "." + p.path;
            c.sink->ring().destinations_for(key, 1, want);
            EXPECT_EQ(member_of(c, p.path), want[0]) << key;
        }
        EXPECT_EQ(c.sink->stats().points_in, 300u);
    }
}

TEST(CarbonClusterSink, ReplicationSendsEachPointToThatManyDistinctCaches) {
    auto c = make_cluster(2);
    c.sink->offer(series(100));
    std::size_t total = 0;
    for (auto* m : c.members) total += m->points().size();
    EXPECT_EQ(total, 200u);
    std::vector<std::size_t> want;
    for (const auto& p : series(100)) {
        c.sink->ring().destinations_for(p.path, 2, want);
        for (auto m : want) {
            auto pts = c.members[m]->points();
            EXPECT_TRUE(std::any_of(pts.begin(), pts.end(), [&](const Point& q) { return q == p; })) << p.path;
        }
    }
}

TEST(CarbonClusterSink, ABoundedCacheStillRoutesEveryPointTheSameWay) {
    auto small = make_cluster(1, "", 7);
    auto big = make_cluster(1);
    for (int round = 0; round < 3; ++round) {
        small.sink->offer(series(50));
        big.sink->offer(series(50));
    }
    for (std::size_t m = 0; m < 3; ++m) EXPECT_EQ(small.members[m]->points(), big.members[m]->points());
}

TEST(CarbonClusterSink, StatsSumTheMembersAndConnectedNeedsEveryOne) {
    auto c = make_cluster(1);
    for (auto* m : c.members) m->reported = SinkStats{0, 10, 1, 2, 3, true, 1};
    auto s = c.sink->stats();
    EXPECT_EQ(s.points_out, 30u);
    EXPECT_EQ(s.points_dropped, 3u);
    EXPECT_EQ(s.points_invalid, 6u);
    EXPECT_EQ(s.points_queued, 9u);
    EXPECT_EQ(s.connections_lost, 3u);
    EXPECT_TRUE(s.connected);
    c.members[1]->reported.connected = false;
    EXPECT_FALSE(c.sink->stats().connected);
    EXPECT_EQ(c.sink->member_stats().size(), 3u);
}

TEST(CarbonClusterSink, StopIsDoneOnceEveryMemberIsDone) {
    auto c = make_cluster(1);
    int done = 0;
    c.sink->stop(std::chrono::milliseconds(10), [&] { ++done; });
    for (auto* m : c.members) EXPECT_TRUE(m->stopped);
    c.members[0]->pending_done();
    c.members[2]->pending_done();
    EXPECT_EQ(done, 0);
    c.members[1]->pending_done();
    EXPECT_EQ(done, 1);
}
