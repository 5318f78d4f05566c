// SpoolingSink in front of a sink that is up or down at the test's command: points wait
// on disk while Graphite is away, come back in order, and the spool's bound drops the
// oldest data, counted.
#include "master/spooling_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/wire.h"
#include "tests/unit/run_until.h"
#include "recording_sink.h"

using namespace fructosa;
using namespace fructosa::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

/// A RecordingSink whose connection the test switches; everything offered while
/// connected counts as written at once.
class SwitchableSink : public test_support::RecordingSink {
  public:
    void offer(Points&& points) override {
        offered_ += points.size();
        RecordingSink::offer(std::move(points));
    }
    SinkStats stats() const override {
        SinkStats s;
        s.points_in = offered_;
        s.points_out = offered_;
        s.connected = connected;
        return s;
    }
    bool connected = false;

  private:
    std::uint64_t offered_ = 0;
};

/// The one place the sink under test is built, as its constructor takes it today.
std::unique_ptr<SpoolingSink> make_spooling_sink(boost::asio::io_context& io,
                                                 std::unique_ptr<GraphiteSink> inner,
                                                 const std::string& dir,
                                                 std::uint64_t max_bytes = 64u << 20) {
    SpoolSettings settings;
    settings.directory = dir;
    settings.max_bytes = max_bytes;
    return std::make_unique<SpoolingSink>(io, std::move(inner), settings);
}

/// `n` points "<prefix>.<i>" with value i, at time 1000 + i; paths padded to `path_length`.
Points numbered(const std::string& prefix, int n, std::size_t path_length = 0) {
    Points out;
    for (int i = 0; i < n; ++i) {
        std::string path = prefix + "." + std::to_string(i);
        if (path.size() < path_length)
            path += "." + std::string(path_length - path.size() - 1, 'p');
        out.push_back(Point{path, 1000.0 + i, double(i)});
    }
    return out;
}

Points concat(std::initializer_list<Points> parts) {
    Points out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

/// Bytes in the spool's segment files.
std::uint64_t segment_bytes(const std::string& dir) {
    std::uint64_t n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".seg") n += e.file_size();
    return n;
}

/// A private spool directory, removed at the end.
class SpoolingSinkTest : public ::testing::Test {
  protected:
    void SetUp() override { fs::remove_all(dir_); }
    void TearDown() override { fs::remove_all(dir_); }

    /// Stops `sink` as lmaster does at shutdown, running `io_` until it is done.
    void stop(SpoolingSink& sink) {
        bool done = false;
        sink.stop(100ms, [&] { done = true; });
        ASSERT_TRUE(run_until(io_, [&] { return done; }));
    }

