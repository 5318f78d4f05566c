// The sink of `[Graphite] send = no`: every point offered is counted in and dropped,
// nothing goes out, and stop() is immediate.
#include "master/null_sink.h"

#include <gtest/gtest.h>

#include <string>

using namespace fructosa;
using namespace std::chrono_literals;

namespace {

Points points(int from, int to) {
    Points out;
    for (int i = from; i <= to; ++i) out.push_back({"a." + std::to_string(i), double(1000 + i), double(i)});
    return out;
}

}  // namespace

TEST(NullSink, CountsAndDrops) {
    NullSink sink;
    sink.offer(points(1, 3));
    auto s = sink.stats();
    EXPECT_EQ(s.points_in, 3u);
    EXPECT_EQ(s.points_dropped, 3u);
    EXPECT_EQ(s.points_out, 0u);
    bool stopped = false;
    sink.stop(0ms, [&] { stopped = true; });
    EXPECT_TRUE(stopped);
}

TEST(NullSink, CountsAcrossOffersAndTakesThePoints) {
    NullSink sink;
    sink.start();
    Points batch = points(1, 4);
    sink.offer(std::move(batch));
    EXPECT_TRUE(batch.empty());  // NOLINT(bugprone-use-after-move): offer() clears what it takes
    sink.offer(points(1, 0));    // an empty batch
    sink.offer(points(10, 11));
    auto s = sink.stats();
    EXPECT_EQ(s.points_in, 6u);
    EXPECT_EQ(s.points_dropped, 6u);
    EXPECT_EQ(s.points_out, 0u);
    EXPECT_EQ(s.points_invalid, 0u);
    EXPECT_EQ(s.points_queued, 0u);
    EXPECT_FALSE(s.connected);
}

TEST(NullSink, StopWithoutACallbackIsFine) {
    NullSink sink;
    sink.offer(points(1, 2));
    EXPECT_NO_THROW(sink.stop(0ms, nullptr));
    EXPECT_EQ(sink.stats().points_dropped, 2u);
}
