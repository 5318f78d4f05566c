#include "common/hostlist.h"

#include <charconv>
#include <unordered_set>

#include <fmt/format.h>

namespace fructosa {
namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

/// Splits on commas that are not inside brackets.
std::vector<std::string_view> split_items(std::string_view list) {
    std::vector<std::string_view> items;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
        char c = list[i];
        if (c == '[') {
            if (++depth > 1) throw HostlistError(fmt::format("nested '[' in host list '{}'", list));
        } else if (c == ']') {
            if (--depth < 0) throw HostlistError(fmt::format("unmatched ']' in host list '{}'", list));
        } else if (c == ',' && depth == 0) {
            items.push_back(list.substr(start, i - start));
            start = i + 1;
        }
    }
    if (depth != 0) throw HostlistError(fmt::format("unmatched '[' in host list '{}'", list));
    items.push_back(list.substr(start));
    return items;
}

unsigned long long parse_number(std::string_view s, std::string_view item) {
    unsigned long long v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        throw HostlistError(fmt::format("'{}' is not a number in host list item '{}'", s, item));
    return v;
}

/// "1-3,07,10-12" -> the numbers as strings, zero-padded like their lower bound.
std::vector<std::string> expand_ranges(std::string_view ranges, std::string_view item, std::size_t max_hosts) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= ranges.size()) {
        std::size_t comma = ranges.find(',', start);
        if (comma == std::string_view::npos) comma = ranges.size();
        std::string_view r = trim(ranges.substr(start, comma - start));
        if (r.empty()) throw HostlistError(fmt::format("empty range in host list item '{}'", item));
        std::size_t dash = r.find('-');
        std::string_view lo_s = dash == std::string_view::npos ? r : r.substr(0, dash);
        std::string_view hi_s = dash == std::string_view::npos ? r : r.substr(dash + 1);
        unsigned long long lo = parse_number(lo_s, item), hi = parse_number(hi_s, item);
        if (hi < lo) throw HostlistError(fmt::format("range '{}' runs backwards in host list item '{}'", r, item));
        if (hi - lo >= max_hosts || out.size() + (hi - lo + 1) > max_hosts)
            throw HostlistError(fmt::format("host list item '{}' names more than {} hosts", item, max_hosts));
        std::size_t width = lo_s.size();
        for (unsigned long long v = lo; v <= hi; ++v) out.push_back(fmt::format("{:0{}}", v, width));
        start = comma + 1;
    }
    return out;
}

void expand_item(std::string_view item, std::size_t max_hosts, std::vector<std::string>& out) {
    std::vector<std::string> names{""};
    std::size_t pos = 0;
    while (pos < item.size()) {
        std::size_t open = item.find('[', pos);
        std::string_view literal = item.substr(pos, open == std::string_view::npos ? item.npos : open - pos);
        if (literal.find(']') != std::string_view::npos)
            throw HostlistError(fmt::format("unmatched ']' in host list item '{}'", item));
        for (auto& n : names) n.append(literal);
        if (open == std::string_view::npos) break;
        std::size_t close = item.find(']', open);  // split_items checked the pairing
        auto values = expand_ranges(item.substr(open + 1, close - open - 1), item, max_hosts);
        if (names.size() * values.size() > max_hosts)
            throw HostlistError(fmt::format("host list item '{}' names more than {} hosts", item, max_hosts));
        std::vector<std::string> next;
        next.reserve(names.size() * values.size());
        for (const auto& n : names)
            for (const auto& v : values) next.push_back(n + v);
        names = std::move(next);
        pos = close + 1;
    }
    for (auto& n : names) out.push_back(std::move(n));
}

}  // namespace

std::vector<std::string> expand_hostlist(std::string_view hostlist, std::size_t max_hosts) {
    std::vector<std::string> all;
    hostlist = trim(hostlist);
    if (hostlist.empty()) return all;
    for (std::string_view raw : split_items(hostlist)) {
        std::string_view item = trim(raw);
        if (item.empty()) throw HostlistError(fmt::format("empty item in host list '{}'", hostlist));
        if (item.find_first_of(" \t") != std::string_view::npos)
            throw HostlistError(fmt::format("blank inside host list item '{}'", item));
        expand_item(item, max_hosts, all);
        if (all.size() > max_hosts)
            throw HostlistError(fmt::format("host list '{}' names more than {} hosts", hostlist, max_hosts));
    }
    std::vector<std::string> unique;
    unique.reserve(all.size());
    std::unordered_set<std::string> seen;
    for (auto& n : all)
        if (seen.insert(n).second) unique.push_back(std::move(n));
    return unique;
}

}  // namespace fructosa
