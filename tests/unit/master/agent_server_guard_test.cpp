// lmaster's checks of who an agent is and what it may write, through a real
// AgentServer on 127.0.0.1 (master/agent_paths.h, master/munge_auth.h).
#include "master/agent_server.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "tests/unit/master/server_fixture.h"

#include "collector/munge_credential.h"
#include "master/munge_auth.h"
#include "tests/unit/munge_test_util.h"

using namespace fructosa;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {


/// The test server with a given authenticator and a shorter linger.
class GuardedServer : public test_support::ServerFixture {
public:
    explicit GuardedServer(std::unique_ptr<Authenticator> auth) : ServerFixture(settings(), std::move(auth)) {}
    static AgentServerSettings settings() {
        AgentServerSettings s = base_settings();
        s.linger = 500ms;
        return s;
    }
};

using Peer = test_support::Client;

}  // namespace

TEST(AgentServerGuard, AHostThatIsNotOnePathLevelIsRefused) {
    GuardedServer s(std::make_unique<NoAuth>());
    // (An empty host never gets this far: decode_hello refuses it as a bad frame.)
    for (std::string host : {"node001.evil", "a/b", "jobs", "fructosa", "x y", "..", "n\n1"}) {
        Peer p(s.port);
        p.send(wire::encode_hello({host, "0.4.0", "none", ""}));
        std::string e = p.read_error();
        EXPECT_NE(e.find("cannot be one level of a metric path"), std::string::npos) << host << ": " << e;
    }
    auto st = s.stats();
    EXPECT_EQ(st.auth_failures, 7u);
    EXPECT_EQ(st.agents_connected, 0u);
}

TEST(AgentServerGuard, PointsOutsideTheAgentsOwnSeriesAreDroppedAndCounted) {
    GuardedServer s(std::make_unique<NoAuth>());
    Peer p(s.port);
    p.send(wire::encode_hello({"node001", "0.4.0", "none", ""}));
    p.send(wire::encode_batch({1,
                               {{"node001.CPUPercent.0", 1, 1},
                                {"node002.CPUPercent.0", 1, 2},
                                {"jobs.7.node001.cpu.user", 1, 3},
                                {"jobs.7.node002.cpu.user", 1, 4},
                                {"fructosa.lagent.node001.points_sent", 1, 5},
                                {"fructosa.lmaster.m.points_in", 1, 6},
                                {"node001.a/../../x", 1, 7}}}));
    EXPECT_EQ(p.read_ack(), 1u);  // acked all the same: a replay would bring the same points again
    // A batch with nothing allowed is acked too, and nothing is offered.
    p.send(wire::encode_batch({2, {{"node002.x", 1, 1}}}));
    EXPECT_EQ(p.read_ack(), 2u);
    EXPECT_EQ(s.sink.points(), (Points{{"node001.CPUPercent.0", 1, 1},
                                       {"jobs.7.node001.cpu.user", 1, 3},
                                       {"fructosa.lagent.node001.points_sent", 1, 5}}));
    auto st = s.stats();
    EXPECT_EQ(st.points_in, 8u);
    EXPECT_EQ(st.points_refused, 5u);
    EXPECT_EQ(st.bad_frames, 0u);
}

TEST(AgentServerGuard, MungeAuthenticatedAgentsAreServedAndForgedOnesRefused) {
    ASSERT_TRUE(test::munged_available());
    GuardedServer s(std::make_unique<MungeAuth>(std::vector<unsigned>{}));
    auto cred = munge_credential("node001");
    ASSERT_TRUE(cred.ok) << cred.error;
    {
        Peer p(s.port);
        p.send(wire::encode_hello({"node001", "0.4.0", "munge", cred.credential}));
        p.send(wire::encode_batch({1, {{"node001.x", 1, 1}}}));
        EXPECT_EQ(p.read_ack(), 1u);
    }
    {  // the same credential again
        Peer p(s.port);
        p.send(wire::encode_hello({"node001", "0.4.0", "munge", cred.credential}));
        EXPECT_EQ(p.read_error(), "MUNGE credential replayed (each credential opens one connection only)");
    }
    {  // node001's credential claimed by node002
        Peer p(s.port);
        p.send(wire::encode_hello({"node002", "0.4.0", "munge", munge_credential("node001").credential}));
        EXPECT_EQ(p.read_error(), "MUNGE credential names host 'node001', but the agent claims 'node002'");
    }
    {  // no authentication at all
        Peer p(s.port);
        p.send(wire::encode_hello({"node001", "0.4.0", "none", ""}));
        EXPECT_EQ(p.read_error(), "auth_method 'none' is not accepted by this lmaster (it accepts: munge)");
    }
    auto st = s.stats();
    EXPECT_EQ(st.auth_failures, 3u);
    EXPECT_EQ(st.batches_in, 1u);
    EXPECT_EQ(s.sink.points().size(), 1u);
}
