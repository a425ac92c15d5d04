"""SleeperClient: the seed's API examples, input kinds, bad rows, the batch writer, ingest,
writers in several processes, and the files read identically by DuckDB, polars and pyarrow."""
import multiprocessing as mp
import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakepack
from lakepack import SleeperClient

KV = {"rowKeyFields": [{"name": "key", "type": "StringType"}],
      "valueFields": [{"name": "value", "type": "StringType"}]}
SYSTEM_TEST = {"rowKeyFields": [{"name": "key", "type": "StringType"}],
               "sortKeyFields": [{"name": "timestamp", "type": "LongType"}],
               "valueFields": [{"name": "value", "type": "StringType"},
                               {"name": "nullable_value", "type": "StringType"}]}


def test_seed_examples(base):
    s = SleeperClient(base)
    s.create_table("my_table", KV)
    records = [{"key": "my_key", "value": "my_value"}, {"key": "my_key2", "value": "my_value2"}]
    s.write_single_batch("my_table", records)
    s.write_single_batch("my_table", [{"key": "akey", "value": "first_key"},
                                      {"key": "b1", "value": "second_key"},
                                      {"key": "b2", "value": "third_key"},
                                      {"key": "c", "value": "fourth"}])
    assert s.exact_key_query("my_table", {"key": ["akey", "anotherkey", "yetanotherkey"]}) == \
        [[("key", "akey"), ("value", "first_key")]]
    assert s.exact_key_query("my_table", [{"key": "akey"}, {"key": "anotherkey"},
                                          {"key": "yetanotherkey"}]) == \
        [[("key", "akey"), ("value", "first_key")]]
    assert s.range_key_query("my_table", [{"key": ["a", True, "c", False]}]) == [
        [("key", "akey"), ("value", "first_key")], [("key", "b1"), ("value", "second_key")],
        [("key", "b2"), ("value", "third_key")]]
    # Default bounds: min inclusive, max exclusive; the 4-form flips them.
    assert len(s.range_key_query("my_table", [{"key": ["b1", "c"]}])) == 2
    assert len(s.range_key_query("my_table", [{"key": ["b1", False, "c", True]}])) == 2
    assert len(s.range_key_query("my_table", [{"key": ["b1", True, "c", True]}])) == 3
    t = s.exact_key_query("my_table", {"key": ["my_key"]}, as_arrow=True)
    assert isinstance(t, pa.Table) and t.column("value").to_pylist() == ["my_value"]
    assert s.list_tables() == ["my_table"]
    s.drop_table("my_table")
    assert s.list_tables() == []


def test_name_resolved_through_env(tmp_path, monkeypatch):
    monkeypatch.setenv("LAKEPACK_SORTED_ROOT", str(tmp_path))
    s = SleeperClient("my_sleeper_instance")
    s.create_table("t", KV, split_points=["m"])
    s.write_single_batch("t", [{"key": "a", "value": "1"}, {"key": "z", "value": "2"}])
    assert (tmp_path / "my_sleeper_instance" / "t" / "log").is_dir()
    d = s.describe_table("t")
    assert d["rows"] == 2 and d["files"] == 2 and len(d["partitions"]) == 3


def test_inputs_pandas_polars_arrow_and_bad_rows(base):
    import pandas as pd
    import polars as pl
    s = SleeperClient(base)
    s.create_table("t", SYSTEM_TEST)
    s.write_single_batch("t", pd.DataFrame({"key": ["p"], "timestamp": [1], "value": ["a"],
                                            "nullable_value": [None]}))
    s.write_single_batch("t", pl.DataFrame({"key": ["q"], "timestamp": [2], "value": ["b"],
                                            "nullable_value": ["x"]}))
    s.write_single_batch("t", pa.table({"key": ["r"], "timestamp": [3], "value": ["c"],
                                        "nullable_value": ["y"]}))
    assert [r[0][1] for r in s.range_key_query("t", [{"key": [None, None]}])] == ["p", "q", "r"]
    with pytest.raises(lakepack.InvalidArgument, match=r"row 1.*'key'"):
        s.write_single_batch("t", [{"key": "ok", "timestamp": 1}, {"timestamp": 2}])
    with pytest.raises(lakepack.InvalidArgument, match=r"row 1, field 'timestamp'"):
        s.write_single_batch("t", [{"key": "a", "timestamp": 1}, {"key": "b", "timestamp": "x"}])
    assert s.describe_table("t")["rows"] == 3
    # A job id that committed makes a re-run a no-op.
    r1 = s.write_single_batch("t", [{"key": "j", "timestamp": 1}], job_id="job-7")
    r2 = s.write_single_batch("t", [{"key": "j", "timestamp": 1}], job_id="job-7")
    assert not r1["already_committed"] and r2["already_committed"]
    assert len(s.exact_key_query("t", {"key": ["j"]})) == 1


