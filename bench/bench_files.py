#!/usr/bin/env python3
"""file_dataset's jobs vs bare parallel GETs, boto3 and (optionally) Ray on the same objects.

  source /tmp/lakepack-s3/env
  .venv/bin/python bench/bench_files.py [--sets small,large] [--stores local,s3] [--repeat 2]

Sets: small = 2,000 objects of 64 KiB; large = 200 objects of 8 MiB.  Stores: local disk
(bench/data/files-*, read back from the page cache) and the S3 server of $AWS_ENDPOINT_URL
(bucket $LAKEPACK_TEST_BUCKET, prefix bench-files/).  Each measurement is its own process under
/usr/bin/time (peak RSS); the figure is the timed core of the job (imports and set-up apart).
Runs alternate in order between repeats.  What runs:

- lakepack blob table: ``file_dataset.reader(df).into_blob_table()`` (pyarrow Table in memory).
- floor: S3, one ``curl --parallel --parallel-max 32`` process of signed GETs into /dev/null;
  local, a 16-thread pool of ``open().read()``.
- boto3: a 16-thread pool of ``get_object().read()`` (S3 only).
- pipeline: ``file_dataset.Pipeline`` with a copy function (GET -> copy -> PUT per row), into a
  fresh prefix, small set only: rows/s.
- RSS: peak RSS minus the blob bytes minus the RSS of the same imports doing nothing.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import machine_line  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable
SETS = {"small": (2000, 64 << 10), "large": (200, 8 << 20)}


def run(code, env=None, timeout=900):
    """Runs Python `code` under /usr/bin/time: its JSON result line plus rss (bytes)."""
    full = ["/usr/bin/time", "-f", "LPBENCH %e %M %U %S", PY, "-c", textwrap.dedent(code)]
    p = subprocess.run(full, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"benchmark step failed:\n{p.stdout[-2000:]}{p.stderr[-3000:]}")
    res = json.loads([l for l in p.stdout.splitlines() if l.startswith("{")][-1])
    line = [l for l in p.stderr.splitlines() if l.startswith("LPBENCH ")][-1]
    res["rss"] = int(line.split()[2]) * 1024
    res["cpu"] = float(line.split()[3]) + float(line.split()[4])
    return res


def run_cmd(cmd, env=None):
    full = ["/usr/bin/time", "-f", "LPBENCH %e %M %U %S"] + cmd
    p = subprocess.run(full, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{p.stdout[-2000:]}{p.stderr[-2000:]}")
    line = [l for l in p.stderr.splitlines() if l.startswith("LPBENCH ")][-1]
    f = line.split()
    return {"seconds": float(f[1]), "rss": int(f[2]) * 1024, "cpu": float(f[3]) + float(f[4])}


def make_local(name, n, size):
    d = os.path.join(ROOT, "bench", "data", f"files-{name}")
    if not (os.path.isdir(d) and len(os.listdir(d)) == n):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        block = os.urandom(size)
        for i in range(n):
            with open(os.path.join(d, f"{i:05d}.bin"), "wb") as f:
                f.write(block[i % 97:] + block[:i % 97])
    return [os.path.join(d, f"{i:05d}.bin") for i in range(n)]


def make_s3(name, n, size):
    import lakepack
    base = f"s3://{os.environ['LAKEPACK_TEST_BUCKET']}/bench-files/{name}"
    store = lakepack.open_store(base)
    have = {o["key"] for o in store.list("", recursive=True)}
    want = [f"{i:05d}.bin" for i in range(n)]
    missing = [k for k in want if k not in have]
    if missing:
        src = make_local(name, n, size)
        lakepack.copy(os.path.dirname(src[0]) + "/", base + "/", recursive=True)
    return [f"{base}/{k}" for k in want]


def blob_code(urls_file, jobs):
    return f"""
        import json, time
        import pandas as pd
        from lakepack import file_dataset as fd
        urls = open({urls_file!r}).read().split()
        df = pd.DataFrame({{"f.bin": urls, "id": [str(i) for i in range(len(urls))]}})
        t = time.perf_counter()
        table = fd.reader(df, options=fd.Options(parallel_rows={jobs})).into_blob_table()
        s = time.perf_counter() - t
        nbytes = sum(c.buffers()[2].size for c in table.column("f.bin").chunks)
        print(json.dumps({{"seconds": s, "files": table.num_rows, "bytes": nbytes}}))
    """


BASELINE = """
    import json
    import pandas as pd
    from lakepack import file_dataset as fd
    print(json.dumps({"seconds": 0}))
