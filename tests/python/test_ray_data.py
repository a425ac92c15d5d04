"""lakepack.ray on a local Ray (2 CPUs): the datasource (csv / jsonl / parquet, local and the S3
server) and PackSink (exact sizes, exact rows, one commit, nothing visible after a failed or
killed task, no duplicates on a re-run)."""
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

if os.environ.get("CI") or os.environ.get("LAKEPACK_REQUIRE_RAY") == "1":
    import ray  # noqa: F401 -- in CI Ray must be there (requirements-dev.txt pins it)
else:
    ray = pytest.importorskip("ray")

import lakepack
import lakepack.ray as lray
from lakepack.ray._datasource import plan_tasks

LIMIT = 400_000  # bytes per output file: small, so a few MB of data make several files




def _ids(table):
    return sorted(table.column("id").to_pylist())


def _make_inputs(base):
    """Three CSV, one JSON Lines and one Parquet file (ids 0..N-1 each) plus files the reader
    must skip; returns {format: [ids...]}."""
    rows = {"csv": 0, "jsonl": 0, "parquet": 0}
    for i, (fmt, n) in enumerate([("csv", 3000), ("csv", 2500), ("csv", 2000), ("jsonl", 1500),
                                  ("parquet", 4000)]):
        lakepack.generate(f"{base}/in/d{i % 2}/part{i}.{fmt}", rows=n, seed=i)
        rows[fmt] += n
    store = lakepack.open_store(base)
    store.put("in/_lakepack/skip.csv", b"id\n1\n")
    store.put("in/.hidden.csv", b"id\n1\n")
    store.put("in/README.txt", b"not data")
    return rows


def _output_files(base, table="t"):
    """(name, size) of the table's data files, in N order (pack's state dir excluded)."""
    try:
        entries = lakepack.open_store(f"{base}/{table}").list("", recursive=True)
    except lakepack.NotFound:
        return []
    files = [(e["key"], e["size"]) for e in entries
             if not e.get("prefix") and not e["key"].startswith("_lakepack/")]
    return sorted(files, key=lambda f: int(f[0].rsplit("_", 1)[1].split(".", 1)[0]))


def _staging(base):
    try:
        return lakepack.open_store(f"{base}/{lray._sink.STAGING_DIR}").list("", recursive=True)
    except lakepack.NotFound:
        return []


def _read_table(base, files):
    return pa.concat_tables(
        [lakepack.read_batches(f"{base}/t/{name}").read_all() for name, _ in files])


def test_plan_tasks_groups_by_bytes():
    files = [{"uri": str(i), "size": s} for i, s in enumerate([10, 10, 10, 50, 5, 5, 30])]
    groups = plan_tasks(files, 25)
    assert [[f["uri"] for f in g] for g in groups] == [["0", "1"], ["2"], ["3"], ["4", "5"],
                                                         ["6"]]
    assert plan_tasks([], 10) == []


