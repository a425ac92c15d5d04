"""The lakepack Python package: every public name, on local disk and (LAKEPACK_TEST_S3=1) S3.

Needs `pip install .` into the running interpreter (scripts/test.sh does it)."""
import ctypes
import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakepack
from conftest import S3_ENABLED


# ---- errors ------------------------------------------------------------------------------------

def test_exception_hierarchy():
    assert issubclass(lakepack.NotFound, FileNotFoundError)
    assert issubclass(lakepack.AlreadyExists, lakepack.Conflict)
    assert issubclass(lakepack.AlreadyExists, FileExistsError)
    assert issubclass(lakepack.InvalidData, ValueError)
    assert issubclass(lakepack.InvalidArgument, ValueError)
    assert issubclass(lakepack.PermissionDenied, PermissionError)
    assert issubclass(lakepack.Unavailable, ConnectionError)
    assert issubclass(lakepack.IOFailure, OSError)
    assert issubclass(lakepack.Unsupported, NotImplementedError)
    for cls in (lakepack.NotFound, lakepack.Conflict, lakepack.InvalidData, lakepack.Cancelled,
                lakepack.InvalidArgument, lakepack.PermissionDenied, lakepack.Unavailable):
        assert issubclass(cls, lakepack.LakepackError)


def test_errors_name_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n3,4\n5,6,7\n")
    with pytest.raises(lakepack.InvalidData) as e:
        lakepack.convert(str(bad), str(tmp_path / "out.parquet"))
    assert "bad.csv" in str(e.value) and "line 4" in str(e.value)
    assert not (tmp_path / "out.parquet").exists()  # nothing half-written
    with pytest.raises(lakepack.NotFound, match="missing.csv"):
        lakepack.inspect(str(tmp_path / "missing.csv"))
    with pytest.raises(lakepack.InvalidArgument, match="xyz"):
        lakepack.convert(str(bad), str(tmp_path / "out.xyz"))
    garbage = tmp_path / "g.parquet"
    garbage.write_bytes(b"not parquet at all" * 10)
    with pytest.raises(lakepack.InvalidData, match="g.parquet"):
        lakepack.read_batches(str(garbage)).read_all()


def test_unreachable_endpoint_is_unavailable():
    with pytest.raises(lakepack.Unavailable):
        lakepack.open_store("s3://no-bucket/x", endpoint_url="http://127.0.0.1:9",
                            max_retries=0).get("k")


