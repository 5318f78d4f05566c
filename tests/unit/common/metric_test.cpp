#include "common/metric.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(Metric, SanitizeComponentKeepsSafeTextAndReplacesTheRest) {
    struct Case {
        std::string text, expected;
    };
    const Case cases[] = {
        {"node001", "node001"}, {"a-b_c:d+e%f@g", "a-b_c:d+e%f@g"}, {"eth0.100", "eth0_100"},
        {"a b", "a_b"},         {"../etc", "___etc"},               {"", "_"},
        {"x\n", "x_"},          {std::string("a\0b", 3), "a_b"},     {"Ä", "__"},
    };
    for (const auto& c : cases) EXPECT_EQ(sanitize_component(c.text), c.expected) << "'" << c.text << "'";
}

TEST(Metric, ComponentIsSafeMeansSanitizeLeavesItAsItIs) {
    for (int b = 0; b < 256; ++b) {
        std::string one(1, static_cast<char>(b));
        EXPECT_EQ(component_is_safe(one), sanitize_component(one) == one) << b;
    }
    const std::string texts[] = {"", "node001", "a.b", "a b", "..", "x_y-z", std::string(300, 'a'), "-", "%@"};
    for (const auto& t : texts) EXPECT_EQ(component_is_safe(t), sanitize_component(t) == t) << "'" << t << "'";
}

TEST(Metric, PathIsSafeChecksEveryComponent) {
    struct Case {
        std::string path;
        bool safe;
    };
    const Case cases[] = {
        {"a", true},     {"site.clusterB", true}, {"a.b.c", true}, {"", false},      {".", false},
        {"a.", false},   {".a", false},           {"a..b", false}, {"my prefix", false}, {"a/b", false},
        {"a.b\n", false}, {std::string("a.\0", 3), false},
    };
    for (const auto& c : cases) EXPECT_EQ(path_is_safe(c.path), c.safe) << "'" << c.path << "'";
}
