"""lakepack.dbsnaplake: the reference's Project API on local disk and S3 (built-in readers, a
user read function returning polars, pandas or pyarrow, step by step, re-runs)."""
import datetime as dt

import pyarrow as pa
import pytest

import lakepack
from lakepack import dbsnaplake

N_FILES = 6
N_ROWS = 4000


def _snapshot(base):
    start = int(dt.datetime(2021, 1, 1).timestamp())
    for f in range(N_FILES):
        ids = [f"order-{f * N_ROWS + r}" for r in range(N_ROWS)]
        ts = [dt.datetime.fromtimestamp(start + ((f * N_ROWS + r) * 7919) % 31_536_000,
                                        tz=dt.timezone.utc).replace(tzinfo=None)
              for r in range(N_ROWS)]
        amount = [float((r * 31) % 1000) for r in range(N_ROWS)]
        table = pa.table({"order_id": ids, "order_time": pa.array(ts, pa.timestamp("s")),
                          "amount": amount})
        lakepack.write_batches(table, f"{base}/snapshot/{f}.parquet")
    return dbsnaplake.build_snapshot_manifest(f"{base}/snapshot",
                                              f"{base}/staging/manifests/manifest-summary.json",
                                              f"{base}/staging/manifests/manifest-data.parquet")


def _project(base, cls=dbsnaplake.Project, **kw):
    args = dict(
        s3_client=None,
        s3uri_db_snapshot_manifest_summary=f"{base}/staging/manifests/manifest-summary.json",
        s3uri_staging=f"{base}/staging/", s3uri_datalake=f"{base}/datalake/",
        target_db_snapshot_file_group_size=300_000,
        partition_keys=["year(order_time)", "month(order_time)"], create_datalake=True,
        sort_by=[], descending=False, target_parquet_file_size=30_000, polars_writer=None,
        gzip_compression=False, count_column=None, tracker_table_name="ignored",
        aws_region="us-east-1", use_case_id="test")
    args.update(kw)
    return cls(**args)


def test_run_with_builtin_readers(base):
    assert _snapshot(base) == N_FILES
    project = _project(base)
    result = project.run()
    assert result.before_total_n_record == N_FILES * N_ROWS
    assert result.after_total_n_record == N_FILES * N_ROWS
    assert result.n_partition == 12
    assert sorted(p.data["month"] for p in result.partitions)[:2] == ["01", "02"]
    assert sum(p.total_n_record for p in result.partitions) == N_FILES * N_ROWS
    assert result.commit.endswith("datalake/_lakepack/log-000000000000.json")
    status = project.status()
    assert status["committed"] is True
    # One machine: one streaming pass, nothing staged, every partition done.
    assert result.mode == "one-pass" and result.staged_bytes == 0 and status["mode"] == "one-pass"
    assert status["snapshot_to_staging"]["done"] == 0
    assert status["staging_to_datalake"]["done"] == status["staging_to_datalake"]["groups"] == 12
    lake = lakepack.open_store(f"{base}/datalake")
    assert not lakepack.open_store(f"{base}/staging").list("datalake/")
    assert len([o for o in lake.list("") if "/part-" in "/" + o["key"]]) == result.after_n_files
    # Run again: nothing redone, same commit.
    again = _project(base).run()
    assert again.commit == result.commit


class PolarsProject(dbsnaplake.Project):
    """The reference's way: the user reads the group and derives the partition columns."""

    def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
        import polars as pl
        frames = [pl.from_arrow(lakepack.read_batches(f["uri"]).read_all())
                  for f in db_snapshot_file_group_manifest_file.data_file_list]
        df = pl.concat(frames)
        return df.with_columns(pl.col("order_time").dt.year().cast(pl.Utf8).alias("year"),
                               pl.col("order_time").dt.strftime("%m").alias("month"))


class PandasProject(dbsnaplake.Project):
    def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
        import pandas as pd
        frames = [lakepack.read_batches(f["uri"]).read_all().to_pandas()
                  for f in db_snapshot_file_group_manifest_file.data_file_list]
        df = pd.concat(frames)
        df["region"] = df["amount"].astype(int) % 3
        return df


@pytest.mark.parametrize("cls,keys,partitions", [(PolarsProject, ["year", "month"], 12),
                                                 (PandasProject, ["region"], 3)])
def test_user_read_function_step_by_step(base, cls, keys, partitions):
    _snapshot(base)
    project = _project(base, cls=cls, partition_keys=keys, sort_by=["order_id"])
    plan = project.step_1_1_plan_snapshot_to_staging()
    assert plan["groups"] >= 2
    staged = project.step_1_2_process_db_snapshot_file_group_manifest_file()
    assert staged["processed"] == plan["groups"]
    assert staged["rows"] == N_FILES * N_ROWS
    project.step_2_1_plan_staging_to_datalake()
    compacted = project.step_2_2_process_partition_file_group_manifest_file()
    assert compacted["rows"] == N_FILES * N_ROWS
    result = project.step_3_1_validate_datalake()
    assert result.n_partition == partitions
    assert result.after_total_n_record == N_FILES * N_ROWS
    # Second pass over the steps: every group is done already.
    assert project.step_1_2_process_db_snapshot_file_group_manifest_file()["already_done"] == plan["groups"]


def test_dry_run_writes_nothing(tmp_path):
    base = str(tmp_path)
    _snapshot(base)
    before = sorted(p for p in tmp_path.rglob("*"))
    project = _project(base)
    plan = project.dry_run("plan")
    run = project.dry_run("run")
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert plan["plan"]["planned"] is False and plan["plan"]["snapshot_files"] == N_FILES
    assert run["path"] == "one-pass" and run["committed"] is False and run["would"]
    assert _project(base, one_pass=False).dry_run("run")["path"] == "staged"
    project.run()
    assert project.dry_run("run")["would"] == []


def test_local_lake_reads_back_exactly(tmp_path):
    base = str(tmp_path)
    _snapshot(base)
    result = _project(base).run()
    import pyarrow.dataset as ds
    lake = ds.dataset(f"{base}/datalake", format="parquet", partitioning="hive",
                      exclude_invalid_files=True,
                      ignore_prefixes=["_lakepack"]).to_table()
    assert lake.num_rows == N_FILES * N_ROWS
    assert len(set(lake.column("order_id").to_pylist())) == N_FILES * N_ROWS
    assert result.after_n_files == len(list((tmp_path / "datalake").rglob("part-*.parquet")))


def test_bad_user_function_names_the_group(tmp_path):
    base = str(tmp_path)
    _snapshot(base)

    class Broken(dbsnaplake.Project):
        def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
            raise RuntimeError("boom")

    with pytest.raises(lakepack.LakepackError, match=r"group \d+: batch_read_snapshot_data_file raised: RuntimeError: boom"):
        _project(base, cls=Broken).run()
    # Nothing was marked done: a fixed function finishes the job.
    assert _project(base, cls=PolarsProject, partition_keys=["year", "month"]).run().after_total_n_record == N_FILES * N_ROWS