def test_wrong_credentials_are_permission_denied(s3_base, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with pytest.raises(lakepack.PermissionDenied):
        lakepack.open_store(s3_base, max_retries=0).put("x", b"1")


# ---- stores ------------------------------------------------------------------------------------

def test_store_operations(base):
    s = lakepack.open_store(base)
    info = s.put("dir/a.txt", b"hello world")
    assert info["size"] == 11 and info["key"] == "dir/a.txt"
    assert s.get("dir/a.txt") == b"hello world"
    assert s.get_range("dir/a.txt", 6, 100) == b"world"
    assert s.head("dir/a.txt")["size"] == 11
    assert s.exists("dir/a.txt") and not s.exists("dir/nope")
    s.put_if_absent("dir/b.txt", b"first")
    with pytest.raises(lakepack.AlreadyExists):
        s.put_if_absent("dir/b.txt", b"second")
    assert s.get("dir/b.txt") == b"first"
    s.copy("dir/a.txt", "c.txt")
    assert [e["key"] for e in s.list()] == ["c.txt", "dir/a.txt", "dir/b.txt"]
    shallow = s.list(recursive=False)
    assert {"key": "dir/", "prefix": True} in shallow
    assert [e["key"] for e in s.list("dir/")] == ["dir/a.txt", "dir/b.txt"]
    s.delete(["dir/a.txt", "dir/never-existed"])
    s.delete("c.txt")
    assert [e["key"] for e in s.list()] == ["dir/b.txt"]
    with pytest.raises(lakepack.NotFound):
        s.get("dir/a.txt")
    assert s.uri_of("x").endswith("/x") and repr(s).startswith("lakepack.Store(")


def test_object_writer_commits_or_leaves_nothing(base):
    s = lakepack.open_store(base)
    with s.open_writer("big.bin", part_size=5 << 20) as w:
        for _ in range(3):
            w.write(b"x" * (4 << 20))
        w.write(memoryview(b"tail"))
        assert w.bytes_written == 3 * (4 << 20) + 4
    assert s.head("big.bin")["size"] == 3 * (4 << 20) + 4 and w.closed
    with pytest.raises(RuntimeError):
        with s.open_writer("half.bin") as w:
            w.write(b"partial")
            raise RuntimeError("boom")
    assert not s.exists("half.bin")
    w = s.open_writer("aborted.bin")
    w.write(b"1")
    w.abort()
    assert not s.exists("aborted.bin")


def test_store_and_options_pickle_without_credentials(base, monkeypatch):
    opts = lakepack.StoreOptions(region="us-east-1", max_retries=3)
    assert pickle.loads(pickle.dumps(opts)) == opts
    s = lakepack.open_store(base, options=opts)
    s.put("p.txt", b"pickled")
    blob = pickle.dumps(s)
    for secret in (os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_ACCESS_KEY_ID")):
        if secret:
            assert secret.encode() not in blob
    s2 = pickle.loads(blob)
    assert s2.uri == s.uri and s2.options == opts and s2.get("p.txt") == b"pickled"
    # Re-resolved in the new process, from its environment.
    code = ("import pickle,sys; s=pickle.loads(sys.stdin.buffer.read()); "
            "sys.stdout.write(s.get('p.txt').decode())")
    out = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True,
                         check=True)
    assert out.stdout == b"pickled"
    with pytest.raises(TypeError):
        lakepack.open_store(base, no_such_option=1)



def test_endpoint_userinfo_is_never_shown():
    """[CO-6] Neither the options' repr nor the error of opening a store shows a password."""
    opts = lakepack.StoreOptions(endpoint_url="http://alice:s3cr3t@127.0.0.1:9", ca_bundle="/x.pem")
    for r in (repr(opts), str(opts), repr(lakepack.file_dataset.Options(
            endpoint_url="http://alice:s3cr3t@127.0.0.1:9"))):
        assert "s3cr3t" not in r and "alice" not in r, r
        assert "http://***@127.0.0.1:9" in r, r
    assert "ca_bundle='/x.pem'" in repr(opts)
    with pytest.raises(lakepack.InvalidArgument) as e:
        lakepack.open_store("s3://lakepack-test/x", options=opts).exists("x")
    assert "s3cr3t" not in str(e.value) and "***@127.0.0.1:9" in str(e.value)
    # A missing CA bundle is named.
    with pytest.raises(lakepack.InvalidArgument, match="/no/such/ca.pem"):
        lakepack.open_store("s3://lakepack-test/x", ca_bundle="/no/such/ca.pem").exists("x")

# ---- Arrow streams -----------------------------------------------------------------------------

def _table(n=1000):
    return pa.table({"id": pa.array(range(n), pa.int64()),
                     "name": pa.array([f"n{i}" for i in range(n)]),
                     "score": pa.array([i / 3 for i in range(n)])})


def test_zero_copy_across_the_boundary():
    t = _table()
    batch_in = t.to_batches()[0]
    out = pa.RecordBatchReader.from_stream(lakepack.read_batches(t)).read_next_batch()
    assert out.equals(batch_in)
    for col_in, col_out in zip(batch_in.columns, out.columns):
        addr_in = [b.address for b in col_in.buffers() if b is not None]
        addr_out = [b.address for b in col_out.buffers() if b is not None]
        assert addr_in == addr_out


def test_stream_is_one_shot():
    s = lakepack.read_batches(_table())
    pa.table(s)
    assert s.consumed
    with pytest.raises(lakepack.InvalidArgument):
        s.__arrow_c_stream__()


def test_write_and_read_batches(base):
    t = _table(5000)
    for ext in ("parquet", "csv", "jsonl"):
        r = lakepack.write_batches(t, f"{base}/t.{ext}")
        assert r["rows"] == 5000 and r["format"] == ext and r["bytes"] > 0
        back = lakepack.read_batches(f"{base}/t.{ext}").read_all()
        assert back.equals(t), ext
    # RecordBatch, RecordBatchReader, polars and DuckDB as sources.
    lakepack.write_batches(t.to_batches()[0], f"{base}/rb.parquet")
    lakepack.write_batches(pa.RecordBatchReader.from_batches(t.schema, t.to_batches()),
                           f"{base}/rbr.parquet", compression="zstd")
    lakepack.write_batches(pl.from_arrow(t), f"{base}/pl.parquet")
    lakepack.write_batches(duckdb.sql("select 42::BIGINT as answer"), f"{base}/dd.parquet")
    assert lakepack.read_batches(f"{base}/rbr.parquet").read_all().equals(t)
    assert lakepack.inspect(f"{base}/rbr.parquet")["row_groups"][0]["columns"][0]["codec"] == "zstd"
    assert lakepack.read_batches(f"{base}/pl.parquet").read_all()["id"].to_pylist() == list(range(5000))
    assert lakepack.read_batches(f"{base}/dd.parquet").read_all().to_pylist() == [{"answer": 42}]
    with pytest.raises(lakepack.AlreadyExists):
        lakepack.write_batches(t, f"{base}/t.parquet", if_absent=True)
    with pytest.raises(TypeError):
        lakepack.write_batches([1, 2, 3], f"{base}/x.parquet")


def test_consumers_read_lakepack_streams(base):
    lakepack.generate(f"{base}/g.parquet", rows=3000, seed=5)
    assert pl.DataFrame(lakepack.read_batches(f"{base}/g.parquet")).height == 3000
    # DuckDB reads an Arrow source more than once (schema, then data): give it a reader.
    rel = duckdb.from_arrow(lakepack.read_batches(f"{base}/g.parquet").to_reader())
    assert rel.aggregate("count(*)").fetchall()[0][0] == 3000
    batches = list(lakepack.read_batches(f"{base}/g.parquet", batch_rows=1000))
    assert [b.num_rows for b in batches] == [1000, 1000, 1000]


# ---- verbs ---------------------------------------------------------------------------------

def test_generate_convert_inspect_copy(base, tmp_path):
    g = lakepack.generate(f"{base}/src/people.csv", rows=20000, seed=7)
    assert g["rows"] == 20000 and g["format"] == "csv"
    c = lakepack.convert(f"{base}/src/people.csv", f"{base}/out/people.parquet",
                         compression="zstd", row_group_rows=5000)
    assert c["rows"] == 20000
    facts = lakepack.inspect(f"{base}/out/people.parquet")
    assert facts["rows"] == 20000 and len(facts["row_groups"]) == 4
    assert lakepack.inspect(f"{base}/src/people.csv")["rows"] == 20000
    sized = lakepack.generate(f"{base}/src/sized.parquet", size=3_000_000)
    assert sized["bytes"] >= 3_000_000
    # Same seed, same data, whatever the thread count.
    lakepack.generate(f"{base}/a.parquet", rows=70000, seed=3, threads=1)
    lakepack.generate(f"{base}/b.parquet", rows=70000, seed=3, threads=2)
    assert (lakepack.read_batches(f"{base}/a.parquet").read_all()
            .equals(lakepack.read_batches(f"{base}/b.parquet").read_all()))
    with pytest.raises(TypeError):
        lakepack.generate(f"{base}/x.csv", rows=1, size=1)
    # copy: one object into a "directory", and a recursive tree to local disk and back.
    one = lakepack.copy(f"{base}/out/people.parquet", f"{base}/copies/")
    assert one["objects"] == 1
    assert lakepack.inspect(f"{base}/copies/people.parquet")["rows"] == 20000
    tree = lakepack.copy(f"{base}/src", str(tmp_path / "tree"), recursive=True)
    assert tree["objects"] == 2
    assert sorted(os.listdir(tmp_path / "tree")) == ["people.csv", "sized.parquet"]
    with pytest.raises(lakepack.NotFound):
        lakepack.copy(f"{base}/nothing-here", f"{base}/x", recursive=True)
    with pytest.raises(lakepack.InvalidArgument):
        lakepack.copy(f"{base}/src/", f"{base}/x")


# ---- reference 002: DataGenerator, ParquetBlockWriter, S3Uploader ----------------------------

def test_data_generator_is_deterministic_and_blocks_add_up():
    g = lakepack.DataGenerator(seed=42)
    t = g.generate_table(100_000)
    assert t.num_rows == 100_000 and t.column_names[0] == "id"
    assert t.equals(lakepack.DataGenerator(seed=42).generate_table(100_000))
    assert not t.equals(lakepack.DataGenerator(seed=43).generate_table(100_000))
    blocks = list(g.generate_table_blocks(100_000, 30_000))
    assert [b.num_rows for b in blocks] == [30_000, 30_000, 30_000, 10_000]
    assert pa.concat_tables(blocks).combine_chunks().equals(t.combine_chunks())
    assert g.generate_batches(10).read_all().num_rows == 10
    with pytest.raises(ValueError):
        next(g.generate_table_blocks(10, 0))


def test_data_generator_dataframes():
    pd = pytest.importorskip("pandas")
    g = lakepack.DataGenerator(seed=1)
    df = g.generate_dataframe(1000)
    assert isinstance(df, pd.DataFrame) and len(df) == 1000
    sizes = [len(b) for b in g.generate_dataframe_blocks(total_records=2500, block_size=1000)]
    assert sizes == [1000, 1000, 500]


def test_parquet_block_writer(base):
    g = lakepack.DataGenerator(seed=9)
    with lakepack.ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(f"{base}/blocks.parquet", compression="snappy")
        for block in g.generate_table_blocks(50_000, 10_000):
            w.write_block(block)
        w.write_block(block.to_batches()[0])  # a RecordBatch too
        with pytest.raises(ValueError, match="block"):
            w.write_block(pa.table({"other": [1]}))
        stats = w.finish_writing()
    n = 50_000 + block.to_batches()[0].num_rows
    assert stats["total_rows"] == n and stats["total_blocks"] == 6
    assert stats["num_columns"] == 19 and stats["file_size_bytes"] > 0
    assert lakepack.inspect(f"{base}/blocks.parquet")["rows"] == n
    # Not finished: nothing visible.
    w = lakepack.PyArrowParquetBlockWriter()
    w.start_writing(f"{base}/unfinished.parquet")
    w.write_block(_table())
    w.close()
    assert not lakepack.open_store(base).exists("unfinished.parquet")
    with pytest.raises(RuntimeError):
        lakepack.ParquetBlockWriter().write_block(_table())


def test_parquet_block_writer_enforces_row_group_size(base):
    # The reference only logs block_size_mb; here every row group but the last is within 2% of it.
    g = lakepack.DataGenerator(seed=3)
    with lakepack.ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(f"{base}/sized.parquet", compression="zstd")
        for block in g.generate_table_blocks(120_000, 7_000):
            w.write_block(block)
        stats = w.finish_writing()
    assert stats["row_groups"] >= 4 and stats["total_rows"] == 120_000
    data = lakepack.open_store(base).get("sized.parquet")
    meta = pq.ParquetFile(pa.BufferReader(data)).metadata
    sizes = [sum(meta.row_group(i).column(c).total_compressed_size for c in range(meta.num_columns))
             for i in range(meta.num_row_groups)]
    assert sizes == stats["row_group_bytes"]
    for size in sizes[:-1]:
        assert abs(size - (1 << 20)) <= 0.02 * (1 << 20), sizes
    assert stats["file_size_bytes"] == len(data)


def test_parquet_block_writer_pandas(tmp_path):
    pd = pytest.importorskip("pandas")
    with lakepack.ParquetBlockWriter() as w:
        w.start_writing(str(tmp_path / "df.parquet"))
        w.write_block(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
        w.write_block(pd.DataFrame({"a": [3], "b": ["z"]}))
        assert w.finish_writing()["total_rows"] == 3
    assert pq.read_table(tmp_path / "df.parquet")["a"].to_pylist() == [1, 2, 3]


def test_s3_uploader(s3_base, tmp_path):
    bucket = os.environ["LAKEPACK_TEST_BUCKET"]
    up = lakepack.S3Uploader(bucket)
    assert up.create_bucket_if_not_exists() is False  # the test bucket exists
    fresh = lakepack.S3Uploader("lakepack-pytest-created")
    fresh.create_bucket_if_not_exists()
    assert fresh.create_bucket_if_not_exists() is False
    local = tmp_path / "up.bin"
    local.write_bytes(os.urandom(12 << 20))  # > one 8 MiB part: multipart
    prefix = s3_base.split("/", 3)[3]
    stats = up.upload_file(str(local), f"{prefix}/up.bin")
    assert stats["file_size_bytes"] == 12 << 20
    assert lakepack.open_store(s3_base).get("up.bin") == local.read_bytes()
    with pytest.raises(lakepack.NotFound):
        up.upload_file(str(tmp_path / "missing.bin"), f"{prefix}/m.bin")


# ---- reference 000: the three README examples through the compat API ------------------------

def _land(base, table, files):
    for name, rows in files.items():
        lakepack.generate(f"{base}/land/{table}/{name}", rows=rows, seed=len(name))


def _sizes(base, table, sub=""):
    st = lakepack.open_store(f"{base}/db/{table}/{sub}".rstrip("/"))
    return {e["key"]: e["size"] for e in st.list(recursive=False) if not e.get("prefix")}


LIMIT_GB = 0.0004  # 400 kB: small files that show the packing


def test_readme_example_1_pack_csv_to_snappy_parquet(base):
    _land(base, "table", {"table_data_final_NEW_1969.csv": 8000, "table_data_new.csv": 4000})
    packer = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "table",
                                   file_limit_gigabytes=LIMIT_GB)
    assert packer._data_to_add()
    assert len(packer.input_store.get_files_from_table_log()) == 2
    report = packer.pack_data()
    sizes = _sizes(base, "table")
    names = sorted(sizes, key=lakepack.S3OutputStore._get_filenum_from_filename)
    assert names == [f"table_{i}.snappy.parquet" for i in range(len(names))] and len(names) >= 2
    # Parquet files are cut within 2% of the limit (pack/rolling_writer.h).
    assert all(abs(sizes[n] - 400_000) <= 8_000 for n in names[:-1])
    assert sizes[names[-1]] <= 408_000
    assert report["rows"] == 12000
    out = lakepack.S3OutputStore(f"{base}/db", "table", file_limit_gigabytes=LIMIT_GB)
    assert out.filenum == len(names) - 1 and out.latest_file == names[-1]
    assert out._get_filename() == names[-1]
    assert out._get_filename(full_path=True).endswith(f"/db/table/{names[-1]}")
    assert out.get_files_from_table_log(full_path=True)[0].startswith(base)
    # Idempotent: nothing new to pack.
    again = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "table",
                                  file_limit_gigabytes=LIMIT_GB).pack_data()
    assert again["files"] == [] and _sizes(base, "table") == sizes


