#include "master/agent_server.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include "server_fixture.h"

using namespace fructosa;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

using RecordingSink = test_support::RecordingSink;

using test_support::ServerFixture;

using test_support::Client;

std::vector<std::uint8_t> batch(std::uint64_t seq, Points pts) { return wire::encode_batch({seq, std::move(pts)}); }

}  // namespace

TEST(AgentServer, AnHonestAgentGetsAcksAndItsPointsReachTheSink) {
    ServerFixture f;
    Client c(f.port);
    ASSERT_TRUE(c.connected());
    c.hello();
    c.send(batch(1, {{"node001.CPUPercent.0", 1700000000, 12.5}, {"node001.CPUPercent.1", 1700000000, 3}}));
    EXPECT_EQ(c.read_ack(), 1u);
    c.send(batch(2, {{"node001.VirtualMemory.percent", 1700000001, 40.25}}));
    EXPECT_EQ(c.read_ack(), 2u);
    // Cumulative: an older seq (a replay) is acked with the highest seen.
    c.send(batch(1, {}));
    EXPECT_EQ(c.read_ack(), 2u);
    EXPECT_EQ(f.sink.points(), (Points{{"node001.CPUPercent.0", 1700000000, 12.5},
                                       {"node001.CPUPercent.1", 1700000000, 3},
                                       {"node001.VirtualMemory.percent", 1700000001, 40.25}}));
    // Two frames in one write, and one frame split over two writes.
    auto b3 = batch(3, {{"a", 1, 1}});
    auto b4 = batch(4, {{"b", 2, 2}});
    std::string both(b3.begin(), b3.end());
    both.append(b4.begin(), b4.begin() + 5);
    c.send(both);
    EXPECT_EQ(c.read_ack(), 3u);
    c.send(std::string(b4.begin() + 5, b4.end()));
    EXPECT_EQ(c.read_ack(), 4u);
    auto s = f.stats();
    EXPECT_EQ(s.agents_connected, 1u);
    EXPECT_EQ(s.batches_in, 5u);
    EXPECT_EQ(s.points_in, 5u);
    EXPECT_EQ(s.bad_frames, 0u);
}

TEST(AgentServer, JobEventsReachTheCallbackWithTheAgentsHostAndAreAcked) {
    ServerFixture f;
    Client c(f.port);
    c.hello("node007");
    c.send(wire::encode_job_event({10, R"({"event":"step_start","job_id":42})"}));
    EXPECT_EQ(c.read_ack(), 10u);
    c.send(batch(11, {{"x", 1, 1}}));
    EXPECT_EQ(c.read_ack(), 11u);
    auto events = f.events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].first, "node007");
    EXPECT_EQ(events[0].second.json, R"({"event":"step_start","job_id":42})");
    EXPECT_EQ(f.stats().job_events_in, 1u);
}

