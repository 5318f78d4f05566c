#include "common/config.h"

#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace fructosa {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

const ConfigEntry* ConfigSection::find(std::string_view key) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        if (iequals(it->key, key)) return &*it;
    return nullptr;
}

/// inih reads through this so that we know the line each callback belongs to
/// (Debian's libinih is built without INI_HANDLER_LINENO). It also refuses what inih
/// would quietly accept: Debian builds inih with multi-line values on, so an indented
/// line after a key (`  = munge`) would be glued to that key's value as a second list
/// item. No key takes multi-line values, so such a line stops the parse and is reported.
struct IniBuilder {
    std::string_view text;
    size_t pos = 0;
    int line = 0;
    int too_long_line = 0;
    IniFile* out = nullptr;
    int header_line = 0;    ///< the last "[section]" line read (inih reports sections lazily)
    std::string last_section;  ///< section and key of the last entry since the last header
    std::string last_key;      ///< (empty: none yet, so an indented line is an ordinary line)
    int continuation_line = 0;
    std::string continuation_text;
    int last_key_line = 0;
    int empty_key_line = 0;
    std::string empty_key_section;

    static char* read_line(char* buf, int num, void* stream) {
        auto* self = static_cast<IniBuilder*>(stream);
        if (self->pos >= self->text.size() || self->continuation_line) return nullptr;
        size_t end = self->text.find('\n', self->pos);
        size_t stop = end == std::string_view::npos ? self->text.size() : end + 1;
        size_t len = stop - self->pos;
        ++self->line;
        size_t first = self->text.find_first_not_of(" \t\r\n", self->pos);
        bool blank = first >= stop;
        bool comment = !blank && (self->text[first] == '#' || self->text[first] == ';');
        bool indented = !blank && first > self->pos;
        if (indented && !comment && !self->last_key.empty()) {
            // inih (as configparser) would append this line to last_key's value.
            self->continuation_line = self->line;
            self->continuation_text = std::string(self->text.substr(self->pos, stop - self->pos));
            return nullptr;
        }
        if (!blank && self->text[first] == '[') {
            self->header_line = self->line;
            self->last_key.clear();
        }
        if (len >= static_cast<size_t>(num)) {
            // inih would split the line and parse the tail as a new line: refuse instead.
            if (!self->too_long_line) self->too_long_line = self->line;
            len = static_cast<size_t>(num) - 1;
        }
        std::memcpy(buf, self->text.data() + self->pos, len);
        buf[len] = '\0';
        self->pos = stop;
        return buf;
    }

    static int on_entry(void* user, const char* section, const char* name, const char* value) {
        auto* self = static_cast<IniBuilder*>(user);
        auto& secs = self->out->sections_;
        auto it = std::find_if(secs.begin(), secs.end(),
                               [&](const ConfigSection& s) { return s.name == section; });
        if (it == secs.end()) {
            secs.push_back(ConfigSection{section, self->header_line, {}});
            it = secs.end() - 1;
        }
        if (name == nullptr) return 1;  // empty section announcement
        if (*name == '\0' && !self->empty_key_line) {  // "= value"
            self->empty_key_line = self->line;
            self->empty_key_section = section;
        }
        self->last_section = section;
        self->last_key_line = self->line;
        self->last_key = name;
        it->entries.push_back(ConfigEntry{name, value, self->line});
        return 1;
    }
};

IniFile IniFile::parse(std::string_view text, const std::string& origin) {
    IniFile file;
    file.origin_ = origin;
    IniBuilder b;
    b.text = text;
    b.out = &file;
    // Keys before any section header belong to the "" section in inih; we reject them below.
    int rc = ini_parse_stream(&IniBuilder::read_line, &b, &IniBuilder::on_entry, &b);
    if (b.too_long_line)
        throw ConfigError(fmt::format("{}:{}: line longer than {} characters", origin,
                                      b.too_long_line, 199));
    if (rc > 0) {
        // Name what inih could not read: a section header, or a line without '='.
        std::string bad;
        std::istringstream in{std::string(text)};
        for (int i = 0; i < rc && std::getline(in, bad); ++i) {
        }
        auto trimmed = bad.substr(0, bad.find_last_not_of(" \t\r") + 1);
        const char* what = (!trimmed.empty() && trimmed.find_first_not_of(" \t") != std::string::npos &&
                            trimmed[trimmed.find_first_not_of(" \t")] == '[')
                               ? "malformed section header"
                               : "expected 'key = value'";
        throw ConfigError(fmt::format("{}:{}: {}: '{}'", origin, rc, what, trimmed));
    }
    if (rc < 0) throw ConfigError(fmt::format("{}: cannot parse (out of memory)", origin));
    if (b.empty_key_line)
        throw ConfigError(fmt::format("{}:{}: [{}]: a value without a key: expected 'key = value'", origin,
                                      b.empty_key_line, b.empty_key_section));
    if (b.continuation_line) {
        auto t = b.continuation_text.substr(0, b.continuation_text.find_last_not_of(" \t\r\n") + 1);
        throw ConfigError(fmt::format(
            "{}:{}: [{}] {}: '{}' is indented, so it would continue the value of '{}' from line {}; "
            "no key takes multi-line values: remove the indentation",
            origin, b.continuation_line, b.last_section, b.last_key, t, b.last_key, b.last_key_line));
    }
    for (const auto& s : file.sections_)
        if (s.name.empty() && !s.entries.empty())
            throw ConfigError(fmt::format("{}:{}: key '{}' comes before any [section]", origin,
                                          s.entries.front().line, s.entries.front().key));
    return file;
}

