// HostSampler: each sensor on its own interval, readings as "<host>.<Sensor>.<field>"
// points stamped by the wall clock, a missing source said once, a failing sensor retried.
#include "collector/host_sampler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "tests/unit/run_until.h"

using namespace fructosa;
using namespace fructosa::test;
using namespace std::chrono_literals;

namespace {

/// A sensor whose samples are scripted by call number (1, 2, ...); remembers the reader
/// it was given.
class FakeSensor : public Sensor {
  public:
    using Script = std::function<std::optional<Readings>(int call)>;
    explicit FakeSensor(Script script) : script_(std::move(script)) {}
    const SensorInfo& info() const override { return info_; }
    std::optional<Readings> sample(const SystemReader& sys) override {
        reader = &sys;
        return script_(++calls);
    }
    int calls = 0;
    const SystemReader* reader = nullptr;

  private:
    Script script_;
    SensorInfo info_{"Fake", "scripted samples", {}, {}};
};

/// Always the same readings.
std::shared_ptr<FakeSensor> steady_sensor(Readings r) {
    return std::make_shared<FakeSensor>([r](int) { return std::optional<Readings>(r); });
}

/// Every path of `batches`, in order, as strings.
std::vector<std::string> paths_of(const std::vector<Points>& batches) {
    std::vector<std::string> out;
    for (const auto& b : batches)
        for (const auto& p : b) out.push_back(p.path);
    return out;
}

/// Sends the log to a private file for the test's lifetime and reads it back.
class LogCapture {
  public:
    LogCapture() {
        std::filesystem::remove(path_);
        Log::configure(LogSettings{path_, 0, 0, LogLevel::Info}, "test");
    }
    ~LogCapture() {
        Log::configure(LogSettings{"-", 0, 0, LogLevel::Warning}, "test");
        std::filesystem::remove(path_);
    }
    /// How many lines contain `text`.
    int count(const std::string& text) const {
        std::ifstream in(path_);
        int n = 0;
        for (std::string line; std::getline(in, line);)
            if (line.find(text) != std::string::npos) ++n;
        return n;
    }

  private:
    std::string path_ = (std::filesystem::temp_directory_path() /
                         ("fructosa-sampler-log-" + std::to_string(::getpid())))
                            .string();
};

}  // namespace

TEST(HostSampler, FirstSampleAtStartBecomesPointsOfTheHost) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto fake = steady_sensor({{"", 8}, {"user", 1.5}, {"eth0.bytes_sent", 42}});
    std::vector<Points> got;
    HostSampler sampler(
        io, "node7", {{"CPUTimes", 60, fake}}, reader,
        [&](Points p) { got.push_back(std::move(p)); }, [] { return 1700000000.25; });
    sampler.start();  // samples at once, before the io_context runs
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], (Points{{"node7.CPUTimes", 1700000000.25, 8},
                              {"node7.CPUTimes.user", 1700000000.25, 1.5},
                              {"node7.CPUTimes.eth0.bytes_sent", 1700000000.25, 42}}));
    // The sensor reads the machine through the sampler's pass reader, not another one.
    ASSERT_NE(fake->reader, nullptr);
    EXPECT_EQ(fake->reader->read_file("/proc/self/stat").has_value(), true);
    EXPECT_EQ(sampler.errors(), 0u);
    sampler.stop();
}

TEST(HostSampler, EverySampleIsStampedWithTheClockOfItsOwnTurn) {
    boost::asio::io_context io;
    HostSystemReader reader;
    double now = 100;
    std::vector<Points> got;
    HostSampler sampler(
        io, "h", {{"A", 0.01, steady_sensor({{"x", 1}})}}, reader,
        [&](Points p) { got.push_back(std::move(p)); }, [&] { return now += 10; });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return got.size() >= 3; }));
    sampler.stop();
    EXPECT_EQ(got[0].at(0).timestamp, 110);
    EXPECT_EQ(got[1].at(0).timestamp, 120);
    EXPECT_EQ(got[2].at(0).timestamp, 130);
}

