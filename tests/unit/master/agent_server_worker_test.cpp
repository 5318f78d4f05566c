// The AgentServer with a slow authenticator or a slow registry: the slow call runs on a
// worker, held there on a latch, and meanwhile every other agent is served. What is
// asserted are frames and counters; nothing is timed.
#include "master/agent_server.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "latch.h"
#include "server_fixture.h"

using namespace fructosa;
using namespace std::chrono_literals;
using test_support::Client;
using test_support::Latch;
using test_support::ReleaseOnExit;
using test_support::ServerFixture;

namespace {

std::vector<std::uint8_t> batch(std::uint64_t seq, Points pts) { return wire::encode_batch({seq, std::move(pts)}); }

/// Waits (bounded) until `pred` holds on the server's counters; false if it never did.
bool eventually(ServerFixture& f, const std::function<bool(const AgentServerStats&)>& pred) {
    for (int i = 0; i < 1000; ++i) {
        if (pred(f.stats())) return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

std::size_t points_of(const Points& pts, const std::string& prefix) {
    std::size_t n = 0;
    for (const auto& p : pts) n += p.path.rfind(prefix, 0) == 0;
    return n;
}

/// Trusts every Hello, but holds the Hellos of host "slow" until released.
class SlowAuth : public Authenticator {
public:
    explicit SlowAuth(Latch& latch) : latch_(latch) {}
    AuthResult verify(const wire::Hello& hello) override {
        if (hello.host == "slow") latch_.wait();
        return {true, {}};
    }

private:
    Latch& latch_;
};

}  // namespace

TEST(AgentServerWorkers, AJobEventWaitingForTheRegistryHoldsOnlyItsOwnAgent) {
    Latch latch;
    ServerFixture f(ServerFixture::base_settings(), std::make_unique<NoAuth>(),
                    [&latch](const std::string& host, const wire::JobEvent&) {
                        if (host == "slow") latch.wait();
                    });
    ReleaseOnExit release{latch};
    Client slow(f.port);
    slow.hello("slow");
    slow.send(wire::encode_job_event({1, R"({"type":"job_end"})"}));
    slow.send(batch(2, {{"slow.cpu.user", 1, 1}}));  // behind the event: not handled before it
    latch.await_waiters(1);                          // the recorder is inside the registry write
    Client fast(f.port);
    fast.hello("fast");
    for (std::uint64_t seq = 1; seq <= 20; ++seq) {
        fast.send(batch(seq, {{"fast.cpu.user", static_cast<double>(seq), 1}}));
        ASSERT_EQ(fast.read_ack(), seq);
    }
    auto s = f.stats();
    EXPECT_EQ(s.job_events_recording, 1u);  // the slow agent's, still at the worker
    EXPECT_EQ(points_of(f.sink.points(), "fast."), 20u);
    EXPECT_EQ(points_of(f.sink.points(), "slow."), 0u);  // its batch waits behind its event
    EXPECT_FALSE(slow.has_data());  // twenty round trips later: no Ack for an event not recorded
    latch.release();
    EXPECT_EQ(slow.read_ack(), 1u);  // recorded: acknowledged, and then the batch behind it
    EXPECT_EQ(slow.read_ack(), 2u);
    EXPECT_EQ(points_of(f.sink.points(), "slow."), 1u);
    EXPECT_EQ(f.events().size(), 1u);
    EXPECT_TRUE(eventually(f, [](const AgentServerStats& st) { return st.job_events_recording == 0; }));
}

TEST(AgentServerWorkers, AFullRegistryQueueMakesASessionWaitAndLosesNothing) {
    Latch latch;
    ServerFixture f(ServerFixture::base_settings(), std::make_unique<NoAuth>(),
                    [&latch](const std::string&, const wire::JobEvent&) { latch.wait(); }, /*job_queue=*/1);
    ReleaseOnExit release{latch};
    Client a(f.port);
    a.hello("nodea");
    a.send(wire::encode_job_event({1, R"({"type":"job_end"})"}));
    latch.await_waiters(1);
    Client b(f.port);
    b.hello("nodeb");
    b.send(wire::encode_job_event({7, R"({"type":"job_end"})"}));
    // The queue holds one task: b's event waits for room, nothing refused, nothing dropped.
    EXPECT_TRUE(eventually(f, [](const AgentServerStats& st) { return st.job_events_queue_full == 1; }));
    Client c(f.port);  // batches never wait for the registry
    c.hello("nodec");
    c.send(batch(1, {{"nodec.cpu.user", 1, 1}}));
    EXPECT_EQ(c.read_ack(), 1u);
    latch.release();
    EXPECT_EQ(a.read_ack(), 1u);
    EXPECT_EQ(b.read_ack(), 7u);
    auto events = f.events();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].first, "nodea");
    EXPECT_EQ(events[1].first, "nodeb");
    auto s = f.stats();
    EXPECT_EQ(s.job_events_in, 2u);
    EXPECT_EQ(s.job_events_queue_full, 1u);
    EXPECT_EQ(s.bad_frames, 0u);
}

