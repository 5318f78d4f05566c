#pragma once
/// Small text helpers shared by the sensor parsers: splitting /proc text into lines and
/// words, strict number conversion whose errors name the file, and the path-component
/// names sensors build from machine data.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/sensor.h"

namespace fructosa::sensors {

/// Throws std::runtime_error "<origin>: <what>": the one shape of every parse error.
[[noreturn]] void parse_error(std::string_view origin, std::string_view what);

/// Lines of `text` without their '\n' (a trailing newline adds no empty line).
std::vector<std::string_view> split_lines(std::string_view text);
/// Words separated by blanks (spaces and tabs).
std::vector<std::string_view> split_words(std::string_view line);
/// The same into `out` (cleared first): the parsers run each second reuse one buffer
/// instead of allocating a vector per line.
void split_words(std::string_view line, std::vector<std::string_view>& out);
/// `text` without leading and trailing whitespace.
std::string_view trim(std::string_view text);

/// A whole token as an unsigned decimal; otherwise parse_error naming `what`.
std::uint64_t to_u64(std::string_view token, std::string_view origin, std::string_view what);
/// to_u64 whose field name is built only when the token is not a number: `what()` gives
/// it. The parsers run each second name fields like "cpu3 iowait", and building that
/// string for every number cost more than the number's conversion.
template <typename What>
std::uint64_t to_u64_named(std::string_view token, std::string_view origin, What&& what);
/// A whole token as an unsigned decimal, or nullopt.
std::optional<std::uint64_t> parse_u64(std::string_view token);
/// A whole token as a signed decimal.
std::int64_t to_i64(std::string_view token, std::string_view origin, std::string_view what);
/// A whole token as a decimal floating-point number.
double to_double(std::string_view token, std::string_view origin, std::string_view what);

/// A file system path as one series name: "/" -> "root", "/mnt/my disk" -> "mnt_my_disk"
/// (leading '/' stripped, the rest through sanitize_component).
std::string path_component(std::string_view path);

/// Returns `base`, or `base_1`, `base_2`... when `base` is already in `taken`; records it.
std::string unique_name(std::vector<std::string>& taken, const std::string& base);

/// A one-value sysfs attribute without surrounding whitespace, or nullopt when absent
/// or unreadable.
std::optional<std::string> read_trimmed(const SystemReader& sys, const std::string& path);
/// A one-number sysfs attribute, or nullopt when absent or unreadable; throws naming the
/// file when it holds something else.
std::optional<double> read_number(const SystemReader& sys, const std::string& path);

/// The number after `prefix` in a name like "cpu12" or "hwmon3", or nullopt when the
/// rest is not all digits.
std::optional<int> number_after(std::string_view name, std::string_view prefix);
/// Names sorted by the number after `prefix` ("hwmon2" before "hwmon10"), keeping only
/// those that have one.
std::vector<std::string> numbered_names(std::vector<std::string> names, std::string_view prefix);

/// The parse of a file's text, kept while the text stays the same: the sensors that read
/// one file in a pass (five of /proc/stat, two of /proc/meminfo) get the same text from
/// the PassReader, and parse it once. A parse that throws is not kept.
template <typename T>
class ParseCache {
  public:
    template <typename Parse>
    const T& get(const std::string& text, Parse&& parse) {
        if (!value_ || text != text_) {
            value_.reset();
            value_ = parse(text);
            text_ = text;
        }
        return *value_;
    }

  private:
    std::string text_;
    std::optional<T> value_;
};

template <typename What>
std::uint64_t to_u64_named(std::string_view token, std::string_view origin, What&& what) {
    if (auto v = parse_u64(token)) return *v;
    return to_u64(token, origin, what());  // throws, naming the field
}

/// Appends {field, value}.
inline void add(Readings& out, std::string field, double value) {
    out.push_back(Reading{std::move(field), value});
}

/// Percent of part in whole, 0 when whole is 0 (psutil's usage_percent without rounding).
inline double percent_of(double part, double whole) {
    return whole > 0 ? part / whole * 100.0 : 0.0;
}

}  // namespace fructosa::sensors
