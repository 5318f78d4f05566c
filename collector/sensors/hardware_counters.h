#pragma once
/// HardwareCounters: instructions and cycles of every task on every online CPU
/// (perf_event_open), so the node's instructions per cycle. On a machine whose kernel
/// exposes no PMU (most virtual machines) it logs why once and reports "not available"
/// from then on, without trying again.

#include <memory>

#include "collector/sensor.h"
#include "collector/sensors/perf_counters.h"

namespace fructosa::sensors {

std::unique_ptr<Sensor> make_hardware_counters_sensor(PerfBackend& backend, MonotonicClock clock);
std::unique_ptr<Sensor> make_hardware_counters_sensor();

}  // namespace fructosa::sensors
