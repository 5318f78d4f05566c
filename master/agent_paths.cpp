#include "master/agent_paths.h"

#include "common/metric.h"

namespace fructosa {

namespace {

/// True when every dot-separated component of `rest` is non-empty and path-safe.
bool components_safe(std::string_view rest) {
    if (rest.empty()) return false;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = rest.find('.', start);
        std::string_view part = rest.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty() || sanitize_component(part) != part) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

/// When `path` begins with `prefix`, removes it and returns true.
bool take(std::string_view& path, std::string_view prefix) {
    if (path.substr(0, prefix.size()) != prefix) return false;
    path.remove_prefix(prefix.size());
    return true;
}

/// When `path` begins with "<host>.", removes it and returns true.
bool take_host(std::string_view& path, std::string_view host) {
    if (path.size() <= host.size() || path.substr(0, host.size()) != host || path[host.size()] != '.') return false;
    path.remove_prefix(host.size() + 1);
    return true;
}

}  // namespace

bool valid_agent_host(std::string_view host) {
    return !host.empty() && host.size() <= 255 && sanitize_component(host) == host && host != "jobs" &&
           host != "fructosa";
}

bool agent_may_write(std::string_view path, std::string_view host) {
    if (!valid_agent_host(host) || !components_safe(path)) return false;
    std::string_view rest = path;
    if (take_host(rest, host)) return true;  // components_safe: something follows the host
    rest = path;
    if (take(rest, "jobs.")) {
        std::size_t digits = 0;
        while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
        if (digits == 0 || digits > 20 || digits >= rest.size() || rest[digits] != '.') return false;
        rest.remove_prefix(digits + 1);
        return take_host(rest, host);
    }
    rest = path;
    if (take(rest, "fructosa.lagent.")) return take_host(rest, host);
    return false;
}

}  // namespace fructosa
