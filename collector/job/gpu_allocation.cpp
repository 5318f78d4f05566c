#include "collector/job/gpu_allocation.h"

#include <charconv>
#include <string>

namespace fructosa {

namespace {

std::optional<unsigned> to_unsigned(std::string_view s) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::set<unsigned>> gpu_minors_of_devices_list(std::string_view text) {
    std::set<unsigned> minors;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (line.empty()) continue;
        // "<type> <major>:<minor> <access>", type a (all), c or b.
        auto sp = line.find(' ');
        if (sp == std::string_view::npos) continue;
        std::string_view type = line.substr(0, sp);
        std::string_view rest = line.substr(sp + 1);
        std::string_view dev = rest.substr(0, rest.find(' '));
        auto colon = dev.find(':');
        if (type == "a") return std::nullopt;
        if (type != "c" || colon == std::string_view::npos) continue;
        std::string_view major = dev.substr(0, colon), minor = dev.substr(colon + 1);
        if (major == "*" && minor == "*") return std::nullopt;
        if (major != std::to_string(kNvidiaMajor)) continue;
        if (minor == "*") return std::nullopt;
        if (auto m = to_unsigned(minor); m && *m != kNvidiaCtlMinor) minors.insert(*m);
    }
    return minors;
}

std::optional<std::set<unsigned>> parse_gpu_id_list(std::string_view text) {
    text = trim(text);
    if (text.empty() || text == "NoDevFiles") return std::nullopt;
    std::set<unsigned> ids;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        auto dash = item.find('-');
        auto lo = to_unsigned(item.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : to_unsigned(item.substr(dash + 1));
        if (!lo || !hi || *hi < *lo || *hi - *lo > 1024) return std::nullopt;
        for (unsigned i = *lo; i <= *hi; ++i) ids.insert(i);
    }
    return ids;
}

std::optional<std::uint64_t> job_of_cgroup_text(std::string_view text) {
    for (std::size_t pos = text.find("/job_"); pos != std::string_view::npos; pos = text.find("/job_", pos + 1)) {
        std::size_t start = pos + 5, end = start;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
        if (end == start || end - start > 19) continue;
        if (end < text.size() && text[end] != '/' && text[end] != '\n') continue;
        std::uint64_t id = 0;
        std::from_chars(text.data() + start, text.data() + end, id);
        if (id != 0) return id;
    }
    return std::nullopt;
}

}  // namespace fructosa
