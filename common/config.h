#pragma once
/// INI configuration files in the format of FrUCToSA 0.3.2 (Python configparser style),
/// parsed with inih. Every entry remembers its file and line so that errors can name them.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// A configuration problem: the message already names file, line, section and key.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ConfigEntry {
    std::string key;    ///< as written (case kept); lookups ignore case like configparser
    std::string value;  ///< whitespace-trimmed
    int line = 0;
};

struct ConfigSection {
    std::string name;  ///< as written between the brackets (case-sensitive, like configparser)
    int line = 0;
    std::vector<ConfigEntry> entries;

    /// The entry for `key` (case-insensitive), or nullptr.
    const ConfigEntry* find(std::string_view key) const;
};

/// A parsed INI file. Later duplicate sections merge into the first, later keys win.
class IniFile {
public:
    /// Parses `path`; throws ConfigError naming file and line on syntax errors
    /// or when the file cannot be read.
    static IniFile load(const std::string& path);
    /// Parses text held in memory; `origin` stands in for the file name in messages.
    static IniFile parse(std::string_view text, const std::string& origin);

    const std::string& origin() const { return origin_; }
    const std::vector<ConfigSection>& sections() const { return sections_; }
    const ConfigSection* section(std::string_view name) const;

    /// "file:line: [section] key: what" — the one format of every config message.
    std::string where(const ConfigSection& s, const ConfigEntry* e) const;

private:
    std::string origin_;
    std::vector<ConfigSection> sections_;
    friend struct IniBuilder;
};

/// Typed, checked access to one section. Each getter records the key as known;
/// `reject_unknown()` then fails on the first key nobody asked about, so typos never
/// pass silently. A missing section behaves as an empty one.
class SectionReader {
public:
    SectionReader(const IniFile& file, std::string_view section_name);
    SectionReader(const IniFile& file, const ConfigSection& section);

    bool present() const { return section_ != nullptr; }
    const std::string& name() const { return name_; }

    std::string get_string(std::string_view key, std::string def);
    std::optional<std::string> get_optional(std::string_view key);
    /// All values of keys equal to `key` are not possible in INI; a list is comma-separated.
    std::vector<std::string> get_list(std::string_view key, std::vector<std::string> def);
    long long get_int(std::string_view key, long long def, long long min, long long max);
    double get_double(std::string_view key, double def, double min, double max);
    /// yes/no, true/false, on/off, 1/0 (configparser's booleans).
    bool get_bool(std::string_view key, bool def);
    /// One of `allowed` (case-insensitive); the error lists them.
    std::string get_choice(std::string_view key, std::string def,
                           const std::vector<std::string>& allowed);

    /// Throws ConfigError for the first entry whose key no getter asked for.
    void reject_unknown() const;
    /// A ConfigError for `key` of this section with message `what`.
    [[noreturn]] void fail(std::string_view key, const std::string& what) const;

private:
    const ConfigEntry* lookup(std::string_view key);

    const IniFile& file_;
    const ConfigSection* section_;
    std::string name_;
    std::vector<std::string> known_;
};

/// Case-insensitive ASCII comparison.
bool iequals(std::string_view a, std::string_view b);

}  // namespace fructosa
