#include "fixture_system_reader.h"

#include <charconv>
#include <sstream>
#include <stdexcept>

namespace fructosa::test {

namespace {

/// Splits a fixture line into whitespace-separated words.
std::vector<std::string> words_of(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
}

std::uint64_t fixture_number(const std::string& text, const std::string& file, int line) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size())
        throw std::runtime_error(file + ":" + std::to_string(line) + ": not a number: '" + text +
                                 "'");
    return v;
}

}  // namespace

std::optional<std::string> FixtureSystemReader::read_file(const std::string& path) const {
    return files_.read_file(root_ + path);
}

std::vector<std::string> FixtureSystemReader::list_dir(const std::string& path) const {
    return files_.list_dir(root_ + path);
}

bool FixtureSystemReader::exists(const std::string& path) const {
    return files_.exists(root_ + path);
}

std::optional<FsUsage> FixtureSystemReader::fs_usage(const std::string& path) const {
    const std::string file = root_ + "/statvfs";
    auto text = files_.read_file(file);
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 4)
            throw std::runtime_error(file + ":" + std::to_string(line_no) +
                                     ": expected 'path total used free'");
        if (w[0] != path) continue;
        return FsUsage{fixture_number(w[1], file, line_no), fixture_number(w[2], file, line_no),
                       fixture_number(w[3], file, line_no)};
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::string>> FixtureSystemReader::interface_addresses() const {
    std::vector<std::pair<std::string, std::string>> out;
    const std::string file = root_ + "/ifaddrs";
    auto text = files_.read_file(file);
    if (!text) return out;
    std::istringstream in(*text);
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 2 || (w[1] != "ipv4" && w[1] != "ipv6" && w[1] != "link"))
            throw std::runtime_error(file + ":" + std::to_string(line_no) +
                                     ": expected 'interface ipv4|ipv6|link'");
        out.emplace_back(w[0], w[1]);
    }
    return out;
}

}  // namespace fructosa::test
