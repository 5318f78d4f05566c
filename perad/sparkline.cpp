#include "perad/sparkline.h"

#include <algorithm>
#include <cmath>

namespace fructosa {

namespace {

constexpr std::string_view kBlocks[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                        "\u2585", "\u2586", "\u2587", "\u2588"};

bool measured(const std::optional<double>& x) { return x && std::isfinite(*x); }

}  // namespace

Samples finite_only(const Samples& v) {
    Samples out;
    out.reserve(v.size());
    for (const auto& x : v) out.push_back(measured(x) ? x : std::nullopt);
    return out;
}

Samples resample(const Samples& v, std::size_t width) {
    if (width == 0 || v.empty()) return {};
    Samples out(width);
    if (v.size() <= width) {
        for (std::size_t c = 0; c < width; ++c) {
            const auto& x = v[c * v.size() / width];
            if (measured(x)) out[c] = x;
        }
        return out;
    }
    for (std::size_t c = 0; c < width; ++c) {
        // Slots [c*n/width, (c+1)*n/width): every slot lands in exactly one column.
        const std::size_t begin = c * v.size() / width, end = (c + 1) * v.size() / width;
        double sum = 0;
        std::size_t n = 0;
        for (std::size_t i = begin; i < end; ++i)
            if (measured(v[i])) sum += *v[i], ++n;
        if (n > 0) out[c] = sum / static_cast<double>(n);
    }
    return out;
}

std::optional<SparkScale> auto_scale(const Samples& v) {
    std::optional<double> lo, hi;
    for (const auto& x : v) {
        if (!measured(x)) continue;
        lo = lo ? std::min(*lo, *x) : *x;
        hi = hi ? std::max(*hi, *x) : *x;
    }
    if (!lo) return std::nullopt;
    return SparkScale{std::min(0.0, *lo), *hi};
}

std::string sparkline(const Samples& v, SparkScale scale) {
    std::string out;
    const double span = scale.hi - scale.lo;
    for (const auto& x : v) {
        if (!measured(x)) {
            out += kSparkGap;
            continue;
        }
        int level = 0;
        if (span > 0) {
            const double f = std::floor((*x - scale.lo) / span * 8);
            level = static_cast<int>(std::clamp(f, 0.0, 7.0));
        }
        out += kBlocks[level];
    }
    return out;
}

}  // namespace fructosa
