#pragma once
/// One-line pictures of a series for `perad show`: Unicode blocks ▁▂▃▄▅▆▇█, one per
/// column, and "·" where nothing was measured (a gap is never drawn as a low value).
/// Pure functions: no I/O, no clock.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fructosa {

/// A series as graphite-web returns it: one slot per interval, nullopt = not measured.
using Samples = std::vector<std::optional<double>>;

/// What a column shows when it holds no measured value.
inline constexpr std::string_view kSparkGap = "\u00b7";  // ·

/// The value range mapped onto the eight blocks: `lo` and below is ▁, `hi` and above is █.
struct SparkScale {
    double lo = 0;
    double hi = 100;
};

/// `v` with NaN and infinities turned into "not measured".
Samples finite_only(const Samples& v);

/// `v` on exactly `width` columns, in proportion to time. Longer series are squeezed:
/// column c averages the measured values of slots [c*n/width, (c+1)*n/width), nullopt when
/// none of them was measured. Shorter ones are stretched: column c shows slot c*n/width
/// (so each slot spans width/n columns, give or take one). width 0 or an empty `v`: empty.
Samples resample(const Samples& v, std::size_t width);

/// The scale for a series without a natural one (bytes, rates): 0 to its largest value,
/// or its smallest to its largest when it goes below 0. nullopt when nothing is measured.
std::optional<SparkScale> auto_scale(const Samples& v);

/// One block per slot of `v`: level floor((x - lo) / (hi - lo) * 8), clamped to the
/// eight blocks; with hi <= lo every measured slot is ▁. NaN and infinities are gaps.
std::string sparkline(const Samples& v, SparkScale scale);

}  // namespace fructosa
