"""Snapshot to lake: a generated `orders` snapshot (100 Parquet files, 2 M rows by default)
into a hive lake partitioned by year/month of order_time (and by year only, where the 128 MB
target matters), lakepack vs polars `sink_parquet` partitioned, DuckDB `COPY … PARTITION_BY` with
`FILE_SIZE_BYTES`, pyarrow `write_dataset`, and dbsnaplake 0.3.2 (on moto S3 + DynamoDB).

    .venv/bin/python bench/bench_lake.py [--rows 2000000] [--files 100] [--s3] \
        [--dbsnaplake-python PATH]   # a Python with dbsnaplake==0.3.2 and moto[server]

Each tool runs as its own process under GNU time (wall seconds, peak RSS).  For every tool the
output is read back: rows (and distinct order_id) against the snapshot's, file sizes against the
target (all but the last file of a partition; the smallest last file).
"""
import argparse
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

DATA = os.path.join(benchlib.ROOT, "bench", "data", "lake")
TARGET = 128_000_000


def generate(rows, files):
    d = os.path.join(DATA, f"orders2-{rows}-{files}")
    if os.path.exists(os.path.join(d, "done")):
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "snapshot"))
    code = f"""
        import numpy as np, pyarrow as pa, pyarrow.parquet as pq
        rng = np.random.default_rng(1)
        rows, files = {rows}, {files}
        per = rows // files
        start = np.datetime64('2021-01-01T00:00:00', 's').astype('int64')
        words = np.array(['pending', 'paid', 'shipped', 'delivered', 'returned'])
        for f in range(files):
            n = per if f < files - 1 else rows - per * (files - 1)
            base = f * per
            t = pa.table({{
                'order_id': pa.array([f'order-{{i:09d}}' for i in range(base, base + n)]),
                'order_time': pa.array(start + rng.integers(0, 365 * 86400, n), pa.timestamp('s')),
                'customer_id': rng.integers(0, 1_000_000, n),
                'amount': np.round(rng.random(n) * 1000, 2),
                'status': pa.array(words[rng.integers(0, 5, n)]),
                'note': pa.array([f'note-{{x:016x}}{{y:016x}}' for x, y in zip(rng.integers(0, 2**62, n), rng.integers(0, 2**62, n))]),
                'sku': pa.array([f'sku-{{x:012x}}' for x in rng.integers(0, 2**46, n)]),
            }})
            pq.write_table(t, '{d}/snapshot/part-%03d.parquet' % f, compression='snappy')
    """
    subprocess.run(benchlib.py(code), check=True)
    open(os.path.join(d, "done"), "w").close()
    return d


