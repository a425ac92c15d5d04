#!/usr/bin/env python3
"""Foundation benchmarks: lakepack convert / cp against their peers, on the same data, in one run.

  .venv/bin/python bench/bench_foundation.py [--size 1GiB] [--only convert|cp] [--out bench/results]
      [--baseline PATH/TO/OLD/lakepack] [--tools lakepack,baseline]

Conversions (on local disk): csv -> parquet (snappy), parquet -> csv, jsonl -> parquet, each by
  lakepack convert, pyarrow streaming (csv.open_csv / json.open_json / ParquetFile.iter_batches
  with ParquetWriter / CSVWriter) and DuckDB COPY ... TO.
Transfers (against the local S3 server from scripts/s3-server.sh): one object of --size, upload
  and download, lakepack cp vs aws s3 cp.

--baseline adds another lakepack binary (an older commit's build) beside the current one, so a
refactor's before and after run in one run, alternating; --tools keeps only the named tools.

Every command runs as its own process under /usr/bin/time, which gives wall seconds and peak RSS.
The input is made once by `lakepack generate --seed 1` and kept in bench/data/.  Results go to
stdout as a Markdown table (and to --out as a .md file): times, peak RSS and ratios to lakepack.
"""
import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys

from benchlib import CLI, ROOT, machine_line, measure, parse_size, py


def with_baseline(cases, baseline):
    """Beside each `lakepack` run, the same command with the baseline binary (its own output)."""
    if not baseline:
        return cases
    for _, runs in cases:
        for tool, cmd in list(runs):
            if tool == "lakepack":
                old = [baseline] + [os.path.join(os.path.dirname(a), "bl-" + os.path.basename(a))
                                    if "/out/" in a else a for a in cmd[1:]]
                runs.insert(runs.index((tool, cmd)) + 1, ("baseline", old))
    return cases


def convert_cases(data, csv, jsonl, parquet):
    out = os.path.join(data, "out")
    o = lambda name: os.path.join(out, name)
    return [
        ("csv -> parquet (snappy)", [
            ("lakepack", [CLI, "convert", csv, o("lp.parquet"), "--compression", "snappy", "--quiet"]),
            ("pyarrow", py(f"""
                import pyarrow.csv as c, pyarrow.parquet as pq
                r = c.open_csv({csv!r})
                with pq.ParquetWriter({o('pa.parquet')!r}, r.schema, compression='snappy') as w:
                    for b in r: w.write_batch(b)""")),
            ("duckdb", py(f"""
                import duckdb
                duckdb.sql("COPY (SELECT * FROM read_csv('{csv}')) TO '{o('dd.parquet')}' (FORMAT parquet, COMPRESSION snappy)")""")),
        ]),
        ("parquet -> csv", [
            ("lakepack", [CLI, "convert", parquet, o("lp.csv"), "--quiet"]),
            ("pyarrow", py(f"""
                import pyarrow.csv as c, pyarrow.parquet as pq
                f = pq.ParquetFile({parquet!r})
                with c.CSVWriter({o('pa.csv')!r}, f.schema_arrow) as w:
                    for b in f.iter_batches(): w.write_batch(b)""")),
            ("duckdb", py(f"""
                import duckdb
                duckdb.sql("COPY (SELECT * FROM read_parquet('{parquet}')) TO '{o('dd.csv')}' (FORMAT csv, HEADER)")""")),
        ]),
        ("jsonl -> parquet (snappy)", [
            ("lakepack", [CLI, "convert", jsonl, o("lpj.parquet"), "--compression", "snappy", "--quiet"]),
            ("pyarrow", py(f"""
                import pyarrow.json as j, pyarrow.parquet as pq
                r = j.open_json({jsonl!r})
                with pq.ParquetWriter({o('paj.parquet')!r}, r.schema, compression='snappy') as w:
                    for b in r: w.write_batch(b)""")),
            ("duckdb", py(f"""
                import duckdb
                duckdb.sql("COPY (SELECT * FROM read_json('{jsonl}', format='newline_delimited')) TO '{o('ddj.parquet')}' (FORMAT parquet, COMPRESSION snappy)")""")),
        ]),
    ], out


def cp_cases(data, size, floor=False):
    env = os.environ.copy()
    endpoint = env.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise RuntimeError("no AWS_ENDPOINT_URL: start the server with scripts/s3-server.sh start and source its env")
    bucket = env.get("LAKEPACK_TEST_BUCKET", "lakepack-test")
    src = os.path.join(data, f"blob-{size}.bin")
    if not os.path.exists(src) or os.path.getsize(src) != size:
        with open(src, "wb") as f:
            remaining = size
            while remaining:
                n = min(remaining, 64 << 20)
                f.write(os.urandom(n))
                remaining -= n
    aws = shutil.which("aws")
    if not aws:
        raise RuntimeError("aws-cli not found on PATH")
    k = f"s3://{bucket}/bench/blob.bin"
    dl = os.path.join(data, "out", "blob-down.bin")
    cases = [
        ("upload 1 object", [
            ("lakepack", [CLI, "cp", "--quiet", src, k + ".lp"]),
            ("aws-cli", [aws, "s3", "cp", "--quiet", "--endpoint-url", endpoint, src, k + ".aws"]),
        ]),
        ("download 1 object", [
            ("lakepack", [CLI, "cp", "--quiet", k + ".lp", dl + ".lp"]),
            ("aws-cli", [aws, "s3", "cp", "--quiet", "--endpoint-url", endpoint, k + ".aws", dl + ".aws"]),
        ]),
    ]
    if floor:
        # What the server alone allows: 8 curl processes move the object's 8 eighths at once,
        # unsigned payloads, nothing written to disk.  No client can beat this by much.
        url = f"{endpoint}/{bucket}/bench/blob.bin"
        part = (size + 7) // 8
        sign = (f'--aws-sigv4 "aws:amz:{env.get("AWS_DEFAULT_REGION", "us-east-1")}:s3" '
                f'--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD"')
        down = " ".join(
            f'curl -sf {sign} -H "Range: bytes={i * part}-{min(size, (i + 1) * part) - 1}" -o /dev/null {url}.lp &'
            for i in range(8))
        pieces = os.path.join(data, "out", "floor-part")
        up = " ".join(
            f'curl -sf {sign} -T {pieces}.{i} {url}.floor{i} &' for i in range(8))
        wait_all = "for p in $(jobs -p); do wait $p || exit 1; done"
        split = f"split -n 8 -d -a 1 {src} {pieces}."
        cases[0][1].append(("server floor (8 curl PUTs)", ["bash", "-c", f"{up} {wait_all}"]))
        cases[1][1].append(("server floor (8 curl GETs)", ["bash", "-c", f"{down} {wait_all}"]))
        subprocess.run(["bash", "-c", split], check=True)
    return cases, env, src


