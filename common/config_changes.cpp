#include "common/config_changes.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "common/logging.h"

namespace fructosa {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

std::string where(const IniFile& f, int line) { return fmt::format("{}:{}", f.origin(), line); }

/// Adds what `a` holds and `b` does not hold alike; `both` also compares values.
void collect(const IniFile& a, const IniFile& b, bool compare_values, std::vector<ConfigChange>& out) {
    for (const auto& sa : a.sections()) {
        const ConfigSection* sb = b.section(sa.name);
        if (!sb && sa.entries.empty()) out.push_back({sa.name, "", where(a, sa.line)});
        for (const auto& e : sa.entries) {
            const ConfigEntry* eb = sb ? sb->find(e.key) : nullptr;
            if (!eb || (compare_values && eb->value != e.value))
                out.push_back({sa.name, lower(e.key), where(a, e.line)});
        }
    }
}

}  // namespace

std::vector<ConfigChange> config_changes(const IniFile& before, const IniFile& after) {
    std::vector<ConfigChange> out;
    collect(after, before, true, out);   // new or changed
    collect(before, after, false, out);  // removed
    return out;
}

std::string describe(const ConfigChange& c) {
    return c.key.empty() ? fmt::format("[{}]", c.section) : fmt::format("[{}] {}", c.section, c.key);
}

std::vector<ConfigChange> log_changes_needing_restart(const std::vector<ConfigChange>& changes,
                                                      const std::function<bool(const ConfigChange&)>& applies,
                                                      const std::string& program) {
    std::vector<ConfigChange> refused;
    for (const auto& c : changes) {
        if (applies(c)) continue;
        log_warning("SIGHUP: {} changed ({}): needs a restart of {}", describe(c), c.where, program);
        refused.push_back(c);
    }
    return refused;
}

}  // namespace fructosa