    boost::asio::io_context io_;
    std::string dir_ = (fs::temp_directory_path() /
                        ("fructosa-spooling-" + std::to_string(::getpid()) + "-" +
                         ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                           .string();
};

}  // namespace

TEST_F(SpoolingSinkTest, PointsWaitOnDiskWhileGraphiteIsDownAndComeBackInOrder) {
    auto inner = std::make_unique<SwitchableSink>();
    SwitchableSink& graphite = *inner;
    auto sink = make_spooling_sink(io_, std::move(inner), dir_);
    sink->start();
    Points a = numbered("a", 3000), b = numbered("b", 10), c = numbered("c", 2500);
    sink->offer(Points(a));
    sink->offer(Points(b));
    sink->offer(Points(c));
    run_until(
        io_, [] { return false; }, 200ms);  // a few pump turns with Graphite away
    EXPECT_TRUE(graphite.points().empty());
    EXPECT_GT(segment_bytes(dir_), 5510u * 10);  // on disk, not in memory
    SinkStats s = sink->stats();
    EXPECT_EQ(s.points_in, 5510u);
    EXPECT_EQ(s.points_queued, 5510u);
    EXPECT_EQ(s.points_dropped, 0u);

    graphite.connected = true;
    ASSERT_TRUE(run_until(io_, [&] { return graphite.points().size() >= 5510; }));
    EXPECT_EQ(graphite.points(), concat({a, b, c}));  // chunk by chunk, in the order offered
    EXPECT_EQ(sink->stats().points_queued, 0u);

    Points live = numbered("live", 5);  // once drained, new points go straight through
    sink->offer(Points(live));
    ASSERT_TRUE(run_until(io_, [&] { return graphite.points().size() >= 5515; }));
    EXPECT_EQ(graphite.points(), concat({a, b, c, live}));
    stop(*sink);
}

TEST_F(SpoolingSinkTest, TheBacklogSurvivesARestartOfLmaster) {
    Points before = numbered("before", 100);
    {
        auto sink = make_spooling_sink(io_, std::make_unique<SwitchableSink>(), dir_);
        sink->start();
        sink->offer(Points(before));
        stop(*sink);
    }
    auto inner = std::make_unique<SwitchableSink>();
    SwitchableSink& graphite = *inner;
    graphite.connected = true;
    auto sink = make_spooling_sink(io_, std::move(inner), dir_);
    sink->start();
    ASSERT_TRUE(run_until(io_, [&] { return graphite.points().size() >= 100; }));
    EXPECT_EQ(graphite.points(), before);
    stop(*sink);
}

TEST_F(SpoolingSinkTest, TheBoundDropsTheOldestDataAndCountsIt) {
    auto inner = std::make_unique<SwitchableSink>();
    SwitchableSink& graphite = *inner;
    auto sink = make_spooling_sink(io_, std::move(inner), dir_, 1u << 20);  // 1 MiB
    sink->start();
    // Two records of about 4.5 MB each: each fills a 4 MiB segment of its own, and the
    // second pushes the spool past its bound, so the first segment goes.
    Points oldest = numbered("oldest", 4500, 1000), newest = numbered("newest", 4500, 1000);
    sink->offer(Points(oldest));
    EXPECT_EQ(sink->stats().points_dropped, 0u);
    sink->offer(Points(newest));
    EXPECT_EQ(sink->stats().points_dropped, 4500u);
    EXPECT_LT(segment_bytes(dir_), 5u << 20);  // only the newest record is left on disk

    graphite.connected = true;
    ASSERT_TRUE(run_until(io_, [&] { return graphite.points().size() >= 4500; }));
    run_until(
        io_, [] { return false; }, 150ms);  // nothing more comes
    EXPECT_EQ(graphite.points(), newest);
    EXPECT_EQ(sink->stats().points_dropped, 4500u);
    stop(*sink);
}

TEST_F(SpoolingSinkTest, ALostConnectionPausesSendingAndItResumesOnReconnect) {
    auto inner = std::make_unique<SwitchableSink>();
    SwitchableSink& graphite = *inner;
    graphite.connected = true;
    auto sink = make_spooling_sink(io_, std::move(inner), dir_);
    sink->start();
    Points first = numbered("first", 10);
    sink->offer(Points(first));
    ASSERT_TRUE(run_until(io_, [&] { return graphite.points().size() >= 10; }));

    graphite.connected = false;
    run_until(
        io_, [] { return false; }, 120ms);  // the pump sees the loss
    Points second = numbered("second", 10);
    sink->offer(Points(second));
    run_until(
        io_, [] { return false; }, 120ms);
    EXPECT_EQ(graphite.points(), first);  // nothing handed on while down

    graphite.connected = true;
    ASSERT_TRUE(run_until(io_, [&] {
        auto p = graphite.points();
        return p.size() >= 10 && Points(p.end() - 10, p.end()) == second;
    }));
    // Within the replay window nothing was committed: what was written before the loss
    // may be sent again (harmless duplicates), but it comes before the newer points.
    auto got = graphite.points();
    EXPECT_EQ(Points(got.begin(), got.begin() + 10), first);
    stop(*sink);
}

namespace {

/// An inner sink that writes only when the test says so and loses its connection on
/// command, keeping (as CarbonSink does) what it had not written yet.
class ManualSink : public GraphiteSink {
  public:
    void offer(Points&& points) override {
        for (auto& p : points) queue_.push_back(std::move(p));
    }
    SinkStats stats() const override {
        SinkStats s;
        s.points_out = written_.size();
        s.points_queued = queue_.size();
        s.connected = connected;
        s.connections_lost = losses;
        return s;
    }
    void stop(std::chrono::milliseconds, std::function<void()> done) override { done(); }
    void write_all() {
        for (auto& p : queue_) written_.push_back(std::move(p));
        queue_.clear();
    }
    const Points& written() const { return written_; }
    bool connected = true;
    std::uint64_t losses = 0;