TEST(AgentServerWorkers, AHelloIsAnsweredOnlyOnceVerifiedAndOthersGoOnMeanwhile) {
    Latch latch;
    ServerFixture f(ServerFixture::base_settings(), std::make_unique<SlowAuth>(latch));
    ReleaseOnExit release{latch};
    Client fast(f.port);  // connected before munged turned slow
    fast.hello("fast");
    fast.send(batch(1, {{"fast.cpu.user", 1, 1}}));
    EXPECT_EQ(fast.read_ack(), 1u);
    Client slow(f.port);
    slow.hello("slow");
    slow.send(batch(1, {{"slow.cpu.user", 1, 1}}));  // sent right after the Hello, as lagent does
    latch.await_waiters(1);
    for (std::uint64_t seq = 2; seq <= 20; ++seq) {  // the agents already in go on
        fast.send(batch(seq, {{"fast.cpu.user", static_cast<double>(seq), 1}}));
        ASSERT_EQ(fast.read_ack(), seq);
    }
    EXPECT_FALSE(slow.has_data());  // not answered before verified
    auto s = f.stats();
    EXPECT_EQ(s.hellos_verifying, 1u);
    EXPECT_EQ(s.agents_connected, 1u);  // the slow agent is not in yet
    EXPECT_EQ(points_of(f.sink.points(), "slow."), 0u);
    latch.release();
    EXPECT_EQ(slow.read_ack(), 1u);
    EXPECT_EQ(points_of(f.sink.points(), "slow."), 1u);
    EXPECT_TRUE(eventually(f, [](const AgentServerStats& st) {
        return st.agents_connected == 2 && st.hellos_verifying == 0;
    }));
}

TEST(AgentServerWorkers, AFullAuthenticationQueueMakesHellosWaitNotFail) {
    Latch latch;
    auto settings = ServerFixture::base_settings();
    settings.auth_queue = 1;
    ServerFixture f(settings, std::make_unique<SlowAuth>(latch));
    ReleaseOnExit release{latch};
    Client slow(f.port);
    slow.hello("slow");
    latch.await_waiters(1);
    Client next(f.port);
    next.hello("next");
    next.send(batch(3, {{"next.cpu.user", 1, 1}}));
    EXPECT_TRUE(eventually(f, [](const AgentServerStats& st) { return st.hellos_queue_full == 1; }));
    latch.release();
    EXPECT_EQ(next.read_ack(), 3u);  // verified once there was room, its batch then handled
    slow.send(batch(1, {{"slow.cpu.user", 1, 1}}));
    EXPECT_EQ(slow.read_ack(), 1u);
    auto s = f.stats();
    EXPECT_EQ(s.auth_failures, 0u);
    EXPECT_EQ(s.agents_connected, 2u);
}

TEST(AgentServerWorkers, AnAgentThatLeavesWhileItsEventIsRecordedLeavesTheCountersRight) {
    Latch latch;
    ServerFixture f(ServerFixture::base_settings(), std::make_unique<NoAuth>(),
                    [&latch](const std::string&, const wire::JobEvent&) { latch.wait(); });
    ReleaseOnExit release{latch};
    {
        Client gone(f.port);
        gone.hello("gone");
        gone.send(wire::encode_job_event({1, R"({"type":"job_end"})"}));
        latch.await_waiters(1);
    }
    // The session reads nothing while it waits, so it learns of the close only afterwards.
    latch.release();
    EXPECT_TRUE(eventually(f, [](const AgentServerStats& st) {
        return st.connections_open == 0 && st.job_events_recording == 0 && st.agents_connected == 0;
    }));
    EXPECT_EQ(f.events().size(), 1u);  // recorded, never acked: the agent sends it again, as after
                                        // any connection lost before an Ack
}
