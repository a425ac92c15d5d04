"""PackSink: a Ray Data datasink that writes a dataset into exactly sized files with lakepack's pack.

How it works (two phases, one commit):

1. ``on_write_start`` (driver): if this ``job_id`` was committed before, the run is a no-op;
   otherwise leftovers of earlier attempts of the same job are removed from the staging prefix.
2. ``write`` (each Ray write task, given about ``write_bytes`` of blocks): the blocks are
   streamed into one snappy Parquet file (one more per change of schema)
   ``STAGING/<job_id>/<run>/<table>/part-<task>-<n>-<random>.parquet`` by lakepack's writer
   (C++, GIL released).  Staged files are not in the table: pack and readers never see them.
3. ``on_write_complete`` (driver, once every task succeeded): staged objects that no successful
   task reported (left by a retried attempt) are removed, then :func:`lakepack.pack` packs
   exactly the reported files into ``output_base/table/[k=v/]table[_suffix]_N.ext``: files of
   ``file_limit`` bytes, all but the last within ±2%, the latest existing file filled first,
   and ONE put-if-absent commit (pack's ``commit-G``) that also records the staged files' URIs,
   which hold the job id.  Then the staging objects are removed.
4. ``on_write_failed`` (a task raised, the job was cancelled, or step 3 failed): the staging
   objects of this run are removed; the table is untouched (pack takes back what it wrote when it
   fails or is interrupted, and a crashed pack run is recovered by the next one).

Ctrl-C in the driver while the tasks run is a KeyboardInterrupt, for which Ray calls no
``on_write_failed``: the table is as it was, the staging objects stay until the next run of the
same ``job_id`` (its ``on_write_start``) removes them.

A re-run with the same ``job_id`` after a committed run finds the job in pack's commit (the
packed URIs of ``STAGING/<job_id>/``) and writes nothing, so rows are never duplicated.  The
default ``job_id`` is random per PackSink object: pass one (e.g. the date of a daily job) to
make re-runs in new processes safe.  Two runs of the same ``job_id`` at the same time are not
supported (each could commit once).
"""
from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import pyarrow as pa
from ray.data import Datasink
from ray.data.block import BlockAccessor

from .. import _lakepack
from ..errors import InvalidArgument, InvalidData, NotFound
from ..options import StoreOptions
from ..packer import _chunksize_bytes, _join, _partition_path, pack
from ..store import Store

_OUT_EXT = {"parquet": "snappy.parquet", "csv": "csv", "jsonl": "jsonl", "json": "jsonl"}
_JOB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._=-]{0,127}$")
_COMMIT_RE = re.compile(r"^commit-(\d+)\.json$")
# The staging prefix under output_base by default: beside the tables, not inside one.
STAGING_DIR = "_lakepack_staging"
# Block bytes Ray bundles into one write task (one staged file) by default.
DEFAULT_WRITE_BYTES = 128 * 1024 * 1024


def _absolute(uri: Any) -> str:
    """A URI, or a local path made absolute (Ray workers run in other directories)."""
    text = os.fspath(uri)
    return text.rstrip("/") if "://" in text else os.path.abspath(text)


def _out_ext(format: str) -> str:
    f = str(format).lower().lstrip(".")
    if f in _OUT_EXT:
        return _OUT_EXT[f]
    if f.endswith(".parquet"):  # e.g. zstd.parquet: pack checks the codec
        return f
    raise InvalidArgument(f"PackSink: unknown format {format!r} (expected parquet, csv, jsonl "
                          "or CODEC.parquet such as zstd.parquet)")


