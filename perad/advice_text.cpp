#include "perad/advice_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace fructosa {

std::string format_number(double v) {
    double a = std::fabs(v);
    // Decide on the rounded value, so 0.996 prints "1.0" rather than "1.00".
    if (std::round(a * 10) / 10 >= 10) return fmt::format("{:.0f}", v);
    if (std::round(a * 100) / 100 >= 1) return fmt::format("{:.1f}", v);
    return fmt::format("{:.2f}", v);
}

std::string count_of(double n, std::string_view noun) {
    return fmt::format("{:g} {}{}", n, noun, n == 1 ? "" : "s");
}

std::string format_percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100); }

double suggested_time_limit(double seconds) {
    double want = std::max(seconds, 0.0) * 1.5;
    double step = want < 600 ? 60 : want < 3600 ? 300 : want < 6 * 3600 ? 900 : 3600;
    return std::max(60.0, std::ceil(want / step) * step);
}

}  // namespace fructosa
