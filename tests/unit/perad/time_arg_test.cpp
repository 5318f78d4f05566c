// Times on perad's command line: ages before now and local dates, to epoch seconds; and
// the local time format of tables.
#include "perad/time_arg.h"

#include <gtest/gtest.h>

#include <ctime>
#include <stdexcept>
#include <string>

namespace fructosa {
namespace {

/// Epoch seconds of a local date and time, as mktime gives them.
double local(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    return static_cast<double>(std::mktime(&tm));
}

TEST(TimeArg, AgesCountBackFromNow) {
    struct Case {
        const char* text;
        double seconds_ago;
    };
    const Case cases[] = {
        {"0s", 0},      {"45s", 45},        {"30m", 1800},  {"2h", 7200},
        {"1.5h", 5400}, {"3d", 259200},     {"1w", 604800}, {"0.5d", 43200},
        {"90m", 5400},  {"2.25w", 1360800}, {"1e2s", 100},  {"007m", 420},
    };
    for (const auto& c : cases)
        EXPECT_DOUBLE_EQ(parse_time_arg(c.text, 1e9), 1e9 - c.seconds_ago) << c.text;
}

TEST(TimeArg, LocalDatesAndTimes) {
    struct Case {
        const char* text;
        double expected;
    };
    const Case cases[] = {
        {"2024-03-01", local(2024, 3, 1)},
        {"2024-03-01T10:30", local(2024, 3, 1, 10, 30)},
        {"2024-03-01 10:30", local(2024, 3, 1, 10, 30)},
        {"2024-03-01T23:59:59", local(2024, 3, 1, 23, 59, 59)},
        {"2024-02-29", local(2024, 2, 29)},  // a leap day
        {"1999-12-31T00:00:00", local(1999, 12, 31)},
    };
    for (const auto& c : cases) EXPECT_DOUBLE_EQ(parse_time_arg(c.text, 0), c.expected) << c.text;
    // `now` anchors only the ages.
    EXPECT_DOUBLE_EQ(parse_time_arg("2024-03-01", 12345), local(2024, 3, 1));
}

TEST(TimeArg, MalformedTextShowsTheAcceptedForms) {
    const char* const bad_ages[] = {"",    "s",   "m",    "-1h",  "1y",    "h2",
                                    "1 h", " 2h", "infs", "nanh", "1.5.2h"};
    const char* const bad_dates[] = {"2023-02-29",
                                     "2024-04-31",
                                     "2024-13-01",
                                     "2024-00-10",
                                     "2024-01-00",
                                     "2024-1-01",
                                     "24-01-01",
                                     "2024/01/01",
                                     "2024-01-01T24:00",
                                     "2024-01-01T10:60",
                                     "2024-01-01T10:00:60",
                                     "2024-01-01X10:00",
                                     "2024-01-01T10-00",
                                     "2024-01-01T10:00-00",
                                     "2024-01-01T1:00",
                                     "2024-01-01T10:00:0",
                                     "yesterday"};
    for (const char* bad : bad_ages)
        EXPECT_THROW(parse_time_arg(bad, 1e9), std::invalid_argument) << "'" << bad << "'";
    for (const char* bad : bad_dates)
        EXPECT_THROW(parse_time_arg(bad, 1e9), std::invalid_argument) << "'" << bad << "'";
    try {
        parse_time_arg("soon", 0);
        FAIL() << "no error";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(),
                     "'soon' is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or an age such "
                     "as 30m, 2h, 3d, 1w");
    }
}

TEST(TimeArg, FormatLocalTimeRoundTrips) {
    EXPECT_EQ(format_local_time(local(2024, 3, 1, 10, 30, 15)), "2024-03-01 10:30:15");
    EXPECT_EQ(format_local_time(local(2024, 12, 31, 23, 59, 59) + 0.9),
              "2024-12-31 23:59:59");  // truncated
    for (const char* text : {"2023-07-04 08:09:10", "2000-01-01 00:00:00"})
        EXPECT_EQ(format_local_time(parse_time_arg(text, 0)), text);
}


TEST(TimeArg, AbsoluteAndRelative) {
    EXPECT_DOUBLE_EQ(parse_time_arg("2h", 10000), 10000 - 7200);
    EXPECT_DOUBLE_EQ(parse_time_arg("3d", 1e6), 1e6 - 3 * 86400);
    EXPECT_DOUBLE_EQ(parse_time_arg("1w", 1e6), 1e6 - 604800);
    EXPECT_DOUBLE_EQ(parse_time_arg("30m", 1e4), 1e4 - 1800);
    EXPECT_DOUBLE_EQ(parse_time_arg("1.5h", 1e4), 1e4 - 5400);
    double day = parse_time_arg("2024-03-01", 0);
    EXPECT_DOUBLE_EQ(parse_time_arg("2024-03-01T10:30", 0), day + 10 * 3600 + 1800);
    EXPECT_DOUBLE_EQ(parse_time_arg("2024-03-01 10:30:15", 0), day + 10 * 3600 + 1815);
    EXPECT_EQ(format_local_time(day + 3600), "2024-03-01 01:00:00");
    for (const char* bad : {"", "h", "2x", "-2h", "2024-02-30", "2024-3-1", "2024-03-01T25:00", "tomorrow",
                            "2024-03-01T10"})
        EXPECT_THROW(parse_time_arg(bad, 0), std::invalid_argument) << bad;
}

}  // namespace
}  // namespace fructosa
