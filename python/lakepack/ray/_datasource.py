"""A Ray Data datasource of CSV / JSON Lines / Parquet files read by lakepack's C++ readers.

The driver lists the inputs once (LIST for a prefix, HEAD for a named file) and groups them, in
listing order, into read tasks of about the same number of bytes.  Each task reads its files with
:func:`lakepack.read_batches` (lakepack's CSV inference rules, its JSON Lines reader; the GIL is
released while the C++ core parses) and yields Arrow tables of up to ``block_bytes``.  Store
options (endpoint, region, profile) travel with the tasks; credentials are resolved in the
workers from their environment, never pickled.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

import pyarrow as pa
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from ..errors import InvalidArgument, NotFound
from ..options import StoreOptions
from ..store import Store

# Extensions of each format, as lakepack's readers detect them (src/format/format.cc).
_EXTENSIONS = {"csv": (".csv",), "jsonl": (".jsonl", ".json", ".ndjson"),
               "parquet": (".parquet", ".pq")}
_FORMAT_NAMES = {"csv": "csv", "jsonl": "jsonl", "json": "jsonl", "ndjson": "jsonl",
                 "parquet": "parquet", "pq": "parquet"}
# Arrow bytes a read task gathers before it hands a block to Ray.
DEFAULT_BLOCK_BYTES = 32 * 1024 * 1024
# Without a hint from Ray, a read task reads about this many input bytes.
DEFAULT_TASK_BYTES = 128 * 1000 * 1000


def _format_of(name: str) -> Optional[str]:
    base = name.rsplit("/", 1)[-1].lower()
    for fmt, exts in _EXTENSIONS.items():
        if base.endswith(exts):
            return fmt
    return None


def _hidden(rel_key: str) -> bool:
    # Like pack and pyarrow's dataset discovery: '.' / '_' names (and directories) are not data.
    return any(part.startswith((".", "_")) for part in rel_key.split("/") if part)


def _split_uri(uri: str) -> "tuple[str, str]":
    uri = uri.rstrip("/") if not uri.endswith(":/") else uri
    parent, _, name = uri.rpartition("/")
    return parent, name


def list_inputs(uris_or_prefix: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
                format: Optional[str] = None,
                options: Optional[StoreOptions] = None) -> List[Dict[str, Any]]:
    """The input files as ``[{"uri", "size", "format"}]``, in order.

    A string names one file (HEAD) or a prefix / directory, listed recursively (names starting with
    ``.`` or ``_``, e.g. ``_lakepack/``, are skipped, and so are files whose extension is not one
    of ``format``'s, or of no known format when ``format`` is None).  A list holds such strings;
    its order is kept.  Raises NotFound if nothing matches, InvalidArgument for an unknown format.
    """
    if format is not None and str(format).lower() not in _FORMAT_NAMES:
        raise InvalidArgument(f"lakepack.ray.read: unknown format {format!r} "
                              "(expected csv, jsonl or parquet)")
    fmt = _FORMAT_NAMES[str(format).lower()] if format is not None else None
    opts = options if options is not None else StoreOptions()
    items = [uris_or_prefix] if isinstance(uris_or_prefix, (str, os.PathLike)) else list(
        uris_or_prefix)
    if not items:
        raise InvalidArgument("lakepack.ray.read: no input given")
    out: List[Dict[str, Any]] = []
    for item in items:
        uri = os.fspath(item)
        if "://" not in uri:  # Ray workers run in other directories
            uri = os.path.abspath(uri) + ("/" if uri.endswith("/") else "")
        found = _one_file(uri, fmt, opts)
        if found is None:
            found = _prefix(uri, fmt, opts)
        if not found:
            raise NotFound(f"lakepack.ray.read: {uri}: no {fmt or 'csv, jsonl or parquet'} "
                           "file there (neither a file nor a prefix holding one)")
        out.extend(found)
    return out


def _one_file(uri: str, fmt: Optional[str], opts: StoreOptions) -> Optional[List[Dict[str, Any]]]:
    if uri.endswith("/"):
        return None
    if not uri.startswith("s3://") and not os.path.isfile(uri):
        return None
    parent, name = _split_uri(uri)
    if not name:
        return None
    try:
        info = Store(parent or ".", opts).head(name)
    except NotFound:
        return None
    f = fmt or _format_of(name)
    if f is None:
        raise InvalidArgument(f"lakepack.ray.read: {uri}: cannot tell the format from the name "
                              "(expected .csv, .jsonl, .json, .ndjson, .parquet or .pq); "
                              "pass format=")
    return [{"uri": uri, "size": int(info["size"]), "format": f}]


def _prefix(uri: str, fmt: Optional[str], opts: StoreOptions) -> List[Dict[str, Any]]:
    if not uri.startswith("s3://") and not os.path.isdir(uri):
        return []
    try:
        entries = Store(uri, opts).list("", recursive=True)
    except NotFound:
        return []
    base = uri.rstrip("/")
    out = []
    for e in entries:
        key = e["key"]
        if e.get("prefix") or _hidden(key):
            continue
        f = _format_of(key)
        if f is None or (fmt is not None and f != fmt):
            continue
        out.append({"uri": f"{base}/{key}", "size": int(e["size"]), "format": f})
    return out


def plan_tasks(files: Sequence[Dict[str, Any]], task_bytes: int) -> List[List[Dict[str, Any]]]:
    """Groups files, in order, into tasks of about ``task_bytes`` each (a bigger file is a task
    of its own).  Pure."""
    groups: List[List[Dict[str, Any]]] = []
    cur: List[Dict[str, Any]] = []
    cur_bytes = 0
    for f in files:
        if cur and cur_bytes + f["size"] > task_bytes:
            groups.append(cur)
            cur, cur_bytes = [], 0
        cur.append(f)
        cur_bytes += f["size"]
    if cur:
        groups.append(cur)
    return groups


def _read_files(files: List[Dict[str, Any]], schema: Optional[str], batch_rows: Optional[int],
                block_bytes: int, options: StoreOptions) -> Iterator[pa.Table]:
    from ..streams import read_batches
    for f in files:
        # pyarrow's reader pulls each batch from lakepack's C stream with the GIL released.
        reader = read_batches(f["uri"], format=f["format"], schema=schema, batch_rows=batch_rows,
                              options=options).to_reader()
        pending: List[pa.RecordBatch] = []
        pending_bytes = 0
        for batch in reader:
            if batch.num_rows == 0:
                continue
            pending.append(batch)
            pending_bytes += batch.nbytes
            if pending_bytes >= block_bytes:
                yield pa.Table.from_batches(pending)
                pending, pending_bytes = [], 0
        if pending:
            yield pa.Table.from_batches(pending)


class LakepackDatasource(Datasource):
    """CSV / JSON Lines / Parquet files (a listing made once) read by lakepack in Ray tasks."""

    def __init__(self, files: List[Dict[str, Any]], schema: Optional[str] = None,
                 batch_rows: Optional[int] = None, task_bytes: Optional[int] = None,
                 block_bytes: int = DEFAULT_BLOCK_BYTES,
                 options: Optional[StoreOptions] = None):
        super().__init__()
        self.files = list(files)
        self.schema_file = schema
        self.batch_rows = batch_rows
        self.task_bytes = task_bytes
        self.block_bytes = int(block_bytes)
        self.options = options if options is not None else StoreOptions()

    def get_name(self) -> str:
        return "Lakepack"

    def estimate_inmemory_data_size(self) -> Optional[int]:
        return sum(f["size"] for f in self.files)

    def get_read_tasks(self, parallelism: int, per_task_row_limit: Optional[int] = None,
                       data_context: Any = None) -> List["ReadTask"]:
        total = sum(f["size"] for f in self.files)
        if self.task_bytes:
            per_task = int(self.task_bytes)
        elif parallelism and parallelism > 0:
            per_task = max(1, -(-total // parallelism))
        else:
            per_task = DEFAULT_TASK_BYTES
        tasks = []
        schema, batch_rows, block_bytes, opts = (self.schema_file, self.batch_rows,
                                                 self.block_bytes, self.options)
        for group in plan_tasks(self.files, per_task):
            meta = BlockMetadata(num_rows=None, size_bytes=sum(f["size"] for f in group),
                                 exec_stats=None, input_files=[f["uri"] for f in group])
            tasks.append(ReadTask(
                lambda group=group: _read_files(group, schema, batch_rows, block_bytes, opts),
                meta, per_task_row_limit=per_task_row_limit))
        return tasks


def read(uris_or_prefix: Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]],
         format: Optional[str] = None, schema: Optional[str] = None,
         batch_rows: Optional[int] = None, task_bytes: Optional[int] = None,
         block_bytes: int = DEFAULT_BLOCK_BYTES, override_num_blocks: Optional[int] = None,
         options: Optional[StoreOptions] = None, **kwargs: Any) -> Any:
    """A Ray Dataset of CSV, JSON Lines or Parquet files on local disk or S3, read by lakepack.

    Args:
        uris_or_prefix: a file, a prefix / directory (listed recursively; ``.``/``_`` names are
            skipped), or a list of them.
        format: ``csv``, ``jsonl`` or ``parquet``; by default each file's extension decides, and a
            prefix yields every file of a known extension.  With a format, a prefix yields only
            that format's files and named files are read as that format.
        schema: a lakepack JSON schema file (path or URI) fixing CSV / JSON Lines column types, so
            every file gives the same schema; without it each file's types are inferred.
        batch_rows: rows per batch (Parquet).
        task_bytes: input bytes per read task (default: the total over Ray's parallelism).
        block_bytes: Arrow bytes per block a task yields (default 32 MiB).
        override_num_blocks: passed to ``ray.data.read_datasource`` (the number of read tasks
            Ray asks for).
        options, **kwargs: store options (``endpoint_url``, ``region``, ``profile``...).

    Every task's size estimate is the real bytes of its files, from the listing.
    """
    import ray.data
    opts = StoreOptions.from_kwargs(options, **kwargs)
    files = list_inputs(uris_or_prefix, format, opts)
    if task_bytes is not None and int(task_bytes) <= 0:
        raise InvalidArgument("lakepack.ray.read: task_bytes must be positive")
    ds = LakepackDatasource(files, schema=schema, batch_rows=batch_rows, task_bytes=task_bytes,
                            block_bytes=block_bytes, options=opts)
    return ray.data.read_datasource(ds, override_num_blocks=override_num_blocks)
