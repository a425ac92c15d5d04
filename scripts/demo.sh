#!/usr/bin/env bash
# The main job on local disk, end to end.  Sets up and builds lakepack, then in LAKEPACK_DEMO_DIR
# (default build/demo, wiped first):
#   1. generates a landing zone of fake customer records: 8 CSV files of DEMO_SIZE/8 each;
#   2. packs them (`lakepack pack`, the headline job) into snappy Parquet files of about
#      DEMO_FILE_LIMIT each, `customers_N.snappy.parquet`, and lists the files with size and rows;
#   3. lands 2 more inputs and packs again: the latest file is filled first, then new ones follow;
#      a third run finds nothing new (packing is idempotent);
#   4. converts one input to JSON Lines and inspects a packed file;
#   5. the other jobs, small: a sorted key-value table (create, write, exact and range queries,
#      compaction), a database snapshot export into a partitioned lake (manifest, then one run:
#      partition, exact-size files, validation, one commit), and a table of file URLs (sizes, and
#      a command run once per row with its outputs uploaded).
# DEMO_SIZE (default 80MB), DEMO_FILE_LIMIT (default 8MB) and DEMO_SEED (default 42) change it.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${LAKEPACK_BUILD_DIR:-$ROOT/build}
export LAKEPACK_BUILD_DIR=$BUILD
DEMO=${LAKEPACK_DEMO_DIR:-$BUILD/demo}
SIZE=${DEMO_SIZE:-80MB}
LIMIT=${DEMO_FILE_LIMIT:-8MB}
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

