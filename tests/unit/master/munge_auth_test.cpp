#include "master/munge_auth.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "collector/munge_credential.h"
#include "master/lmaster_config.h"
#include "tests/unit/munge_test_util.h"

using namespace fructosa;
using namespace std::chrono_literals;

namespace {

wire::Hello hello_of(const std::string& host, const std::string& credential, const std::string& method = "munge") {
    return wire::Hello{host, "0.4.0", method, credential};
}

std::string fresh(const std::string& payload) {
    auto c = munge_credential(payload);
    EXPECT_TRUE(c.ok) << c.error;
    return c.credential;
}

class MungeAuthTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(test::munged_available()) << "munged is not running and cannot be started"; }
};

}  // namespace

TEST_F(MungeAuthTest, AFreshRootCredentialNamingTheClaimedHostIsAccepted) {
    ASSERT_EQ(::geteuid(), 0u) << "lagent runs as root; so do these tests";
    MungeAuth auth({});
    auto r = auth.verify(hello_of("node001", fresh("node001")));
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_EQ(r.error, "");
}

TEST_F(MungeAuthTest, ACredentialNamingAnotherHostIsRefused) {
    MungeAuth auth({});
    auto r = auth.verify(hello_of("node002", fresh("node001")));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential names host 'node001', but the agent claims 'node002'");
    // An empty payload (munge -n) names no host either.
    r = auth.verify(hello_of("node001", fresh("")));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential names host '', but the agent claims 'node001'");
}

TEST_F(MungeAuthTest, AReplayedCredentialIsRefused) {
    MungeAuth auth({});
    std::string cred = fresh("node001");
    EXPECT_TRUE(auth.verify(hello_of("node001", cred)).ok);
    auto r = auth.verify(hello_of("node001", cred));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential replayed (each credential opens one connection only)");
    // Also through another MungeAuth: the replay cache is munged's, not ours.
    MungeAuth other({});
    EXPECT_FALSE(other.verify(hello_of("node001", cred)).ok);
}

TEST_F(MungeAuthTest, GarbageIsRefusedWithoutCrashing) {
    MungeAuth auth({});
    std::string valid = fresh("node001");
    const std::vector<std::string> garbage = {
        "MUNGE:garbage:",
        "hello",
        "MUNGE:",
        std::string(5000, 'A'),
        std::string("MUNGE:\0x:", 9),
        valid.substr(0, valid.size() / 2) + ":",                      // cut short
        valid.substr(0, 20) + std::string(valid.size() - 21, 'B') + ":",  // body replaced
    };
    for (const auto& g : garbage) {
        auto r = auth.verify(hello_of("node001", g));
        EXPECT_FALSE(r.ok) << g;
        EXPECT_NE(r.error.find("MUNGE credential invalid"), std::string::npos) << g << " -> " << r.error;
    }
    auto r = auth.verify(hello_of("node001", ""));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential missing (is munged running on the agent's host?)");
}

TEST_F(MungeAuthTest, AnExpiredCredentialIsRefused) {
    std::string cred = test::credential_with_ttl("node001", 1);
    ASSERT_FALSE(cred.empty());
    std::this_thread::sleep_for(2100ms);
    MungeAuth auth({});
    auto r = auth.verify(hello_of("node001", cred));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential expired (check the clocks of agent and lmaster)");
}

TEST_F(MungeAuthTest, ACredentialOfAnotherUidIsRefusedUnlessThatUidIsAllowed) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a credential as uid 65534";
    std::string cred = test::credential_of_uid(65534, "node001");
    ASSERT_FALSE(cred.empty()) << "munge -s as uid 65534 failed";
    MungeAuth root_only({});
    auto r = root_only.verify(hello_of("node001", cred));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "MUNGE credential made by uid 65534, which is neither root nor in allowed uids");
    MungeAuth other_uids({1000, 4242});
    EXPECT_FALSE(other_uids.verify(hello_of("node001", test::credential_of_uid(65534, "node001"))).ok);

    MungeAuth allowed({1000, 65534});
    r = allowed.verify(hello_of("node001", test::credential_of_uid(65534, "node001")));
    EXPECT_TRUE(r.ok) << r.error;
}

TEST_F(MungeAuthTest, AnotherMethodIsRefused) {
    MungeAuth auth({});
    auto r = auth.verify(hello_of("node001", "", "none"));
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "auth_method 'none' is not accepted by this lmaster (it accepts: munge)");
}

TEST_F(MungeAuthTest, AnUnreachableMungedIsReportedAsSuch) {
    MungeAuth auth({}, "/nonexistent/munge.socket");
    auto r = auth.verify(hello_of("node001", fresh("node001")));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("lmaster cannot reach munged"), std::string::npos) << r.error;
}

TEST_F(MungeAuthTest, MakeAuthenticatorPassesTheAllowedUids) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make a credential as uid 65534";
    AuthSettings s;
    s.allowed_uids = {65534};
    auto a = make_authenticator(s);
    auto r = a->verify(hello_of("node001", test::credential_of_uid(65534, "node001")));
    EXPECT_TRUE(r.ok) << r.error;
}
