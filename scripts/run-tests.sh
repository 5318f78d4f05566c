#!/usr/bin/env bash
# The FrUCToSA test entry point (README, .ci/run):
#   1. installs the Debian packages (scripts/install-deps.sh; a no-op when present),
#   2. configures and builds everything in build/ (RelWithDebInfo),
#   3. runs every test there with ctest: the GoogleTest unit tests and the
#      integration tests (real carbon-cache, graphite-web, lmaster, lagent, Slurm),
#   4. with FRUCTOSA_SANITIZE=1 (and always in CI, where CI=true): builds the unit
#      tests with AddressSanitizer and UBSan in build-asan/ and runs them too.
# Exits non-zero when any step or test fails.
#
#   sudo bash scripts/run-tests.sh [extra ctest arguments, e.g. -R integration -V]
#
# Environment: FRUCTOSA_JOBS (parallel build jobs, default 2), FRUCTOSA_BUILD_DIR
# (default build/), FRUCTOSA_SANITIZE=1, FRUCTOSA_KEEP_TMP=1 (keep a failed integration
# test's temporary directory; its logs are printed either way).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FRUCTOSA_BUILD_DIR:-$ROOT/build}
ASAN_BUILD=$ROOT/build-asan
JOBS=${FRUCTOSA_JOBS:-2}
SANITIZE=${FRUCTOSA_SANITIZE:-0}
[ "${CI:-}" = true ] && SANITIZE=1
cd "$ROOT"

step() { printf '\n=== %s ===\n' "$*"; }
failed=()
started=$(date +%s)

step "dependencies"
bash scripts/install-deps.sh

step "build ($BUILD, -j$JOBS)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j "$JOBS"

step "tests (ctest in $BUILD)"
if ! (cd "$BUILD" && ctest --output-on-failure --timeout 900 "$@"); then
  failed+=("ctest in $BUILD")
fi

if [ "$SANITIZE" = 1 ]; then
  step "unit tests with AddressSanitizer and UBSan ($ASAN_BUILD)"
  cmake -S "$ROOT" -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=Debug -DFRUCTOSA_SANITIZE=ON
  cmake --build "$ASAN_BUILD" -j "$JOBS" --target fructosa_unit_tests
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  if ! "$ASAN_BUILD/tests/fructosa_unit_tests" --gtest_brief=1; then
    failed+=("sanitized unit tests")
  fi
fi

elapsed=$(( $(date +%s) - started ))
if [ ${#failed[@]} -gt 0 ]; then
  step "FAILED after ${elapsed} s: ${failed[*]}"
  exit 1
fi
step "all tests passed (${elapsed} s)"
