"""SleeperClient: Sleeper's Python API over lakepack's sorted tables, in-process.

A user of Sleeper's client changes only the import::

    from lakepack import SleeperClient
    my_sleeper = SleeperClient("s3://bucket/instance")        # or a directory, or a name
    my_sleeper.create_table("my_table", {"rowKeyFields": [{"name": "key", "type": "StringType"}],
                                         "valueFields": [{"name": "value", "type": "StringType"}]})
    my_sleeper.write_single_batch("my_table", [{"key": "my_key", "value": "my_value"}])
    my_sleeper.exact_key_query("my_table", {"key": ["my_key"]})
    # [[('key', 'my_key'), ('value', 'my_value')]]

There is no queue and no polling: a write is durable when it returns, and a query sees every
write that returned before it (it reads the table's log tail first).  The table's state lives on
the store itself (see ``lakepack/sorted.h``).
"""
from __future__ import annotations

import json
import os
import uuid
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import pyarrow as pa

from . import _lakepack
from .errors import InvalidArgument
from .options import StoreOptions

__all__ = ["SleeperClient", "SleeperBatchWriter"]

_ROOT_ENV = "LAKEPACK_SORTED_ROOT"


def _resolve_root(basename: str) -> str:
    if "://" in basename or basename.startswith(("/", ".", "~")):
        return os.path.expanduser(basename)
    root = os.environ.get(_ROOT_ENV)
    if root:
        return root.rstrip("/") + "/" + basename
    raise InvalidArgument(
        f"SleeperClient({basename!r}): a name needs {_ROOT_ENV} (the directory or s3:// URI "
        f"instances live under), or pass a path or s3:// URI")


def _schema_json(schema: Any, row_keys: Optional[Sequence[str]],
                 sort_keys: Optional[Sequence[str]]) -> str:
    if isinstance(schema, str):
        return schema
    if isinstance(schema, dict):
        return json.dumps(schema)
    if isinstance(schema, pa.Schema):
        if not row_keys:
            raise InvalidArgument("create_table: an Arrow schema needs row_keys=[...]")
        names = {"int32": "IntType", "int64": "LongType", "string": "StringType",
                 "large_string": "StringType", "binary": "ByteArrayType",
                 "large_binary": "ByteArrayType", "double": "DoubleType", "bool": "BooleanType",
                 "float": "FloatType", "string_view": "StringType", "binary_view": "ByteArrayType"}

        def type_json(t: pa.DataType) -> Any:
            if pa.types.is_list(t) or pa.types.is_large_list(t):
                return {"ListType": {"elementType": type_json(t.value_type)}}
            if pa.types.is_map(t):
                return {"MapType": {"keyType": type_json(t.key_type),
                                    "valueType": type_json(t.item_type)}}
            if str(t) not in names:
                raise InvalidArgument(f"create_table: type {t} has no sorted-table equivalent")
            return names[str(t)]

        sort_keys = list(sort_keys or [])
        keys = set(row_keys) | set(sort_keys)
        for k in keys:
            if k not in schema.names:
                raise InvalidArgument(f"create_table: key field {k!r} is not in the schema")
        field = {f.name: f for f in schema}
        return json.dumps({
            "rowKeyFields": [{"name": k, "type": type_json(field[k].type)} for k in row_keys],
            "sortKeyFields": [{"name": k, "type": type_json(field[k].type)} for k in sort_keys],
            "valueFields": [{"name": f.name, "type": type_json(f.type)}
                            for f in schema if f.name not in keys],
        })
    raise InvalidArgument("create_table: schema is Sleeper schema JSON (str or dict) or a "
                          "pyarrow.Schema")