def test_batch_writer_commits_once_or_nothing(base):
    s = SleeperClient(base, buffer_bytes=1 << 20)
    s.create_table("t", SYSTEM_TEST, split_points=["k5"])
    with pytest.raises(RuntimeError):
        with s.create_batch_writer("t") as w:
            w.write([{"key": "x", "timestamp": 1}])
            raise RuntimeError("boom")
    assert s.describe_table("t")["rows"] == 0
    with s.create_batch_writer("t") as w:
        for part in range(4):
            w.write([{"key": f"k{i % 10}", "timestamp": part * 10000 + i, "value": "v" * 10}
                     for i in range(10000)])
    assert w.report["rows"] == 40000 and s.describe_table("t")["generation"] == 2
    rows = s.exact_key_query("t", {"key": ["k3"]}, as_arrow=True)
    assert rows.num_rows == 4000
    assert rows.column("timestamp").to_pylist() == sorted(rows.column("timestamp").to_pylist())


def _writer_process(root, n):
    s = SleeperClient(root)
    for i in range(5):
        s.write_single_batch("t", [{"key": f"p{n}-{i}", "value": str(i)}])


def test_writers_in_several_processes_lose_nothing(base):
    s = SleeperClient(base)
    s.create_table("t", KV)
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(base, n)) for n in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        assert p.exitcode == 0
    assert len(s.range_key_query("t", [{"key": [None, None]}])) == 20


def test_ingest_and_files_read_identically_by_duckdb_polars_pyarrow(tmp_path):
    import duckdb
    import polars as pl
    n = 5000
    src = pa.table({"key": [f"k{(i * 7907) % n:05d}" for i in range(n)],
                    "timestamp": pa.array(range(n), pa.int64()),
                    "value": [f"v{i}" for i in range(n)],
                    "nullable_value": [None if i % 5 == 0 else f"n{i}" for i in range(n)]})
    (tmp_path / "in").mkdir()
    pq.write_table(src.slice(0, 3000), tmp_path / "in" / "a.parquet")
    pq.write_table(src.slice(3000), tmp_path / "in" / "b.parquet")
    s = SleeperClient(str(tmp_path / "inst"))
    s.create_table("t", SYSTEM_TEST, split_points=["k02500"])
    r = s.ingest_parquet_files("t", [str(tmp_path / "in") + "/"], job_id="ing-1")
    assert r["rows"] == n and r["files"] == 2
    assert s.ingest_parquet_files("t", [str(tmp_path / "in") + "/"],
                                  job_id="ing-1")["already_committed"]
    ours = s.read_table("t")
    assert ours.num_rows == n
    for uri in r["file_uris"]:
        path = uri[len("file://"):]
        assert pq.read_schema(path).field("key").type == pa.string()  # plain, no string_view
        a = pq.read_table(path, filters=[("key", "=", "k01234")])
        d = duckdb.sql(f"select * from '{path}' where key = 'k01234'").arrow()
        if not isinstance(d, pa.Table):
            d = d.read_all()
        p = pl.read_parquet(path).filter(pl.col("key") == "k01234").to_arrow()
        q = s.exact_key_query("t", {"key": ["k01234"]}, as_arrow=True)
        for other in (d, p):
            assert other.num_rows == a.num_rows
            assert other.column("value").to_pylist() == a.column("value").to_pylist()
        if a.num_rows:
            assert q.column("value").to_pylist() == a.column("value").to_pylist()
        full = pq.read_table(path)
        keys = full.column("key").to_pylist()
        assert keys == sorted(keys)
    # Schema mismatch names the file and the column.
    pq.write_table(pa.table({"key": ["a"], "timestamp": ["x"]}), tmp_path / "bad.parquet")
    with pytest.raises(lakepack.InvalidArgument, match=r"bad\.parquet.*'timestamp'"):
        s.ingest_parquet_files("t", [str(tmp_path / "bad.parquet")])