IniFile IniFile::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(fmt::format("{}: cannot read config file: {}", path, std::strerror(errno)));
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

const ConfigSection* IniFile::section(std::string_view name) const {
    for (const auto& s : sections_)
        if (s.name == name) return &s;
    return nullptr;
}

std::string IniFile::where(const ConfigSection& s, const ConfigEntry* e) const {
    if (e) return fmt::format("{}:{}: [{}] {}", origin_, e->line, s.name, e->key);
    return fmt::format("{}:{}: [{}]", origin_, s.line, s.name);
}

SectionReader::SectionReader(const IniFile& file, std::string_view section_name)
    : file_(file), section_(file.section(section_name)), name_(section_name) {}

SectionReader::SectionReader(const IniFile& file, const ConfigSection& section)
    : file_(file), section_(&section), name_(section.name) {}

const ConfigEntry* SectionReader::lookup(std::string_view key) {
    known_.emplace_back(key);
    return section_ ? section_->find(key) : nullptr;
}

void SectionReader::fail(std::string_view key, const std::string& what) const {
    const ConfigEntry* e = section_ ? section_->find(key) : nullptr;
    if (section_) throw ConfigError(fmt::format("{}: {}", file_.where(*section_, e), what));
    throw ConfigError(fmt::format("{}: [{}] {}: {}", file_.origin(), name_, key, what));
}

std::string SectionReader::get_string(std::string_view key, std::string def) {
    const ConfigEntry* e = lookup(key);
    return e ? e->value : std::move(def);
}

std::optional<std::string> SectionReader::get_optional(std::string_view key) {
    const ConfigEntry* e = lookup(key);
    if (!e) return std::nullopt;
    return e->value;
}

std::vector<std::string> SectionReader::get_list(std::string_view key,
                                                 std::vector<std::string> def) {
    const ConfigEntry* e = lookup(key);
    if (!e) return def;
    std::vector<std::string> out;
    std::string item;
    for (char c : e->value + ",") {
        if (c == ',') {
            auto b = item.find_first_not_of(" \t");
            if (b != std::string::npos) out.push_back(item.substr(b, item.find_last_not_of(" \t") - b + 1));
            item.clear();
        } else {
            item += c;
        }
    }
    if (out.empty()) fail(key, "expected a comma-separated list, got an empty value");
    return out;
}

long long SectionReader::get_int(std::string_view key, long long def, long long min, long long max) {
    const ConfigEntry* e = lookup(key);
    if (!e) return def;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(e->value.c_str(), &end, 10);
    if (e->value.empty() || *end != '\0' || errno == ERANGE)
        fail(key, fmt::format("expected an integer, got '{}'", e->value));
    if (v < min || v > max)
        fail(key, fmt::format("{} is out of range [{}, {}]", v, min, max));
    return v;
}

double SectionReader::get_double(std::string_view key, double def, double min, double max) {
    const ConfigEntry* e = lookup(key);
    if (!e) return def;
    char* end = nullptr;
    double v = std::strtod(e->value.c_str(), &end);
    if (e->value.empty() || *end != '\0' || !std::isfinite(v))
        fail(key, fmt::format("expected a number, got '{}'", e->value));
    if (v < min || v > max) fail(key, fmt::format("{} is out of range [{}, {}]", e->value, min, max));
    return v;
}

bool SectionReader::get_bool(std::string_view key, bool def) {
    const ConfigEntry* e = lookup(key);
    if (!e) return def;
    for (const char* t : {"yes", "true", "on", "1"})
        if (iequals(e->value, t)) return true;
    for (const char* f : {"no", "false", "off", "0"})
        if (iequals(e->value, f)) return false;
    fail(key, fmt::format("expected yes/no, true/false, on/off or 1/0, got '{}'", e->value));
}

std::string SectionReader::get_choice(std::string_view key, std::string def,
                                      const std::vector<std::string>& allowed) {
    const ConfigEntry* e = lookup(key);
    if (!e) return def;
    for (const auto& a : allowed)
        if (iequals(e->value, a)) return a;
    fail(key, fmt::format("'{}' is not one of: {}", e->value, fmt::join(allowed, ", ")));
}

void SectionReader::reject_unknown() const {
    if (!section_) return;
    for (const auto& e : section_->entries) {
        bool ok = std::any_of(known_.begin(), known_.end(),
                              [&](const std::string& k) { return iequals(k, e.key); });
        if (!ok) {
            throw ConfigError(fmt::format("{}: unknown key (known keys: {})",
                                          file_.where(*section_, &e), fmt::join(known_, ", ")));
        }
    }
}

}  // namespace fructosa
