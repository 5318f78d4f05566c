#include "common/registry/registry_settings.h"

#include "common/config.h"

namespace fructosa {

RegistrySettings read_registry_settings(const IniFile& file) {
    RegistrySettings s;
    SectionReader r(file, "registry");
    s.path = r.get_string("path", s.path);
    if (s.path.empty()) r.fail("path", "must name a file");
    s.busy_timeout_ms = static_cast<int>(r.get_int("busy timeout ms", s.busy_timeout_ms, 0, 3600000));
    s.partial_after_s = r.get_double("partial after", s.partial_after_s, 1, 30 * 86400.0);
    s.running_timeout_s = r.get_double("running timeout", s.running_timeout_s, 60, 3650 * 86400.0);
    r.reject_unknown();
    return s;
}

}  // namespace fructosa
