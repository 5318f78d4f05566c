#pragma once
#include <ostream>

namespace fructosa {
/// Prints every sensor with its one-line help, fields and options (`lagent --list-sensors`).
void print_sensor_list(std::ostream& out);
}  // namespace fructosa
