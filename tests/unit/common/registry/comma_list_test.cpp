// Comma lists as the registry stores them (a job's flags, a partial job's missing nodes).
#include "common/registry/comma_list.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace fructosa {
namespace {

using List = std::vector<std::string>;

TEST(SplitCommaList, DropsEmptyPartsAndKeepsTheRest) {
    struct Case {
        std::string text;
        List expected;
    };
    const Case cases[] = {
        {"", {}},
        {",", {}},
        {",,,", {}},
        {"a", {"a"}},
        {"a,b", {"a", "b"}},
        {",a,,b,", {"a", "b"}},
        {"n1,n[2-3]", {"n1", "n[2-3]"}},
        {"a, b", {"a", " b"}},  // no trimming: the registry writes no spaces
        {" ", {" "}},
    };
    for (const auto& c : cases) EXPECT_EQ(split_comma_list(c.text), c.expected) << "'" << c.text << "'";
}

TEST(JoinCommaList, CommasBetweenPartsOnly) {
    struct Case {
        List parts;
        std::string expected;
    };
    const Case cases[] = {
        {{}, ""},
        {{"a"}, "a"},
        {{"stalled", "oversubscribed"}, "stalled,oversubscribed"},
        {{"a", "b", "c"}, "a,b,c"},
    };
    for (const auto& c : cases) EXPECT_EQ(join_comma_list(c.parts), c.expected) << c.expected;
}

TEST(CommaList, SplitUndoesJoin) {
    for (const List& parts : {List{}, List{"x"}, List{"memory-overrequested", "walltime-overrequested", "stalled"}})
        EXPECT_EQ(split_comma_list(join_comma_list(parts)), parts);
}

}  // namespace
}  // namespace fructosa