class PackSink(Datasink):
    """Writes a Ray Dataset into ``output_base/table/[k=v/]table[_suffix]_N.ext`` files of
    exactly ``file_limit`` bytes (all but the last within ±2%), with one commit at the end.

    Args:
        output_base: a directory or ``s3://bucket/prefix`` holding the table.
        table: the table name (its folder under ``output_base``).
        file_limit: bytes per file (an int, or a size such as ``"256MB"``, ``"64MiB"``);
            default pack's (256 MB).
        partition: ``{"key": "value", ...}``: the hive partition the rows go to (as pack's).
        format: ``parquet`` (snappy, the default), ``csv``, ``jsonl`` or ``CODEC.parquet``.
        suffix: goes between the table name and the file number.
        job_id: the job's identity: a re-run with a committed job id writes nothing.  Default:
            random per PackSink object.
        staging: where write tasks stage their blocks (default
            ``output_base/_lakepack_staging/table``); must be on a store the workers reach.
        schema: a lakepack JSON schema file the output must have (else the latest file's, else
            the first block's).
        on_schema_mismatch: ``fail`` / ``union`` / ``drop``, as :func:`lakepack.pack`.
        wait_seconds: wait up to this long for another packer of the table, instead of failing.
        force: accept a ``file_limit`` under 1 MB (as :func:`lakepack.pack`'s ``force``).
        write_bytes: block bytes Ray bundles into one write task, staged as one file (default
            128 MiB; None: Ray's blocks as they come, each task fused with its producer).
        options, **kwargs: store options (``endpoint_url``, ``region``, ``profile``...).

    After a successful write, ``report`` holds pack's report plus ``job_id`` and ``skipped``
    (True when the job had been committed before).
    """

    def __init__(self, output_base: str, table: str,
                 file_limit: Union[int, str] = _lakepack.DEFAULT_FILE_LIMIT_BYTES,
                 partition: Optional[Mapping[str, Any]] = None, format: str = "parquet",
                 suffix: Optional[str] = None, job_id: Optional[str] = None,
                 staging: Optional[str] = None, schema: Optional[str] = None,
                 on_schema_mismatch: str = "fail", wait_seconds: int = 0, force: bool = False,
                 write_bytes: Optional[int] = DEFAULT_WRITE_BYTES,
                 options: Optional[StoreOptions] = None, **kwargs: Any):
        if not table or "/" in table:
            raise InvalidArgument(f"PackSink: table must be a name without '/', got {table!r}")
        if partition is not None and not isinstance(partition, Mapping):
            raise InvalidArgument("PackSink: partition must be a mapping {key: value} (one hive "
                                  f"partition, as lakepack.pack's), got {type(partition).__name__}")
        self.output_base = _absolute(output_base)
        self.table = table
        self.file_limit_bytes = _chunksize_bytes(file_limit)
        self.force = bool(force)
        self.partition = dict(partition or {})
        self.out_ext = _out_ext(format)
        self.suffix = suffix
        self.job_id = job_id if job_id is not None else uuid.uuid4().hex
        if not _JOB_ID_RE.match(self.job_id):
            raise InvalidArgument(f"PackSink: job_id {self.job_id!r} must be 1-128 characters "
                                  "of letters, digits and . _ = - (not starting with . _ = -)")
        self.staging = (_absolute(staging) if staging
                        else _join(self.output_base, STAGING_DIR, table))
        self.schema = schema
        self.on_schema_mismatch = on_schema_mismatch
        self.wait_seconds = int(wait_seconds)
        self.write_bytes = int(write_bytes) if write_bytes else None
        self.options = StoreOptions.from_kwargs(options, **kwargs)
        self.run_id: Optional[str] = None
        self.committed_before = False
        self.report: Optional[Dict[str, Any]] = None

    # -- locations ---------------------------------------------------------------------------
    def _job_prefix(self) -> str:
        return _join(self.staging, self.job_id)

    def _run_input_base(self) -> str:
        assert self.run_id is not None
        return _join(self._job_prefix(), self.run_id)

    def _state_dir(self) -> str:
        stem = f"{self.table}_{self.suffix}" if self.suffix else self.table
        return _join(self.output_base, self.table, "_lakepack/pack",
                     _partition_path(self.partition) + f"{stem}.{self.out_ext}")

    def get_name(self) -> str:
        return "PackSink"

    # -- the job's state ---------------------------------------------------------------------
    def _latest_commit(self) -> Optional[Dict[str, Any]]:
        """Pack's latest commit record of the target (cumulative packed inputs and files)."""
        try:
            state = Store(self._state_dir(), self.options)
            entries = state.list("commit-", recursive=False)
        except NotFound:
            return None
        numbered = [(int(m.group(1)), e["key"]) for e in entries
                    if (m := _COMMIT_RE.match(e["key"]))]
        if not numbered:
            return None
        return json.loads(state.get(max(numbered)[1]))

    def is_committed(self) -> bool:
        """True if pack's latest commit of the target lists a file staged by this job id."""
        doc = self._latest_commit()
        if doc is None:
            return False
        needle = self._job_prefix().split("://", 1)[-1].rstrip("/") + "/"
        return any(needle in p.get("uri", "") for p in doc.get("packed", []))

    def _remove(self, prefix: str, keep: Iterable[str] = ()) -> int:
        """Deletes every object under ``prefix`` except the URIs in ``keep``; returns how many."""
        try:
            store = Store(prefix, self.options)
            keys = [e["key"] for e in store.list("", recursive=True) if not e.get("prefix")]
        except NotFound:
            return 0
        base = prefix.rstrip("/")
        keep = set(keep)
        doomed = [k for k in keys if f"{base}/{k}" not in keep]
        if doomed:
            store.delete(doomed)
        return len(doomed)

    # -- Datasink ----------------------------------------------------------------------------
    def on_write_start(self, schema: Optional[pa.Schema] = None) -> None:
        self.report = None
        self.committed_before = self.is_committed()
        # Earlier attempts of this job (a killed driver, a failed run) left nothing in the table;
        # their staging objects go now.
        self._remove(self._job_prefix())
        self.run_id = uuid.uuid4().hex[:16]

    @property
    def min_bytes_per_write(self) -> Optional[int]:
        # Ray bundles blocks up to this many bytes per write task: few, large staged files.
        return self.write_bytes

    def write(self, blocks: Iterable[Any], ctx: Any) -> Dict[str, Any]:
        from ..streams import write_batches
        if self.committed_before:
            return {"files": [], "rows": 0}
        if self.run_id is None:
            raise RuntimeError("PackSink.write ran before on_write_start")
        files: List[Dict[str, Any]] = []
        task = int(getattr(ctx, "task_idx", 0))
        base = _join(self._run_input_base(), self.table)
        tables = (BlockAccessor.for_block(b).to_arrow() for b in blocks)
        pending = next((t for t in tables if t.num_rows), None)
        while pending is not None:
            # One staged file per run of blocks of one schema (a block of another schema, e.g.
            # a column all null there, starts the next file); streamed, one block in memory.
            schema, first, pending = pending.schema, pending, None

            def same_schema(first=first, schema=schema):
                nonlocal pending
                yield from first.to_batches()
                for t in tables:
                    if not t.num_rows:
                        continue
                    if not t.schema.equals(schema):
                        pending = t
                        return
                    yield from t.to_batches()

            uri = f"{base}/part-{task:06d}-{len(files):05d}-{uuid.uuid4().hex[:8]}.parquet"
            r = write_batches(pa.RecordBatchReader.from_batches(schema, same_schema()), uri,
                              format="parquet", compression="snappy", options=self.options)
            files.append({"uri": uri, "rows": int(r["rows"]), "bytes": int(r["bytes"])})
        return {"files": files, "rows": sum(f["rows"] for f in files)}

    def on_write_complete(self, write_result: Any) -> None:
        returns = [r for r in write_result.write_returns if r]
        staged = [f for r in returns for f in r["files"]]
        rows = sum(f["rows"] for f in staged)
        if self.committed_before or self.is_committed():
            self._remove(self._job_prefix())
            self.report = {"job_id": self.job_id, "skipped": True, "files": [], "rows": 0,
                           "inputs": []}
            return
        run_base = self._run_input_base()
        # Objects a failed attempt of a retried task staged are not in any successful return.
        self._remove(run_base, keep=[f["uri"] for f in staged])
        if not staged:
            self._remove(self._job_prefix())
            self.report = {"job_id": self.job_id, "skipped": False, "files": [], "rows": 0,
                           "inputs": []}
            return
        # Before anything is committed: the staged objects are exactly the reported ones.
        listed = {_join(run_base, e["key"]): e["size"]
                  for e in Store(run_base, self.options).list("", recursive=True)
                  if not e.get("prefix")}
        reported = {f["uri"]: f["bytes"] for f in staged}
        if listed != reported:
            missing = sorted(set(reported) - set(listed))
            raise InvalidData(
                f"PackSink: the staged files under {run_base} are not the {len(reported)} the "
                f"write tasks reported (missing: {missing[:3]}, {len(listed)} listed); nothing "
                "was committed")
        # Pack fills the latest file first: its rows are counted in the report too.
        prev = self._latest_commit()
        prev_files = (prev or {}).get("files", [])
        latest_rows = max(prev_files, key=lambda f: f["n"])["rows"] if prev_files else 0
        report = pack(run_base, self.output_base, self.table, suffix=self.suffix,
                      file_limit_bytes=self.file_limit_bytes, in_ext="parquet",
                      out_ext=self.out_ext, partition=self.partition, schema=self.schema,
                      cast_parquet=True, wait_seconds=self.wait_seconds, options=self.options,
                      on_schema_mismatch=self.on_schema_mismatch, force=self.force)
        expected = rows + (latest_rows if report["rewrote_latest"] else 0)
        if len(report["inputs"]) != len(staged) or report["rows"] != expected:
            raise InvalidData(
                f"PackSink: pack committed {len(report['inputs'])} of {len(staged)} staged files, "
                f"{report['rows']} rows where {expected} were expected ({rows} staged), from "
                f"{run_base} into {self.output_base}/{self.table}: check the table")
        self._remove(self._job_prefix())
        report = dict(report)
        report.update(job_id=self.job_id, skipped=False)
        self.report = report

    def on_write_failed(self, error: Exception) -> None:
        if self.run_id is not None:
            try:
                self._remove(self._run_input_base())
            except Exception:  # best effort: the next run of this job removes them too
                pass
