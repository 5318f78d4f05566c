#include "common/metric.h"

#include <unistd.h>

#include <climits>

namespace fructosa {

namespace {

/// The characters a path component may hold as they are.
bool safe_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == ':' || c == '+' || c == '%' || c == '@';
}

}  // namespace

std::string sanitize_component(std::string_view text) {
    if (text.empty()) return "_";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) out += safe_char(c) ? static_cast<char>(c) : '_';
    return out;
}

bool component_is_safe(std::string_view text) {
    if (text.empty()) return false;
    for (unsigned char c : text)
        if (!safe_char(c)) return false;
    return true;
}

bool path_is_safe(std::string_view path) {
    std::size_t start = 0;
    while (true) {
        std::size_t dot = path.find('.', start);
        std::string_view part = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!component_is_safe(part)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::string short_hostname() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    std::string h(buf);
    return h.substr(0, h.find('.'));
}

}  // namespace fructosa
