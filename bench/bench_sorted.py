"""Sorted tables: compaction of 11 sorted files into 1 (issue 12), lakepack against DataFusion
(Sleeper's compaction engine, configured as Sleeper configures it), DuckDB and polars.

Data: Sleeper's system-test schema -- key string(10), timestamp long (sort key), value
string(10), nullable_value string(10, 20% null) -- as FILES sorted files of ROWS rows each,
random keys (so the files' key ranges overlap completely).  The files are ingested into a
lakepack table once (one file per ingest) and the table is copied afresh before each lakepack
run; the peers read the same 11 Parquet files (hard links into one directory).

Each tool runs as its own process under GNU time (wall seconds, peak RSS):
  lakepack   `lakepack table compact ROOT NAME --major --json` (k-way merge, zstd 3)
  DataFusion SessionContext(target_partitions = FILES), the files registered with their sort
             order, SELECT * ORDER BY key, timestamp -> write_parquet(zstd 3): the plan is a
             SortPreservingMergeExec and no SortExec (printed and checked)
  DuckDB     COPY (SELECT * FROM read_parquet(...) ORDER BY key, timestamp) TO ... (zstd)
  polars     scan_parquet(...).sort(key, timestamp).sink_parquet(zstd 3)
Every output is checked: same row count, keys in order.

    .venv/bin/python bench/bench_sorted.py --rows 2000000 --files 11 --repeat 1
"""
import argparse
import json
import os
import shutil
import sys
import time

import benchlib

SCHEMA = json.dumps({
    "rowKeyFields": [{"name": "key", "type": "StringType"}],
    "sortKeyFields": [{"name": "timestamp", "type": "LongType"}],
    "valueFields": [{"name": "value", "type": "StringType"},
                    {"name": "nullable_value", "type": "StringType"}],
})


