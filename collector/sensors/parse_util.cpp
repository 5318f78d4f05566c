#include "collector/sensors/parse_util.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "common/metric.h"

namespace fructosa::sensors {

void parse_error(std::string_view origin, std::string_view what) {
    throw std::runtime_error(std::string(origin) + ": " + std::string(what));
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        auto nl = text.find('\n');
        if (nl == std::string_view::npos) {
            lines.push_back(text);
            break;
        }
        lines.push_back(text.substr(0, nl));
        text.remove_prefix(nl + 1);
    }
    return lines;
}

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    split_words(line, words);
    return words;
}

void split_words(std::string_view line, std::vector<std::string_view>& words) {
    words.clear();
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
}

std::string_view trim(std::string_view text) {
    const char* ws = " \t\r\n";
    auto b = text.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    auto e = text.find_last_not_of(ws);
    return text.substr(b, e - b + 1);
}

namespace {

template <typename T>
T to_number(std::string_view token, std::string_view origin, std::string_view what) {
    T v{};
    const char* end = token.data() + token.size();
    auto [p, ec] = std::from_chars(token.data(), end, v);
    if (token.empty() || ec != std::errc() || p != end)
        parse_error(origin, std::string(what) + " is not a number: '" + std::string(token) + "'");
    return v;
}

}  // namespace

std::uint64_t to_u64(std::string_view token, std::string_view origin, std::string_view what) {
    return to_number<std::uint64_t>(token, origin, what);
}

std::optional<std::uint64_t> parse_u64(std::string_view token) {
    std::uint64_t v = 0;
    const char* end = token.data() + token.size();
    auto [p, ec] = std::from_chars(token.data(), end, v);
    if (token.empty() || ec != std::errc() || p != end) return std::nullopt;
    return v;
}

std::int64_t to_i64(std::string_view token, std::string_view origin, std::string_view what) {
    return to_number<std::int64_t>(token, origin, what);
}

double to_double(std::string_view token, std::string_view origin, std::string_view what) {
    return to_number<double>(token, origin, what);
}

std::optional<std::string> read_trimmed(const SystemReader& sys, const std::string& path) {
    auto text = sys.read_file(path);
    if (!text) return std::nullopt;
    return std::string(trim(*text));
}

std::optional<double> read_number(const SystemReader& sys, const std::string& path) {
    auto text = read_trimmed(sys, path);
    if (!text) return std::nullopt;
    return to_double(*text, path, "value");
}

std::optional<int> number_after(std::string_view name, std::string_view prefix) {
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    auto digits = name.substr(prefix.size());
    if (digits.size() > 9) return std::nullopt;
    int v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

std::vector<std::string> numbered_names(std::vector<std::string> names, std::string_view prefix) {
    std::erase_if(names, [&](const std::string& n) { return !number_after(n, prefix); });
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        return *number_after(a, prefix) < *number_after(b, prefix);
    });
    return names;
}

std::string path_component(std::string_view path) {
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    if (path.empty()) return "root";
    return sanitize_component(path);
}

std::string unique_name(std::vector<std::string>& taken, const std::string& base) {
    std::string name = base;
    for (int n = 1; std::find(taken.begin(), taken.end(), name) != taken.end(); ++n)
        name = base + "_" + std::to_string(n);
    taken.push_back(name);
    return name;
}

}  // namespace fructosa::sensors
