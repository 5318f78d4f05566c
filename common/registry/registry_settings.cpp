#include "common/registry/registry_settings.h"

#include <fmt/format.h>

#include "common/config.h"
#include "common/registry/registry_url.h"

namespace fructosa {

std::string RegistrySettings::where() const { return uses_postgresql() ? redact_url(url) : path; }

RegistrySettings read_registry_settings(const IniFile& file) {
    RegistrySettings s;
    SectionReader r(file, "registry");
    auto path = r.get_optional("path");
    if (path) {
        s.path = *path;
        if (s.path.empty()) r.fail("path", "must name a file");
    }
    if (auto url = r.get_optional("url")) {
        // The message may be logged: it shows the URL's scheme only, never a password.
        if (!is_postgresql_url(*url))
            r.fail("url", "must start with postgresql:// or postgres:// (e.g. postgresql://fructosa@dbhost:5432/fructosa)");
        if (path) {
            const ConfigEntry* p = file.section("registry")->find("path");
            r.fail("url", fmt::format("cannot be given together with path (line {}): url selects PostgreSQL, "
                                      "path SQLite; keep one",
                                      p->line));
        }
        s.url = *url;
    }
    s.busy_timeout_ms = static_cast<int>(r.get_int("busy timeout ms", s.busy_timeout_ms, 0, 3600000));
    s.partial_after_s = r.get_double("partial after", s.partial_after_s, 1, 30 * 86400.0);
    s.running_timeout_s = r.get_double("running timeout", s.running_timeout_s, 60, 3650 * 86400.0);
    r.reject_unknown();
    return s;
}

}  // namespace fructosa
