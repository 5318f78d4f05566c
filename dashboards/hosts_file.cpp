#include "dashboards/hosts_file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/hostlist.h"
#include "common/metric.h"

namespace fructosa {

namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r");
    return s.substr(first, last - first + 1);
}

/// Drops a "#" or ";" comment that starts the line or follows whitespace.
std::string_view strip_comment(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i)
        if ((line[i] == '#' || line[i] == ';') && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t'))
            return line.substr(0, i);
    return line;
}

}  // namespace

std::vector<std::string> parse_hosts(std::string_view text, std::string_view section, const std::string& origin) {
    std::vector<std::string> hosts;
    bool in_section = false, seen_section = false;
    int line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = trim(strip_comment(text.substr(pos, end - pos)));
        pos = end + 1;
        ++line_no;
        auto fail = [&](const std::string& what) -> HostsFileError {
            return HostsFileError(fmt::format("{}:{}: {}", origin, line_no, what));
        };
        if (line.empty()) continue;
        if (line.front() == '[') {
            if (line.back() != ']') throw fail(fmt::format("'{}': a section header ends with ']'", line));
            in_section = trim(line.substr(1, line.size() - 2)) == section;
            seen_section = seen_section || in_section;
            continue;
        }
        if (!in_section) continue;
        // "name", "name =" (configparser's allow_no_value style) or "label = host list".
        std::string_view list = line;
        const auto eq = line.find_first_of("=:");
        if (eq != std::string_view::npos && line.find('[') > eq) {
            std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
            if (key.empty()) throw fail(fmt::format("'{}': nothing before '{}'", line, line[eq]));
            list = value.empty() ? key : value;
        }
        std::vector<std::string> expanded;
        try {
            expanded = expand_hostlist(list, 100000);
        } catch (const HostlistError& e) {
            throw fail(fmt::format("'{}' is not a host name or Slurm host list: {}", list, e.what()));
        }
        for (auto& h : expanded) {
            if (h.find('.') != std::string::npos)
                throw fail(fmt::format("'{}': use the short host name ('{}'), as lagent reports it", h, h.substr(0, h.find('.'))));
            if (!component_is_safe(h))
                throw fail(fmt::format("'{}' has characters lagent would not write in a metric path", h));
            if (std::find(hosts.begin(), hosts.end(), h) == hosts.end()) hosts.push_back(std::move(h));
        }
    }
    if (!seen_section) throw HostsFileError(fmt::format("{}: no [{}] section", origin, section));
    if (hosts.empty()) throw HostsFileError(fmt::format("{}: section [{}] lists no hosts", origin, section));
    return hosts;
}

std::vector<std::string> read_hosts_file(const std::string& path, std::string_view section) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw HostsFileError(fmt::format("{}: cannot read the hosts file", path));
    std::ostringstream text;
    text << in.rdbuf();
    return parse_hosts(text.str(), section, path);
}

}  // namespace fructosa