"""


def local_floor_code(urls_file):
    return f"""
        import json, time
        from concurrent.futures import ThreadPoolExecutor
        urls = open({urls_file!r}).read().split()
        def read(p):
            with open(p, "rb") as f:
                return f.read()
        t = time.perf_counter()
        with ThreadPoolExecutor(16) as ex:
            out = list(ex.map(read, urls))
        s = time.perf_counter() - t
        print(json.dumps({{"seconds": s, "files": len(out), "bytes": sum(map(len, out))}}))
    """


def boto3_code(urls_file):
    return f"""
        import json, os, time
        from concurrent.futures import ThreadPoolExecutor
        import boto3
        urls = open({urls_file!r}).read().split()
        s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
        def get(u):
            b, k = u[5:].split("/", 1)
            return s3.get_object(Bucket=b, Key=k)["Body"].read()
        t = time.perf_counter()
        with ThreadPoolExecutor(16) as ex:
            out = list(ex.map(get, urls))
        s = time.perf_counter() - t
        print(json.dumps({{"seconds": s, "files": len(out), "bytes": sum(map(len, out))}}))
    """


def pipeline_code(urls_file, into, jobs):
    return f"""
        import json, shutil, time
        import pandas as pd
        from lakepack import file_dataset as fd
        urls = open({urls_file!r}).read().split()
        df = pd.DataFrame({{"f.bin": urls, "id": [str(i) for i in range(len(urls))]}})
        def copy(input_dir, output_dir):
            shutil.copyfile(input_dir / "f.bin", output_dir / "g.bin")
            return {{"g.bin": output_dir / "g.bin"}}
        p = fd.Pipeline(copy, write_options={{"into_path": {into!r}}},
                        options=fd.Options(parallel_rows={jobs}))
        t = time.perf_counter()
        out = p(df)
        s = time.perf_counter() - t
        print(json.dumps({{"seconds": s, "files": len(out), "bytes": 0}}))
    """


def ray_pipeline_code(urls_file, into, jobs):
    return f"""
        import json, os, shutil, sys, time
        import pandas as pd
        sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})
        import ray
        from lakepack import file_dataset as fd
        from bench_files_fn import copy
        urls = open({urls_file!r}).read().split()
        df = pd.DataFrame({{"f.bin": urls, "id": [str(i) for i in range(len(urls))]}})
        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={{
            "env_vars": {{**{{k: v for k, v in os.environ.items() if k.startswith("AWS_")}},
                         "PYTHONPATH": {os.path.dirname(os.path.abspath(__file__))!r}}}}})
        start = time.perf_counter() - t0
        p = fd.Pipeline(copy, write_options={{"into_path": {into!r}}},
                        options=fd.Options(parallel_rows={jobs}))
        t = time.perf_counter()
        out = ray.data.from_pandas(df).map_batches(p, batch_format="pandas", batch_size=250,
                                                   concurrency=2).to_pandas()
        s = time.perf_counter() - t
        print(json.dumps({{"seconds": s, "files": len(out), "bytes": 0, "ray_start": start}}))
    """


def curl_floor(urls, tmp):
    """One curl process, 32 GETs at once, SigV4-signed, bodies into /dev/null."""
    endpoint = os.environ["AWS_ENDPOINT_URL"].rstrip("/")
    cfg = os.path.join(tmp, "curl.cfg")
    with open(cfg, "w") as f:
        for u in urls:
            f.write(f'url = "{endpoint}/{u[5:]}"\noutput = "/dev/null"\n')
    region = os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1"
    cmd = ["curl", "-sS", "--fail", "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
           "--parallel", "--parallel-max", "32", "--aws-sigv4",
           f"aws:amz:{region}:s3", "--user",
           f"{os.environ['AWS_ACCESS_KEY_ID']}:{os.environ['AWS_SECRET_ACCESS_KEY']}", "-K", cfg]
    r = run_cmd(cmd)
    return {"seconds": r["seconds"], "files": len(urls), "rss": r["rss"], "cpu": r["cpu"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="small,large")
    ap.add_argument("--stores", default="local,s3" if os.environ.get("AWS_ENDPOINT_URL") else "local")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=32)
    ap.add_argument("--ray", action="store_true",
                    help="also the Pipeline in Ray Data map_batches (2 workers), small set")
    args = ap.parse_args()
    print(machine_line())
    tmp = tempfile.mkdtemp(prefix="lakepack-bench-files-")
    base_rss = run(BASELINE)["rss"]
    print(f"baseline RSS (python + pandas + pyarrow + lakepack imported): {base_rss / 2**20:.0f} MiB")
    try:
        for store in args.stores.split(","):
            for name in args.sets.split(","):
                n, size = SETS[name]
                urls = make_local(name, n, size) if store == "local" else make_s3(name, n, size)
                urls_file = os.path.join(tmp, f"{store}-{name}.txt")
                with open(urls_file, "w") as f:
                    f.write("\n".join(urls))
                peers = {"lakepack blob table": lambda: run(blob_code(urls_file, args.jobs))}
                if store == "local":
                    peers["floor: 16 threads open().read()"] = lambda: run(local_floor_code(urls_file))
                else:
                    peers["floor: curl --parallel 32"] = lambda: curl_floor(urls, tmp)
                    peers["boto3 16 threads"] = lambda: run(boto3_code(urls_file))
                if name == "small":
                    def pipe(store=store):
                        into = (os.path.join(tmp, f"pipe-{time.time_ns()}") if store == "local" else
                                f"s3://{os.environ['LAKEPACK_TEST_BUCKET']}/bench-files/out-{time.time_ns()}")
                        return run(pipeline_code(urls_file, into, args.jobs))
                    peers["lakepack Pipeline (GET, copy, PUT)"] = pipe
                    if args.ray:
                        def ray_pipe(store=store):
                            into = (os.path.join(tmp, f"ray-{time.time_ns()}") if store == "local"
                                    else f"s3://{os.environ['LAKEPACK_TEST_BUCKET']}/bench-files/"
                                         f"ray-{time.time_ns()}")
                            return run(ray_pipeline_code(urls_file, into, args.jobs))
                        peers["Pipeline in Ray map_batches (2 workers)"] = ray_pipe
                results = {k: [] for k in peers}
                order = list(peers)
                for rep in range(args.repeat):
                    for k in (order if rep % 2 == 0 else order[::-1]):
                        results[k].append(peers[k]())
                print(f"\n{store}, {n} x {size >> 10} KiB ({n * size / 2**20:.0f} MiB), "
                      f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f}")
                best = {k: min(v, key=lambda r: r["seconds"]) for k, v in results.items()}
                ref = best["lakepack blob table"]["seconds"]
                for k, r in best.items():
                    rate = r["files"] / r["seconds"] if r["seconds"] else 0
                    unit = "rows/s" if "Pipeline" in k else "files/s"
                    extra = ""
                    if "ray_start" in r:
                        extra = f", ray.init {r['ray_start']:.1f} s apart"
                    if k == "lakepack blob table":
                        over = r["rss"] - base_rss - n * size
                        extra = f", RSS over N: {over / 2**20:+.0f} MiB"
                    print(f"  {k:40s} {r['seconds']:7.3f} s  {rate:9.0f} {unit}  "
                          f"{(n * size / r['seconds']) / 2**20:7.0f} MiB/s  x{r['seconds'] / ref:5.2f}  "
                          f"peak RSS {r['rss'] / 2**20:6.0f} MiB  CPU {r['cpu']:5.1f} s (process){extra}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