TEST(HostSampler, EachSensorKeepsItsOwnInterval) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto fast = steady_sensor({{"f", 1}});
    auto slow = steady_sensor({{"s", 2}});
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"Fast", 0.05, fast}, {"Slow", 3600, slow}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    auto t0 = std::chrono::steady_clock::now();
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return fast->calls >= 5; }));
    auto elapsed = std::chrono::steady_clock::now() - t0;
    sampler.stop();
    // One sample at start, then one per 50 ms: the fifth is 200 ms in, never sooner.
    EXPECT_GE(elapsed, 195ms);
    EXPECT_EQ(slow->calls, 1);
    auto paths = paths_of(got);
    EXPECT_EQ(std::count(paths.begin(), paths.end(), "h.Slow.s"), 1);
    EXPECT_EQ(std::count(paths.begin(), paths.end(), "h.Fast.f"), fast->calls);
}

TEST(HostSampler, StopCancelsEveryTimer) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto fake = steady_sensor({{"x", 1}});
    HostSampler sampler(io, "h", {{"A", 0.01, fake}}, reader, [](Points) {});
    sampler.start();
    sampler.stop();
    io.run_for(100ms);
    EXPECT_EQ(fake->calls, 1);
}

TEST(HostSampler, UnavailableSensorIsSkippedAndSaidOnce) {
    LogCapture log;
    boost::asio::io_context io;
    HostSystemReader reader;
    // Absent for three samples, then it appears.
    auto fake = std::make_shared<FakeSensor>([](int call) -> std::optional<Readings> {
        if (call <= 3) return std::nullopt;
        return Readings{{"v", double(call)}};
    });
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"Battery", 0.01, fake}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return fake->calls >= 5; }));
    sampler.stop();
    ASSERT_EQ(got.size(), std::size_t(fake->calls - 3));  // nothing for the absent samples
    EXPECT_EQ(got[0], (Points{{"h.Battery.v", got[0][0].timestamp, 4}}));
    EXPECT_EQ(got[1][0].value, 5);
    EXPECT_EQ(log.count("sensor Battery: not available"), 1);
    EXPECT_EQ(log.count("sensor Battery: now available"), 1);
    EXPECT_EQ(sampler.errors(), 0u);  // absent is not an error
}

TEST(HostSampler, EmptyReadingsSendNothing) {
    boost::asio::io_context io;
    HostSystemReader reader;
    int batches = 0;
    HostSampler sampler(io, "h", {{"Users", 60, steady_sensor({})}}, reader,
                        [&](Points) { ++batches; });
    sampler.start();
    sampler.stop();
    EXPECT_EQ(batches, 0);
}

TEST(HostSampler, FailingSensorIsCountedAndTriedAgain) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto fake = std::make_shared<FakeSensor>([](int call) -> std::optional<Readings> {
        if (call <= 2) throw std::runtime_error("cannot parse /proc/stat");
        return Readings{{"ok", 1}};
    });
    auto other = steady_sensor({{"y", 2}});
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"Broken", 0.01, fake}, {"Other", 60, other}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    EXPECT_EQ(sampler.errors(), 1u);
    EXPECT_EQ(other->calls, 1);  // one failing sensor does not keep the others from sampling
    ASSERT_TRUE(run_until(io, [&] { return fake->calls >= 3; }));
    sampler.stop();
    EXPECT_EQ(sampler.errors(), 2u);
    auto paths = paths_of(got);
    ASSERT_FALSE(paths.empty());
    EXPECT_EQ(paths[0], "h.Other.y");
    EXPECT_EQ(std::count(paths.begin(), paths.end(), "h.Broken.ok"), fake->calls - 2);
}

TEST(HostSampler, ASensorThatReadBeforeAndFindsNothingNowFailedARead) {
    // /proc/stat read at start, then unreadable (lagent out of descriptors) for two
    // samples: two sensor errors, not "not available on this machine".
    LogCapture log;
    boost::asio::io_context io;
    HostSystemReader reader;
    auto fake = std::make_shared<FakeSensor>([](int call) -> std::optional<Readings> {
        if (call == 2 || call == 3) return std::nullopt;
        return Readings{{"user", double(call)}};
    });
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"CPUTimes", 0.01, fake}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return fake->calls >= 4; }));
    sampler.stop();
    EXPECT_EQ(sampler.errors(), 2u);
    EXPECT_EQ(log.count("sensor CPUTimes: not available"), 0);
    EXPECT_EQ(log.count("sensor CPUTimes: read failed, nothing to read where it read before (tried again in 0.01 s)"),
              1);  // the second failure within the minute is counted, not logged
    EXPECT_EQ(log.count("sensor CPUTimes: working again"), 1);
    ASSERT_EQ(got.size(), std::size_t(fake->calls - 2));
}

