#include "collector/job/cgroup_files.h"

#include <charconv>
#include <vector>

namespace fructosa::cgroup {
namespace {

std::string_view trim(std::string_view s) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::optional<std::uint64_t> to_u64(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<double> to_double(std::string_view s) {
    double v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

/// Calls f(line) for each line, without the newline.
template <typename F>
void for_each_line(std::string_view text, F&& f) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        f(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

}  // namespace

std::optional<std::uint64_t> parse_u64_file(std::string_view text) { return to_u64(trim(text)); }

std::optional<std::uint64_t> parse_limit_file(std::string_view text, std::uint64_t unlimited) {
    auto t = trim(text);
    if (t == "max") return unlimited;
    auto v = to_u64(t);
    if (v && *v >= (std::uint64_t{1} << 62)) return unlimited;
    return v;
}

std::optional<std::map<std::string, std::uint64_t>> parse_flat_keyed(std::string_view text) {
    std::map<std::string, std::uint64_t> out;
    for_each_line(text, [&](std::string_view line) {
        auto w = words(line);
        if (w.size() != 2) return;
        if (auto v = to_u64(w[1])) out[std::string(w[0])] = *v;
    });
    if (out.empty()) return std::nullopt;
    return out;
}

std::optional<IoTotals> parse_blkio(std::string_view text) {
    IoTotals out;
    bool valid = false;
    bool bad = false;
    for_each_line(text, [&](std::string_view line) {
        auto w = words(line);
        if (w.empty()) return;
        if (w.size() == 2 && w[0] == "Total") {
            valid = valid || to_u64(w[1]).has_value();
            return;
        }
        if (w.size() != 3 || w[0].find(':') == std::string_view::npos) {
            bad = true;
            return;
        }
        auto v = to_u64(w[2]);
        if (!v) {
            bad = true;
            return;
        }
        valid = true;
        if (w[1] == "Read") out.read += *v;
        else if (w[1] == "Write") out.write += *v;
        // Sync, Async, Discard and the per-device Total re-count the same I/O.
    });
    if (bad || !valid) return std::nullopt;
    return out;
}

std::optional<IoStat> parse_io_stat(std::string_view text) {
    IoStat out;
    bool bad = false;
    for_each_line(text, [&](std::string_view line) {
        auto w = words(line);
        if (w.empty()) return;
        if (w[0].find(':') == std::string_view::npos) {
            bad = true;
            return;
        }
        for (std::size_t i = 1; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            if (eq == std::string_view::npos) {
                bad = true;
                return;
            }
            auto key = w[i].substr(0, eq);
            auto v = to_u64(w[i].substr(eq + 1));
            if (!v) {
                bad = true;
                return;
            }
            if (key == "rbytes") out.bytes.read += *v;
            else if (key == "wbytes") out.bytes.write += *v;
            else if (key == "rios") out.ops.read += *v;
            else if (key == "wios") out.ops.write += *v;
        }
    });
    if (bad) return std::nullopt;
    return out;
}

std::optional<PressureFile> parse_pressure(std::string_view text) {
    PressureFile out;
    bool bad = false;
    for_each_line(text, [&](std::string_view line) {
        auto w = words(line);
        if (w.empty()) return;
        if (w.size() != 5 || (w[0] != "some" && w[0] != "full")) {
            bad = true;
            return;
        }
        PressureLine p;
        int seen = 0;
        for (std::size_t i = 1; i < w.size(); ++i) {
            auto eq = w[i].find('=');
            if (eq == std::string_view::npos) break;
            auto key = w[i].substr(0, eq);
            auto value = w[i].substr(eq + 1);
            if (key == "total") {
                if (auto v = to_u64(value)) p.total_us = *v, ++seen;
            } else if (auto d = to_double(value)) {
                if (key == "avg10") p.avg10 = *d, ++seen;
                else if (key == "avg60") p.avg60 = *d, ++seen;
                else if (key == "avg300") p.avg300 = *d, ++seen;
            }
        }
        if (seen != 4) {
            bad = true;
            return;
        }
        (w[0] == "some" ? out.some : out.full) = p;
    });
    if (bad || !out.some) return std::nullopt;
    return out;
}

std::size_t count_lines(std::string_view text) {
    std::size_t n = 0;
    for_each_line(text, [&](std::string_view line) {
        if (!trim(line).empty()) ++n;
    });
    return n;
}

}  // namespace fructosa::cgroup
