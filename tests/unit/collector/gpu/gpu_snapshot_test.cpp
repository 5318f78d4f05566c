// gpu_host_readings: one field per figure NVML gave, none for one it did not.
#include "collector/gpu/gpu_snapshot.h"

#include <gtest/gtest.h>

using namespace fructosa;
using namespace fructosa::gpu;

TEST(GpuHostReadings, EveryGivenFigureAndNoOther) {
    GpuSnapshot s;
    GpuDevice g;
    g.key = "0";
    g.util_percent = 87;
    g.memory_util_percent = 40;
    g.memory_used = 1000;
    g.memory_total = 16000;
    g.power_watts = 250.5;
    g.energy_joules = 1234.5;
    g.temperature_celsius = 61;
    g.sm_clock_mhz = 1410;
    g.throttle_reasons = 4;
    g.ecc_corrected = 2;
    g.ecc_uncorrected = 0;
    g.processes = std::vector<GpuProcess>{{1, 5, std::nullopt}, {2, 5, std::nullopt}};
    GpuDevice m;
    m.key = "1_mig2";
    m.memory_used = 2048;
    m.memory_total = 10000;  // no process list: no compute_processes field
    s.devices = {g, m};
    EXPECT_EQ(gpu_host_readings(s), (Readings{{"0.util_percent", 87},
                                              {"0.memory_util_percent", 40},
                                              {"0.memory_used", 1000},
                                              {"0.memory_total", 16000},
                                              {"0.power_watts", 250.5},
                                              {"0.energy_joules", 1234.5},
                                              {"0.temperature_celsius", 61},
                                              {"0.sm_clock_mhz", 1410},
                                              {"0.throttle_reasons", 4},
                                              {"0.ecc_corrected", 2},
                                              {"0.ecc_uncorrected", 0},
                                              {"0.compute_processes", 2},
                                              {"1_mig2.memory_used", 2048},
                                              {"1_mig2.memory_total", 10000}}));
}
