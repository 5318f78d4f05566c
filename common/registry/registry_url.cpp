#include "common/registry/registry_url.h"

#include <string_view>

namespace fructosa {

bool is_postgresql_url(const std::string& url) {
    std::string_view u(url);
    return u.starts_with("postgresql://") || u.starts_with("postgres://");
}

std::string redact_url(const std::string& url) {
    std::string out = url;
    // user:password@ in the authority (which ends at the first '/', '?' or '#').
    auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        auto start = scheme + 3;
        auto end = out.find_first_of("/?#", start);
        if (end == std::string::npos) end = out.size();
        auto at = out.rfind('@', end);
        if (at != std::string::npos && at >= start) {
            auto colon = out.find(':', start);
            if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // password=... among the query parameters.
    auto query = out.find('?');
    while (query != std::string::npos) {
        auto key = query + 1;
        if (out.compare(key, 9, "password=") == 0) {
            auto value = key + 9;
            auto end = out.find_first_of("&#", value);
            if (end == std::string::npos) end = out.size();
            out.replace(value, end - value, "***");
        }
        query = out.find('&', key);
    }
    return out;
}

}  // namespace fructosa
