#!/usr/bin/env bash
# fuzz.sh TARGET [SECONDS]: fuzzes one libFuzzer target of fuzz/ (jsonl, reader, xml,
# credentials, schema, json; fuzz/<TARGET>_fuzz.cc) for SECONDS (default 60) under ASan+UBSan,
# starting from its seed corpus fuzz/corpus/TARGET/.  Builds build-asan/ first
# (scripts/sanitize.sh --build-only).  New coverage goes to build-asan/fuzz/work-TARGET/, never
# into the repository; a crashing input is written to build-asan/fuzz/crash-TARGET-*, and once the
# bug is fixed it belongs in fuzz/corpus/TARGET/ (the test replays the corpus).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ $# -ge 1 ] || { echo "usage: $0 TARGET [SECONDS]   (targets: $(ls fuzz/*_fuzz.cc | sed 's|fuzz/||; s|_fuzz.cc||' | tr '\n' ' '))" >&2; exit 2; }
target=$1
seconds=${2:-60}
[ -f "fuzz/${target}_fuzz.cc" ] || { echo "fuzz.sh: no fuzz/${target}_fuzz.cc" >&2; exit 2; }
BUILD=${LAKEPACK_ASAN_BUILD_DIR:-$ROOT/build-asan}
bash scripts/sanitize.sh --build-only "fuzz_$target"

work=$BUILD/fuzz/work-$target
mkdir -p "$work"
SUPP=$ROOT/scripts/sanitize
export ARROW_DEFAULT_MEMORY_POOL=system AWS_EC2_METADATA_DISABLED=true
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$SUPP/ubsan.supp
export LSAN_OPTIONS=suppressions=$SUPP/lsan.supp
# 8 KiB inputs reach several 4 KiB blocks; 10 s per input is a hang; Arrow's pools need headroom.
exec "$BUILD/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz/crash-$target-" \
  "$work" "fuzz/corpus/$target"