def test_readme_example_2_existing_output_is_filled_first(base):
    _land(base, "table", {"table_data_new.csv": 6000})
    lakepack.generate(f"{base}/db/table/table_0.snappy.parquet", rows=500, seed=1)
    existing_rows = lakepack.inspect(f"{base}/db/table/table_0.snappy.parquet")["rows"]
    out = lakepack.S3OutputStore(f"{base}/db", "table", file_limit_gigabytes=LIMIT_GB)
    assert out._should_append_data() and out.filenum == 0
    report = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "table",
                                   file_limit_gigabytes=LIMIT_GB).pack_data()
    assert report["rewrote_latest"]
    sizes = _sizes(base, "table")
    assert abs(sizes["table_0.snappy.parquet"] - 400_000) <= 8_000
    total = sum(lakepack.inspect(f"{base}/db/table/{n}")["rows"] for n in sizes)
    assert total == existing_rows + 6000


def test_readme_example_3_partitions(base):
    _land(base, "table", {"table_data_new.csv": 3000})
    part = {"some_value": "1649-01-30"}
    lakepack.generate(f"{base}/db/table/some_value=1649-01-30/table_0.snappy.parquet", rows=100)
    packer = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "table",
                                   output_partition=part, file_limit_gigabytes=LIMIT_GB)
    assert packer.output_store.partition == part and packer.output_store.filenum == 0
    packer.pack_data()
    sizes = _sizes(base, "table", "some_value=1649-01-30")
    assert "table_0.snappy.parquet" in sizes and sum(
        lakepack.inspect(f"{base}/db/table/some_value=1649-01-30/{n}")["rows"]
        for n in sizes) == 3100
    # A new partition value makes a new partition.
    lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "table", output_suffix="sfx",
                          output_partition={"some_value": "2024-01-01"}).pack_data()
    assert list(_sizes(base, "table", "some_value=2024-01-01")) == ["table_sfx_0.snappy.parquet"]


