#!/usr/bin/env bash
# The main job on local disk, end to end: sets up and builds lakepack, generates ~50 MB of fake
# data as CSV, converts it to snappy Parquet and to JSON Lines, inspects the Parquet file, and
# prints sizes, row counts and timings.  Output goes to LAKEPACK_DEMO_DIR (default build/demo),
# which is wiped first.  DEMO_SIZE (default 50MB) and DEMO_SEED (default 42) change the data.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${LAKEPACK_BUILD_DIR:-$ROOT/build}
export LAKEPACK_BUILD_DIR=$BUILD
DEMO=${LAKEPACK_DEMO_DIR:-$BUILD/demo}
SIZE=${DEMO_SIZE:-50MB}
SEED=${DEMO_SEED:-42}

bash scripts/setup.sh
mkdir -p "$BUILD"
bash scripts/build.sh lakepack_cli >"$BUILD/demo-build.log" 2>&1 || {
  tail -n 60 "$BUILD/demo-build.log" >&2
  echo "demo.sh: build failed; full log in $BUILD/demo-build.log" >&2
  exit 1
}
LP=$BUILD/lakepack

rm -rf "$DEMO"
mkdir -p "$DEMO"

# timed LABEL CMD...: runs CMD, remembers its wall time in TIMES[LABEL] (seconds, 2 decimals).
declare -A TIMES
timed() {
  local label=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  if ! "$@"; then
    echo "demo.sh: '$*' failed" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  TIMES[$label]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}
size_of() { stat -c %s "$1" | awk '{ printf "%.1f MB", $1 / 1e6 }'; }
lines_of() { wc -l <"$1" | tr -d ' '; }

timed generate "$LP" generate "$DEMO/data.csv" --size "$SIZE" --seed "$SEED" --format csv --quiet
timed parquet "$LP" convert "$DEMO/data.csv" "$DEMO/data.parquet" --compression snappy --quiet
timed jsonl "$LP" convert "$DEMO/data.csv" "$DEMO/data.jsonl" --compression none --quiet
timed inspect "$LP" inspect "$DEMO/data.parquet" >"$DEMO/inspect.txt"

echo
echo "lakepack demo in $DEMO (size $SIZE, seed $SEED)"
printf '  %-36s %12s %12s %10s\n' step output rows seconds
printf '  %-36s %12s %12s %10s\n' "generate -> data.csv" "$(size_of "$DEMO/data.csv")" \
  "$(($(lines_of "$DEMO/data.csv") - 1))" "${TIMES[generate]}"
printf '  %-36s %12s %12s %10s\n' "convert -> data.parquet (snappy)" \
  "$(size_of "$DEMO/data.parquet")" "$(awk '$1 == "rows:" { print $2; exit }' "$DEMO/inspect.txt")" \
  "${TIMES[parquet]}"
printf '  %-36s %12s %12s %10s\n' "convert -> data.jsonl" "$(size_of "$DEMO/data.jsonl")" \
  "$(lines_of "$DEMO/data.jsonl")" "${TIMES[jsonl]}"
echo
echo "lakepack inspect data.parquet (${TIMES[inspect]} s):"
sed 's/^/  /' "$DEMO/inspect.txt"
