// NvmlReader through the fake libnvidia-ml.so.1: every figure of a GPU, MIG instances as
// their own devices, NOT_SUPPORTED left absent, processes with per-process utilisation.
#include "collector/gpu/nvml_reader.h"

#include <gtest/gtest.h>

#include "tests/unit/collector/gpu/fake_nvml_table.h"

using namespace fructosa;
using namespace fructosa::gpu;
using namespace fructosa::test;

namespace {

std::unique_ptr<NvmlLibrary> open_fake() {
    auto opened = NvmlLibrary::open(fake_nvml_library());
    if (auto* e = std::get_if<std::string>(&opened)) ADD_FAILURE() << *e;
    return std::move(std::get<0>(opened));
}

}  // namespace

TEST(NvmlLibrary, AMissingLibrarySaysWhy) {
    auto opened = NvmlLibrary::open("/nonexistent/libnvidia-ml.so.1");
    ASSERT_TRUE(std::holds_alternative<std::string>(opened));
    EXPECT_NE(std::get<std::string>(opened).find("/nonexistent/libnvidia-ml.so.1"), std::string::npos);
}

TEST(NvmlLibrary, NoDriverIsAnInitError) {
    unsetenv("FAKE_NVML_TABLE");  // the fake's "driver not loaded"
    auto opened = NvmlLibrary::open(fake_nvml_library());
    ASSERT_TRUE(std::holds_alternative<std::string>(opened));
    EXPECT_EQ(std::get<std::string>(opened), "nvmlInit_v2: Driver Not Loaded (NVML error 9)");
}

TEST(NvmlReader, ReadsEveryFigureOfAGpu) {
    FakeNvmlTable table(kTwoGpuTable);
    auto nvml = open_fake();
    NvmlReader reader(*nvml);
    GpuSnapshot s = reader.read(1000.5);
    EXPECT_EQ(s.time, 1000.5);
    ASSERT_EQ(s.devices.size(), 3u);
    const GpuDevice& g = s.devices[0];
    EXPECT_EQ(g.key, "0");
    EXPECT_EQ(g.minor, 0u);
    EXPECT_EQ(g.uuid, "GPU-aaa");
    EXPECT_EQ(g.util_percent, 87);
    EXPECT_EQ(g.memory_util_percent, 40);
    EXPECT_EQ(g.memory_used, 1000u);
    EXPECT_EQ(g.memory_total, 16000u);
    EXPECT_EQ(g.power_watts, 250.5);
    EXPECT_EQ(g.energy_joules, 123456.789);
    EXPECT_EQ(g.temperature_celsius, 61);
    EXPECT_EQ(g.sm_clock_mhz, 1410);
    EXPECT_EQ(g.throttle_reasons, 4u);
    EXPECT_EQ(g.ecc_corrected, 2u);
    EXPECT_EQ(g.ecc_uncorrected, 0u);
    EXPECT_TRUE(g.per_process_util);
    ASSERT_TRUE(g.processes);
    EXPECT_EQ(*g.processes, (std::vector<GpuProcess>{{100, 600, 50.0}, {200, 400, std::nullopt}}));
    EXPECT_TRUE(s.problems.empty()) << s.problems.front();
}

TEST(NvmlReader, NotSupportedLeavesTheFigureAbsent) {
    FakeNvmlTable table(kTwoGpuTable);
    auto nvml = open_fake();
    GpuSnapshot s = NvmlReader(*nvml).read(0);
    const GpuDevice& g = s.devices[1];  // no ECC keys, no proc_util: NOT_SUPPORTED
    EXPECT_EQ(g.key, "1");
    EXPECT_EQ(g.minor, 3u);
    EXPECT_EQ(g.ecc_corrected, std::nullopt);
    EXPECT_EQ(g.ecc_uncorrected, std::nullopt);
    EXPECT_FALSE(g.per_process_util);
    EXPECT_EQ(g.processes, std::vector<GpuProcess>{});
    EXPECT_EQ(g.power_watts, 60);
    EXPECT_TRUE(s.problems.empty());  // NOT_SUPPORTED is no problem
}

TEST(NvmlReader, MigInstancesAreDevicesWithMemoryOnly) {
    FakeNvmlTable table(kTwoGpuTable);
    auto nvml = open_fake();
    GpuSnapshot s = NvmlReader(*nvml).read(0);
    const GpuDevice& m = s.devices[2];
    EXPECT_EQ(m.key, "1_mig2");
    EXPECT_EQ(m.index, 1u);
    EXPECT_EQ(m.mig, 2u);
    EXPECT_EQ(m.uuid, "MIG-ccc");
    EXPECT_EQ(m.minor, std::nullopt);
    EXPECT_EQ(m.memory_used, 2048u);
    EXPECT_EQ(m.memory_total, 10000u);
    EXPECT_EQ(m.util_percent, std::nullopt);
    EXPECT_EQ(m.power_watts, std::nullopt);
    EXPECT_EQ(m.energy_joules, std::nullopt);
    EXPECT_EQ(m.temperature_celsius, std::nullopt);
    ASSERT_TRUE(m.processes);
    EXPECT_EQ(*m.processes, (std::vector<GpuProcess>{{300, 2048, std::nullopt}}));
}

TEST(NvmlReader, TheTableIsReadAgainAtEachSnapshot) {
    FakeNvmlTable table(kTwoGpuTable);
    auto nvml = open_fake();
    NvmlReader reader(*nvml);
    EXPECT_EQ(reader.read(0).devices.size(), 3u);
    table.write("gpu 0 minor=5 util=12 mem_util=1\n");
    GpuSnapshot s = reader.read(1);
    ASSERT_EQ(s.devices.size(), 1u);
    EXPECT_EQ(s.devices[0].minor, 5u);
    EXPECT_EQ(s.devices[0].util_percent, 12);
    EXPECT_EQ(s.devices[0].memory_used, std::nullopt);
}
