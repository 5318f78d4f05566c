#include "collector/sensors/counter_rate.h"

#include <chrono>

namespace fructosa::sensors {

double steady_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace fructosa::sensors
