"""dbsnaplake's Project on lakepack: ``from lakepack import dbsnaplake``.

A user of dbsnaplake changes only the import::

    from lakepack import dbsnaplake

    class MyProject(dbsnaplake.Project):
        def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
            return pl.concat([pl.read_parquet(f["uri"]) for f in
                              db_snapshot_file_group_manifest_file.data_file_list])

    project = MyProject(s3_client=None, s3uri_db_snapshot_manifest_summary="s3://b/snap/manifest-summary.json",
                        s3uri_staging="s3://b/staging/", s3uri_datalake="s3://b/datalake/",
                        target_db_snapshot_file_group_size=100_000_000,
                        partition_keys=["year(order_time)", "month(order_time)"],
                        create_datalake=True, sort_by=[], descending=False,
                        target_parquet_file_size=128_000_000, count_column=None,
                        tracker_table_name=None, aws_region=None, use_case_id=None)
    project.run()   # or the step methods one by one

Differences from the reference, all in the user's favour:

- No DynamoDB: every group's state (claimed with a lease, done) lives on the store under
  ``STAGING/manifests/_lakepack/``; a group whose worker died is redone, a done one never.
  ``s3_client``, ``tracker_table_name``, ``aws_region``, ``use_case_id``, ``polars_writer``,
  ``gzip_compression`` are accepted and ignored (an ``s3_client``'s endpoint is used when no
  ``store_options`` are given); ``connect_dynamodb`` does nothing.
- ``batch_read_snapshot_data_file`` is optional: without an override the snapshot files are read
  by lakepack (Parquet, CSV, JSON Lines by extension, or ``input_format``).  An override may
  return a polars or pandas DataFrame, a pyarrow Table / RecordBatchReader, or anything with
  ``__arrow_c_stream__`` (streams are read batch by batch).
- Partition keys may be expressions: ``year(col)``, ``month(col)``, ``day(col)``,
  ``bucket(n, col)``.  Lake files are ``target_parquet_file_size`` within 2%; validation checks
  exact rows and a key checksum per partition, then publishes the lake's file set as one commit
  record (``DATALAKE/_lakepack/log-000000000000.json``).
- Local paths work wherever URIs do.
- ``run()`` on one machine stages and compacts in one streaming pass (``one_pass=True``, the
  default, when there is no ``sort_by`` and nothing is staged yet): every row is written once,
  straight into the lake files.  ``run(executor="ray")`` spreads the staged steps over Ray
  (``pip install 'lakepack[ray]'``): the driver plans (steps 1.1, 2.1), one Ray task per snapshot
  file group (step 1.2) and one per partition group (step 2.2) run the C++ core with the GIL
  released, and the driver validates and commits (step 3.1).  Each task runs exactly what the
  local thread pool runs for a group; the group's claim on the store keeps it done once when Ray
  retries a task (a retried group whose worker died is redone, a done one is skipped).
- ``dry_run("plan" | "run")`` says what would be done and writes nothing.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, List, Optional, Union

from . import _lakepack
from .options import StoreOptions

__all__ = ["Project", "DBSnapshotFileGroupManifestFile", "ValidateDatalakeResult", "Partition",
           "build_snapshot_manifest"]


@dataclasses.dataclass
class DBSnapshotFileGroupManifestFile:
    """One snapshot file group, as the user's read function receives it."""

    uri: str
    uri_summary: str
    data_file_list: List[Dict[str, Any]]
    size: Optional[int] = None
    n_record: Optional[int] = None
    fingerprint: Optional[str] = None
    details: Dict[str, Any] = dataclasses.field(default_factory=dict)
    index: int = 0


@dataclasses.dataclass
class Partition:
    data: Dict[str, str]
    n_files: int
    total_size: int
    total_size_4_human: str
    total_n_record: Optional[int]
    checksum: str = ""


@dataclasses.dataclass
class ValidateDatalakeResult:
    before_n_files: int
    before_total_size: int
    before_total_size_4_human: str
    before_total_n_record: Optional[int]
    after_n_files: int
    after_total_size: int
    after_total_size_4_human: str
    after_total_n_record: Optional[int]
    n_partition: int
    partitions: List[Partition]
    commit: str = ""
    mode: str = ""            # "one-pass" or "staged": how the lake files were written
    staged_bytes: int = 0     # bytes of staging files (0 in one pass)
    rewritten_bytes: int = 0  # one pass: bytes written twice (short tails merged)