def make_files(out_dir, files, rows, seed=1):
    """FILES sorted Parquet files of Sleeper's system-test schema (written by pyarrow)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)

    def strings(n):
        raw = letters[rng.integers(0, 26, size=(n, 10))].tobytes()
        offsets = np.arange(0, 10 * (n + 1), 10, dtype=np.int32)
        return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw)])

    paths = []
    for i in range(files):
        path = os.path.join(out_dir, f"in-{i:02d}.parquet")
        paths.append(path)
        if os.path.exists(path):
            continue
        nullable = strings(rows)
        mask = pa.array(rng.random(rows) < 0.2)
        import pyarrow.compute as pc
        nullable = pc.if_else(mask, pa.nulls(rows, pa.string()), nullable)
        t = pa.table({"key": strings(rows),
                      "timestamp": pa.array(rng.integers(0, 1 << 40, size=rows), pa.int64()),
                      "value": strings(rows), "nullable_value": nullable})
        t = t.sort_by([("key", "ascending"), ("timestamp", "ascending")])
        pq.write_table(t, path + ".tmp", compression="zstd")
        os.replace(path + ".tmp", path)
    return paths


PEER_CODE = {
    "DataFusion": """
        import sys, datafusion
        from datafusion import SessionContext, SessionConfig, col
        src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
        ctx = SessionContext(SessionConfig().with_target_partitions(n))
        ctx.register_parquet("t", src, file_sort_order=[[col("key").sort(), col("timestamp").sort()]])
        df = ctx.sql("SELECT * FROM t ORDER BY key, timestamp")
        plan = df.execution_plan().display_indent()
        assert "SortPreservingMergeExec" in plan and "SortExec" not in plan.replace("SortPreservingMergeExec", ""), plan
        df.write_parquet(out, compression="zstd", compression_level=3)
    """,
    "DuckDB": """
        import sys, duckdb
        src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{src}/*.parquet') ORDER BY key, timestamp) "
                   f"TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
    """,
    "polars": """
        import sys, polars as pl
        src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
        pl.scan_parquet(f"{src}/*.parquet").sort(["key", "timestamp"]).sink_parquet(
            out, compression="zstd", compression_level=3)
    """,
}


def check_output(path, rows):
    """The output (a file or a directory of files) holds `rows` rows in key order."""
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    t = ds.dataset(path, format="parquet").to_table(columns=["key", "timestamp"])
    assert t.num_rows == rows, (path, t.num_rows, rows)
    keys = t.column("key").combine_chunks()
    if len(ds.dataset(path, format="parquet").files) == 1:
        ok = pc.all(pc.less_equal(keys[:-1], keys[1:])).as_py()
        assert ok, f"{path}: keys out of order"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows per input file (default 2 M)")
    ap.add_argument("--files", type=int, default=11, help="input files (default 11)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool; the best is reported")
    ap.add_argument("--dir", default=os.path.join(benchlib.ROOT, "bench", "data", "sorted"))
    ap.add_argument("--only", default="", help="comma-separated tools (default: all)")
    args = ap.parse_args()
    total = args.rows * args.files
    data = os.path.join(args.dir, f"{args.files}x{args.rows}")
    inputs = make_files(os.path.join(data, "inputs"), args.files, args.rows)
    # The lakepack table: one file per ingest, kept as the template of each run.
    template = os.path.join(data, "table")
    name = "bench"
    if not os.path.exists(os.path.join(template, name)):
        shutil.rmtree(template, ignore_errors=True)
        cmd = [benchlib.CLI, "table", "create", template, name, "--schema", SCHEMA, "--quiet"]
        benchlib.measure(cmd)
        for p in inputs:
            benchlib.measure([benchlib.CLI, "table", "ingest", template, name, p, "--quiet",
                              "--buffer", "4GiB"])
    # The peers read the table's own files (sorted by lakepack), linked into one directory.
    peer_in = os.path.join(data, "peer-inputs")
    if not os.path.exists(peer_in):
        os.makedirs(peer_in + ".tmp", exist_ok=True)
        i = 0
        for root, _, names in sorted(os.walk(os.path.join(template, name, "data"))):
            for n in sorted(names):
                os.link(os.path.join(root, n), os.path.join(peer_in + ".tmp", f"f{i:02d}.parquet"))
                i += 1
        assert i == args.files, f"the template table holds {i} files, not {args.files}"
        os.replace(peer_in + ".tmp", peer_in)
    tools = [t for t in (args.only.split(",") if args.only else ["lakepack", *PEER_CODE])]
    results = {}
    print(benchlib.machine_line())
    print(f"compaction: {args.files} sorted files x {args.rows:,} rows = {total:,} rows -> 1 file")
    for tool in tools:
        best = None
        for _ in range(args.repeat):
            work = os.path.join(data, "out-" + tool)
            shutil.rmtree(work, ignore_errors=True)
            if tool == "lakepack":
                shutil.copytree(template, work)
                r = benchlib.measure([benchlib.CLI, "table", "compact", work, name, "--major",
                                      "--json"])
                out = os.path.join(work, name, "data")
                files = [os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]
                newest = max(files, key=os.path.getmtime)
                check_output(newest, total)
            else:
                os.makedirs(work)
                out = os.path.join(work, "out.parquet")
                r = benchlib.measure(benchlib.py(PEER_CODE[tool]) + [peer_in, out, str(args.files)])
                check_output(out, total)
            r["load"] = os.getloadavg()[0]
            if best is None or r["seconds"] < best["seconds"]:
                best = r
            shutil.rmtree(work, ignore_errors=True)
        results[tool] = best
        print(f"  {tool:<11} {best['seconds']:7.2f} s  {total / best['seconds'] / 1e6:5.2f} M rows/s  "
              f"peak RSS {best['rss'] / 2**20:6.0f} MiB  cpu {best['cpu']:6.1f} s  "
              f"(load {best['load']:.1f})", flush=True)
    if "lakepack" in results:
        base = results["lakepack"]
        print("\n| tool | time | rows/s | peak RSS | time / lakepack's | RSS / lakepack's |")
        print("|---|---|---|---|---|---|")
        for tool, r in results.items():
            print(f"| {tool} | {r['seconds']:.2f} s | {total / r['seconds'] / 1e6:.2f} M | "
                  f"{r['rss'] / 2**20:.0f} MiB | {r['seconds'] / base['seconds']:.2f} | "
                  f"{r['rss'] / base['rss']:.2f} |")
    print(benchlib.machine_line())


if __name__ == "__main__":
    sys.exit(main())
