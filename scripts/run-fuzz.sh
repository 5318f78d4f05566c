#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in build-fuzz/ and runs each
# for FRUCTOSA_FUZZ_SECONDS (default 60) from its seed corpus (tests/fuzz/corpus/<target>;
# new inputs found go to build-fuzz/corpus/<target>, never into the source tree).
# Exits non-zero when a build fails or a fuzzer finds a crash, a leak, undefined
# behaviour or a timeout; the input that did it is kept as build-fuzz/artifacts/<target>-*
# (replay it with: build-fuzz/tests/fuzz/<target> <that file>).
#
#   bash scripts/run-fuzz.sh [target ...]      (default: every target)
#
# Environment: FRUCTOSA_FUZZ_SECONDS, FRUCTOSA_JOBS (build jobs, default 2),
# FRUCTOSA_FUZZ_BUILD_DIR (default build-fuzz/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FRUCTOSA_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
SECONDS_PER_TARGET=${FRUCTOSA_FUZZ_SECONDS:-60}
JOBS=${FRUCTOSA_JOBS:-2}
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_wire fuzz_step_event fuzz_spank_options)

if ! command -v clang >/dev/null || ! command -v clang++ >/dev/null; then
  echo "run-fuzz: clang is not installed (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
  exit 1
fi

mkdir -p "$BUILD"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DFRUCTOSA_FUZZ=ON \
  -DFRUCTOSA_TESTS=OFF >"$BUILD/configure.log" 2>&1 || { cat "$BUILD/configure.log" >&2; exit 1; }
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]}"

# Inputs bigger than a few frames add time, not coverage.
declare -A MAX_LEN=([fuzz_wire]=16384 [fuzz_step_event]=4096 [fuzz_spank_options]=4096)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

failed=()
mkdir -p "$BUILD/artifacts"
for t in "${TARGETS[@]}"; do
  work="$BUILD/corpus/$t"
  mkdir -p "$work"
  echo "=== $t: ${SECONDS_PER_TARGET} s ==="
  if ! "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
      -max_len="${MAX_LEN[$t]:-4096}" -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/$t-" \
      "$work" "$ROOT/tests/fuzz/corpus/$t" 2>"$BUILD/$t.log"; then
    tail -60 "$BUILD/$t.log" >&2
    failed+=("$t")
  else
    grep -E '^(stat::number_of_executed_units|stat::new_units_added)|^#[0-9]+ +DONE' "$BUILD/$t.log" || true
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "run-fuzz: FAILED: ${failed[*]} (inputs under $BUILD/artifacts/)" >&2
  exit 1
fi
echo "run-fuzz: ${#TARGETS[@]} target(s), ${SECONDS_PER_TARGET} s each, no crash"
