// Text helpers of the sensor parsers: lines, words, strict numbers whose errors name the
// file, series names from paths, numbered directory names, one-value sysfs attributes.
#include "collector/sensors/parse_util.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

namespace {

using Words = std::vector<std::string_view>;

/// The message of the std::runtime_error `f` throws, or "" (and a failure) when none.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
}

}  // namespace

TEST(ParseUtil, ParseErrorIsOriginColonWhat) {
    EXPECT_EQ(error_of([] { parse_error("/proc/stat", "no 'cpu' line"); }),
              "/proc/stat: no 'cpu' line");
}

TEST(ParseUtil, SplitLines) {
    struct Case {
        std::string_view text;
        Words expected;
    };
    const Case cases[] = {
        {"", {}},
        {"a", {"a"}},
        {"a\nb\n", {"a", "b"}},  // a trailing newline adds no empty line
        {"a\n\nb", {"a", "", "b"}},
        {"\n", {""}},
        {" x \n\ty", {" x ", "\ty"}},  // lines are not trimmed
    };
    for (const auto& c : cases) EXPECT_EQ(split_lines(c.text), c.expected) << c.text;
}

TEST(ParseUtil, SplitWordsOnSpacesTabsAndCarriageReturns) {
    struct Case {
        std::string_view line;
        Words expected;
    };
    const Case cases[] = {
        {"", {}},
        {"   \t ", {}},
        {"cpu  1 2", {"cpu", "1", "2"}},
        {"\ta\t\tb \r", {"a", "b"}},
        {"MemTotal:  100 kB", {"MemTotal:", "100", "kB"}},
    };
    for (const auto& c : cases) EXPECT_EQ(split_words(c.line), c.expected) << c.line;
}

TEST(ParseUtil, Trim) {
    EXPECT_EQ(trim(" \t x y \r\n"), "x y");
    EXPECT_EQ(trim("x"), "x");
    EXPECT_EQ(trim(" \n\t"), "");
    EXPECT_EQ(trim(""), "");
}

TEST(ParseUtil, WholeTokensAsNumbers) {
    EXPECT_EQ(to_u64("0", "f", "v"), 0u);
    EXPECT_EQ(to_u64("18446744073709551615", "f", "v"), std::numeric_limits<std::uint64_t>::max());
    EXPECT_EQ(to_i64("-5", "f", "v"), -5);
    EXPECT_EQ(to_i64("9223372036854775807", "f", "v"), std::numeric_limits<std::int64_t>::max());
    EXPECT_DOUBLE_EQ(to_double("2596.122", "f", "v"), 2596.122);
    EXPECT_DOUBLE_EQ(to_double("1e3", "f", "v"), 1000);
    EXPECT_DOUBLE_EQ(to_double("-0.5", "f", "v"), -0.5);
}

TEST(ParseUtil, NumberErrorsNameFileFieldAndToken) {
    EXPECT_EQ(error_of([] { to_u64("12x", "/proc/stat", "ctxt"); }),
              "/proc/stat: ctxt is not a number: '12x'");
    for (const char* bad : {"", "-1", " 1", "1 ", "+1", "18446744073709551616", "0x10"})
        EXPECT_THROW(to_u64(bad, "f", "v"), std::runtime_error) << "'" << bad << "'";
    for (const char* bad : {"", "1.5", "9223372036854775808", "--1"})
        EXPECT_THROW(to_i64(bad, "f", "v"), std::runtime_error) << "'" << bad << "'";
    for (const char* bad : {"", "fast", "1.5x", "1,5"})
        EXPECT_THROW(to_double(bad, "f", "v"), std::runtime_error) << "'" << bad << "'";
}

