#pragma once
/// Users: login sessions from the utmp file (USER_PROCESS records), as psutil's users().

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// The user name of every USER_PROCESS record of a utmp file (glibc's struct utmp
/// records back to back), in file order. Throws naming `origin` when the size is not a
/// whole number of records.
std::vector<std::string> parse_utmp_users(std::string_view bytes, std::string_view origin);

/// "count" (sessions) and "<user>" (sessions of that user, name through
/// sanitize_component), users sorted by name.
Readings users_readings(const std::vector<std::string>& session_users);

std::unique_ptr<Sensor> make_users_sensor();

}  // namespace fructosa::sensors
