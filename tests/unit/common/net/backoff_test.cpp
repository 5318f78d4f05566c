#include "common/net/backoff.h"

#include <gtest/gtest.h>

#include <vector>

using namespace fructosa::net;
using namespace std::chrono_literals;

namespace {

std::vector<long> take(Backoff& b, int n) {
    std::vector<long> out;
    for (int i = 0; i < n; ++i) out.push_back(static_cast<long>(b.next().count()));
    return out;
}

}  // namespace

TEST(Backoff, DoublesFromPointTwoSecondsToThirtyByDefault) {
    Backoff b;
    EXPECT_EQ(take(b, 10), (std::vector<long>{200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000}));
}

TEST(Backoff, FollowsTheBoundsItIsGiven) {
    Backoff b(10ms, 40ms);
    EXPECT_EQ(take(b, 5), (std::vector<long>{10, 20, 40, 40, 40}));
    EXPECT_EQ(b.first(), 10ms);
    EXPECT_EQ(b.max(), 40ms);
}

TEST(Backoff, PeekSaysTheNextDelayWithoutAdvancing) {
    Backoff b;
    EXPECT_EQ(b.peek(), 200ms);
    EXPECT_EQ(b.peek(), 200ms);
    EXPECT_EQ(b.next(), 200ms);
    EXPECT_EQ(b.peek(), 400ms);
}

TEST(Backoff, ResetStartsAgainFromTheFirstDelay) {
    Backoff b;
    take(b, 4);
    EXPECT_EQ(b.peek(), 3200ms);
    b.reset();
    EXPECT_EQ(take(b, 3), (std::vector<long>{200, 400, 800}));
}