def test_table_store_properties_and_pack_function(base):
    _land(base, "t", {"k=1/a.csv": 10, "k=2/b.csv": 10})
    ts = lakepack.S3TableStore(f"{base}/land", partition_name="k")
    assert ts.table_log == {}
    ts.table_name = "t"  # setting it lists the table
    assert ts.get_files_from_table_log() == ["k=1/a.csv", "k=2/b.csv"]
    assert ts.partition_values == ["1", "2"]
    assert len(lakepack.S3TableStore(f"{base}/land", "t", table_extension="csv")
               .get_files_from_table_log()) == 2
    assert lakepack.S3TableStore(f"{base}/land", "t", table_extension="parquet") \
        .get_files_from_table_log() == []
    assert ts._get_table_basepath() == f"{base}/land/t/"
    os_ = lakepack.S3OutputStore(f"{base}/db", "t", table_suffix="x")
    assert os_.table_extension == "snappy.parquet" and os_.filenum == 0
    assert os_._get_latest_file_by_suffix(["t_x_2.csv", "t_x_10.csv"]) == "t_x_10.csv"
    assert os_._get_latest_file_by_suffix(["t_x_2.csv", "t_x_10.csv"], maxim=False) == "t_x_2.csv"
    with pytest.raises(lakepack.InvalidArgument):
        os_._get_filenum_from_filename("no_number.csv")
    plan = lakepack.pack(f"{base}/land", f"{base}/db", "t", dry_run=True, in_ext="csv",
                         input_partition_name="k")
    assert plan["dry_run"] and plan["files"] == [] and plan["plan"]
    r = lakepack.pack(f"{base}/land", f"{base}/db", "t", out_ext="jsonl")
    assert r["rows"] == 20 and r["files"][0]["uri"].endswith("/db/t/t_0.jsonl")
    packer = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "t", output_file_ext="csv",
                                   metadata={"columns": [{"name": "id", "type": "int64"}]})
    with pytest.raises(lakepack.LakepackError):
        packer.pack_data()  # the schema does not match the inputs' columns
    with pytest.raises(lakepack.InvalidArgument):
        lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "t", metadata=42).pack_data()


