// How lmaster picks and applies its agent authentication: the trusting "none" method
// and the factory that maps `[lmaster] auth` onto an Authenticator. (MUNGE itself is
// tested in munge_auth_test.cpp.)
#include "master/authenticator.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "master/munge_auth.h"

using namespace fructosa;

namespace {

wire::Hello hello_of(const std::string& host, const std::string& credential, const std::string& method = "munge") {
    return wire::Hello{host, "0.4.0", method, credential};
}

}  // namespace

TEST(NoAuth, AcceptsOnlyTheMethodNone) {
    struct Case {
        std::string method;
        bool ok;
        std::string error;
    };
    const Case cases[] = {
        {"none", true, ""},
        {"munge", false, "auth_method 'munge' is not accepted by this lmaster (it accepts: none)"},
        {"", false, "auth_method '' is not accepted by this lmaster (it accepts: none)"},
        {"NONE", false, "auth_method 'NONE' is not accepted by this lmaster (it accepts: none)"},
        {std::string(100, 'x'), false,
         "auth_method '" + std::string(64, 'x') + "' is not accepted by this lmaster (it accepts: none)"},
    };
    NoAuth auth;
    for (const auto& c : cases) {
        auto r = auth.verify(hello_of("node001", "MUNGE:whatever:", c.method));
        EXPECT_EQ(r.ok, c.ok) << c.method;
        EXPECT_EQ(r.error, c.error) << c.method;
    }
}

TEST(NoAuth, BelievesAnyHostAndIgnoresTheCredential) {
    NoAuth auth;
    for (const char* host : {"node001", "", "jobs", "a.b"}) EXPECT_TRUE(auth.verify(hello_of(host, "", "none")).ok);
    EXPECT_TRUE(auth.verify(hello_of("node001", "garbage", "none")).ok);
}

TEST(MakeAuthenticator, PicksTheMethodOfTheConfig) {
    AuthSettings none;
    none.method = "none";
    auto a = make_authenticator(none);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->verify(hello_of("node001", "", "none")).ok);
    EXPECT_FALSE(a->verify(hello_of("node001", "MUNGE:x:", "munge")).ok);

    AuthSettings munge;  // the default
    auto m = make_authenticator(munge);
    ASSERT_NE(m, nullptr);
    EXPECT_NE(dynamic_cast<MungeAuth*>(m.get()), nullptr);
    EXPECT_FALSE(m->verify(hello_of("node001", "", "none")).ok);

    AuthSettings bad;
    bad.method = "kerberos";
    EXPECT_THROW(make_authenticator(bad), std::invalid_argument);
}

TEST(MakeAuthenticator, AnotherMethodIsRefusedNamingTheValidOnes) {
    for (const char* method : {"kerberos", "", "None", "MUNGE", "none "}) {
        AuthSettings s;
        s.method = method;
        try {
            make_authenticator(s);
            ADD_FAILURE() << "accepted '" << method << "'";
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()), "unknown auth method '" + std::string(method) + "' (valid: munge, none)");
        }
    }
}

TEST(MakeAuthenticator, NoneGivesTheTrustingAuthenticator) {
    AuthSettings s;
    s.method = "none";
    s.allowed_uids = {1000};  // meaningless without MUNGE, and harmless
    auto a = make_authenticator(s);
    EXPECT_NE(dynamic_cast<NoAuth*>(a.get()), nullptr);
}
