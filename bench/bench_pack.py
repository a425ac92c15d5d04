#!/usr/bin/env python3
"""Pack benchmark: lakepack pack vs s3-data-packer 0.0.9 vs DuckDB vs pyarrow, same inputs, one run.

  .venv/bin/python bench/bench_pack.py [--size 2GB] [--files 4] [--s3dp-size SIZE] [--only local|s3]

The input is a table of --files CSV files totalling about --size, made by `lakepack generate`
(seeds 1..N) and kept in bench/data/pack-SIZE/table/.  Every tool packs it into snappy Parquet
files of at most 256,000,000 bytes (--limit):

Local disk:
  lakepack   lakepack pack IN OUT table --file-limit 256MB
  duckdb     COPY (SELECT * FROM read_csv([...])) TO dir (FORMAT parquet, COMPRESSION snappy,
             FILE_SIZE_BYTES 256000000)
  pyarrow    dataset.write_dataset(dataset(csvs, format='csv'), dir, format='parquet',
             max_rows_per_file=R), R = limit / (Parquet bytes per row of a 100,000-row sample),
             the sample measured inside the timed process
Local S3 server (scripts/s3-server.sh; source /tmp/lakepack-s3/env first):
  lakepack   lakepack pack s3://B/…/in s3://B/…/out-lp table --file-limit 256MB
  s3dp       S3DataPacker(s3://B/…/in, s3://B/…/out-s3dp, 'table').pack_data(), the real PyPI
             package in bench/.venv-s3dp (made from bench/requirements-s3dp.txt when missing),
             through bench/s3dp_run.py (README's call plus a loopback-only network guard)
  The inputs are uploaded with `lakepack cp --recursive` first (not timed).  --s3dp-size runs this
  group on a smaller input of its own (when s3-data-packer cannot hold the full size in RAM).

Every command is its own process under /usr/bin/time (wall seconds, peak RSS).  For each tool the
script reports throughput (input bytes / wall s), the output files, the largest deviation of any
file but the last (by file number) from the limit, and checks that the output holds exactly the
input's rows (Parquet footers vs pyarrow's count of the CSV rows).  The Markdown table goes to
stdout and to bench/results/pack-SIZE-limit-LIMIT.md.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

from benchlib import CLI, PY, ROOT, Timeout, machine_line, parse_size, py, timed

S3DP_VENV = os.path.join(ROOT, "bench", ".venv-s3dp")
S3DP_PY = os.path.join(S3DP_VENV, "bin", "python")
S3DP_REQUIREMENTS = os.path.join(ROOT, "bench", "requirements-s3dp.txt")
S3DP_RUN = os.path.join(ROOT, "bench", "s3dp_run.py")
# The target the issue sets for exact sizes: every file but the last within ±2% of the limit.
TOLERANCE_PCT = 2.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- inputs -------------------------------------------------------------------------------------

def make_inputs(size, files):
    """Generates (once) FILES csv files of size/FILES bytes each; returns (table_dir, paths, bytes)."""
    base = os.path.join(ROOT, "bench", "data", f"pack-{size}")
    table = os.path.join(base, "table")
    os.makedirs(table, exist_ok=True)
    paths = []
    for i in range(files):
        path = os.path.join(table, f"part-{i}.csv")
        if not os.path.exists(path):
            log(f"generating {path}")
            tmp = path + ".tmp"
            subprocess.run([CLI, "generate", tmp, "--size", str(size // files), "--seed", str(i + 1),
                            "--format", "csv", "--quiet"], check=True)
            os.rename(tmp, path)
        paths.append(path)
    return base, paths, sum(os.path.getsize(p) for p in paths)


def count_csv_rows(paths):
    """Rows of the CSV files, counted by pyarrow (cached beside the data)."""
    cache = os.path.join(os.path.dirname(os.path.dirname(paths[0])), "rows.json")
    key = {p: os.path.getsize(p) for p in paths}
    if os.path.exists(cache):
        with open(cache) as f:
            saved = json.load(f)
        if saved.get("files") == key:
            return saved["rows"]
    import pyarrow.dataset as ds
    rows = ds.dataset(paths, format="csv").count_rows()
    with open(cache, "w") as f:
        json.dump({"files": key, "rows": rows}, f)
    return rows


def warm_cache(paths):
    for p in paths:
        with open(p, "rb") as f:
            while f.read(16 << 20):
                pass


# ---- outputs ------------------------------------------------------------------------------------

def file_number(name):
    """table_12.snappy.parquet -> 12, data_3.parquet -> 3, part-7.parquet -> 7."""
    m = re.search(r"(\d+)\.[^/]*$", name)
    return int(m.group(1)) if m else -1


def local_outputs(out_dir):
    """[(name, bytes, rows)] of the Parquet files under out_dir (lakepack's _lakepack/ state aside)."""
    import pyarrow.parquet as pq
    found = []
    for path in glob.glob(os.path.join(out_dir, "**", "*"), recursive=True):
        rel = os.path.relpath(path, out_dir)
        if os.path.isfile(path) and not rel.split(os.sep)[0].startswith("_"):
            found.append((rel, os.path.getsize(path), pq.ParquetFile(path).metadata.num_rows))
    return sorted(found, key=lambda f: file_number(f[0]))


def s3_filesystem():
    """pyarrow S3 filesystem on the local server only (explicit endpoint, never AWS)."""
    import pyarrow.fs as pafs
    url = urllib.parse.urlsplit(os.environ["AWS_ENDPOINT_URL"])
    assert url.hostname in ("127.0.0.1", "localhost"), url
    return pafs.S3FileSystem(endpoint_override=f"{url.hostname}:{url.port}", scheme=url.scheme,
                             access_key=os.environ["AWS_ACCESS_KEY_ID"],
                             secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], region="us-east-1")