# ---- the process: one Arrow, the CLI, the GIL, Ctrl-C --------------------------------------

def test_one_arrow_in_the_process():
    lakepack.DataGenerator().generate_table(10)
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "libarrow.so" in line}
    assert len(libs) == 1, libs
    # realpath: .venv may be a symbolic link (the maps name the resolved file).
    assert (os.path.dirname(os.path.realpath(next(iter(libs))))
            == os.path.dirname(os.path.realpath(pa.__file__)))


def test_console_script_runs_the_bundled_cli(tmp_path):
    from lakepack import _cli
    assert os.access(_cli.cli_path(), os.X_OK)
    exe = os.path.join(os.path.dirname(sys.executable), "lakepack")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "lakepack" in out.stdout.lower()
    out = subprocess.run([exe, "generate", str(tmp_path / "x.csv"), "--rows", "10", "--quiet"])
    assert out.returncode == 0 and (tmp_path / "x.csv").read_text().count("\n") == 11
    assert subprocess.run([exe, "nope"], capture_output=True).returncode == 2


def test_long_calls_release_the_gil(tmp_path):
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        start = time.perf_counter()
        lakepack.generate(str(tmp_path / "gil.csv"), rows=400_000)
        elapsed = time.perf_counter() - start
    finally:
        done.set()
        t.join()
    # The ticker ran during the call (it could not while the GIL was held).
    assert elapsed > 0.05 and len(ticks) > 10


