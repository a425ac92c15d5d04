#!/usr/bin/env python3
"""The pack job driven from Python vs the CLI: does the binding add overhead on large inputs?

  .venv/bin/python bench/bench_python.py [--input bench/data/pack-2000000000] [--repeat 2]

Both sides run the same C++ (the installed package's own CLI binary and its extension module, from
one `pip install .`): `lakepack pack IN OUT table` against
`lakepack.S3DataPacker(IN, OUT, "table").pack_data()`, on local disk, 256 MB limit (the default),
each into a fresh output directory, alternating, each in its own process under /usr/bin/time.
The input is bench_pack.py's (4 generated CSV files); it is made here if missing.
"""
import argparse
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import machine_line, py, timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.dirname(sys.executable)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", default=os.path.join(ROOT, "bench", "data", "pack-2000000000"))
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    cli = shutil.which("lakepack", path=VENV_BIN)
    if not cli:
        sys.exit("no lakepack console script in this environment: pip install . first")
    table_dir = os.path.join(args.input, "table")
    if not os.path.isdir(table_dir):
        os.makedirs(table_dir)
        for i in range(4):
            subprocess.run([cli, "generate", os.path.join(table_dir, f"part-{i}.csv"),
                            "--size", "500MB", "--seed", str(i + 1), "--quiet"], check=True)
    in_bytes = sum(os.path.getsize(os.path.join(table_dir, f)) for f in os.listdir(table_dir))
    out = os.path.join(ROOT, "bench", "data", "out-python")
    runs = {"CLI": [], "Python": []}
    for _ in range(args.repeat):
        for tool in ("CLI", "Python"):
            shutil.rmtree(out, ignore_errors=True)
            if tool == "CLI":
                cmd = [cli, "pack", args.input, out, "table", "--quiet"]
            else:
                cmd = py(f"""
                    import lakepack
                    lakepack.S3DataPacker({args.input!r}, {out!r}, "table").pack_data()""")
            secs, rss = timed(cmd)
            files = sorted(os.listdir(os.path.join(out, "table")))
            runs[tool].append((secs, rss, len([f for f in files if f.endswith(".parquet")])))
            print(f"  {tool:7s} {secs:7.2f} s {rss / 2**20:6.0f} MiB", file=sys.stderr, flush=True)
    shutil.rmtree(out, ignore_errors=True)
    best_cli = min(s for s, _, _ in runs["CLI"])
    lines = [f"Run {machine_line()}; input {in_bytes:,} bytes of CSV in 4 files.", "",
             "| driver | seconds (best, all) | MB/s | peak RSS (MiB) | files | time / CLI's |",
             "|---|---:|---:|---:|---:|---:|"]
    for tool, rs in runs.items():
        best = min(s for s, _, _ in rs)
        lines.append(f"| {tool} | {best:.2f} ({', '.join(f'{s:.2f}' for s, _, _ in rs)}) | "
                     f"{in_bytes / 1e6 / best:.1f} | {max(r for _, r, _ in rs) / 2**20:.0f} | "
                     f"{rs[0][2]} | {best / best_cli:.2f} |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