def s3_outputs(uri):
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq
    s3 = s3_filesystem()
    prefix = uri[len("s3://"):].rstrip("/")
    found = []
    for info in s3.get_file_info(pafs.FileSelector(prefix, recursive=True, allow_not_found=True)):
        rel = info.path[len(prefix) + 1:]
        if info.type == pafs.FileType.File and not rel.split("/")[0].startswith("_"):
            with s3.open_input_file(info.path) as f:
                found.append((rel, info.size, pq.ParquetFile(f).metadata.num_rows))
    return sorted(found, key=lambda f: file_number(f[0]))


def s3_delete(uri):
    import pyarrow.fs as pafs
    s3 = s3_filesystem()
    prefix = uri[len("s3://"):].rstrip("/")
    try:
        if s3.get_file_info(prefix).type != pafs.FileType.NotFound:
            s3.delete_dir(prefix)
    except OSError as e:  # Deleting is housekeeping; a failure should not lose the results.
        log(f"warning: could not delete {uri}: {e}")


def summarize(files, limit):
    """(count, total_bytes, rows, max_abs_dev_pct or None, n_within, n_checked) of an output."""
    sizes = [size for _, size, _ in files]
    checked = sizes[:-1]  # every file but the last
    devs = [100.0 * (s - limit) / limit for s in checked]
    within = sum(1 for d in devs if abs(d) <= TOLERANCE_PCT)
    max_dev = max(devs, key=abs) if devs else None
    return len(files), sum(sizes), sum(r for _, _, r in files), max_dev, within, len(checked)


# ---- runs ---------------------------------------------------------------------------------------

def run_tool(group, tool, cmd, env, outputs, clean, ctx, timeout=None):
    """Times one tool ctx.repeat times (clean() before each run) and inspects its last output.

    Returns a result dict: the fastest run's seconds (and every run's), the largest peak RSS, the
    load average before the first run; `error` set if a run failed or timed out.
    """
    load = os.getloadavg()[0]
    res = {"group": group, "tool": tool, "load": load, "cmd": cmd, "all_secs": []}
    rss = 0
    for i in range(ctx.repeat):
        clean()
        if ctx.warm:
            warm_cache(ctx.warm)
        log(f"  {group:6s} {tool:9s} run {i + 1}/{ctx.repeat} (load {os.getloadavg()[0]:.1f}) ...")
        try:
            secs, run_rss = timed(cmd, env, timeout=timeout)
        except (RuntimeError, Timeout) as e:
            log(f"  {group:6s} {tool:9s} FAILED: {e}")
            res["error"] = str(e).splitlines()[0] if isinstance(e, Timeout) else str(e)[-600:]
            return res
        res["all_secs"].append(secs)
        rss = max(rss, run_rss)
    secs = min(res["all_secs"])
    files = outputs()
    n, total, rows, max_dev, within, checked = summarize(files, ctx.limit)
    res.update(secs=secs, rss=rss, mbps=ctx.input_bytes / 1e6 / secs if secs else 0.0, files=n,
               out_bytes=total, rows=rows, rows_ok=rows == ctx.input_rows, max_dev=max_dev,
               within=within, checked=checked, sizes=[s for _, s, _ in files])
    dev = "n/a" if max_dev is None else f"{max_dev:+.2f}%"
    log(f"  {group:6s} {tool:9s} {secs:8.2f} s {rss / 2**20:7.0f} MiB {n:3d} files, max dev {dev}, "
        f"rows {rows} ({'ok' if res['rows_ok'] else f'EXPECTED {ctx.input_rows}'})")
    return res


class Context:
    """What every run of a group shares: the input's bytes and rows, the limit, the repeat count."""

    def __init__(self, input_bytes, input_rows, limit, repeat, warm=None):
        self.input_bytes, self.input_rows, self.limit = input_bytes, input_rows, limit
        self.repeat, self.warm = repeat, warm