def test_ingest_from_s3_bucket_key_form(s3_base):
    s = SleeperClient(s3_base + "/inst")
    s.create_table("t", KV)
    bucket = os.environ["LAKEPACK_TEST_BUCKET"]
    prefix = s3_base[len("s3://" + bucket) + 1:]
    buf = pa.BufferOutputStream()
    pq.write_table(pa.table({"key": ["b", "a"], "value": ["2", "1"]}), buf)
    lakepack.open_store(s3_base).put("src/x.parquet", buf.getvalue().to_pybytes())
    r = s.ingest_parquet_files_from_s3("t", [f"{bucket}/{prefix}/src/"])
    assert r["rows"] == 2
    assert s.exact_key_query("t", {"key": ["a"]}) == [[("key", "a"), ("value", "1")]]


def test_compact_and_collect_garbage(base):
    s = SleeperClient(base)
    s.create_table("c", SYSTEM_TEST, split_points=["m"])
    written = []
    for i in range(4):
        rows = [{"key": k, "timestamp": i, "value": f"v{i}", "nullable_value": None if j % 5 else "x"}
                for j, k in enumerate(["a", "q", "z", "a"])]
        s.write_single_batch("c", rows)
        written += rows
    before = s.read_table("c")
    assert s.describe_table("c")["files"] == 8  # 4 writes x 2 leaves
    plan = s.compact("c", dry_run=True)
    assert plan["dry_run"] and plan["planned"] == 2 and plan["committed"] == 0
    assert s.describe_table("c")["files"] == 8
    r = s.compact("c")
    assert r["committed"] == 2 and r["rows"] == 16 and r["files_out"] == 2
    assert [j["outcome"] for j in r["jobs"]] == ["committed", "committed"]
    after = s.read_table("c")
    assert after.equals(before)  # same rows, same order (equal keys in commit order)
    assert s.compact("c", major=True)["planned"] == 0  # one file per leaf already
    kept = s.collect_garbage("c")  # 10 min grace: the replaced files stay
    assert kept["deleted"] == [] and kept["kept_young"] == 8
    gone = s.collect_garbage("c", grace_seconds=0)
    assert len(gone["deleted"]) == 8 and gone["kept_young"] == 0
    assert s.read_table("c").equals(before)
    assert s.collect_garbage("c", grace_seconds=0)["deleted"] == []
    with pytest.raises(Exception, match="files per job"):
        s.compact("c", max_files=1)


def test_split_partitions_then_compact(base):
    s = SleeperClient(base)
    s.create_table("sp", SYSTEM_TEST)
    for i in range(4):  # four files of keys k{i}0..k{i}2
        s.write_single_batch("sp", [{"key": f"k{i}{j}", "timestamp": 0, "value": "v",
                                     "nullable_value": None} for j in range(3)])
    before = s.read_table("sp")
    assert s.split_partitions("sp")["planned"] == 0  # 12 rows: far below 1,000 M
    plan = s.split_partitions("sp", threshold=5, dry_run=True)
    assert plan["planned"] == 1 and plan["jobs"][0]["outcome"] == "planned"
    assert len(s.describe_table("sp")["partitions"]) == 1
    r = s.split_partitions("sp", threshold=5)
    assert r["committed"] == 1 and r["jobs"][0]["split"] == "k20"
    assert len(s.describe_table("sp")["partitions"]) == 3
    assert s.read_table("sp").equals(before)  # each row once while the files span both halves
    assert s.exact_key_query("sp", {"key": ["k20"]})[0][0] == ("key", "k20")
    s.compact("sp")  # the split leaf's files move into the children
    parts = {p["id"]: p for p in s.describe_table("sp")["partitions"]}
    assert parts["r"]["files"] == 0 and parts["r0"]["rows"] == 6 and parts["r1"]["rows"] == 6
    assert s.read_table("sp").equals(before)
    with pytest.raises(ValueError, match="threshold"):
        s.split_partitions("sp", threshold=0)