def test_without_ray_the_import_error_names_the_extra():
    code = "import sys; sys.modules['ray'] = None\nimport lakepack\nimport lakepack.ray"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode != 0
    assert "ImportError" in p.stderr and "pip install 'lakepack[ray]'" in p.stderr
    # lakepack itself does not need Ray.
    p = subprocess.run([sys.executable, "-c", "import sys; sys.modules['ray'] = None\n"
                        "import lakepack; print(lakepack.__version__)"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def _materialize(ds):
    return pa.concat_tables(ray.get(ds.to_arrow_refs()))


def test_read_csv_jsonl_parquet(local_ray, base):
    rows = _make_inputs(base)
    # Rows exact: the ids of every file (0..n-1 each) come through once.
    got = _materialize(lray.read(base + "/in").select_columns(["id", "phone"]))
    expected = []
    for n in (3000, 2500, 2000, 1500, 4000):
        expected += list(range(n))
    assert got.num_rows == sum(rows.values()) and _ids(got) == sorted(expected)
    # lakepack's CSV inference: "+1-731-..." phone numbers stay text.
    assert pa.types.is_string(got.schema.field("phone").type)
    # What is read: one format of a prefix, a named file, a list; hidden names skipped.
    names = lambda files: sorted(f["uri"].rsplit("/in/", 1)[1] for f in files)  # noqa: E731
    assert names(lray.list_inputs(base + "/in")) == [
        "d0/part0.csv", "d0/part2.csv", "d0/part4.parquet", "d1/part1.csv", "d1/part3.jsonl"]
    assert names(lray.list_inputs(base + "/in", format="csv")) == [
        "d0/part0.csv", "d0/part2.csv", "d1/part1.csv"]
    assert names(lray.list_inputs([base + "/in/d1/part3.jsonl", base + "/in/d0/"])) == [
        "d0/part0.csv", "d0/part2.csv", "d0/part4.parquet", "d1/part3.jsonl"]
    with pytest.raises(lakepack.NotFound, match="no parquet file"):
        lray.read(base + "/in/d1", format="parquet")
    with pytest.raises(lakepack.InvalidArgument, match="unknown format"):
        lray.read(base + "/in", format="xml")


def test_read_tasks_are_sized_by_bytes(base):
    _make_inputs(base)
    files = lray.list_inputs(base + "/in")
    assert len(files) == 5 and all(f["size"] > 0 for f in files)
    sizes = {f["uri"].rsplit("/", 1)[1]: f["size"] for f in files}
    src = lray.LakepackDatasource(files, task_bytes=max(sizes.values()) + 1)
    tasks = src.get_read_tasks(parallelism=2)
    assert sum(t.metadata.size_bytes for t in tasks) == sum(sizes.values())
    assert all(t.metadata.size_bytes <= max(sizes.values()) + 1 or len(t.metadata.input_files)
               == 1 for t in tasks)
    assert len(lray.LakepackDatasource(files).get_read_tasks(parallelism=1)) == 1
    assert len(lray.LakepackDatasource(files).get_read_tasks(parallelism=100)) == 5


def _dataset(n_blocks=6, rows_per_block=4000):
    """A dataset of n_blocks blocks with distinct ids 0..n-1 (generated in the driver)."""
    t = lakepack.DataGenerator(seed=3).generate_table(n_blocks * rows_per_block)
    return ray.data.from_arrow([t.slice(i * rows_per_block, rows_per_block)
                                for i in range(n_blocks)]), t


def _check_sizes(files, limit=LIMIT):
    assert len(files) >= 3, files
    for name, size in files[:-1]:
        assert abs(size - limit) <= 0.02 * limit, (name, size)
    assert files[-1][1] <= limit * 1.02


def test_pack_sink_from_lakepack_source_partition_and_csv(local_ray, base):
    rows = _make_inputs(base)
    sink = lray.PackSink(base + "/out", "t", file_limit="100kB", force=True, partition={"year": "2026"},
                         format="csv", job_id="csv-job")
    lray.read(base + "/in", format="csv", task_bytes=200_000).write_datasink(sink)
    store = lakepack.open_store(base + "/out/t/year=2026")
    files = sorted((e["key"], e["size"]) for e in store.list("", recursive=False)
                   if not e.get("prefix"))
    assert files and all(n.startswith("t_") and n.endswith(".csv") for n, _ in files)
    files.sort(key=lambda f: int(f[0][2:-4]))
    _check_sizes(files, 100_000)
    got = pa.concat_tables([lakepack.read_batches(f"{base}/out/t/year=2026/{n}").read_all()
                            for n, _ in files])
    assert got.num_rows == rows["csv"]
    assert _ids(got) == sorted(list(range(3000)) + list(range(2500)) + list(range(2000)))
    assert _staging(base + "/out") == []


class Boom(Exception):
    pass


def fail_on_block_with(bad_id):
    def fn(batch):
        if bad_id in batch["id"].to_pylist():
            raise Boom(f"row {bad_id}")
        return batch
    return fn


class CountingSink(lray.PackSink):
    """A PackSink that notes, in the driver, how many objects were staged when the job failed."""

    def on_write_failed(self, error):
        self.staged_at_failure = len(_staging(self.output_base))
        super().on_write_failed(error)


def test_failed_write_leaves_nothing_and_a_rerun_writes_once(local_ray, base):
    ds, t = _dataset()
    # write_bytes=None: one write task per block, fused with the map, so the tasks of the other
    # blocks stage theirs while the one of the 5th block raises.
    sink = CountingSink(base, "t", file_limit=LIMIT, force=True, job_id="job-1", write_bytes=None)
    failing = ds.map_batches(fail_on_block_with(4 * 4000 + 7), batch_format="pyarrow",
                             batch_size=None)
    with pytest.raises(Exception, match="row 16007"):
        failing.write_datasink(sink)
    assert sink.staged_at_failure > 0
    assert _output_files(base) == []
    assert _staging(base) == []
    # The re-run (a new sink object, the same job id) writes everything once, exactly sized.
    sink = lray.PackSink(base, "t", file_limit=LIMIT, force=True, job_id="job-1")
    ds.write_datasink(sink)
    files = _output_files(base)
    assert [n for n, _ in files] == [f"t_{i}.snappy.parquet" for i in range(len(files))]
    _check_sizes(files)
    out = _read_table(base, files)
    assert out.num_rows == t.num_rows and _ids(out) == _ids(t)
    assert sink.report["rows"] == t.num_rows and not sink.report["skipped"]
    # ... and running the committed job again writes nothing.
    again = lray.PackSink(base, "t", file_limit=LIMIT, force=True, job_id="job-1")
    ds.write_datasink(again)
    assert again.report["skipped"] and again.is_committed()
    assert _output_files(base) == files
    assert _staging(base) == []
    # Another job id appends (fills the latest file first): the check above is not vacuous.
    other = lray.PackSink(base, "t", file_limit=LIMIT, force=True, job_id="job-2")
    ds.write_datasink(other)
    files2 = _output_files(base)
    assert _read_table(base, files2).num_rows == 2 * t.num_rows
    _check_sizes(files2)


class DyingSink(lray.PackSink):
    """A PackSink whose first write task stages its blocks, then kills its worker (os._exit)
    before it returns, the first time only (a marker file notes how many files it staged)."""

    def __init__(self, *args, marker, **kwargs):
        super().__init__(*args, **kwargs)
        self.marker = marker

    def write(self, blocks, ctx):
        result = super().write(blocks, ctx)
        if ctx.task_idx == 0 and not os.path.exists(self.marker):
            with open(self.marker, "w") as f:
                f.write(str(len(result["files"])))
            os._exit(1)
        return result


def test_killed_task_is_retried_without_duplicates(local_ray, base, tmp_path):
    ds, t = _dataset(n_blocks=3)
    marker = str(tmp_path / "died")
    sink = DyingSink(base, "t", file_limit=LIMIT, force=True, marker=marker)
    ds.write_datasink(sink, ray_remote_args={"max_retries": 2})
    with open(marker) as f:
        assert int(f.read()) > 0  # the killed attempt had staged files, which were not packed
    files = _output_files(base)
    out = _read_table(base, files)
    assert out.num_rows == t.num_rows and _ids(out) == _ids(t)
    assert pc.count_distinct(out.column("id")).as_py() == t.num_rows
    _check_sizes(files)
    assert _staging(base) == []
