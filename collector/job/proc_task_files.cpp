#include "collector/job/proc_task_files.h"

#include <charconv>
#include <cstdint>

namespace fructosa::proc {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::optional<std::uint64_t> to_u64(std::string_view s) {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

/// The next space-separated word of `s`, removed from it; empty at the end.
std::string_view next_word(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    std::string_view w = s.substr(start, i - start);
    s.remove_prefix(i);
    return w;
}

}  // namespace

std::optional<TaskStat> parse_stat(std::string_view text) {
    auto paren = text.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(paren + 1);
    // After the name come field 3 (state) .. field 22 (starttime).
    std::optional<std::uint64_t> ppid, start;
    for (int field = 3; field <= 22; ++field) {
        std::string_view w = next_word(rest);
        if (w.empty()) return std::nullopt;
        if (field == 4) ppid = to_u64(w);
        if (field == 22) start = to_u64(w);
    }
    if (!ppid || !start || *ppid > UINT32_MAX) return std::nullopt;
    // The name is at most 15 characters (TASK_COMM_LEN): no allocation.
    auto open = text.find('(');
    std::string_view comm = open < paren ? text.substr(open + 1, paren - open - 1) : std::string_view{};
    return TaskStat{static_cast<std::uint32_t>(*ppid), *start, std::string(comm)};
}

std::optional<std::uint64_t> parse_schedstat_run_delay(std::string_view text) {
    std::optional<std::uint64_t> f[3];
    for (auto& v : f) v = to_u64(next_word(text));
    if (!f[0] || !f[1] || !f[2] || !next_word(text).empty()) return std::nullopt;
    if (*f[0] == 0 && *f[1] == 0 && *f[2] == 0) return std::nullopt;
    return f[1];
}

std::optional<TaskIo> parse_io(std::string_view text) {
    TaskIo out;
    bool read = false, write = false;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view key = line.substr(0, colon);
        std::string_view value = line.substr(colon + 1);
        if (key != "read_bytes" && key != "write_bytes") continue;
        auto v = to_u64(next_word(value));
        if (!v) return std::nullopt;
        if (key == "read_bytes") out.read_bytes = *v, read = true;
        else out.write_bytes = *v, write = true;
    }
    if (!read || !write) return std::nullopt;
    return out;
}

std::size_t append_ids(std::string_view text, std::vector<std::uint32_t>& out) {
    std::size_t lines = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        std::string_view id = next_word(line);
        if (id.empty()) continue;
        ++lines;
        std::uint32_t v = 0;
        auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
        if (ec == std::errc() && end == id.data() + id.size() && next_word(line).empty()) out.push_back(v);
    }
    return lines;
}

}  // namespace fructosa::proc
