// The sparkline renderer on fixed series, asserted block by block: levels, gaps as "not
// measured" (never a low block), spikes, one point, flat series, NaN and negatives.
#include "perad/sparkline.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace fructosa {
namespace {

constexpr auto kNone = std::nullopt;
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(Sparkline, EachLevelIsAnEighthOfTheScale) {
    EXPECT_EQ(sparkline({0, 12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100}, {0, 100}), "▁▂▃▄▅▆▇██");
    EXPECT_EQ(sparkline({12.4, 99.9}, {0, 100}), "▁█");
}

TEST(Sparkline, GapsAreNotMeasuredNeverLow) {
    EXPECT_EQ(sparkline({100, kNone, 0, kNone}, {0, 100}), "█·▁·");
    EXPECT_EQ(sparkline({kNone, kNone, kNone}, {0, 100}), "···");
}

TEST(Sparkline, SpikeStandsOutOfAFlatLine) {
    EXPECT_EQ(sparkline({5, 5, 5, 95, 5, 5}, {0, 100}), "▁▁▁█▁▁");
    Samples spike{0, 0, 400, 0};
    EXPECT_EQ(sparkline(spike, auto_scale(spike).value()), "▁▁█▁");
}

TEST(Sparkline, OnePointAndEmpty) {
    EXPECT_EQ(sparkline({50}, {0, 100}), "▅");
    EXPECT_EQ(sparkline({}, {0, 100}), "");
}

TEST(Sparkline, AllEqualOnItsOwnScaleIsFullUnlessZero) {
    // A flat rate of 3 MB/s is the series' maximum: its own scale runs from 0 to it.
    Samples flat{3e6, 3e6, 3e6};
    ASSERT_TRUE(auto_scale(flat));
    EXPECT_EQ(sparkline(flat, *auto_scale(flat)), "███");
    Samples zero{0, 0, kNone};
    EXPECT_EQ(sparkline(zero, *auto_scale(zero)), "▁▁·");  // an empty range: every measured slot is ▁
    EXPECT_FALSE(auto_scale({kNone, kNone}));
}

TEST(Sparkline, NanAndInfinityAreGapsAndOutOfRangeIsClamped) {
    EXPECT_EQ(sparkline({kNaN, kInf, -kInf, 50}, {0, 100}), "···▅");
    EXPECT_EQ(sparkline({-20, 250}, {0, 100}), "▁█");
    Samples negative{-10, 0, 10};
    auto s = auto_scale(negative);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->lo, -10);
    EXPECT_EQ(s->hi, 10);
    EXPECT_EQ(sparkline(negative, *s), "▁▅█");
    EXPECT_EQ(sparkline({1, 2}, {5, 5}), "▁▁");  // hi == lo
    EXPECT_EQ(sparkline({1, 2}, {5, 1}), "▁▁");  // hi < lo
    auto nan_scale = auto_scale({kNaN, 4, kInf});
    ASSERT_TRUE(nan_scale);
    EXPECT_EQ(nan_scale->hi, 4);
}

TEST(Resample, AveragesMeasuredSlotsPerColumn) {
    // 6 slots on 3 columns: pairs averaged; a pair with one gap is its measured slot.
    Samples v{0, 10, 20, kNone, kNone, kNone};
    Samples r = resample(v, 3);
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0], 5);
    EXPECT_EQ(r[1], 20);
    EXPECT_EQ(r[2], kNone);
    EXPECT_EQ(resample({1, 2}, 2), (Samples{1, 2}));  // as long as the line: unchanged
    EXPECT_EQ(resample({kNaN}, 1), (Samples{kNone}));
    EXPECT_TRUE(resample({1, 2, 3}, 0).empty());
    EXPECT_TRUE(resample({}, 3).empty());
    // 7 slots on 3 columns: every slot lands in one column ([0,2) [2,4) [4,7)).
    Samples u = resample({1, 1, 2, 2, 3, 3, 3}, 3);
    EXPECT_EQ(u, (Samples{1, 2, 3}));
}

TEST(Resample, StretchesShortSeriesInProportionToTime) {
    EXPECT_EQ(resample({1, kNone}, 6), (Samples{1, 1, 1, kNone, kNone, kNone}));
    // 2 slots on 5 columns: column c shows slot c*2/5 (0 0 0 1 1).
    EXPECT_EQ(resample({1, 2}, 5), (Samples{1, 1, 1, 2, 2}));
    EXPECT_EQ(resample({kNaN, 3}, 4), (Samples{kNone, kNone, 3, 3}));
    EXPECT_EQ(resample({7}, 3), (Samples{7, 7, 7}));
}

}  // namespace
}  // namespace fructosa
