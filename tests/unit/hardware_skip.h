#pragma once
/// The one way a unit test may skip: when a piece of hardware it needs is missing.
/// tests/unit/main.cpp fails the run on any other GTEST_SKIP, so no feature hides
/// behind a skip; ctest shows a hardware skip as skipped, with the reason.

#include <gtest/gtest.h>

/// Skips the current test naming the missing hardware ("GPU", "InfiniBand HCA").
#define FRUCTOSA_SKIP_FOR_MISSING_HARDWARE(what) GTEST_SKIP() << "missing hardware: " << (what)

namespace fructosa::test {
/// The prefix a skip message must start with to be accepted.
inline constexpr const char* kHardwareSkipPrefix = "missing hardware: ";
}  // namespace fructosa::test