def local_group(paths, table_base, ctx, data):
    limit = ctx.limit
    out = os.path.join(data, "out-pack")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    lp_out, dd_out, pa_out = (os.path.join(out, n) for n in ("lakepack", "duckdb", "pyarrow"))
    file_list = "[" + ", ".join(f"'{p}'" for p in paths) + "]"
    cases = [
        ("lakepack", [CLI, "pack", table_base, lp_out, "table", "--file-limit", str(limit), "--quiet"],
         lambda: local_outputs(os.path.join(lp_out, "table"))),
        ("duckdb", py(f"""
            import duckdb
            duckdb.sql("COPY (SELECT * FROM read_csv({file_list})) TO '{dd_out}' "
                       "(FORMAT parquet, COMPRESSION snappy, FILE_SIZE_BYTES {limit})")"""),
         lambda: local_outputs(dd_out)),
        ("pyarrow", py(f"""
            import io, itertools
            import pyarrow as pa, pyarrow.csv as csv, pyarrow.dataset as ds, pyarrow.parquet as pq
            # Bytes per row of snappy Parquet, from a sample of the first file's first 100,000 rows.
            reader = csv.open_csv({paths[0]!r})
            batches, n = [], 0
            for b in reader:
                batches.append(b)
                n += b.num_rows
                if n >= 100_000:
                    break
            sample = pa.Table.from_batches(batches)
            buf = io.BytesIO()
            pq.write_table(sample, buf, compression='snappy')
            rows = max(1, int({limit} * sample.num_rows / buf.tell()))
            ds.write_dataset(ds.dataset({paths!r}, format='csv'), {pa_out!r}, format='parquet',
                             file_options=ds.ParquetFileFormat().make_write_options(compression='snappy'),
                             max_rows_per_file=rows, max_rows_per_group=min(rows, 1 << 20),
                             basename_template='part-{{i}}.parquet')"""),
         lambda: local_outputs(pa_out)),
    ]
    results = []
    for tool, cmd, outputs in cases:
        target = os.path.join(out, tool)
        clean = lambda: shutil.rmtree(target, ignore_errors=True)
        results.append(run_tool("local", tool, cmd, None, outputs, clean, ctx))
        clean()
    shutil.rmtree(out, ignore_errors=True)
    return results


def ensure_s3dp_venv():
    if os.path.exists(S3DP_PY):
        return
    log(f"creating {S3DP_VENV} from {S3DP_REQUIREMENTS}")
    subprocess.run(["python3", "-m", "venv", S3DP_VENV], check=True)
    subprocess.run([S3DP_PY, "-m", "pip", "install", "-q", "-r", S3DP_REQUIREMENTS], check=True)


def s3_group(table_dir, ctx, s3dp_timeout):
    limit = ctx.limit
    env = os.environ.copy()
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    host = urllib.parse.urlsplit(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("bench_pack: AWS_ENDPOINT_URL must point at the local S3 server "
                         "(scripts/s3-server.sh start; source /tmp/lakepack-s3/env)")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    # pyarrow's AWS SDK (used by s3-data-packer's writer) otherwise streams uploads with trailing
    # checksums, which Ceph 16 rejects (411 MissingContentLength on UploadPart).
    env["AWS_REQUEST_CHECKSUM_CALCULATION"] = "when_required"
    env["AWS_RESPONSE_CHECKSUM_VALIDATION"] = "when_required"
    ensure_s3dp_venv()
    bucket = env.get("LAKEPACK_TEST_BUCKET", "lakepack-test")
    run = f"s3://{bucket}/bench-pack/{int(time.time())}"
    in_base, lp_out, s3dp_out = f"{run}/in", f"{run}/out-lp", f"{run}/out-s3dp"
    log(f"uploading {table_dir} to {in_base}/table (not timed)")
    subprocess.run([CLI, "cp", "--recursive", "--quiet", table_dir, f"{in_base}/table"], check=True,
                   env=env)
    cases = [
        ("lakepack", [CLI, "pack", in_base, lp_out, "table", "--file-limit", str(limit), "--quiet"],
         lambda: s3_outputs(f"{lp_out}/table"), None),
        # s3-data-packer's default limit is 256 * 10**-3 GB; passed only when --limit differs.
        ("s3dp", [S3DP_PY, S3DP_RUN, in_base, s3dp_out, "table"] +
         ([] if limit == 256_000_000 else ["--file-limit-gigabytes", str(limit / 1e9)]),
         lambda: s3_outputs(f"{s3dp_out}/table"), s3dp_timeout),
    ]
    results = []
    try:
        for tool, cmd, outputs, timeout in cases:
            target = lp_out if tool == "lakepack" else s3dp_out
            results.append(run_tool("s3", tool, cmd, env, outputs, lambda: s3_delete(target), ctx,
                                    timeout))
    finally:
        s3_delete(run)
    return results


# ---- report -------------------------------------------------------------------------------------

def binary_line():
    """Which lakepack binary ran: its version, build time and the checkout's commit."""
    version = subprocess.run([CLI, "version"], capture_output=True, text=True).stdout.strip()
    built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(CLI)))
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()
    return f"Binary: {CLI} ({version}, built {built}; checkout HEAD {head} at run time)."