def check(out_dir, rows, by_year_only):
    """Rows, distinct ids, files and size accuracy of the Parquet files under out_dir."""
    code = f"""
        import glob, json, os, collections, pyarrow.parquet as pq, pyarrow.compute as pc, pyarrow as pa
        files = [p for p in glob.glob('{out_dir}/**/*.parquet', recursive=True) if '/_lakepack/' not in p]
        parts = collections.defaultdict(list)
        total = 0
        ids = []
        for p in sorted(files):
            parts[os.path.dirname(p)].append(os.path.getsize(p))
            total += pq.ParquetFile(p).metadata.num_rows
            ids.append(pq.read_table(p, columns=['order_id']).column(0))
        distinct = len(pc.unique(pa.chunked_array([c for a in ids for c in a.chunks])))
        inner = [s for v in parts.values() for s in v[:-1] if len(v) > 1]
        sizes = sorted(s for v in parts.values() for s in v)
        print(json.dumps({{'rows': total, 'distinct': distinct, 'files': len(files),
                          'partitions': len(parts), 'max_dev': max((abs(s / {TARGET} - 1) for s in inner), default=None),
                          'largest': sizes[-1] if sizes else 0, 'smallest': sizes[0] if sizes else 0}}))
    """
    out = subprocess.run(benchlib.py(code), check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def tools(snap, out, by_year_only, target, ray=False):
    keys_lp = '["year(order_time)"]' if by_year_only else '["year(order_time)", "month(order_time)"]'
    pl_keys = '["year"]' if by_year_only else '["year", "month"]'
    sql_keys = "year" if by_year_only else "year, month"
    def lakepack(one_pass, executor="local"):
        ray_init = "import ray; ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)" \
            if executor == "ray" else ""
        return f"""
            from lakepack import dbsnaplake
            {ray_init}
            dbsnaplake.build_snapshot_manifest('{snap}', '{out}/staging/manifests/manifest-summary.json',
                                               '{out}/staging/manifests/manifest-data.parquet')
            r = dbsnaplake.Project(s3uri_db_snapshot_manifest_summary='{out}/staging/manifests/manifest-summary.json',
                s3uri_staging='{out}/staging/', s3uri_datalake='{out}/lake/',
                target_db_snapshot_file_group_size=100_000_000, partition_keys={keys_lp},
                target_parquet_file_size={target}, one_pass={one_pass}).run(executor='{executor}')
            assert r.after_total_n_record == r.before_total_n_record
            print('LAKEPACK', r.mode, r.staged_bytes, r.rewritten_bytes)
        """
    return {
        "lakepack one-pass": lakepack(True),
        "lakepack staged": lakepack(False),
        **({"lakepack staged on Ray (2 CPUs)": lakepack(False, "ray")} if ray else {}),
        "polars sink_parquet": f"""
            import polars as pl
            lf = pl.scan_parquet('{snap}/*.parquet').with_columns(
                pl.col('order_time').dt.year().alias('year'), pl.col('order_time').dt.month().alias('month'))
            lf.sink_parquet(pl.PartitionBy('{out}/lake', key={pl_keys}, include_key=False), mkdir=True)
        """,
        "duckdb COPY": f"""
            import duckdb
            c = duckdb.connect(); c.execute("SET threads=2")
            c.execute(\"\"\"COPY (SELECT *, year(order_time) AS year, month(order_time) AS month
                         FROM read_parquet('{snap}/*.parquet')) TO '{out}/lake'
                         (FORMAT parquet, PARTITION_BY ({sql_keys}), FILE_SIZE_BYTES {target})\"\"\")
        """,
        "pyarrow write_dataset": f"""
            import pyarrow.dataset as ds, pyarrow.compute as pc, pyarrow as pa
            src = ds.dataset('{snap}', format='parquet')
            def batches():
                for b in src.to_batches():
                    t = b.column(b.schema.get_field_index('order_time'))
                    cols = dict(zip(b.schema.names, b.columns))
                    cols['year'] = pc.year(t); cols['month'] = pc.month(t)
                    yield pa.RecordBatch.from_pydict(cols)
            schema = src.schema.append(pa.field('year', pa.int64())).append(pa.field('month', pa.int64()))
            ds.write_dataset(batches(), '{out}/lake', schema=schema, format='parquet',
                             partitioning={pl_keys}, partitioning_flavor='hive')
        """,
    }


DBSNAPLAKE = """
import io, os, sys, boto3, polars as pl
os.environ.update(AWS_ACCESS_KEY_ID='testing', AWS_SECRET_ACCESS_KEY='testing', AWS_DEFAULT_REGION='us-east-1')
endpoint = sys.argv[1]; snap_prefix = sys.argv[2]; year_only = sys.argv[3] == '1'; target = int(sys.argv[4])
s3 = boto3.client('s3', endpoint_url=endpoint)
import dbsnaplake.api as dsl
import pynamodb_mate.api as pm
from pynamodb.connection import Connection
class P(dsl.Project):
    def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
        dfs = []
        for f in db_snapshot_file_group_manifest_file.data_file_list:
            b, k = f['uri'][5:].split('/', 1)
            dfs.append(pl.read_parquet(io.BytesIO(s3.get_object(Bucket=b, Key=k)['Body'].read())))
        df = pl.concat(dfs)
        cols = [pl.col('order_time').dt.year().cast(pl.Utf8).alias('year')]
        if not year_only:
            cols.append(pl.col('order_time').dt.strftime('%m').alias('month'))
        return df.with_columns(cols)
p = P(s3_client=s3, s3uri_db_snapshot_manifest_summary=f's3://bench/{snap_prefix}/manifest-summary.json',
      s3uri_staging='s3://bench/dsl/staging/', s3uri_datalake='s3://bench/dsl/lake/',
      target_db_snapshot_file_group_size=20_000_000, partition_keys=['year'] if year_only else ['year', 'month'],
      create_datalake=True, sort_by=[], descending=False, target_parquet_file_size=target,
      polars_writer=None, gzip_compression=False, count_column=None, tracker_table_name='tracker',
      aws_region='us-east-1', use_case_id='bench')
for M in [p.task_model_step_0_prepare_db_snapshot_manifest, p.task_model_step_1_1_plan_snapshot_to_staging,
          p.task_model_step_1_2_process_db_snapshot_file_group_manifest_file,
          p.task_model_step_2_1_plan_staging_to_datalake,
          p.task_model_step_2_2_process_partition_file_group_manifest_file]:
    M.Meta.host = endpoint; M._connection = None
    if not M.exists(): M.create_table(wait=True)
p.step_1_1_plan_snapshot_to_staging(); p.step_1_2_process_db_snapshot_file_group_manifest_file()
p.step_2_1_plan_staging_to_datalake(); p.step_2_2_process_partition_file_group_manifest_file()
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_dbsnaplake(python, snap, rows, year_only, target):
    """dbsnaplake 0.3.2 against a moto server (S3 + DynamoDB); returns (measure, check)."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([os.path.join(os.path.dirname(python), "moto_server"), "-H", "127.0.0.1",
                               "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        setup = f"""
            import os, io, glob, boto3, polars as pl
            os.environ.update(AWS_ACCESS_KEY_ID='testing', AWS_SECRET_ACCESS_KEY='testing', AWS_DEFAULT_REGION='us-east-1')
            s3 = boto3.client('s3', endpoint_url='{endpoint}'); s3.create_bucket(Bucket='bench')
            from s3manifesto.api import ManifestFile
            files = []
            for p in sorted(glob.glob('{snap}/*.parquet')):
                k = 'snap/' + os.path.basename(p)
                r = s3.put_object(Bucket='bench', Key=k, Body=open(p, 'rb').read())
                files.append(dict(uri='s3://bench/' + k, etag=r['ETag'].strip('"'), size=os.path.getsize(p),
                                  n_record=pl.scan_parquet(p).select(pl.len()).collect().item()))
            ManifestFile.new(uri='s3://bench/snap/manifest-data.parquet', uri_summary='s3://bench/snap/manifest-summary.json',
                             data_file_list=files, calculate=True).write(s3)
        """
        subprocess.run(benchlib.py(setup, python), check=True)
        # lakepack against the same server, reading dbsnaplake's own snapshot manifest.
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID='testing',
                   AWS_SECRET_ACCESS_KEY='testing', AWS_REGION='us-east-1')
        code = tools('', 's3://bench/lp', year_only, target)['lakepack one-pass'].replace(
            "dbsnaplake.build_snapshot_manifest(", "(lambda *a: None)(").replace(
            "'s3://bench/lp/staging/manifests/manifest-summary.json',\n                s3uri_staging",
            "'s3://bench/snap/manifest-summary.json',\n                s3uri_staging")
        lp = benchlib.measure(benchlib.py(code), env=env, timeout=1800)
        lp_out = os.path.join(DATA, "out-lakepack-moto")
        shutil.rmtree(lp_out, ignore_errors=True)
        subprocess.run([benchlib.CLI, "cp", "--recursive", "s3://bench/lp/lake/", lp_out + "/"], check=True,
                       stdout=subprocess.DEVNULL, env=env)
        lp_check = check(lp_out, rows, year_only)
        m = benchlib.measure([python, "-c", DBSNAPLAKE, endpoint, "snap", "1" if year_only else "0", str(target)],
                             timeout=1800)
        # Download the lake to check it like the others.
        out = os.path.join(DATA, "out-dbsnaplake")
        shutil.rmtree(out, ignore_errors=True)
        dl = f"""
            import os, boto3
            os.environ.update(AWS_ACCESS_KEY_ID='testing', AWS_SECRET_ACCESS_KEY='testing', AWS_DEFAULT_REGION='us-east-1')
            s3 = boto3.client('s3', endpoint_url='{endpoint}')
            for page in s3.get_paginator('list_objects_v2').paginate(Bucket='bench', Prefix='dsl/lake/'):
                for o in page.get('Contents', []):
                    p = os.path.join('{out}', o['Key'][len('dsl/lake/'):]); os.makedirs(os.path.dirname(p), exist_ok=True)
                    s3.download_file('bench', o['Key'], p)
        """
        subprocess.run(benchlib.py(dl, python), check=True)
        return (lp, lp_check), (m, check(out, rows, year_only))
    finally:
        server.kill()
        server.wait()


def lakepack_s3(snap, rows, year_only, target):
    """lakepack on the radosgw S3 server (source /tmp/lakepack-s3/env first)."""
    bucket = os.environ.get("LAKEPACK_TEST_BUCKET", "lakepack-test")
    prefix = f"s3://{bucket}/bench-lake-{os.getpid()}-{int(time.time())}"
    subprocess.run([benchlib.CLI, "cp", "--recursive", snap + "/", prefix + "/snapshot/"], check=True,
                   stdout=subprocess.DEVNULL)
    results = []
    for name in ("lakepack one-pass", "lakepack staged"):
        run = f"{prefix}/{name.split()[1]}"
        code = tools(prefix + "/snapshot", run, year_only, target)[name]
        m = benchlib.measure(benchlib.py(code), timeout=1800)
        out = os.path.join(DATA, "out-lakepack-s3")
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([benchlib.CLI, "cp", "--recursive", run + "/lake/", out + "/"], check=True,
                       stdout=subprocess.DEVNULL)
        results.append((name + " (radosgw S3)", m, check(out, rows, year_only)))
    return results


def du(path):
    """Bytes of the files under path (0 when it does not exist)."""
    return sum(os.path.getsize(p) for p in glob.glob(path + "/**/*", recursive=True) if os.path.isfile(p))


def report(case, name, m, c, rows, staged=None):
    ok = "yes" if c["rows"] == rows and c["distinct"] == rows else f"NO ({c['rows']:,})"
    dev = "-" if c["max_dev"] is None else f"{100 * c['max_dev']:.1f}%"
    st = "-" if staged is None else f"{staged / 1e6:.0f}"
    print(f"| {case} | {name} | {m['seconds']:.2f} | {rows / m['seconds'] / 1e6:.2f} M | "
          f"{m['rss'] / 2**20:.0f} | {m['cpu']:.1f} | {c['files']} | {c['partitions']} | {ok} | {dev} | "
          f"{c['largest'] / 1e6:.1f} / {c['smallest'] / 1e6:.1f} | {st} |", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--s3", action="store_true", help="also lakepack on the radosgw server")
    ap.add_argument("--dbsnaplake-python", default=os.environ.get("DBSNAPLAKE_PYTHON"))
    ap.add_argument("--only", default="")
    ap.add_argument("--ray", action="store_true", help="also lakepack's staged steps as Ray tasks (local Ray, 2 CPUs)")
    args = ap.parse_args()
    d = generate(args.rows, args.files)
    snap = os.path.join(d, "snapshot")
    size = sum(os.path.getsize(p) for p in glob.glob(snap + "/*.parquet"))
    print(benchlib.machine_line())
    print(f"snapshot: {args.files} files, {args.rows:,} rows, {size / 1e6:.0f} MB; target {TARGET / 1e6:.0f} MB\n")
    print("| case | tool | seconds | rows/s | peak RSS MiB | CPU s | files | partitions | rows ok | max dev (inner files) | largest / smallest MB | staging MB written |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---|---:|---|---:|")
    for year_only in (False, True):
        case = "year" if year_only else "year/month"
        names = list(tools(snap, "", year_only, TARGET, args.ray))
        order = names if not year_only else list(reversed(names))  # alternate the order
        for name in order:
            if args.only and args.only not in name:
                continue
            out = os.path.join(DATA, "out-" + re.sub(r"[^a-z0-9]+", "-", name.lower()))
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(out)
            m = benchlib.measure(benchlib.py(tools(snap, out, year_only, TARGET, args.ray)[name]), timeout=1800)
            staged = du(out + "/staging/datalake")
            report(case, name, m, check(out + "/lake", args.rows, year_only), args.rows,
                   staged if name.startswith("lakepack") else None)
        if args.s3:
            for name, m, c in lakepack_s3(snap, args.rows, year_only, TARGET):
                report(case, name, m, c, args.rows)
        if args.dbsnaplake_python:
            (lm, lc), (m, c) = run_dbsnaplake(args.dbsnaplake_python, snap, args.rows, year_only, TARGET)
            report(case, "lakepack (moto S3)", lm, lc, args.rows)
            report(case, "dbsnaplake 0.3.2 (moto S3 + DynamoDB)", m, c, args.rows)
    print(f"\nload average after: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    commit = subprocess.run(["git", "-C", benchlib.ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(f"lakepack at commit {commit} (the installed package: pip install --no-build-isolation .)")


if __name__ == "__main__":
    main()
