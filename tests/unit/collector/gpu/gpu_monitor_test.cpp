// GpuMonitor: NVML read on its own thread; the caller never waits for it, sees a hung
// call as "hung" (the last snapshot kept, stale) and the figures again once it returns.
#include "collector/gpu/gpu_monitor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/unit/collector/gpu/fake_nvml_table.h"

using namespace fructosa;
using namespace fructosa::gpu;
using namespace fructosa::test;
using State = GpuMonitor::State;

namespace {

/// Polls latest() until it is in `state` (the worker runs on its own thread); false
/// after a generous deadline.
bool wait_for_state(GpuMonitor& m, State state) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (m.latest().state != state) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

GpuMonitorSettings fast(std::string library = fake_nvml_library()) {
    return {.library = std::move(library), .interval_s = 0.02, .hang_timeout_s = 0.2};
}

}  // namespace

TEST(GpuMonitor, ReadsSnapshotsOnItsOwnThread) {
    FakeNvmlTable table(kTwoGpuTable);
    GpuMonitor m(fast());
    ASSERT_TRUE(wait_for_state(m, State::ok));
    auto v = m.latest();
    ASSERT_TRUE(v.fresh());
    EXPECT_EQ(v.snapshot->devices.size(), 3u);
    EXPECT_EQ(v.snapshot->devices[0].util_percent, 87);
}

TEST(GpuMonitor, NoLibraryIsUnavailableWithTheReason) {
    GpuMonitor m(fast("/nonexistent/libnvidia-ml.so.1"));
    ASSERT_TRUE(wait_for_state(m, State::unavailable));
    auto v = m.latest();
    EXPECT_FALSE(v.fresh());
    EXPECT_NE(v.error.find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);
}

TEST(GpuMonitor, AHungCallMakesTheLastSnapshotStaleUntilItReturns) {
    FakeNvmlTable table(kTwoGpuTable);
    GpuMonitor m(fast());
    ASSERT_TRUE(wait_for_state(m, State::ok));
    table.write(std::string(kTwoGpuTable) + "hang nvmlDeviceGetTemperature\n");
    ASSERT_TRUE(wait_for_state(m, State::hung));
    auto v = m.latest();
    EXPECT_FALSE(v.fresh());
    ASSERT_TRUE(v.snapshot);  // the last good one, kept but stale
    EXPECT_EQ(v.snapshot->devices.size(), 3u);
    EXPECT_NE(v.error.find("an NVML call has not returned for"), std::string::npos) << v.error;
    table.write("gpu 0 minor=0 util=5 mem_util=1\n");
    ASSERT_TRUE(wait_for_state(m, State::ok));
    // The reads after the hang see the new table.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (m.latest().snapshot->devices.size() != 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(m.latest().snapshot->devices.at(0).util_percent, 5);
}

TEST(GpuMonitor, AFailedReadKeepsTheLastSnapshotAndSaysWhy) {
    FakeNvmlTable table(kTwoGpuTable);
    GpuMonitor m(fast());
    ASSERT_TRUE(wait_for_state(m, State::ok));
    table.remove();  // nvmlDeviceGetCount_v2 fails from now on
    ASSERT_TRUE(wait_for_state(m, State::failed));
    auto v = m.latest();
    EXPECT_FALSE(v.fresh());
    EXPECT_EQ(v.error, "nvmlDeviceGetCount_v2: Unknown Error (NVML error 999)");
    ASSERT_TRUE(v.snapshot);
    EXPECT_EQ(v.snapshot->devices.size(), 3u);
    table.write(kTwoGpuTable);
    EXPECT_TRUE(wait_for_state(m, State::ok));
}

TEST(GpuMonitor, AMonitorStuckInAHungCallIsLeftBehindAtDestruction) {
    FakeNvmlTable table(std::string(kTwoGpuTable) + "hang nvmlDeviceGetCount_v2\n");
    {
        GpuMonitor m(fast());
        ASSERT_TRUE(wait_for_state(m, State::hung));
    }  // returns after the short grace, the worker detached
    // The driver answers again: the detached worker leaves its call, sees the stop and
    // ends on its own (with nvmlShutdown, which the fake counts like NVML).
    table.write(kTwoGpuTable);
    SUCCEED();
}

TEST(GpuMonitor, WithoutTheLibraryItTriesAgainOnlyAfterTheRetryDelay) {
    // Every 20 ms a sample, but a missing library is tried again only after an hour.
    auto slow = fast("/nonexistent/libnvidia-ml.so.1");
    slow.unavailable_retry_s = 3600;
    GpuMonitor m(slow);
    ASSERT_TRUE(wait_for_state(m, State::unavailable));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten intervals
    EXPECT_EQ(m.latest().load_attempts, 1u);
    // With a short delay it keeps trying (a driver that appears later is found).
    auto eager = fast("/nonexistent/libnvidia-ml.so.1");
    eager.unavailable_retry_s = 0.01;
    GpuMonitor again(eager);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (again.latest().load_attempts < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(again.latest().load_attempts, 3u);
    EXPECT_EQ(again.latest().state, State::unavailable);
}