def _human(n: int) -> str:
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    v = float(n)
    for u in units:
        if v < 1000 or u == units[-1]:
            return f"{v:.2f} {u}"
        v /= 1000
    return f"{n} B"


def _partition_data(path: str) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for seg in filter(None, path.split("/")):
        k, _, v = seg.partition("=")
        out[k] = v
    return out


def _result(d: Dict[str, Any]) -> ValidateDatalakeResult:
    return ValidateDatalakeResult(
        before_n_files=d["before_n_files"], before_total_size=d["before_total_size"],
        before_total_size_4_human=_human(d["before_total_size"]),
        before_total_n_record=d["before_total_n_record"], after_n_files=d["after_n_files"],
        after_total_size=d["after_total_size"],
        after_total_size_4_human=_human(d["after_total_size"]),
        after_total_n_record=d["after_total_n_record"], n_partition=d["n_partition"],
        partitions=[Partition(data=_partition_data(p["partition"]), n_files=p["n_files"],
                              total_size=p["total_size"],
                              total_size_4_human=_human(p["total_size"]),
                              total_n_record=p["total_n_record"], checksum=p["checksum"])
                    for p in d["partitions"]],
        commit=d["commit"], mode=d.get("mode", ""), staged_bytes=d.get("staged_bytes", 0),
        rewritten_bytes=d.get("rewritten_bytes", 0))


def _to_stream(obj: Any) -> Any:
    """A polars / pandas frame, pyarrow table or anything with __arrow_c_stream__ as a stream."""
    if hasattr(obj, "__arrow_c_stream__"):
        return obj
    import pyarrow as pa
    if hasattr(obj, "to_arrow"):  # polars DataFrame / LazyFrame collected
        return obj.to_arrow()
    try:
        import pandas as pd
        if isinstance(obj, pd.DataFrame):
            return pa.Table.from_pandas(obj, preserve_index=False)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(obj, pa.RecordBatch):
        return pa.Table.from_batches([obj])
    raise TypeError("batch_read_snapshot_data_file must return a polars or pandas DataFrame, a "
                    f"pyarrow Table or RecordBatchReader, or an Arrow stream, not {type(obj).__name__}")