def _to_arrow(records: Any, schema: pa.Schema) -> Any:
    """Rows as something with __arrow_c_stream__: list of dicts, pyarrow, pandas or polars."""
    if isinstance(records, pa.RecordBatch):
        return pa.Table.from_batches([records])
    if hasattr(records, "__arrow_c_stream__"):
        return records
    try:
        import pandas as pd  # noqa: PLC0415
        if isinstance(records, pd.DataFrame):
            return pa.Table.from_pandas(records, preserve_index=False)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, (list, tuple)):
        raise InvalidArgument("records are a list of dicts, a pyarrow Table/RecordBatch, or a "
                              "pandas/polars DataFrame")
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise InvalidArgument(f"row {i}: a record is a dict, not {type(rec).__name__}")
        for name in rec:
            if schema.get_field_index(name) < 0:
                raise InvalidArgument(f"row {i}: field {name!r} is not in the table's schema")
    columns = {}
    for f in schema:
        values = [rec.get(f.name) for rec in records]
        try:
            columns[f.name] = pa.array(values, type=f.type)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as e:
            for i, v in enumerate(values):
                try:
                    pa.array([v], type=f.type)
                except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
                    raise InvalidArgument(
                        f"row {i}, field {f.name!r}: {v!r} is not a {f.type}") from None
            raise InvalidArgument(f"field {f.name!r}: {e}") from None
    nullable = pa.schema([pa.field(f.name, f.type, nullable=True) for f in schema])
    return pa.Table.from_pydict(columns, schema=nullable)


def _records(table: pa.Table) -> List[List[tuple]]:
    return [list(row.items()) for row in table.to_pylist()]


