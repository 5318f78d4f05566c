#include "common/hostlist.h"

#include <gtest/gtest.h>

namespace fructosa {
namespace {

using Names = std::vector<std::string>;

TEST(Hostlist, ExpandsTable) {
    struct Case {
        const char* input;
        Names expected;
    };
    const Case cases[] = {
        {"", {}},
        {"node01", {"node01"}},
        {"n[1-3,7],gpu01", {"n1", "n2", "n3", "n7", "gpu01"}},
        {"n[08-11]", {"n08", "n09", "n10", "n11"}},
        {"n[001-002]", {"n001", "n002"}},
        {"rack[1-2]-n[1,3]", {"rack1-n1", "rack1-n3", "rack2-n1", "rack2-n3"}},
        {"n[1-2]-ib", {"n1-ib", "n2-ib"}},
        {" a , b ", {"a", "b"}},
        {"n1,n1,n[1-2]", {"n1", "n2"}},
        {"n[5]", {"n5"}},
        {"a.example.org,b", {"a.example.org", "b"}},
    };
    for (const auto& c : cases) EXPECT_EQ(expand_hostlist(c.input), c.expected) << c.input;
}

TEST(Hostlist, RejectsBadSyntax) {
    for (const char* bad : {"n[1-3", "n1-3]", "n[[1]]", "n[3-1]", "n[a-b]", "n[]", "n[1,]", "a,,b", "n[1-2", "a b"})
        EXPECT_THROW(expand_hostlist(bad), HostlistError) << bad;
}

TEST(Hostlist, RefusesHugeLists) {
    EXPECT_THROW(expand_hostlist("n[1-2000]", 1000), HostlistError);
    EXPECT_EQ(expand_hostlist("n[1-1000]", 1000).size(), 1000u);
    EXPECT_THROW(expand_hostlist("a[1-100]b[1-100]", 1000), HostlistError);
}

}  // namespace
}  // namespace fructosa
