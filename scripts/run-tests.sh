#!/usr/bin/env bash
# The FrUCToSA test entry point (README, .ci/run):
#   1. installs the Debian packages (scripts/install-deps.sh; a no-op when present),
#   2. configures and builds everything in build/ (RelWithDebInfo),
#   3. builds the Debian packages from that build and checks them with lintian
#      (scripts/build-packages.sh; about half a minute),
#   4. runs every test there with ctest: the GoogleTest unit tests and the
#      integration tests (real carbon-cache, graphite-web, lmaster, lagent, Slurm),
#   5. with FRUCTOSA_SANITIZE=1 (and always in CI, where CI=true): builds the unit
#      tests, lagent and lmaster with AddressSanitizer and UBSan in build-asan/, runs
#      the unit tests and the LiMon integration tests against those binaries,
#   6. with FRUCTOSA_FUZZ=1 (and always in CI): builds the libFuzzer targets of tests/fuzz
#      with clang in build-fuzz/ and runs each for FRUCTOSA_FUZZ_SECONDS (default 60)
#      (scripts/run-fuzz.sh; about 4 minutes on 2 cores).
# Exits non-zero when any step or test fails.
#
#   sudo bash scripts/run-tests.sh [extra ctest arguments, e.g. -R integration -V]
#
# Environment: FRUCTOSA_JOBS (parallel build jobs, default 2), FRUCTOSA_BUILD_DIR
# (default build/), FRUCTOSA_SANITIZE=1, FRUCTOSA_FUZZ=1, FRUCTOSA_KEEP_TMP=1 (keep a failed integration
# test's temporary directory; its logs are printed either way).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FRUCTOSA_BUILD_DIR:-$ROOT/build}
ASAN_BUILD=$ROOT/build-asan
JOBS=${FRUCTOSA_JOBS:-2}
SANITIZE=${FRUCTOSA_SANITIZE:-0}
[ "${CI:-}" = true ] && SANITIZE=1
FUZZ=${FRUCTOSA_FUZZ:-0}
[ "${CI:-}" = true ] && FUZZ=1
cd "$ROOT"

step() { printf '\n=== %s ===\n' "$*"; }
failed=()
started=$(date +%s)

step "dependencies"
bash scripts/install-deps.sh

# Line tables only (-g1): backtraces and sanitizer reports keep file and line, and the
# build takes a third less time than with full debug information (-g) on 2 cores.
LINE_TABLES="-O2 -g1 -DNDEBUG"
step "build ($BUILD, -j$JOBS)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$LINE_TABLES" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=$LINE_TABLES"
cmake --build "$BUILD" -j "$JOBS"

# The Debian packages from this build (CPack, stripped copies of what was just built;
# lintian errors fail), before ctest: test_packages installs them into a throwaway root.
step "Debian packages (scripts/build-packages.sh)"
if ! FRUCTOSA_JOBS="$JOBS" bash scripts/build-packages.sh "$BUILD"; then
  failed+=("Debian packages")
fi

step "tests (ctest in $BUILD)"
if ! (cd "$BUILD" && ctest --output-on-failure --timeout 900 "$@"); then
  failed+=("ctest in $BUILD")
fi

if [ "$SANITIZE" = 1 ]; then
  step "AddressSanitizer and UBSan build ($ASAN_BUILD)"
  cmake -S "$ROOT" -B "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=Debug -DFRUCTOSA_SANITIZE=ON \
    -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DCMAKE_C_FLAGS_DEBUG=-g1
  # The unit tests link the collector and master libraries, so the two daemons cost
  # only their main.cpp and a link on top.
  cmake --build "$ASAN_BUILD" -j "$JOBS" --target fructosa_unit_tests lagent lmaster
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

  step "unit tests, sanitized"
  if ! "$ASAN_BUILD/tests/fructosa_unit_tests" --gtest_brief=1; then
    failed+=("sanitized unit tests")
  fi

  # The daemons under real traffic: the fixtures route every sanitizer report of the
  # processes a test starts into its temporary directory and fail the test on one.
  step "LiMon integration tests against the sanitized lagent and lmaster"
  for t in test_limon_end_to_end test_daemon_lifecycle test_config_errors test_hostile_input test_auth; do
    if ! /usr/bin/python3 "tests/integration/$t.py" --build-dir "$ASAN_BUILD"; then
      failed+=("sanitized $t")
    fi
  done
fi

if [ "$FUZZ" = 1 ]; then
  step "fuzzing (scripts/run-fuzz.sh, ${FRUCTOSA_FUZZ_SECONDS:-60} s per target)"
  if ! FRUCTOSA_JOBS="$JOBS" bash scripts/run-fuzz.sh; then
    failed+=("fuzzing")
  fi
fi

elapsed=$(( $(date +%s) - started ))
if [ ${#failed[@]} -gt 0 ]; then
  step "FAILED after ${elapsed} s: ${failed[*]}"
  exit 1
fi
step "all tests passed (${elapsed} s)"
