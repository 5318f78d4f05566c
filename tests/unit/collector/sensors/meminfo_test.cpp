// /proc/meminfo parsing shared by VirtualMemory and SwapMemory.
#include "collector/sensors/meminfo.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(MemInfo, KilobytesBecomeBytesUnitlessStay) {
    auto m = parse_meminfo("MemTotal:  100 kB\nHugePages_Total:       3\n", "mi");
    EXPECT_EQ(meminfo_value(m, "MemTotal"), 102400u);
    EXPECT_EQ(meminfo_value(m, "HugePages_Total"), 3u);
    EXPECT_EQ(meminfo_value(m, "Nope", 7), 7u);
    EXPECT_THROW(parse_meminfo("MemTotal 100 kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: lots kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: 1 MB\n", "mi"), std::runtime_error);
}

TEST(MemInfo, EveryLineOfARealMeminfo) {
    auto m = parse_meminfo(fixture_text("host", "/proc/meminfo"), "/proc/meminfo");
    EXPECT_EQ(m.size(), 54u);
    EXPECT_EQ(meminfo_value(m, "MemTotal"), 24684092ull * 1024);
    EXPECT_EQ(meminfo_value(m, "Active(anon)"), 1552ull * 1024);  // parentheses stay in the key
    EXPECT_EQ(meminfo_value(m, "VmallocTotal"), 34359738367ull * 1024);
    EXPECT_EQ(meminfo_value(m, "HugePages_Free", 9), 0u);  // present: the fallback is not used
    EXPECT_EQ(meminfo_value(m, "Hugepagesize"), 2048ull * 1024);
}

TEST(MemInfo, BlankLinesAreSkippedOtherShapesNameFileAndKey) {
    EXPECT_EQ(parse_meminfo("\nMemFree: 2 kB\n  \n", "mi"), (MemInfo{{"MemFree", 2048}}));
    EXPECT_TRUE(parse_meminfo("", "mi").empty());
    struct Case {
        const char* text;
        const char* message;
    };
    const Case cases[] = {
        {"MemTotal 100 kB\n", "mi: line without ':': 'MemTotal 100 kB'"},
        {"MemTotal:\n", "mi: MemTotal: expected 'number [kB]'"},
        {"MemTotal: 1 kB x\n", "mi: MemTotal: expected 'number [kB]'"},
        {"MemTotal: 1 MB\n", "mi: MemTotal: unknown unit 'MB'"},
        {"MemTotal: -1 kB\n", "mi: MemTotal is not a number: '-1'"},
    };
    for (const auto& c : cases) {
        try {
            parse_meminfo(c.text, "mi");
            ADD_FAILURE() << "no error for " << c.text;
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), c.message);
        }
    }
}

TEST(MemInfo, RequiredValueNamesTheMissingKey) {
    auto m = parse_meminfo("MemTotal: 1 kB\nSwapTotal: 0 kB\n", "mi");
    EXPECT_EQ(meminfo_required(m, "MemTotal", "mi"), 1024u);
    EXPECT_EQ(meminfo_required(m, "SwapTotal", "mi"), 0u);
    try {
        meminfo_required(m, "MemFree", "/proc/meminfo");
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "/proc/meminfo: no 'MemFree' line");
    }
}