# Bytes of DEMO_SIZE (decimal units, as lakepack reads them) divided among the 8 first inputs.
part_size=$("$LP" version >/dev/null && python3 -c "
import re, sys
m = re.fullmatch(r'([0-9.]+)\s*([KMG]?B?)', sys.argv[1].upper())
n = float(m.group(1)) * {'': 1, 'B': 1, 'K': 1e3, 'KB': 1e3, 'M': 1e6, 'MB': 1e6, 'G': 1e9, 'GB': 1e9}[m.group(2)]
print(int(n / 8))" "$SIZE")
mkdir -p "$DEMO/land/customers"
gen_input() {  # gen_input I: landing file I (its own seed, so every file differs)
  "$LP" generate "$DEMO/land/customers/day_$1.csv" --size "$part_size" --seed $((SEED + $1)) \
    --format csv --quiet
}
timed generate bash -c "$(declare -f gen_input); LP='$LP' DEMO='$DEMO' part_size=$part_size SEED=$SEED; for i in 1 2 3 4 5 6 7 8; do gen_input \$i; done"

pack() {  # pack LABEL: one pack run of the landing zone into the lake; its JSON report kept
  timed "$1" "$LP" pack "$DEMO/land" "$DEMO/lake" customers --in-ext csv \
    --out-ext snappy.parquet --file-limit "$LIMIT" --json >"$DEMO/$1.json"
}
report() {  # report LABEL: what the run packed
  python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print('  packed %d new input(s) in %s s; %d output file(s) written' % (
    len(r.get('inputs', [])), sys.argv[2], len(r.get('files', []))))" "$DEMO/$1.json" "${TIMES[$1]}"
}
table() {  # the lake's files with size and rows (rows from the Parquet footers)
  printf '  %-34s %10s %10s\n' file size rows
  for f in $(ls "$DEMO/lake/customers/" | grep -v '^_' | sort -t_ -k2 -n); do
    printf '  %-34s %10s %10s\n' "$f" "$(size_of "$DEMO/lake/customers/$f")" \
      "$("$LP" inspect "$DEMO/lake/customers/$f" | awk '$1 == "rows:" { print $2; exit }')"
  done
}

echo
echo "lakepack demo in $DEMO (landing zone $SIZE in 8 CSV files, file limit $LIMIT, seed $SEED)"
echo "generated 8 inputs of $(size_of "$DEMO/land/customers/day_1.csv") each in ${TIMES[generate]} s"
echo
echo "1. lakepack pack land lake customers --file-limit $LIMIT --out-ext snappy.parquet"
pack pack1
report pack1
table
echo
echo "2. two more inputs land; pack fills the latest file first, then starts new ones"
gen_input 9
gen_input 10
pack pack2
report pack2
table
echo
echo "3. the same command again: nothing new to pack (inputs already packed are recorded)"
pack pack3
report pack3
echo
timed jsonl "$LP" convert "$DEMO/land/customers/day_1.csv" "$DEMO/day_1.jsonl" --compression none --quiet
echo "4. lakepack convert day_1.csv day_1.jsonl: $(size_of "$DEMO/day_1.jsonl"), $(lines_of "$DEMO/day_1.jsonl") rows in ${TIMES[jsonl]} s"
first=$(ls "$DEMO/lake/customers/" | grep -v '^_' | sort -t_ -k2 -n | head -1)
echo "   lakepack inspect lake/customers/$first:"
"$LP" inspect "$DEMO/lake/customers/$first" | awk '/^ *schema:/ { exit } { print "     " $0 }'

echo
echo "5. the other jobs, small"
# A sorted key-value table (Sleeper's model): rows kept sorted by id, exact and range queries.
schema='{"rowKeyFields":[{"name":"id","type":"LongType"}],"valueFields":[{"name":"email","type":"StringType"},{"name":"city","type":"StringType"},{"name":"amount","type":"DoubleType"}]}'
"$LP" table create "$DEMO/tables" customers --schema "$schema" --split 5000 --quiet
timed table "$LP" table write "$DEMO/tables" customers "$DEMO/land/customers/day_1.csv" \
  --on-schema-mismatch drop --job-id day_1 --quiet
echo "   lakepack table write tables customers day_1.csv: $("$LP" table status "$DEMO/tables" customers | sed -n 2p) in ${TIMES[table]} s"
echo "   lakepack table query tables customers --key 42:"
"$LP" table query "$DEMO/tables" customers --key 42 | sed 's/^/     /'
echo "   lakepack table query tables customers --range '[100,103)' --output csv:"
"$LP" table query "$DEMO/tables" customers --range '[100,103)' --output csv | sed 's/^/     /'
"$LP" table write "$DEMO/tables" customers "$DEMO/land/customers/day_2.csv" \
  --on-schema-mismatch drop --job-id day_2 --quiet
echo "   after a second write: $("$LP" table status "$DEMO/tables" customers | sed -n 2p)"
timed compact "$LP" table compact "$DEMO/tables" customers --major --quiet
echo "   lakepack table compact --major: $("$LP" table status "$DEMO/tables" customers | sed -n 2p) in ${TIMES[compact]} s"

# A database snapshot export (4 Parquet files) into a lake partitioned by year, files of ~4 MB.
for i in 1 2 3 4; do
  "$LP" generate "$DEMO/export/orders/part_$i.parquet" --size 4MB --seed $((SEED + 100 + i)) --quiet
done
"$LP" lake manifest "$DEMO/export/orders" --quiet
timed lake "$LP" lake run --manifest "$DEMO/export/orders/manifests/manifest-summary.json" \
  --staging "$DEMO/staging" --datalake "$DEMO/datalake" --partition-key 'year(signup_date)' \
  --file-size 4MB --key-column id --json >"$DEMO/lake.json"
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
print('   lakepack lake run: %s rows into %s partitions, %s files, in %s s (rows and key checksum validated, one commit)' % (
    r.get('after_total_n_record'), r.get('n_partition'), r.get('after_n_files'), sys.argv[2]))" \
  "$DEMO/lake.json" "${TIMES[lake]}"
echo "   partitions: $(ls "$DEMO/datalake" | grep -v '^_' | sort | tr '\n' ' ')"

# A table of file URLs: sizes without downloading, then a command once per row.
mkdir -p "$DEMO/scans"
printf 'id,scan.csv\n' >"$DEMO/scans.csv"
for i in 1 2 3; do
  cp "$DEMO/land/customers/day_$i.csv" "$DEMO/scans/day_$i.csv"
  printf 'day_%s,%s\n' "$i" "$DEMO/scans/day_$i.csv" >>"$DEMO/scans.csv"
done
echo "   lakepack files sizes scans.csv:"
"$LP" files sizes "$DEMO/scans.csv" | sed 's/^/     /'
timed files "$LP" files run "$DEMO/scans.csv" --into-path "$DEMO/scans-out" --quiet -- \
  'wc -l < "$LAKEPACK_IN/scan.csv" > "$LAKEPACK_OUT/lines.txt"'
echo "   lakepack files run scans.csv --into-path scans-out -- 'wc -l ...': $(ls "$DEMO/scans-out" | grep -vc '^_') rows done in ${TIMES[files]} s; day_2 has $(cat "$DEMO/scans-out/day_2/lines.txt") lines"
