#!/usr/bin/env bash
# Builds FrUCToSA's Debian packages from a build directory (CPack DEB, packaging/) and
# checks them with lintian: an error fails, warnings are printed.
#   fructosa-common, fructosa-agent, fructosa-master, fructosa-perad, fructosa-dashboards
#
#   sudo bash scripts/build-packages.sh [BUILD_DIR]     (default build/, or $FRUCTOSA_BUILD_DIR)
#
# Reuses the build directory as it is (CI: the RelWithDebInfo build of run-tests.sh;
# CPack strips the binaries), so after a full build this costs a link-free install and
# compression, about half a minute. The .deb files land in BUILD_DIR/packages/.
# Needs lintian (scripts/install-deps.sh installs it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-${FRUCTOSA_BUILD_DIR:-$ROOT/build}}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || { mkdir -p "$BUILD" && cd "$BUILD" && pwd; })
JOBS=${FRUCTOSA_JOBS:-2}
OUT=$BUILD/packages

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRUCTOSA_TESTS=OFF
fi
# CPack's install step builds `all` first anyway: do it here, with the job limit.
cmake --build "$BUILD" -j "$JOBS"

rm -rf "$OUT"
mkdir -p "$OUT"
# CPack's install runs as root here: the files must not carry the builder's umask
# quirks, and the package owner is root:root whoever builds.
(cd "$BUILD" && umask 022 && cpack -G DEB -B "$OUT" >"$OUT/cpack.log" 2>&1) || { cat "$OUT/cpack.log"; exit 1; }
rm -rf "$OUT/_CPack_Packages"
debs=("$OUT"/*.deb)
echo "build-packages: ${#debs[@]} packages in $OUT"
for d in "${debs[@]}"; do echo "  $(basename "$d")"; done

if ! command -v lintian >/dev/null; then
  echo "build-packages: lintian is not installed (scripts/install-deps.sh)" >&2
  exit 1
fi
# Tags of a locally built, non-archive package that say nothing about its quality.
suppress=(--suppress-tags "initial-upload-closes-no-bugs")
# Its report stays beside the packages (lintian.log): test_packages reads it instead of
# running lintian a second time.
status=0
: >"$OUT/lintian.log"
for d in "${debs[@]}"; do
  out=$(lintian --no-cfg "${suppress[@]}" "$d" 2>&1 | grep -v "^running with root privileges") || true
  if [ -n "$out" ]; then
    printf '%s\n' "$out"
    printf '%s\n' "$out" >>"$OUT/lintian.log"
  fi
  if printf '%s\n' "$out" | grep -q '^E: '; then status=1; fi
done
if [ $status -ne 0 ]; then
  echo "build-packages: lintian reported errors" >&2
  exit 1
fi
echo "build-packages: lintian: no errors"
