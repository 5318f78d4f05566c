#pragma once
/// The small formatting helpers every advice line uses, so that all of them count and
/// round the same way: "1 core" / "2 cores", "0.06" / "1.0" / "12", "0:30:00".

#include <string>
#include <string_view>

namespace fructosa {

/// A figure with the precision its size deserves: two decimals below 1 ("0.06"), one
/// from 1 to below 10 ("1.0", "3.6"), none from 10 up ("12").
std::string format_number(double v);

/// A count and its noun, singular for exactly 1: count_of(1, "core") is "1 core",
/// count_of(2, "GPU") is "2 GPUs", count_of(1.5, "core") is "1.5 cores".
std::string count_of(double n, std::string_view noun);

/// A share as a whole percentage: 0.063 gives "6%".
std::string format_percent(double fraction);

/// A time limit worth suggesting for a job that ran `seconds`: 1.5 x that, rounded up to
/// whole minutes below 10 minutes, to 5 minutes below an hour, to 15 minutes below 6 hours,
/// and to whole hours above; never under one minute.
double suggested_time_limit(double seconds);

}  // namespace fructosa