TEST(ParseUtil, NamedNumbersBuildTheirNameOnlyForAnError) {
    int built = 0;
    auto name = [&] {
        ++built;
        return std::string("cpu3 iowait");
    };
    EXPECT_EQ(to_u64_named("42", "/proc/stat", name), 42u);
    EXPECT_EQ(built, 0);
    EXPECT_EQ(error_of([&] { to_u64_named("4x", "/proc/stat", name); }),
              "/proc/stat: cpu3 iowait is not a number: '4x'");
    EXPECT_EQ(built, 1);
    EXPECT_EQ(parse_u64("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
    for (const char* bad : {"", "-1", " 1", "1 ", "+1", "18446744073709551616", "0x10"})
        EXPECT_FALSE(parse_u64(bad).has_value()) << "'" << bad << "'";
}

TEST(ParseUtil, SplitWordsIntoAReusedBuffer) {
    std::vector<std::string_view> words{"stale", "words", "left"};
    split_words("  a\tbb  c ", words);
    EXPECT_EQ(words, (std::vector<std::string_view>{"a", "bb", "c"}));
    split_words("   ", words);
    EXPECT_TRUE(words.empty());
}

TEST(ParseUtil, PathComponentNamesAPathAsOneSeries) {
    struct Case {
        std::string_view path;
        std::string expected;
    };
    const Case cases[] = {
        {"/", "root"},
        {"///", "root"},
        {"", "root"},
        {"/srv/data", "srv_data"},
        {"/mnt/my disk", "mnt_my_disk"},
        {"//home", "home"},
        {"/scratch/a.b", "scratch_a_b"},  // a dot would split the series path
        {"/data-1/x_y", "data-1_x_y"},
    };
    for (const auto& c : cases) EXPECT_EQ(path_component(c.path), c.expected) << c.path;
}

TEST(ParseUtil, UniqueNameNumbersRepeats) {
    std::vector<std::string> taken;
    EXPECT_EQ(unique_name(taken, "Sensor"), "Sensor");
    EXPECT_EQ(unique_name(taken, "Sensor"), "Sensor_1");
    EXPECT_EQ(unique_name(taken, "Core"), "Core");
    EXPECT_EQ(unique_name(taken, "Sensor"), "Sensor_2");
    EXPECT_EQ(unique_name(taken, "Sensor_1"), "Sensor_1_1");
    EXPECT_EQ(taken,
              (std::vector<std::string>{"Sensor", "Sensor_1", "Core", "Sensor_2", "Sensor_1_1"}));
}

TEST(ParseUtil, NumberAfterPrefix) {
    struct Case {
        std::string_view name;
        std::string_view prefix;
        std::optional<int> expected;
    };
    const Case cases[] = {
        {"cpu12", "cpu", 12},
        {"hwmon0", "hwmon", 0},
        {"cpu007", "cpu", 7},
        {"cpu123456789", "cpu", 123456789},
        {"cpu1234567890", "cpu", std::nullopt},  // more than 9 digits: not an index
        {"cpu", "cpu", std::nullopt},
        {"cpu1a", "cpu", std::nullopt},
        {"cpufreq", "cpu", std::nullopt},
        {"xcpu1", "cpu", std::nullopt},
        {"cpu-1", "cpu", std::nullopt},
    };
    for (const auto& c : cases) EXPECT_EQ(number_after(c.name, c.prefix), c.expected) << c.name;
}

TEST(ParseUtil, NumberedNamesSortNumericallyAndDropOthers) {
    EXPECT_EQ(numbered_names({"hwmon10", "hwmon2", "hwmonX", "other", "hwmon0", "hwmon"}, "hwmon"),
              (std::vector<std::string>{"hwmon0", "hwmon2", "hwmon10"}));
    EXPECT_TRUE(numbered_names({"a", "b"}, "cpu").empty());
}

TEST(ParseUtil, ReadTrimmedAndReadNumberOnAFixtureTree) {
    FixtureSystemReader laptop(fixture_root("laptop"));
    const std::string bat = "/sys/class/power_supply/BAT0/";
    EXPECT_EQ(read_trimmed(laptop, bat + "status"), "Discharging");  // file ends with '\n'
    EXPECT_EQ(read_trimmed(laptop, bat + "nothing"), std::nullopt);
    EXPECT_EQ(read_number(laptop, bat + "energy_now"), 30000000.0);
    EXPECT_EQ(read_number(laptop, bat + "nothing"), std::nullopt);
    EXPECT_EQ(error_of([&] { read_number(laptop, bat + "status"); }),
              bat + "status: value is not a number: 'Discharging'");
}

TEST(ParseUtil, PercentOfAndAdd) {
    EXPECT_DOUBLE_EQ(percent_of(1, 4), 25);
    EXPECT_DOUBLE_EQ(percent_of(3, 2), 150);  // not clamped
    EXPECT_DOUBLE_EQ(percent_of(5, 0), 0);
    Readings r;
    add(r, "a", 1.5);
    add(r, "", 2);
    EXPECT_EQ(r, (Readings{{"a", 1.5}, {"", 2}}));
}

TEST(ParseCache, ParsesOnceWhileTheTextStaysTheSame) {
    ParseCache<int> cache;
    int parses = 0;
    auto parse = [&](const std::string& t) {
        ++parses;
        return static_cast<int>(t.size());
    };
    EXPECT_EQ(cache.get("abc", parse), 3);
    EXPECT_EQ(cache.get("abc", parse), 3);
    EXPECT_EQ(parses, 1);
    EXPECT_EQ(cache.get("abcd", parse), 4);  // new text: parsed again
    EXPECT_EQ(parses, 2);
}

TEST(ParseCache, AParseThatThrowsIsNotKept) {
    ParseCache<int> cache;
    EXPECT_EQ(cache.get("1", [](const std::string&) { return 1; }), 1);
    EXPECT_THROW(cache.get("bad", [](const std::string&) -> int { throw std::runtime_error("bad"); }),
                 std::runtime_error);
    int parses = 0;
    EXPECT_EQ(cache.get("bad", [&](const std::string&) { return ++parses; }), 1);  // tried again
}
