#include "collector/sensors/users.h"

#include <utmp.h>

#include <cstring>
#include <map>

#include "collector/sensors/parse_util.h"
#include "common/metric.h"

namespace fructosa::sensors {

std::vector<std::string> parse_utmp_users(std::string_view bytes, std::string_view origin) {
    constexpr std::size_t record = sizeof(struct utmp);
    if (bytes.size() % record != 0)
        parse_error(origin, "size " + std::to_string(bytes.size()) + " is not a multiple of the " +
                                std::to_string(record) + "-byte utmp record");
    std::vector<std::string> users;
    for (std::size_t off = 0; off < bytes.size(); off += record) {
        struct utmp u;
        std::memcpy(&u, bytes.data() + off, record);  // the buffer need not be aligned
        if (u.ut_type != USER_PROCESS) continue;
        users.emplace_back(u.ut_user, strnlen(u.ut_user, sizeof u.ut_user));
    }
    return users;
}

Readings users_readings(const std::vector<std::string>& session_users) {
    std::map<std::string, int> per_user;
    for (const auto& u : session_users) ++per_user[sanitize_component(u)];
    Readings out;
    add(out, "count", static_cast<double>(session_users.size()));
    for (const auto& [user, n] : per_user) add(out, user, n);
    return out;
}

namespace {

class UsersSensor final : public Sensor {
  public:
    const SensorInfo& info() const override {
        static const SensorInfo i{"Users",
                                  "login sessions (utmp)",
                                  {{"count", "sessions"}, {"<user>", "sessions of that user"}},
                                  {}};
        return i;
    }
    std::optional<Readings> sample(const SystemReader& sys) override {
        for (const char* path : {"/var/run/utmp", "/run/utmp"})
            if (auto bytes = sys.read_file(path))
                return users_readings(parse_utmp_users(*bytes, path));
        return std::nullopt;
    }
};

}  // namespace

std::unique_ptr<Sensor> make_users_sensor() { return std::make_unique<UsersSensor>(); }

}  // namespace fructosa::sensors
