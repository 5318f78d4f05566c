#include "perad/time_arg.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>

namespace fructosa {
namespace {

[[noreturn]] void bad(std::string_view text) {
    throw std::invalid_argument(fmt::format(
        "'{}' is not a time: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or an age such as 30m, 2h, 3d, 1w", text));
}

/// Reads exactly `digits` digits at `pos` of `s`.
int field(std::string_view s, std::size_t pos, std::size_t digits, std::string_view whole) {
    if (pos + digits > s.size()) bad(whole);
    int v = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) bad(whole);
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

}  // namespace

double parse_time_arg(std::string_view text, double now) {
    if (text.empty()) bad(text);
    char unit = text.back();
    static constexpr std::string_view units = "smhdw";
    if (units.find(unit) != std::string_view::npos && text.size() >= 2 && text.find('-') == std::string_view::npos) {
        std::string_view num = text.substr(0, text.size() - 1);
        double v = 0;
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
        if (ec != std::errc() || p != num.data() + num.size() || v < 0 || !std::isfinite(v)) bad(text);
        double scale = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 604800;
        return now - v * scale;
    }
    // YYYY-MM-DD[(T| )HH:MM[:SS]]
    if (text.size() != 10 && text.size() != 16 && text.size() != 19) bad(text);
    std::tm tm{};
    tm.tm_year = field(text, 0, 4, text) - 1900;
    if (text[4] != '-' || text[7] != '-') bad(text);
    tm.tm_mon = field(text, 5, 2, text) - 1;
    tm.tm_mday = field(text, 8, 2, text);
    if (text.size() > 10) {
        if ((text[10] != 'T' && text[10] != ' ') || text[13] != ':') bad(text);
        tm.tm_hour = field(text, 11, 2, text);
        tm.tm_min = field(text, 14, 2, text);
        if (text.size() == 19) {
            if (text[16] != ':') bad(text);
            tm.tm_sec = field(text, 17, 2, text);
        }
    }
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 59)
        bad(text);
    tm.tm_isdst = -1;
    int mday = tm.tm_mday;
    std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1) || tm.tm_mday != mday) bad(text);  // e.g. 2024-02-30 rolls over
    return static_cast<double>(t);
}

std::string format_local_time(double epoch_s) {
    std::time_t t = static_cast<std::time_t>(epoch_s);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

}  // namespace fructosa