@dataclasses.dataclass
class Project:
    """dbsnaplake.Project: database snapshot to data lake, step by step or all at once (run())."""

    s3_client: Any = None
    s3uri_db_snapshot_manifest_summary: str = ""
    s3uri_staging: str = ""
    s3uri_datalake: str = ""
    target_db_snapshot_file_group_size: int = 100_000_000
    partition_keys: Optional[List[str]] = None
    create_datalake: bool = True
    sort_by: Optional[List[str]] = None
    descending: Union[bool, List[bool]] = False
    target_parquet_file_size: int = 128_000_000
    polars_writer: Any = None
    gzip_compression: bool = False
    count_column: Optional[str] = None
    tracker_table_name: Optional[str] = None
    aws_region: Optional[str] = None
    use_case_id: Optional[str] = None
    # lakepack's own options.
    key_columns: Optional[List[str]] = None
    input_format: str = ""
    parallel: int = 2
    store_options: Optional[StoreOptions] = None
    one_pass: bool = True

    def __post_init__(self) -> None:
        self._native_project = None

    # -- pickling (Ray tasks get the project, not its native handle or boto3 client) ---------
    def __getstate__(self) -> Dict[str, Any]:
        state = dict(self.__dict__)
        state["store_options"] = self._store_options()
        state["s3_client"] = None
        state["_native_project"] = None
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- the user's hook ---------------------------------------------------------------------
    def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file:
                                      DBSnapshotFileGroupManifestFile, **kwargs: Any) -> Any:
        """Override to read a group's files yourself (see the module docstring)."""
        raise NotImplementedError

    def _read_fn(self):
        if type(self).batch_read_snapshot_data_file is Project.batch_read_snapshot_data_file:
            return None  # not overridden: lakepack's readers

        def read(group: Dict[str, Any]) -> Any:
            g = DBSnapshotFileGroupManifestFile(
                uri=group["uri"], uri_summary=group["uri_summary"],
                data_file_list=group["data_file_list"], size=group["size"],
                n_record=group["n_record"], fingerprint=group["fingerprint"], index=group["index"])
            return _to_stream(self.batch_read_snapshot_data_file(
                db_snapshot_file_group_manifest_file=g))
        return read

    def _store_options(self) -> StoreOptions:
        so = self.store_options
        if so is None:
            endpoint = getattr(getattr(self.s3_client, "meta", None), "endpoint_url", None)
            so = StoreOptions(endpoint_url=endpoint) if endpoint and "amazonaws.com" not in endpoint else StoreOptions()
        return so

    @property
    def _native(self):
        if self._native_project is None:
            so = self._store_options()
            desc = self.descending
            desc_list = [bool(desc)] if isinstance(desc, bool) else [bool(d) for d in desc]
            keys = list(self.key_columns or [])
            if not keys and self.count_column:
                keys = [self.count_column]
            self._native_project = _lakepack.LakeProject(
                str(self.s3uri_db_snapshot_manifest_summary), str(self.s3uri_staging),
                str(self.s3uri_datalake), int(self.target_db_snapshot_file_group_size),
                list(self.partition_keys or []), bool(self.create_datalake),
                list(self.sort_by or []), desc_list, int(self.target_parquet_file_size), keys,
                self.input_format or "", int(self.parallel), bool(self.one_pass), so._native())
        return self._native_project

    def connect_dynamodb(self, bsm: Any = None) -> None:
        """Accepted for compatibility: lakepack keeps its state on the store, not in DynamoDB."""

    # -- the reference's steps ----------------------------------------------------------------
    def step_1_1_plan_snapshot_to_staging(self) -> Dict[str, Any]:
        return self._native.plan_snapshot()

    def step_1_2_process_db_snapshot_file_group_manifest_file(self) -> Dict[str, Any]:
        return self._native.stage(self._read_fn())

    def step_2_1_plan_staging_to_datalake(self) -> Dict[str, Any]:
        if self.create_datalake is False:
            raise ValueError("create_datalake is False")
        return self._native.plan_datalake()

    def step_2_2_process_partition_file_group_manifest_file(self) -> Dict[str, Any]:
        if self.create_datalake is False:
            raise ValueError("create_datalake is False")
        return self._native.compact()

    def step_3_1_validate_datalake(self) -> ValidateDatalakeResult:
        if self.create_datalake is False:
            raise ValueError("create_datalake is False")
        return _result(self._native.validate())

    def run(self, executor: str = "local", ray_remote_args: Optional[Dict[str, Any]] = None
            ) -> Optional[ValidateDatalakeResult]:
        """Every step in order; returns the validation result (None without create_datalake).

        ``executor="local"`` (the default): this process, ``parallel`` groups at once on
        lakepack's thread pool, or one streaming pass (see ``one_pass``).  ``executor="ray"``:
        one Ray task per group of steps 1.2 and 2.2 (needs ``lakepack[ray]``; uses the running
        Ray cluster, or starts a local one); ``ray_remote_args`` go to the tasks' ``.options()``
        (default ``num_cpus=1, max_retries=3``).
        """
        if executor == "ray":
            from ._lake_ray import run_on_ray
            return run_on_ray(self, ray_remote_args)
        if executor != "local":
            raise ValueError(f"executor must be 'local' or 'ray', not {executor!r}")
        d = self._native.run(self._read_fn())
        return _result(d) if self.create_datalake else None

    def dry_run(self, step: str = "run") -> Dict[str, Any]:
        """What ``step`` ("plan" or "run") would do, writing nothing."""
        return json.loads(self._native.dry_run(step))

    # -- one group: what a worker (a Ray task) runs --------------------------------------------
    def process_snapshot_group(self, index: int) -> Dict[str, Any]:
        """Step 1.2 for group ``index`` (1-based) only: processed, already_done or busy."""
        return self._native.stage_group(int(index), self._read_fn())

    def process_partition_group(self, index: int) -> Dict[str, Any]:
        """Step 2.2 for partition group ``index`` (1-based) only."""
        return self._native.compact_group(int(index))

    def status(self) -> Dict[str, Any]:
        """Where every step stands."""
        return json.loads(self._native.status_json())


def build_snapshot_manifest(prefix: str, summary_uri: Optional[str] = None,
                            data_uri: Optional[str] = None, count_rows: bool = True,
                            store_options: Optional[StoreOptions] = None) -> int:
    """Writes a snapshot manifest (summary JSON + data Parquet) of every data file under PREFIX."""
    prefix = str(prefix)
    if not prefix.endswith("/"):
        prefix += "/"
    summary_uri = summary_uri or prefix + "manifests/manifest-summary.json"
    data_uri = data_uri or prefix + "manifests/manifest-data.parquet"
    return _lakepack.lake_manifest(prefix, summary_uri, data_uri, count_rows,
                                   (store_options or StoreOptions())._native())