TEST(HostSampler, ReconfigureKeepsASensorByNameOnItsNewIntervalAddsAndRemovesOthers) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto kept = steady_sensor({{"k", 1}});
    auto removed = steady_sensor({{"r", 2}});
    auto added = steady_sensor({{"a", 3}});
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"Kept", 3600, kept}, {"Removed", 0.01, removed}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return removed->calls >= 2; }));
    EXPECT_EQ(kept->calls, 1);

    sampler.reconfigure({{"Kept", 0.01, kept}, {"Added", 3600, added}});
    EXPECT_EQ(added->calls, 1);  // a new sensor samples at once
    EXPECT_EQ(kept->calls, 1);   // a kept one waits its new interval, from now
    int removed_calls = removed->calls;
    ASSERT_TRUE(run_until(io, [&] { return kept->calls >= 3; }));
    sampler.stop();
    EXPECT_EQ(removed->calls, removed_calls);
    EXPECT_EQ(sampler.sensor_count(), 2u);
    EXPECT_DOUBLE_EQ(sampler.interval_of("Kept"), 0.01);
    EXPECT_DOUBLE_EQ(sampler.interval_of("Added"), 3600);
    EXPECT_DOUBLE_EQ(sampler.interval_of("Removed"), 0);
}

TEST(HostSampler, SensorsOfOneIntervalSampleInOnePassAndOneBatch) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto a = steady_sensor({{"x", 1}});
    auto b = steady_sensor({{"y", 2}});
    auto slow = steady_sensor({{"z", 3}});
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"A", 60, a}, {"Slow", 600, slow}, {"B", 60, b}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); }, [] { return 5.0; });
    sampler.start();
    sampler.stop();
    ASSERT_EQ(got.size(), 2u);  // the 60 s pass (A and B, in their order), then the 600 s one
    EXPECT_EQ(got[0], (Points{{"h.A.x", 5, 1}, {"h.B.y", 5, 2}}));
    EXPECT_EQ(got[1], (Points{{"h.Slow.z", 5, 3}}));
    EXPECT_EQ(a->reader, b->reader);  // one pass reader for the pass
    EXPECT_EQ(sampler.fastest_interval(), 60);
}

TEST(HostSampler, PublishesTheIntervalOfItsFastestSensorsAsTheFactorChanges) {
    boost::asio::io_context io;
    HostSystemReader reader;
    std::vector<Points> got;
    HostSampler sampler(io, "h", {{"A", 0.01, steady_sensor({{"x", 1}})}, {"B", 3600, steady_sensor({{"y", 2}})}},
                        reader, [&](Points p) { got.push_back(std::move(p)); }, [] { return 5.0; });
    sampler.publish_interval(true);
    int passes = 0;
    sampler.on_fast_pass([&](const SystemReader& pass, double now) {
        EXPECT_EQ(now, 5.0);
        EXPECT_TRUE(pass.read_file("/proc/loadavg").has_value());  // the machine, through the pass
        if (++passes == 2) sampler.set_interval_factor(2);
    });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return passes >= 4; }));
    sampler.stop();
    std::vector<double> published;
    for (const auto& batch : got)
        for (const auto& p : batch)
            if (p.path == "fructosa.lagent.h.sample_interval_seconds") published.push_back(p.value);
    ASSERT_GE(published.size(), 4u);
    EXPECT_EQ(published[0], 0.01);
    EXPECT_EQ(published[1], 0.02);  // the factor set in this pass's observation
    EXPECT_EQ(published[3], 0.02);
    EXPECT_EQ(sampler.interval_factor(), 2);
}

TEST(HostSampler, ASmallerFactorBringsAWaitingSensorsTurnForward) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto slow = steady_sensor({{"z", 3}});
    HostSampler sampler(io, "h", {{"Slow", 3600, slow}}, reader, [](Points) {});
    sampler.start();
    EXPECT_EQ(slow->calls, 1);
    sampler.set_interval_factor(1e-5);  // 3600 s becomes 36 ms: due well before the hour
    ASSERT_TRUE(run_until(io, [&] { return slow->calls >= 3; }));
    sampler.stop();
}
