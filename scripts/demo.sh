#!/usr/bin/env bash
# The FrUCToSA demo (README): installs the dependencies, builds, then brings up a private
# 3-node Slurm cluster with the plugin, lagents, lmaster, carbon-cache, graphite-web and
# perad in a temporary directory, runs profiled jobs, and shows their metrics, perad's
# classification of each, PNG graphs of each job and of node n1 (graphite-web's renderer,
# kept in /tmp/fructosa-demo-pictures or --pictures DIR) and the Grafana dashboards it
# wrote (about 3 minutes).
#
#   sudo bash scripts/demo.sh [--keep] [--pictures DIR]
#
# Nothing outside the temporary directory is touched: private ports on 127.0.0.1,
# private configs, no system service started. Everything it started is stopped on exit.
# The work is done by scripts/demo.py (on the integration tests' fixtures).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${FRUCTOSA_BUILD_DIR:-$ROOT/build}
JOBS=${FRUCTOSA_JOBS:-2}
cd "$ROOT"

bash scripts/install-deps.sh

echo "demo: building in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target lagent lmaster perad spank_fructosa make-fructosa-dashboard

DEMO_DIR=$(mktemp -d /tmp/fructosa-demo.XXXXXX)
keep=0
for a in "$@"; do [ "$a" = --keep ] && keep=1; done

# Safety net behind demo.py's own clean-up: stop every process still running with a
# path inside DEMO_DIR on its command line (only what this demo started), by pid.
cleanup() {
  /usr/bin/python3 - "$DEMO_DIR" <<'PY' || true
import sys
sys.path.insert(0, "tests/integration")
import fructosa_testlib as tl
for pid in tl.pids_with_arg(sys.argv[1]):
    print("demo: stopping leftover pid %d" % pid)
    tl.stop(tl.Proc(pid, "leftover"))
PY
  if [ "$keep" = 1 ]; then echo "demo: kept $DEMO_DIR"; else rm -rf "$DEMO_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

/usr/bin/python3 scripts/demo.py --build-dir "$BUILD" --dir "$DEMO_DIR" "$@"
