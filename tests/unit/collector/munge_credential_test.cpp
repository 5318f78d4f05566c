#include "collector/munge_credential.h"

#include <gtest/gtest.h>

#include "master/munge_auth.h"
#include "tests/unit/munge_test_util.h"

using namespace fructosa;

TEST(MungeCredential, NamesTheHostAndIsAcceptedOnceByLmaster) {
    ASSERT_TRUE(test::munged_available());
    auto c = munge_credential("node001");
    ASSERT_TRUE(c.ok) << c.error;
    EXPECT_EQ(c.credential.rfind("MUNGE:", 0), 0u);
    EXPECT_EQ(c.credential.back(), ':');
    MungeAuth auth({});
    EXPECT_TRUE(auth.verify({"node001", "0.4.0", "munge", c.credential}).ok);
    EXPECT_FALSE(auth.verify({"node001", "0.4.0", "munge", c.credential}).ok);
}

TEST(MungeCredential, AnUnreachableMungedGivesAClearError) {
    auto c = munge_credential("node001", "/nonexistent/munge.socket.2");
    EXPECT_FALSE(c.ok);
    EXPECT_EQ(c.credential, "");
    EXPECT_EQ(c.error.rfind("cannot reach munged (is it running?): ", 0), 0u) << c.error;
}

TEST(MungeCredential, TheProviderFollowsTheAuthKey) {
    ASSERT_TRUE(test::munged_available());
    auto none = make_credential_provider("none", "node042");
    EXPECT_EQ(none(), (std::pair<std::string, std::string>{"none", ""}));

    auto munge = make_credential_provider("munge", "node042");
    auto [m1, c1] = munge();
    auto [m2, c2] = munge();
    EXPECT_EQ(m1, "munge");
    EXPECT_EQ(m2, "munge");
    EXPECT_NE(c1, c2);  // a fresh credential for every connection
    MungeAuth auth({});
    EXPECT_TRUE(auth.verify({"node042", "0.4.0", m1, c1}).ok);
    EXPECT_TRUE(auth.verify({"node042", "0.4.0", m2, c2}).ok);
}
