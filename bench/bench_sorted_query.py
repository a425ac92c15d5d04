"""Sorted tables, part 1 (issue 9): ingest of unsorted rows and exact / range queries, lakepack
beside DuckDB, DataFusion and polars on the same rows and the same sorted files, in one run.

Sleeper's system-test schema: `key` string(10) (row key), `timestamp` long (sort key), `value`
string(10), `nullable_value` string(10, 20% null).  Steps:

1. ingest: N unsorted rows in F Parquet files -> `lakepack table ingest` (one process under
   /usr/bin/time: seconds, peak RSS) vs DuckDB `COPY (SELECT ... ORDER BY key, timestamp)` to one
   Parquet file (the same work: read, sort, write sorted Parquet), alternating their order.
2. queries, warm, in this process: Q exact-key queries (keys drawn from the rows, 10 warm-ups
   first) through `lakepack.SleeperClient.exact_key_query(..., as_arrow=True)`; the same keys as
   `SELECT * FROM the table's files WHERE key = ?` in DuckDB, DataFusion and polars
   (`scan_parquet().filter()`), each on the sorted files lakepack wrote; p50 / p95 in ms.  Then
   range queries of about 100 consecutive keys.  Every tool's answer is checked against
   lakepack's row count.

    .venv/bin/python bench/bench_sorted_query.py --rows 2000000 --queries 200

Prints a Markdown table; numbers depend on the machine's load, which is printed too.
"""
import argparse
import glob
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

SCHEMA = ('{"rowKeyFields":[{"name":"key","type":"StringType"}],'
          '"sortKeyFields":[{"name":"timestamp","type":"LongType"}],'
          '"valueFields":[{"name":"value","type":"StringType"},'
          '{"name":"nullable_value","type":"StringType"}]}')


def strings(rng, n, width=10):
    """n random lowercase strings of `width` characters, as a pyarrow string array."""
    data = (rng.integers(0, 26, size=n * width, dtype=np.uint8) + ord("a")).tobytes()
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def make_inputs(directory, rows, files, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    per = rows // files
    paths = []
    for i in range(files):
        n = per if i < files - 1 else rows - per * (files - 1)
        nullable = strings(rng, n)
        mask = pa.array(rng.random(n) < 0.2)
        table = pa.table({
            "key": strings(rng, n),
            "timestamp": pa.array(rng.integers(0, 2**40, size=n, dtype=np.int64)),
            "value": strings(rng, n),
            "nullable_value": pa.compute.if_else(mask, pa.nulls(n, pa.string()), nullable),
        })
        path = os.path.join(directory, f"part-{i}.parquet")
        pq.write_table(table, path, compression="snappy")
        paths.append(path)
    return paths


def percentiles(ms):
    ms = sorted(ms)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.95))]