def _key_list(value: Any) -> List[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


class SleeperBatchWriter:
    """Buffers rows (bounded memory), sorts and spills, and commits once on a clean exit.

    An exception inside the ``with`` block commits nothing.
    """

    def __init__(self, client: "SleeperClient", table_name: str, job_id: Optional[str] = None):
        self._table = client._open(table_name)
        self._schema = client._schema(table_name)
        self._writer = self._table.batch_writer(job_id or "")
        self.report: Optional[Dict[str, Any]] = None

    def write(self, records: Any) -> None:
        self._writer.write(_to_arrow(records, self._schema))

    def close(self) -> Dict[str, Any]:
        self.report = self._writer.close()
        return self.report

    def abort(self) -> None:
        self._writer.abort()

    def __enter__(self) -> "SleeperBatchWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


class SleeperClient:
    """Sleeper's client API on lakepack sorted tables.

    Args:
        basename: the instance: a directory, an ``s3://bucket/prefix`` URI, or a name under
            ``$LAKEPACK_SORTED_ROOT``.
        options: :class:`StoreOptions` for reaching the store.
        buffer_bytes: memory a batch writer or ingest buffers before it spills (default 256 MiB).
    """

    def __init__(self, basename: str, options: Optional[StoreOptions] = None,
                 buffer_bytes: int = 0, row_group_rows: int = 0):
        self.basename = basename
        self.root = _resolve_root(basename)
        self.options = options if options is not None else StoreOptions()
        self._buffer_bytes = int(buffer_bytes)
        self._row_group_rows = int(row_group_rows)
        self._tables: Dict[str, Any] = {}
        self._schemas: Dict[str, pa.Schema] = {}
        self._keys: Dict[str, List[str]] = {}

    # ---- tables --------------------------------------------------------------------------
    def _open(self, table_name: str) -> Any:
        t = self._tables.get(table_name)
        if t is None:
            t = _lakepack.SortedTable.open(self.root, table_name, self.options._native(),
                                           self._buffer_bytes, self._row_group_rows)
            self._tables[table_name] = t
        return t

    def _schema(self, table_name: str) -> pa.Schema:
        s = self._schemas.get(table_name)
        if s is None:
            s = pa.RecordBatchReader.from_stream(self._open(table_name).empty()).schema
            self._schemas[table_name] = s
        return s

    def create_table(self, table_name: str, schema: Any, split_points: Optional[list] = None,
                     row_keys: Optional[Sequence[str]] = None,
                     sort_keys: Optional[Sequence[str]] = None) -> None:
        """Creates a table from Sleeper schema JSON (str or dict) or a pyarrow.Schema (with
        ``row_keys`` and optional ``sort_keys``); ``split_points`` are values of the first row
        key field that split the table into leaf partitions."""
        t = _lakepack.SortedTable.create(self.root, table_name,
                                         _schema_json(schema, row_keys, sort_keys),
                                         list(split_points or []), self.options._native(),
                                         self._buffer_bytes, self._row_group_rows)
        self._tables[table_name] = t

    def drop_table(self, table_name: str) -> None:
        self._tables.pop(table_name, None)
        self._schemas.pop(table_name, None)
        self._keys.pop(table_name, None)
        _lakepack.sorted_drop_table(self.root, table_name, self.options._native())

    def list_tables(self) -> List[str]:
        return list(_lakepack.sorted_list_tables(self.root, self.options._native()))

    def describe_table(self, table_name: str) -> Dict[str, Any]:
        return self._open(table_name).describe()

    # ---- writes ---------------------------------------------------------------------------
    def write_single_batch(self, table_name: str, records_to_write: Any,
                           job_id: Optional[str] = None) -> Dict[str, Any]:
        """Writes the records (list of dicts, pyarrow, pandas or polars); durable on return."""
        return self._open(table_name).write(
            _to_arrow(records_to_write, self._schema(table_name)), job_id or "")

    def create_batch_writer(self, table_name: str, job_id: Optional[str] = None
                            ) -> SleeperBatchWriter:
        return SleeperBatchWriter(self, table_name, job_id)

    def ingest_parquet_files(self, table_name: str, files: Iterable[str],
                             job_id: Optional[str] = None) -> Dict[str, Any]:
        """Ingests Parquet files or directories (local paths or URIs) in one commit."""
        return self._open(table_name).ingest([str(f) for f in files], job_id or "")

    def ingest_parquet_files_from_s3(self, table_name: str, files: Iterable[str],
                                     job_id: Optional[str] = None) -> Dict[str, Any]:
        """Files as ``bucket/key`` (Sleeper's form) or ``s3://`` URIs; directories expanded."""
        uris = [f if f.startswith("s3://") else "s3://" + f for f in files]
        return self.ingest_parquet_files(table_name, uris, job_id)

    def bulk_import_parquet_files_from_s3(self, table_name: str, files: Iterable[str],
                                          id: Optional[str] = None,  # noqa: A002 (seed's name)
                                          platform_spec: Optional[dict] = None
                                          ) -> Dict[str, Any]:
        """Sleeper's bulk import, run in-process as one ingest whose job id is ``id`` (re-running
        an id that committed is a no-op).  ``platform_spec`` (EMR settings) is ignored."""
        return self.ingest_parquet_files_from_s3(table_name, files, id or str(uuid.uuid4()))

    # ---- maintenance (not in the seed: Sleeper runs these as its own tasks) ----------------
    def compact(self, table_name: str, major: bool = False, dry_run: bool = False,
                ratio: float = 3.0, max_files: int = 12) -> Dict[str, Any]:
        """Compacts the table's files: Sleeper's size-ratio strategy (a set of at most
        ``max_files`` files qualifies when the smaller ones sum to ``ratio`` x the largest), or
        with ``major`` every file of each partition.  Returns the report (jobs planned,
        committed, lost to a racing commit, held by another worker; rows, files, bytes)."""
        return self._open(table_name).compact(major, dry_run, float(ratio), int(max_files))

    def split_partitions(self, table_name: str, threshold: Optional[int] = None,
                         dry_run: bool = False) -> Dict[str, Any]:
        """Splits every leaf partition holding more than ``threshold`` rows (default: the
        table's, else Sleeper's 1,000,000,000) at an estimate of its median row key, one commit
        per split; the files stay readable for both halves until a compaction moves them.
        Returns the report (splits planned, committed, lost to a racing split; leaves skipped
        and why)."""
        if threshold is not None and int(threshold) < 1:
            raise ValueError("split_partitions: threshold must be at least 1 row")
        return self._open(table_name).split(int(threshold or 0), dry_run)

    def collect_garbage(self, table_name: str, grace_seconds: float = 600.0,
                        dry_run: bool = False) -> Dict[str, Any]:
        """Deletes data files no reference names once older than ``grace_seconds`` (default
        10 min, so running queries finish); returns what it deleted."""
        return self._open(table_name).collect_garbage(float(grace_seconds), dry_run)

    # ---- queries --------------------------------------------------------------------------
    def _row_keys(self, table_name: str) -> List[str]:
        keys = self._keys.get(table_name)
        if keys is None:  # a table's keys never change: read them once
            schema = json.loads(self._open(table_name).describe()["schema"])
            keys = self._keys[table_name] = [f["name"] for f in schema["rowKeyFields"]]
        return keys

    def exact_key_query(self, table_name: str, keys: Any, as_arrow: bool = False
                        ) -> Union[List[List[tuple]], pa.Table]:
        """Rows whose row key is one of ``keys``: ``{"key": [v1, v2]}`` or
        ``[{"key": v1}, {"key": v2}]`` (several fields: one list or value per field).  Returns a
        list of records as ``[(field, value), ...]``, or a pyarrow.Table with ``as_arrow``."""
        row_keys = self._row_keys(table_name)
        tuples: List[List[Any]] = []
        if isinstance(keys, dict):
            names = [k for k in row_keys if k in keys]
            self._check_key_names(keys, row_keys)
            columns = [_key_list(keys[n]) for n in names]
            if len({len(c) for c in columns}) > 1:
                raise InvalidArgument("exact_key_query: every field needs as many values")
            tuples = [list(t) for t in zip(*columns)]
        else:
            for k in keys:
                if not isinstance(k, dict):
                    raise InvalidArgument("exact_key_query: keys are dicts of row key fields")
                self._check_key_names(k, row_keys)
                tuples.append([k[n] for n in row_keys if n in k])
        for t in tuples:
            if not t:
                raise InvalidArgument(f"exact_key_query: a key names none of {row_keys}")
        table = pa.table(self._open(table_name).exact(tuples))
        return table if as_arrow else _records(table)

    @staticmethod
    def _check_key_names(key: dict, row_keys: List[str]) -> None:
        for name in key:
            if name not in row_keys:
                raise InvalidArgument(f"{name!r} is not a row key field (row keys: {row_keys})")
        given = [n for n in row_keys if n in key]
        if given != row_keys[:len(given)]:
            raise InvalidArgument(f"a key gives the leading row key fields of {row_keys}")

    def range_key_query(self, table_name: str, regions: list, as_arrow: bool = False
                        ) -> Union[List[List[tuple]], pa.Table]:
        """Rows in any of ``regions``; each region maps row key fields to ``[min, max]`` or
        ``[min, min_inclusive, max, max_inclusive]`` (default: min inclusive, max exclusive;
        ``None`` is unbounded)."""
        row_keys = self._row_keys(table_name)
        if isinstance(regions, dict):
            regions = [regions]
        native = []
        for region in regions:
            if not isinstance(region, dict):
                raise InvalidArgument("range_key_query: a region is a dict of field -> range")
            ranges = []
            for field, r in region.items():
                if field not in row_keys:
                    raise InvalidArgument(f"{field!r} is not a row key field (row keys: "
                                          f"{row_keys})")
                r = list(r)
                if len(r) == 2:
                    ranges.append((field, r[0], True, r[1], False))
                elif len(r) == 4:
                    ranges.append((field, r[0], bool(r[1]), r[2], bool(r[3])))
                else:
                    raise InvalidArgument(f"range_key_query: range of {field!r} is [min, max] "
                                          "or [min, min_inclusive, max, max_inclusive]")
            native.append(ranges)
        table = pa.table(self._open(table_name).range(native))
        return table if as_arrow else _records(table)

    def read_table(self, table_name: str) -> pa.Table:
        """Every row, in key order."""
        return pa.table(self._open(table_name).all())