  private:
    Points queue_, written_;
};

}  // namespace

TEST_F(SpoolingSinkTest, ALostCarbonConnectionResendsExactlyWhatWasWrittenWithinTheReplayWindow) {
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    auto inner = std::make_unique<ManualSink>();
    ManualSink& carbon = *inner;
    SpoolSettings settings;
    settings.directory = dir_;
    settings.replay_window = 2000ms;
    SpoolingSink sink(io_, std::move(inner), settings, [&] { return now; });
    sink.start();
    auto turns = [&] { run_until(io_, [] { return false; }, 120ms); };  // a few pump turns

    Points old = numbered("old", 5), recent = numbered("recent", 5), unwritten = numbered("unwritten", 5);
    sink.offer(Points(old));
    turns();
    carbon.write_all();
    turns();  // written at the hour
    now += 2500ms;
    sink.offer(Points(recent));
    turns();
    carbon.write_all();
    turns();  // written 0.5 s before the loss
    sink.offer(Points(unwritten));
    turns();  // handed on, still queued in the inner sink
    now += 500ms;
    carbon.connected = false;
    ++carbon.losses;
    turns();
    carbon.connected = true;
    turns();
    carbon.write_all();  // the inner sink's own queue, then the replay
    turns();
    carbon.write_all();
    // Only the chunk written within the window is sent twice; the older one and the one
    // never written are not.
    EXPECT_EQ(carbon.written(), concat({old, recent, unwritten, recent}));
    stop(sink);
}

TEST_F(SpoolingSinkTest, TheReplayIsBoundedInBytesByWhatTheSocketsCouldHaveHeld) {
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    auto inner = std::make_unique<ManualSink>();
    ManualSink& carbon = *inner;
    Points a = numbered("a", 5), b = numbered("b", 5), c = numbered("c", 5);
    auto record_bytes = [](const Points& p) {  // what the spool keeps of one offer
        return wire::frame_payload(wire::encode_batch({0, p})).size();
    };
    SpoolSettings settings;
    settings.directory = dir_;
    settings.replay_window = 2000ms;
    settings.replay_max_bytes = record_bytes(b) + record_bytes(c);  // a fast link: all three within 2 s
    SpoolingSink sink(io_, std::move(inner), settings, [&] { return now; });
    sink.start();
    auto turns = [&] { run_until(io_, [] { return false; }, 120ms); };
    for (const Points* p : {&a, &b, &c}) {
        sink.offer(Points(*p));
        turns();
        carbon.write_all();
        turns();
        now += 100ms;
    }
    carbon.connected = false;
    ++carbon.losses;
    turns();
    carbon.connected = true;
    turns();
    carbon.write_all();
    // All three were written within the window, but only the newest bytes the two
    // kernels could have held unacknowledged are sent again.
    EXPECT_EQ(carbon.written(), concat({a, b, c, b, c}));
    stop(sink);
}

TEST(SpoolingSinkReplayBound, DefaultsToThisHostsLargestSocketBuffers) {
    auto max_of = [](const char* path) {
        std::ifstream in(path);
        std::uint64_t lo = 0, def = 0, hi = 0;
        in >> lo >> def >> hi;
        return hi;
    };
    std::uint64_t w = max_of("/proc/sys/net/ipv4/tcp_wmem"), r = max_of("/proc/sys/net/ipv4/tcp_rmem");
    ASSERT_GT(w, 0u);  // Linux always has them
    EXPECT_EQ(SpoolingSink::replay_bytes_default(), w + r);
}

TEST_F(SpoolingSinkTest, AKilledLmasterResendsAtMostTheLastSecondWritten) {
    auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1));
    auto inner = std::make_unique<ManualSink>();
    ManualSink& carbon = *inner;
    SpoolSettings settings;
    settings.directory = dir_;
    SpoolingSink sink(io_, std::move(inner), settings, [&] { return now; });
    sink.start();
    auto turns = [&] { run_until(io_, [] { return false; }, 120ms); };
    Points a = numbered("a", 5), b = numbered("b", 5), c = numbered("c", 5);
    sink.offer(Points(a));
    turns();
    carbon.write_all();
    turns();  // a is written and its commit is on disk at once
    now += 600ms;
    sink.offer(Points(b));
    turns();
    carbon.write_all();
    turns();  // b is written, its commit waits for the second to pass
    sink.offer(Points(c));
    turns();  // c is handed on but not written
    {
        // A restart after kill -9 now, while this lmaster still runs, reads the commit file.
        DiskSpool restarted(dir_, 64u << 20);
        Points resent;
        for (auto r = restarted.read(restarted.committed()); r; r = restarted.read(r->next)) {
            auto batch = wire::decode_batch(std::span<const std::uint8_t>(
                reinterpret_cast<const std::uint8_t*>(r->data.data()), r->data.size()));
            resent.insert(resent.end(), batch.points.begin(), batch.points.end());
        }
        EXPECT_EQ(resent, concat({b, c}));  // b once more (within the second), c for the first time
    }
    now += 400ms;
    carbon.write_all();
    turns();  // a second after a's commit: the file moves past c
    DiskSpool restarted(dir_, 64u << 20);
    EXPECT_FALSE(restarted.read(restarted.committed()));
    stop(sink);
}
