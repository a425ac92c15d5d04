#!/usr/bin/env python3
"""Ray Data benchmark: CSV on the S3 server -> snappy Parquet files of a fixed size, on a local Ray
(num_cpus=2), lakepack's datasource + PackSink vs Ray's own read_csv + write_parquet, one run.

  source /tmp/lakepack-s3/env
  .venv/bin/python bench/bench_ray.py [--size 400MB] [--files 8] [--limit 32MB] [--repeat 1]

The input is --files CSV files totalling about --size, made once by `lakepack.generate` (seeds
1..N) on the S3 server under s3://$LAKEPACK_TEST_BUCKET/bench-ray/csv-SIZE/ (kept for later runs).
The cases, each its own process under /usr/bin/time:
  lakepack      lakepack.ray.read(prefix, format="csv").write_datasink(
                    lakepack.ray.PackSink(out, "t", file_limit=LIMIT))
  ray-rows      ray.data.read_csv(prefix).write_parquet(out, min_rows_per_file=R,
                    max_rows_per_file=R), R = LIMIT / (snappy Parquet bytes per row of a
                    50,000-row sample of the first file), the sample measured inside the timed
                    process: Ray's way to aim at a file size
  ray-default   ray.data.read_csv(prefix).write_parquet(out): one file per block
Ray's side reads and writes through pyarrow's S3FileSystem on the same endpoint.

Reported per case: wall seconds of the process (Ray start and stop included) and of the job
alone, the peak RSS of the driver (GNU time) and the peak of the summed RSS of the driver and
every process it started (Ray's GCS, raylet and workers; sampled every 0.2 s from /proc), the
files written, how many of the files but the last are within ±2% of LIMIT and the largest
deviation, and the rows (Parquet footers) against the input's.
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import ROOT, machine_line, parse_size  # noqa: E402

TOLERANCE = 0.02


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---- the process tree's RSS -------------------------------------------------------------------

def _children():
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(pid))
        except (OSError, ValueError):
            pass
    return kids


def _rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class TreeRss:
    """Samples the summed RSS of this process and all its descendants; keeps the peak."""

    def __init__(self, period=0.2):
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(period,), daemon=True)
        self._t.start()

    def _run(self, period):
        me = os.getpid()
        while not self._stop.is_set():
            kids, todo, total = _children(), [me], 0
            while todo:
                p = todo.pop()
                total += _rss(p)
                todo.extend(kids.get(p, []))
            self.peak = max(self.peak, total)
            self._stop.wait(period)

    def stop(self):
        self._stop.set()
        self._t.join()
        return self.peak


# ---- one case (in its own process) ------------------------------------------------------------

def _s3fs():
    import pyarrow.fs as pafs
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    scheme, _, host = endpoint.partition("://")
    return pafs.S3FileSystem(access_key=os.environ["AWS_ACCESS_KEY_ID"],
                             secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
                             endpoint_override=host, scheme=scheme,
                             region=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


def _rows_per_file(fs, first_csv, limit):
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    with fs.open_input_stream(first_csv) as f:
        reader = pacsv.open_csv(f)
        batches, n = [], 0
        for b in reader:
            batches.append(b)
            n += b.num_rows
            if n >= 50_000:
                break
    sample = pa.Table.from_batches(batches).slice(0, 50_000)
    sink = pa.BufferOutputStream()
    pq.write_table(sample, sink, compression="snappy")
    return max(1, int(limit / (sink.getvalue().size / sample.num_rows)))


def run_case(case, src, out, limit):
    tree = TreeRss()
    # pyarrow's AWS SDK sends multipart parts with trailer checksums, which Ceph 16 refuses (411
    # MissingContentLength): checksums only where required, in the driver and the workers.
    os.environ.setdefault("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED")
    os.environ.setdefault("AWS_RESPONSE_CHECKSUM_VALIDATION", "WHEN_REQUIRED")
    import ray
    env = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "LAKEPACK_"))}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": env})
    t0 = time.time()
    extra = {}
    if case == "lakepack":
        import lakepack.ray as lray
        sink = lray.PackSink(out, "t", file_limit=limit)
        lray.read(src, format="csv").write_datasink(sink)
        extra["rows"] = sink.report["rows"]
        extra["pack_seconds"] = sink.report["seconds"]  # the driver's pack of the staged files
    else:
        fs = _s3fs()
        path = src[len("s3://"):]
        ds = ray.data.read_csv(path, filesystem=fs)
        dst = out[len("s3://"):] + "/t"
        if case == "ray-rows":
            first = sorted(i.path for i in fs.get_file_info(
                __import__("pyarrow.fs", fromlist=["FileSelector"]).FileSelector(path))
                if i.path.endswith(".csv"))[0]
            r = _rows_per_file(fs, first, limit)
            extra["rows_per_file"] = r
            ds.write_parquet(dst, filesystem=fs, min_rows_per_file=r, max_rows_per_file=r)
        else:
            ds.write_parquet(dst, filesystem=fs)
    job = time.time() - t0
    ray.shutdown()
    peak = tree.stop()
    print("LPCASE " + json.dumps({"job_seconds": job, "tree_rss": peak, **extra}))


# ---- the driver of the benchmark --------------------------------------------------------------

def measure_case(cmd, timeout):
    """Runs a case under /usr/bin/time: {seconds, rss (driver), cpu, job_seconds, tree_rss...}."""
    import subprocess
    full = ["/usr/bin/time", "-f", "LPBENCH %e %M %U %S"] + cmd
    p = subprocess.run(full, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}"
                           f"{p.stderr[-4000:]}")
    line = [x for x in p.stderr.splitlines() if x.startswith("LPBENCH ")][-1]
    _, secs, kb, user, sys_ = line.split()
    case = json.loads([x for x in p.stdout.splitlines() if x.startswith("LPCASE ")][-1][7:])
    return {"seconds": float(secs), "rss": int(kb) * 1024, "cpu": float(user) + float(sys_),
            **case}


def make_inputs(bucket, size, files):
    import lakepack
    prefix = f"s3://{bucket}/bench-ray/csv-{size}"
    store = lakepack.open_store(prefix)
    have = [e for e in store.list("", recursive=True) if e["key"].endswith(".csv")]
    if len(have) != files:
        if have:
            store.delete([e["key"] for e in have])
        per = parse_size(size) // files
        for i in range(files):
            log(f"generating {prefix}/part{i:02d}.csv ({per} bytes)")
            lakepack.generate(f"{prefix}/part{i:02d}.csv", size=per, seed=i + 1)
        have = [e for e in store.list("", recursive=True) if e["key"].endswith(".csv")]
    rows = 0
    for e in have:
        rows += lakepack.inspect(f"{prefix}/{e['key']}")["rows"]
    return prefix, sum(e["size"] for e in have), rows


def output_facts(out, limit):
    import lakepack
    store = lakepack.open_store(out + "/t")
    files = [e for e in store.list("", recursive=True)
             if not e.get("prefix") and e["key"].endswith(".parquet")
             and not e["key"].startswith("_")]
    rows = sum(lakepack.inspect(f"{out}/t/{e['key']}")["rows"] for e in files)
    sizes = [e["size"] for e in files]
    # The last file: by number for lakepack's names (t_N), else the smallest one.
    if files and all(e["key"].startswith("t_") for e in files):
        order = sorted(files, key=lambda e: int(e["key"][2:].split(".", 1)[0]))
        body = [e["size"] for e in order[:-1]]
    else:
        body = sorted(sizes, reverse=True)[:-1]
    within = sum(1 for s in body if abs(s - limit) <= TOLERANCE * limit)
    worst = max((abs(s - limit) / limit for s in body), default=0.0)
    return {"files": len(files), "rows": rows, "within": within, "body": len(body),
            "worst_pct": 100 * worst, "min": min(sizes, default=0), "max": max(sizes, default=0)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="400MB")
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--limit", default="32MB")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", default="lakepack,ray-rows,ray-default")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    limit = parse_size(args.limit)
    if args.case:
        return run_case(args.case, args.src, args.out, limit)

    import lakepack
    bucket = os.environ.get("LAKEPACK_TEST_BUCKET")
    if not bucket or not os.environ.get("AWS_ENDPOINT_URL"):
        sys.exit("bench_ray.py: source /tmp/lakepack-s3/env first (the S3 server's settings)")
    src, in_bytes, in_rows = make_inputs(bucket, args.size, args.files)
    log(f"input: {src}: {args.files} files, {in_bytes} bytes, {in_rows} rows")
    cases = args.only.split(",")
    results = {c: [] for c in cases}
    start_line = machine_line()
    for rnd in range(args.repeat):
        order = cases if rnd % 2 == 0 else list(reversed(cases))
        for case in order:
            out = f"s3://{bucket}/bench-ray/out-{case}-{os.getpid()}-{rnd}"
            log(f"round {rnd + 1}: {case} -> {out}")
            r = measure_case([sys.executable, os.path.abspath(__file__), "--case", case, "--src", src,
                         "--out", out, "--limit", args.limit], timeout=3600)
            facts = output_facts(out, limit)
            results[case].append({**r, **facts, "out": out})
            # From the parent, so pyarrow's directory markers ("out/", "out/t/") go too.
            parent, name = out.rsplit("/", 1)
            store = lakepack.open_store(parent)
            store.delete([e["key"] for e in store.list(name + "/", recursive=True)
                          if not e.get("prefix")])
    end_line = machine_line()

    lp = min(r["seconds"] for r in results.get("lakepack", [{"seconds": 0}])) or None
    lines = [
        f"Ray Data, {args.files} CSV files, {in_bytes / 1e6:.0f} MB ({in_rows} rows) on the S3 "
        f"server -> snappy Parquet files of {args.limit} ({limit} bytes), num_cpus=2.",
        f"Start: {start_line}", f"End:   {end_line}", "",
        "| case | wall s (best; all) | job s | time / lakepack's | driver peak RSS (MiB) | "
        "Ray tree peak RSS (MiB) | files | files but the last within ±2% | worst deviation | "
        "rows ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for case in cases:
        runs = results[case]
        best = min(runs, key=lambda r: r["seconds"])
        ratio = f"{best['seconds'] / lp:.2f}" if lp else "-"
        walls = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        rows_ok = "yes" if best["rows"] == in_rows else f"NO ({best['rows']})"
        lines.append(
            f"| {case} | {best['seconds']:.1f} ({walls}) | {best['job_seconds']:.1f} | {ratio} | "
            f"{best['rss'] / 2**20:.0f} | {best['tree_rss'] / 2**20:.0f} | {best['files']} | "
            f"{best['within']} of {best['body']} | {best['worst_pct']:.1f}% | {rows_ok} |")
    for case in cases:
        for r in results[case]:
            if "pack_seconds" in r:
                lines.append(f"\n{case}: of its job seconds, the driver's pack of the staged "
                             f"files took {r['pack_seconds']:.1f} s (run of {r['seconds']:.1f} s).")
    text = "\n".join(lines)
    print(text)
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", f"ray-{args.size}-{args.limit}.md"), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