def test_ctrl_c_cancels_and_leaves_no_output(tmp_path):
    out = tmp_path / "interrupted.parquet"
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        lakepack.generate(str(out), rows=500_000_000)
    assert time.perf_counter() - start < 30
    assert not out.exists()
    assert [p for p in os.listdir(tmp_path)] == []  # no temp file either


def test_help_is_useful():
    for name in lakepack.__all__:
        obj = getattr(lakepack, name)
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name
    stubs = os.path.join(os.path.dirname(lakepack.__file__), "__init__.pyi")
    assert os.path.exists(stubs)
    text = open(stubs).read()
    for name in lakepack.__all__:
        assert name in text, name


def test_another_pyarrow_major_is_one_clear_import_error(tmp_path):
    # A stand-in pyarrow 27 first on sys.path: importing lakepack names both versions (not a
    # loader error about libarrow.so.2600).
    fake = tmp_path / "pyarrow"
    fake.mkdir()
    (fake / "__init__.py").write_text("__version__ = '27.0.0'\n")
    code = "import lakepack"
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=str(tmp_path))
    assert out.returncode != 0
    assert "ImportError" in out.stderr, out.stderr
    assert "pyarrow 26.x" in out.stderr and "pyarrow 27.0.0 is installed" in out.stderr, out.stderr


def test_pyproject_pins_the_arrow_major_the_package_checks():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "pyproject.toml")) as f:
        text = f.read()
    major = lakepack._ARROW_MAJOR
    assert f'dependencies = ["pyarrow>={major},<{major + 1}"]' in text
    assert f'"pyarrow=={major}.' in text  # the build's pin
