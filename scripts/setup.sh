#!/usr/bin/env bash
# Sets up a Debian 12 machine for building and testing lakepack: the apt packages (only if one is
# missing) and the Python environment .venv (only if requirements-dev.txt changed since the last
# install).  Idempotent; a second run takes about a second.  Quiet unless something fails, in which
# case it prints the failing step's log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

APT_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  libcurl4-openssl-dev libssl-dev libpugixml-dev libgtest-dev libgmock-dev clang-format
  # (simdjson's source comes pinned from PyPI; cmake/private_deps.cmake links them all statically.)
  # The S3 test server (scripts/s3-server.sh): Ceph mon + OSD + radosgw, uuidgen, curl.
  radosgw ceph-mon ceph-osd uuid-runtime curl
  # Its TLS front (the HTTPS tests) and the test CA it makes.
  stunnel4 openssl
  # The benchmarks (bench/): GNU time for wall time and peak RSS.
  time
)

LOG=$(mktemp /tmp/lakepack-setup.XXXXXX.log)
trap 'rm -f "$LOG"' EXIT
# run DESCRIPTION CMD...: runs CMD with its output in $LOG; shows the log if it fails.
run() {
  local what=$1
  shift
  if ! "$@" >>"$LOG" 2>&1; then
    echo "setup.sh: $what failed; its output:" >&2
    tail -n 60 "$LOG" >&2
    exit 1
  fi
}

# ---- apt --------------------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)" = "ii " ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  echo "setup.sh: installing ${missing[*]}" >&2
  run "apt-get update" "${sudo[@]}" apt-get update
  run "apt-get install" "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- .venv ------------------------------------------------------------------------------------
PY=${PYTHON:-python3}
STAMP=.venv/.lakepack-requirements.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ]; then
  run "python3 -m venv .venv" "$PY" -m venv .venv
fi
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup.sh: installing requirements-dev.txt into .venv" >&2
  run "pip install -r requirements-dev.txt" .venv/bin/python -m pip install -q -r requirements-dev.txt
  echo "$want" >"$STAMP"
fi
