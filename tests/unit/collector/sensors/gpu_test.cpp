// The GPU sensor in lagent's host sampler: its options, its series, nothing while NVML is
// missing, and a hung NVML call costs sensor errors while the other sensors go on.
#include "collector/sensors/gpu.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "collector/agent_config.h"
#include "collector/host_sampler.h"
#include "tests/unit/collector/gpu/fake_nvml_table.h"
#include "tests/unit/run_until.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

/// The [sensor:GPU] of a lagent.conf with the fake library.
SensorConfig gpu_sensor(const std::string& extra = "") {
    auto c = read_agent_config(IniFile::parse(fmt::format("[sensor:GPU]\ntime_interval = 0.02\nlibrary = {}\n"
                                                          "hang timeout = 0.2\n{}",
                                                          fake_nvml_library(), extra),
                                              "lagent.conf"));
    return c.sensors.at(0);
}

/// A sensor that always reads, counting its calls.
class CountingSensor : public Sensor {
  public:
    const SensorInfo& info() const override { return info_; }
    std::optional<Readings> sample(const SystemReader&) override {
        ++calls;
        return Readings{{"x", 1}};
    }
    int calls = 0;

  private:
    SensorInfo info_{"Counting", "counts", {}, {}};
};

bool has_path(const std::vector<Points>& got, const std::string& path) {
    for (const auto& b : got)
        for (const auto& p : b)
            if (p.path == path) return true;
    return false;
}

}  // namespace

TEST(GpuSensor, IsRegisteredUnderItsName) {
    auto s = make_sensor("GPU");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->info().name, "GPU");
}

TEST(GpuSensor, OptionsAreCheckedWithFileAndLine) {
    EXPECT_THROW(gpu_sensor("hang timeout = 0\n"), ConfigError);
    try {
        gpu_sensor("hang timeout = soon\n");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("lagent.conf:"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("hang timeout"), std::string::npos) << e.what();
    }
}

TEST(GpuSensor, PublishesHostSeriesOfEveryDevice) {
    FakeNvmlTable table(kTwoGpuTable);
    boost::asio::io_context io;
    HostSystemReader reader;
    std::vector<Points> got;
    HostSampler sampler(io, "n1", {gpu_sensor()}, reader, [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    ASSERT_TRUE(run_until(io, [&] { return has_path(got, "n1.GPU.1_mig2.memory_used"); }, std::chrono::seconds(10)));
    sampler.stop();
    EXPECT_TRUE(has_path(got, "n1.GPU.0.util_percent"));
    EXPECT_TRUE(has_path(got, "n1.GPU.0.energy_joules"));
    EXPECT_TRUE(has_path(got, "n1.GPU.1.power_watts"));
    EXPECT_FALSE(has_path(got, "n1.GPU.1.ecc_corrected"));  // NOT_SUPPORTED: absent
    EXPECT_FALSE(has_path(got, "n1.GPU.1_mig2.power_watts"));
    EXPECT_EQ(sampler.errors(), 0u);
}

TEST(GpuSensor, WithoutTheLibraryItStaysQuiet) {
    boost::asio::io_context io;
    HostSystemReader reader;
    auto sc = gpu_sensor("library = /nonexistent/libnvidia-ml.so.1\n");
    std::vector<Points> got;
    HostSampler sampler(io, "n1", {sc}, reader, [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    auto* gpu = dynamic_cast<sensors::GpuSensor*>(sc.sensor.get());
    ASSERT_TRUE(gpu);
    ASSERT_TRUE(run_until(io, [&] { return gpu->monitor()->latest().state == gpu::GpuMonitor::State::unavailable; },
                          std::chrono::seconds(10)));
    run_until(io, [] { return false; }, std::chrono::milliseconds(100));  // a few more intervals
    sampler.stop();
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(sampler.errors(), 0u);  // not available is no error
}

TEST(GpuSensor, AHungNvmlCallStopsNeitherTheLoopNorTheOtherSensors) {
    FakeNvmlTable table(std::string(kTwoGpuTable) + "hang nvmlDeviceGetPowerUsage\n");
    boost::asio::io_context io;
    HostSystemReader reader;
    auto counting = std::make_shared<CountingSensor>();
    std::vector<Points> got;
    HostSampler sampler(io, "n1", {gpu_sensor(), {"Counting", 0.02, counting}}, reader,
                        [&](Points p) { got.push_back(std::move(p)); });
    sampler.start();
    // NVML hangs from the first call: the host sampler goes on and counts the stale GPU.
    ASSERT_TRUE(run_until(io, [&] { return sampler.errors() >= 1 && counting->calls >= 20; },
                          std::chrono::seconds(10)));
    EXPECT_FALSE(has_path(got, "n1.GPU.0.util_percent"));
    table.write(kTwoGpuTable);  // the driver answers again
    ASSERT_TRUE(run_until(io, [&] { return has_path(got, "n1.GPU.0.util_percent"); }, std::chrono::seconds(10)));
    sampler.stop();
}