def report(results, sizes_line, limit):
    lines = [f"Run {machine_line()}.", "", binary_line(), "", sizes_line, "",
             f"| where | tool | seconds (best, all runs) | MB/s | peak RSS (MiB) | files | max deviation from "
             f"{limit:,} B (all but last) | within ±{TOLERANCE_PCT:g}% | rows ok | load at start | "
             f"throughput vs lakepack | RSS vs lakepack |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    base = {}
    for r in results:
        if r["tool"] == "lakepack" and "error" not in r:
            base[r["group"]] = r
    for r in results:
        if "error" in r:
            lines.append(f"| {r['group']} | {r['tool']} | failed: {r['error'].splitlines()[-1][:120]} "
                         f"| | | | | | | {r['load']:.1f} | | |")
            continue
        b = base.get(r["group"])
        dev = "n/a (1 file)" if r["max_dev"] is None else f"{r['max_dev']:+.2f}%"
        within = f"{r['within']}/{r['checked']}"
        tput = f"{r['mbps'] / b['mbps']:.2f}×" if b else ""
        rss = f"{r['rss'] / b['rss']:.2f}×" if b else ""
        secs = f"{r['secs']:.1f}" + (f" ({', '.join(f'{x:.1f}' for x in r['all_secs'])})"
                                     if len(r["all_secs"]) > 1 else "")
        lines.append(f"| {r['group']} | {r['tool']} | {secs} | {r['mbps']:.1f} | "
                     f"{r['rss'] / 2**20:.0f} | {r['files']} | {dev} | {within} | "
                     f"{'yes' if r['rows_ok'] else 'NO'} | {r['load']:.1f} | {tput} | {rss} |")
    lines.append("")
    lines.append("File sizes (bytes, in file-number order):")
    lines.append("")
    for r in results:
        if "error" not in r:
            lines.append(f"- {r['group']} {r['tool']}: {', '.join(f'{s:,}' for s in r['sizes'])}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="2GB", help="total CSV input (default 2GB; 300MB for a quick run)")
    ap.add_argument("--files", type=int, default=4, help="number of input CSV files")
    ap.add_argument("--limit", default="256MB", help="output file limit (default 256MB = 256,000,000 B)")
    ap.add_argument("--s3dp-size", default=None,
                    help="run the S3 group (lakepack vs s3-data-packer) on this smaller input")
    ap.add_argument("--s3dp-timeout", type=float, default=1200, help="seconds before s3dp is killed")
    ap.add_argument("--repeat", type=int, default=1,
                    help="runs per tool; the fastest counts (the machine is shared and noisy)")
    ap.add_argument("--only", choices=["local", "s3"])
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    args = ap.parse_args()
    size, limit = parse_size(args.size), parse_size(args.limit)
    data = os.path.join(ROOT, "bench", "data")

    table_base, paths, input_bytes = make_inputs(size, args.files)
    input_rows = count_csv_rows(paths)
    sizes_line = (f"Input: {len(paths)} CSV files, {input_bytes:,} bytes, {input_rows:,} rows "
                  f"(`lakepack generate --size {size // args.files} --seed 1..{len(paths)}`).")
    log(sizes_line)
    results = []
    if args.only in (None, "local"):
        ctx = Context(input_bytes, input_rows, limit, args.repeat, warm=paths)
        results += local_group(paths, table_base, ctx, data)
    if args.only in (None, "s3"):
        s3_paths, s3_bytes, s3_rows = paths, input_bytes, input_rows
        if args.s3dp_size and parse_size(args.s3dp_size) != size:
            s3_size = parse_size(args.s3dp_size)
            _, s3_paths, s3_bytes = make_inputs(s3_size, args.files)
            s3_rows = count_csv_rows(s3_paths)
            sizes_line += (f" S3 group (lakepack vs s3-data-packer) on a smaller input: "
                           f"{len(s3_paths)} files, {s3_bytes:,} bytes, {s3_rows:,} rows.")
            log(sizes_line)
        ctx = Context(s3_bytes, s3_rows, limit, args.repeat)
        results += s3_group(os.path.dirname(s3_paths[0]), ctx, args.s3dp_timeout)

    text = report(results, sizes_line, limit)
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"pack-{args.size}-limit-{args.limit}.md"), "w") as f:
        f.write(text)
    if any("error" in r or not r.get("rows_ok") for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
