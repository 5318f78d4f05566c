#include "collector/sensors/meminfo.h"

#include "collector/sensors/parse_util.h"

namespace fructosa::sensors {

MemInfo parse_meminfo(std::string_view text, std::string_view origin) {
    MemInfo m;
    std::vector<std::string_view> words;
    for (auto line : split_lines(text)) {
        if (trim(line).empty()) continue;
        auto colon = line.find(':');
        if (colon == std::string_view::npos)
            parse_error(origin, "line without ':': '" + std::string(line) + "'");
        std::string key(trim(line.substr(0, colon)));
        split_words(line.substr(colon + 1), words);
        if (words.empty() || words.size() > 2)
            parse_error(origin, key + ": expected 'number [kB]'");
        std::uint64_t v = to_u64(words[0], origin, key);
        if (words.size() == 2) {
            if (words[1] != "kB")
                parse_error(origin, key + ": unknown unit '" + std::string(words[1]) + "'");
            v *= 1024;
        }
        m[key] = v;
    }
    return m;
}

const MemInfo& parse_meminfo_once(const std::string& text, std::string_view origin) {
    static thread_local ParseCache<MemInfo> cache;
    return cache.get(text, [origin](const std::string& t) { return parse_meminfo(t, origin); });
}

std::uint64_t meminfo_value(const MemInfo& m, std::string_view key, std::uint64_t fallback) {
    auto it = m.find(key);
    return it == m.end() ? fallback : it->second;
}

std::uint64_t meminfo_required(const MemInfo& m, std::string_view key, std::string_view origin) {
    auto it = m.find(key);
    if (it == m.end()) parse_error(origin, "no '" + std::string(key) + "' line");
    return it->second;
}

}  // namespace fructosa::sensors