def run_group(title, runs, env=None, check=None, repeat=1):
    """Runs every tool `repeat` times, alternating the order between rounds (so no tool always
    runs first on a cold machine); keeps each tool's best wall time, its CPU seconds in that run,
    and its largest peak RSS."""
    best = {tool: None for tool, _ in runs}
    for r in range(repeat):
        order = runs if r % 2 == 0 else list(reversed(runs))
        for tool, cmd in order:
            m = measure(cmd, env)
            print(f"  {title:28s} {tool:9s} {m['seconds']:8.2f} s  cpu {m['cpu']:6.2f} s  "
                  f"{m['rss'] / 2**20:8.0f} MiB", file=sys.stderr, flush=True)
            b = best[tool]
            if b is None:
                best[tool] = dict(m, all=[m["seconds"]])
            else:
                b["all"].append(m["seconds"])
                b["rss"] = max(b["rss"], m["rss"])
                if m["seconds"] < b["seconds"]:
                    b["seconds"], b["cpu"] = m["seconds"], m["cpu"]
        if check:
            check()
    base = best[runs[0][0]]["seconds"]
    return [(title, tool, b["seconds"], b["cpu"], b["rss"], b["seconds"] / base if base else 0,
             b["all"]) for tool, b in best.items()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1GiB")
    ap.add_argument("--only", choices=["convert", "cp"])
    ap.add_argument("--repeat", type=int, default=1, help="runs per tool (best kept)")
    ap.add_argument("--floor", action="store_true",
                    help="cp: also time 8 plain curl transfers, what the server alone allows")
    ap.add_argument("--cases", default="", help="comma-separated substrings of case titles to run")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "results"))
    ap.add_argument("--baseline", default="", help="another lakepack binary to run beside this one")
    ap.add_argument("--tools", default="", help="comma-separated tools to keep (default: all)")
    args = ap.parse_args()
    size = parse_size(args.size)

    def wanted(title):
        return not args.cases or any(c and c in title for c in args.cases.split(","))

    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(os.path.join(data, "out"), exist_ok=True)
    results = []
    if args.only in (None, "convert"):
        csv = os.path.join(data, f"gen-{size}.csv")
        jsonl = os.path.join(data, f"gen-{size}.jsonl")
        parquet = os.path.join(data, f"gen-{size}.parquet")
        if not os.path.exists(csv):
            subprocess.run([CLI, "generate", csv, "--size", str(size), "--seed", "1", "--quiet"], check=True)
        if not os.path.exists(parquet):
            subprocess.run([CLI, "convert", csv, parquet, "--quiet"], check=True)
        if not os.path.exists(jsonl):
            subprocess.run([CLI, "convert", csv, jsonl, "--quiet"], check=True)
        cases, out = convert_cases(data, csv, jsonl, parquet)
        for title, runs in with_baseline(cases, args.baseline):
            if args.tools:
                runs = [r for r in runs if r[0] in args.tools.split(",")]
            if wanted(title):
                results += run_group(title, runs, repeat=args.repeat)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out, exist_ok=True)
    if args.only in (None, "cp"):
        cases, env, src = cp_cases(data, size, args.floor)
        for title, runs in with_baseline(cases, args.baseline):
            if args.tools:
                runs = [r for r in runs if r[0] in args.tools.split(",")]
            if wanted(title):
                results += run_group(title, runs, env, repeat=args.repeat)
        for name in ("blob-down.bin.lp", "blob-down.bin.aws", "bl-blob-down.bin.lp"):
            dl = os.path.join(data, "out", name)
            if os.path.exists(dl):
                same = subprocess.run(["cmp", src, dl]).returncode == 0
                print(f"  download {name} byte-identical: {same}", file=sys.stderr)
                if not same:
                    sys.exit(1)
                os.remove(dl)
        for i in range(8):
            piece = os.path.join(data, "out", f"floor-part.{i}")
            if os.path.exists(piece):
                os.remove(piece)

    lines = [f"Run {datetime.datetime.now().isoformat(timespec='seconds')} on {platform.node()} "
             f"({os.cpu_count()} cores), input {args.size}, best of {args.repeat}.", "",
             machine_line(), "",
             "| case | tool | seconds (best; all) | CPU s (user+sys) | peak RSS (MiB) | time / lakepack's |",
             "|---|---|---:|---:|---:|---:|"]
    for title, tool, secs, cpu, rss, ratio, all_ in results:
        runs = ", ".join(f"{x:.2f}" for x in all_)
        lines.append(f"| {title} | {tool} | {secs:.2f} ({runs}) | {cpu:.2f} | {rss / 2**20:.0f} | {ratio:.2f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"foundation-{args.only or 'all'}.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
