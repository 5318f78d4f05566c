#!/usr/bin/env bash
# Installs every Debian package FrUCToSA needs to build, test and run its demo.
# Idempotent: packages already present are left alone. Run as root on Debian 12.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config
  libboost-dev libboost-system-dev libinih-dev libfmt-dev nlohmann-json3-dev
  libsqlite3-dev libpq-dev libssl-dev libmunge-dev libslurm-dev libgtest-dev googletest
  # the libFuzzer targets (scripts/run-fuzz.sh): clang and its sanitizer/fuzzer runtimes
  clang libclang-rt-14-dev
  # real components used by the integration tests and the demo
  munge slurmd slurmctld slurm-client
  graphite-carbon python3-whisper graphite-web gunicorn sqlite3
  # the PostgreSQL registry's tests start private servers (initdb, postgres) from
  # /usr/lib/postgresql/*/bin; Debian's own cluster is never used (nor started: see below)
  postgresql
  # small tools the tests use
  procps iproute2 psmisc
  # the Debian packages' check (scripts/build-packages.sh)
  lintian
  # the side-by-side benchmark (tests/bench/bench_lagent_vs_collectd.py); no daemon is started
  collectd-core
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Daemons must not be started by the package scripts: tests start private ones (the
# PostgreSQL cluster Debian creates stays down; the tests run their own on free ports).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
