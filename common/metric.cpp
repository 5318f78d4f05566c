#include "common/metric.h"

#include <unistd.h>

#include <climits>

namespace fructosa {

std::string sanitize_component(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == ':' || c == '+' || c == '%' || c == '@';
        out += ok ? static_cast<char>(c) : '_';
    }
    if (out.empty()) out = "_";
    return out;
}

std::string join_path(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto p : parts) {
        if (p.empty()) continue;
        if (!out.empty()) out += '.';
        out += p;
    }
    return out;
}

std::string short_hostname() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    std::string h(buf);
    return h.substr(0, h.find('.'));
}

}  // namespace fructosa