def timed_queries(run, args_list):
    """Runs run(a) for each a (after 10 warm-ups); returns (ms per call list, total rows)."""
    for a in args_list[:10]:
        run(a)
    out, rows = [], 0
    for a in args_list:
        t0 = time.perf_counter()
        rows += run(a)
        out.append((time.perf_counter() - t0) * 1e3)
    return out, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--files", type=int, default=4)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--work", default=os.path.join(benchlib.ROOT, "bench", "data", "sorted_query"))
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    import lakepack

    load0 = os.getloadavg()[0]
    shutil.rmtree(a.work, ignore_errors=True)
    inputs = make_inputs(os.path.join(a.work, "in"), a.rows, a.files, a.seed)
    root = os.path.join(a.work, "inst")
    duck_out = os.path.join(a.work, "duckdb_sorted.parquet")
    subprocess.run([benchlib.CLI, "table", "create", root, "t", "--schema", SCHEMA, "--quiet"],
                   check=True)

    # 1. ingest, one process each, lakepack and DuckDB alternating (lakepack once: a job id
    # commits once; DuckDB twice, best kept, so DuckDB is not disadvantaged by a cold cache).
    ingest = {}
    duck_cmd = benchlib.py(f"""
        import duckdb
        con = duckdb.connect()
        con.execute("COPY (SELECT * FROM read_parquet({inputs!r}) ORDER BY key, timestamp) "
                    "TO '{duck_out}' (FORMAT parquet, COMPRESSION snappy)")
    """)
    ingest["duckdb"] = benchlib.measure(duck_cmd)
    ingest["lakepack"] = benchlib.measure([benchlib.CLI, "table", "ingest", root, "t", *inputs,
                                           "--job-id", "bench", "--quiet"])
    second = benchlib.measure(duck_cmd)
    if second["seconds"] < ingest["duckdb"]["seconds"]:
        ingest["duckdb"] = second

    # 2. queries on the files lakepack wrote.
    client = lakepack.SleeperClient(root)
    described = client.describe_table("t")
    files = sorted(glob.glob(os.path.join(root, "t", "**", "*.parquet"), recursive=True))
    files = [f for f in files if "/_lakepack/" not in f and "/_" not in os.path.relpath(f, root)]
    keys_table = pq.read_table(inputs[0], columns=["key"])
    rng = random.Random(a.seed)
    keys = [keys_table["key"][rng.randrange(keys_table.num_rows)].as_py() for _ in range(a.queries)]
    all_keys = sorted(set(pa.concat_tables(pq.read_table(f, columns=["key"]) for f in inputs)
                          ["key"].to_pylist()))
    starts = [rng.randrange(len(all_keys) - 200) for _ in range(a.queries)]
    ranges = [(all_keys[s], all_keys[s + 100]) for s in starts]

    results = {}

    def lp_exact(k):
        return client.exact_key_query("t", {"key": [k]}, as_arrow=True).num_rows

    def lp_range(r):
        return client.range_key_query("t", [{"key": [r[0], r[1]]}], as_arrow=True).num_rows

    results["lakepack"] = (timed_queries(lp_exact, keys), timed_queries(lp_range, ranges))

    import duckdb
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT * FROM read_parquet({files!r})")
    results["duckdb"] = (
        timed_queries(lambda k: len(con.execute("SELECT * FROM t WHERE key = ?", [k]).fetchall()),
                      keys),
        timed_queries(lambda r: len(con.execute("SELECT * FROM t WHERE key >= ? AND key < ?",
                                                list(r)).fetchall()), ranges))
    try:
        import datafusion
        ctx = datafusion.SessionContext()
        ctx.register_parquet("t", os.path.dirname(files[0]) if len({os.path.dirname(f) for f in files}) == 1 else files[0])
        def df_count(sql):
            return sum(b.num_rows for b in ctx.sql(sql).collect())
        results["datafusion"] = (
            timed_queries(lambda k: df_count(f"SELECT * FROM t WHERE key = '{k}'"), keys),
            timed_queries(lambda r: df_count(f"SELECT * FROM t WHERE key >= '{r[0]}' AND key < '{r[1]}'"),
                          ranges))
    except ImportError:
        pass
    import polars as pl
    lazy = pl.scan_parquet(files)
    results["polars"] = (
        timed_queries(lambda k: lazy.filter(pl.col("key") == k).collect().height, keys),
        timed_queries(lambda r: lazy.filter((pl.col("key") >= r[0]) & (pl.col("key") < r[1]))
                      .collect().height, ranges))

    load1 = os.getloadavg()[0]
    print(f"\nsorted tables, {a.rows:,} rows in {a.files} unsorted files; table: "
          f"{described['files']} files, {described['rows']:,} rows; {len(files)} data files "
          f"queried by the peers; load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores\n")
    print("| ingest (read, sort, write sorted Parquet) | seconds | rows/s | peak RSS | x lakepack's time |")
    print("|---|---:|---:|---:|---:|")
    base = ingest["lakepack"]["seconds"]
    for tool in ("lakepack", "duckdb"):
        m = ingest[tool]
        print(f"| {tool} | {m['seconds']:.2f} | {a.rows / m['seconds'] / 1e6:.2f} M | "
              f"{m['rss'] / 2**20:.0f} MiB | {m['seconds'] / base:.2f} |")
    print("\n| query (warm, in process) | exact p50 ms | exact p95 ms | range(100 keys) p50 ms | "
          "p95 ms | rows (exact, range) |")
    print("|---|---:|---:|---:|---:|---|")
    want = results["lakepack"][0][1], results["lakepack"][1][1]
    for tool, ((ex, ex_rows), (rg, rg_rows)) in results.items():
        e50, e95 = percentiles(ex)
        r50, r95 = percentiles(rg)
        check = "" if (ex_rows, rg_rows) == want else " (differs from lakepack's!)"
        print(f"| {tool} | {e50:.2f} | {e95:.2f} | {r50:.2f} | {r95:.2f} | "
              f"{ex_rows:,}, {rg_rows:,}{check} |")


if __name__ == "__main__":
    main()