TEST(AgentServer, BadInputGetsAnErrorAndACloseWhileAnHonestAgentIsServed) {
    ServerFixture f;
    Client honest(f.port);
    honest.hello();
    std::uint64_t seq = 0;
    auto honest_still_served = [&] {
        ++seq;
        honest.send(batch(seq, {{"node001.ok", double(seq), 1}}));
        return honest.read_ack() == seq;
    };
    ASSERT_TRUE(honest_still_served());

    {  // garbage, e.g. an HTTP client
        Client c(f.port);
        c.send(std::string("GET / HTTP/1.0\r\n\r\n"));
        EXPECT_EQ(c.read_error(), "bad magic (not a FrUCToSA agent)");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_TRUE(honest_still_served());
    {  // a length field far beyond the limit: refused from the header alone
        Client c(f.port);
        c.hello();
        c.send(std::string("FR\x01\x02\xff\xff\xff\xff", 8));
        EXPECT_EQ(c.read_error(), "frame length 4294967295 exceeds the limit of 8388608");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_TRUE(honest_still_served());
    {  // a big frame before the hello: an unknown peer may not make lmaster hold megabytes
        Client c(f.port);
        c.send(std::string("FR\x01\x01\x00\x10\x00\x00", 8) + std::string(100 * 1024, 'x'));
        EXPECT_EQ(c.read_error(), "more than 65536 bytes before a Hello");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_TRUE(honest_still_served());
    {  // a batch before the hello
        Client c(f.port);
        c.send(batch(1, {{"x", 1, 1}}));
        EXPECT_EQ(c.read_error(), "expected a Hello frame first, got Batch");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_TRUE(honest_still_served());
    {  // a payload that does not decode: the batch is cut short, in a valid frame
        Client c(f.port);
        c.hello();
        auto b = batch(1, {{"x", 1, 1}});
        std::vector<std::uint8_t> cut(b.begin(), b.end() - 4);
        cut[7] = static_cast<std::uint8_t>(cut[7] - 4);
        c.send(cut);
        EXPECT_EQ(c.read_error(), "batch: 1 points announced, payload too short");
        EXPECT_TRUE(c.closed_by_server());
    }
    {  // a second hello
        Client c(f.port);
        c.hello();
        c.send(batch(5, {}));
        EXPECT_EQ(c.read_ack(), 5u);
        c.hello();
        EXPECT_EQ(c.read_error(), "unexpected Hello frame");
        EXPECT_TRUE(c.closed_by_server());
    }
    {  // an authentication method this lmaster does not accept
        Client c(f.port);
        c.hello("node002", "munge");
        EXPECT_EQ(c.read_error(), "auth_method 'munge' is not accepted by this lmaster (it accepts: none)");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_TRUE(honest_still_served());
    auto s = f.stats();
    EXPECT_EQ(s.bad_frames, 6u);
    EXPECT_EQ(s.auth_failures, 1u);
    EXPECT_EQ(s.batches_in, seq + 1);  // the honest ones and the second-hello client's
    EXPECT_EQ(f.sink.points().size(), seq);
}

TEST(AgentServer, SilentConnectionsAreClosedAfterTheHandshakeOrIdleTimeout) {
    auto settings = ServerFixture::base_settings();
    settings.handshake_timeout = 150ms;
    settings.idle_timeout = 300ms;
    ServerFixture f(settings);
    auto t0 = std::chrono::steady_clock::now();
    Client silent(f.port);
    Client idle(f.port);
    idle.hello();
    idle.send(batch(1, {}));
    EXPECT_EQ(idle.read_ack(), 1u);
    EXPECT_EQ(silent.read_error(), "no Hello frame within 0.15 s");
    EXPECT_TRUE(silent.closed_by_server());
    EXPECT_EQ(idle.read_error(), "no data for 0.3 s");
    EXPECT_TRUE(idle.closed_by_server());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
    auto s = f.stats();
    EXPECT_EQ(s.timeouts, 2u);
    EXPECT_EQ(s.agents_connected, 0u);
}

TEST(AgentServer, RefusesAgentsBeyondMaxAgentsAtTheirHello) {
    auto settings = ServerFixture::base_settings();
    settings.max_agents = 2;
    ServerFixture f(settings);
    auto a = std::make_unique<Client>(f.port);
    Client b(f.port);
    a->hello("a");
    b.hello("b");
    a->send(batch(1, {}));
    b.send(batch(1, {}));
    ASSERT_EQ(a->read_ack(), 1u);
    ASSERT_EQ(b.read_ack(), 1u);
    {
        Client c(f.port);
        c.hello("c");
        EXPECT_EQ(c.read_error(), "too many agents (2); try again later");
        EXPECT_TRUE(c.closed_by_server());
    }
    EXPECT_EQ(f.stats().connections_refused, 1u);
    a.reset();  // a slot frees up once the server has seen the close
    bool served = false;
    for (int i = 0; i < 50 && !served; ++i) {
        std::this_thread::sleep_for(10ms);
        Client c(f.port);
        c.hello("c");
        c.send(batch(7, {}));
        served = c.read_ack() == 7u;
    }
    EXPECT_TRUE(served);
}

TEST(AgentServer, ConnectionsWithoutAHelloNeverKeepAnAgentOut) {
    auto settings = ServerFixture::base_settings();
    settings.max_agents = 2;
    settings.max_pending_handshakes = 3;
    ServerFixture f(settings);
    // More held-open connections than both bounds together, none of them saying Hello.
    std::vector<std::unique_ptr<Client>> squatters;
    for (int i = 0; i < 10; ++i) {
        squatters.push_back(std::make_unique<Client>(f.port));
        ASSERT_TRUE(squatters.back()->connected());
    }
    // Both agents are served at once: the squatters count against neither bound of theirs.
    Client a(f.port);
    a.hello("a");
    a.send(batch(1, {}));
    EXPECT_EQ(a.read_ack(), 1u);
    Client b(f.port);
    b.hello("b");
    b.send(batch(1, {}));
    EXPECT_EQ(b.read_ack(), 1u);
    auto s = f.stats();
    EXPECT_EQ(s.agents_connected, 2u);
    EXPECT_EQ(s.connections_refused, 0u);
    // Each newcomer beyond the pending bound closed the oldest pending connection: the
    // 4th to 10th squatter and agent a each closed one (a's Hello then settled it, so b
    // found room): 8 squatters evicted, the two youngest still pending.
    EXPECT_EQ(s.handshakes_evicted, 8u);
    EXPECT_EQ(s.connections_pending, 2u);
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(squatters[i]->closed_by_server()) << i;
    // The third agent is beyond max agents: refused at its Hello, and counted.
    Client c(f.port);
    c.hello("c");
    EXPECT_EQ(c.read_error(), "too many agents (2); try again later");
    EXPECT_EQ(f.stats().connections_refused, 1u);
}

TEST(AgentServer, APendingConnectionIsNotEvictedWithinItsHelloGrace) {
    auto settings = ServerFixture::base_settings();
    settings.max_pending_handshakes = 2;
    settings.hello_grace = 3600s;  // longer than the test: no eviction can come from the clock
    ServerFixture f(settings);
    auto first = std::make_unique<Client>(f.port);
    Client second(f.port);
    for (int i = 0; i < 1000 && f.stats().connections_pending < 2; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_EQ(f.stats().connections_pending, 2u);
    // A newcomer while both are young waits in the listen queue: nobody is evicted.
    Client agent(f.port);
    ASSERT_TRUE(agent.connected());
    agent.hello("a");
    agent.send(batch(1, {}));
    EXPECT_EQ(f.stats().handshakes_evicted, 0u);
    first.reset();  // one pending connection goes: room, and the newcomer is taken
    EXPECT_EQ(agent.read_ack(), 1u);
    auto s = f.stats();
    EXPECT_EQ(s.handshakes_evicted, 0u);
    EXPECT_EQ(s.agents_connected, 1u);
    EXPECT_EQ(s.connections_pending, 1u);  // the second one, still in its grace
}

TEST(AgentServer, ServesAThousandAgentsAtOnce) {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
    ::getrlimit(RLIMIT_NOFILE, &lim);
    std::size_t n = std::min<std::size_t>(1000, (lim.rlim_cur - 64) / 2);  // both ends live in this process
    ServerFixture f;
    std::vector<std::unique_ptr<Client>> clients;
    for (std::size_t i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<Client>(f.port));
        ASSERT_TRUE(clients.back()->connected()) << i;
        clients.back()->hello("node" + std::to_string(i));
    }
    for (std::size_t i = 0; i < n; ++i)
        clients[i]->send(batch(i, {{"node" + std::to_string(i) + ".x", 1, double(i)}}));
    std::size_t acked = 0;
    for (std::size_t i = 0; i < n; ++i) acked += clients[i]->read_ack() == i;
    EXPECT_EQ(acked, n);
    EXPECT_EQ(f.stats().agents_connected, n);
    EXPECT_EQ(f.sink.points().size(), n);
}

TEST(AgentServer, ABusyPortGivesAClearError) {
    ServerFixture first;
    asio::io_context io;
    RecordingSink sink;
    auto settings = ServerFixture::base_settings();
    settings.port = first.port;
    AgentServer second(io, settings, sink, nullptr);
    try {
        second.listen();
        ADD_FAILURE() << "listen succeeded on a busy port";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "cannot listen on 127.0.0.1:" + std::to_string(first.port) + ": 127.0.0.1: Address already in use");
    }
}
