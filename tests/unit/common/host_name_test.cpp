// same_host: a node is named by its full or its short name, as the registry matches them.
#include "common/host_name.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(HostName, FullAndShortNamesNameTheSameNode) {
    EXPECT_TRUE(same_host("n1", "n1"));
    EXPECT_TRUE(same_host("n1.cluster", "n1"));
    EXPECT_TRUE(same_host("n1", "n1.cluster"));
    EXPECT_TRUE(same_host("n1.a", "n1.b"));  // short names equal: the registry's rule
    EXPECT_FALSE(same_host("n9", "n1"));
    EXPECT_FALSE(same_host("n1x", "n1"));
    EXPECT_FALSE(same_host("", "n1"));
    EXPECT_FALSE(same_host("", ""));
    EXPECT_EQ(short_host_name("n1.cluster.example"), "n1");
    EXPECT_EQ(short_host_name("n1"), "n1");
}
