"""Arrow streams in and out of lakepack, and the file-level jobs (convert, inspect, generate, copy)."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, Optional, Sequence

import pyarrow as pa

from . import _lakepack
from .options import StoreOptions, csv_dialect


def _opts(options: Optional[StoreOptions], kwargs: Dict[str, Any]) -> "_lakepack.StoreOptions":
    return StoreOptions.from_kwargs(options, **kwargs)._native()


class BatchStream:
    """A one-shot stream of Arrow record batches produced by lakepack.

    It implements the Arrow PyCapsule stream protocol (``__arrow_c_stream__``), so pyarrow,
    polars and DuckDB consume it directly and zero-copy, e.g.
    ``pa.RecordBatchReader.from_stream(s)``, ``pa.table(s)``, ``polars.from_arrow(s)`` or
    ``duckdb.from_arrow(s)``.  A stream can be consumed once.
    """

    def __init__(self, native: "_lakepack.Stream"):
        self._s = native

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """Exports the batches as an ``arrow_array_stream`` PyCapsule (consumes the stream)."""
        return self._s.__arrow_c_stream__(requested_schema)

    @property
    def consumed(self) -> bool:
        """True once the stream was handed to a consumer."""
        return self._s.consumed

    def to_reader(self) -> pa.RecordBatchReader:
        """The batches as a pyarrow RecordBatchReader."""
        return pa.RecordBatchReader.from_stream(self)

    def read_all(self) -> pa.Table:
        """All batches as one pyarrow Table."""
        return self.to_reader().read_all()

    def __iter__(self) -> Iterator[pa.RecordBatch]:
        return iter(self.to_reader())


def _as_stream_source(data: Any) -> Any:
    """Anything lakepack accepts as batches, as an object with ``__arrow_c_stream__``."""
    if hasattr(data, "__arrow_c_stream__"):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if type(data).__module__.startswith("pandas"):
        return pa.Table.from_pandas(data, preserve_index=False)
    raise TypeError(
        "expected an Arrow stream (pyarrow Table / RecordBatch / RecordBatchReader, polars "
        f"DataFrame, DuckDB relation, pandas DataFrame...), got {type(data).__name__}")


def read_batches(source: Any, format: Optional[str] = None, schema: Optional[str] = None,
                 batch_rows: Optional[int] = None, options: Optional[StoreOptions] = None,
                 delimiter: Optional[str] = None, header: bool = True, quote: Optional[str] = '"',
                 null_values: Optional[Sequence[str]] = None, **kwargs: Any) -> BatchStream:
    """Streams a CSV, JSON Lines or Parquet file as Arrow batches (bounded memory).

    Args:
        source: a path or ``s3://`` URI; or any Arrow stream producer, which is passed through
            unchanged and zero-copy (its buffers are the very ones the consumer sees).
        format: ``csv``, ``jsonl`` or ``parquet``; detected from the extension if omitted (any
            case; ``.tsv`` is tab-separated CSV; a ``.gz`` or ``.zst`` after a CSV or JSON Lines
            extension is decompressed as it streams).
        schema: path or URI of a lakepack JSON schema file fixing CSV/JSONL column types.
        batch_rows: rows per batch (Parquet).
        delimiter, header, quote, null_values: the CSV dialect (see
            :func:`lakepack.options.csv_dialect`).
        options, **kwargs: store options (``endpoint_url``, ``region``, ``profile``...).

    Returns:
        a :class:`BatchStream` (``__arrow_c_stream__``).
    """
    if not isinstance(source, (str, os.PathLike)):
        return BatchStream(_lakepack.stream_from(_as_stream_source(source)))
    return BatchStream(_lakepack.read_batches(os.fspath(source), format or "", schema or "",
                                              int(batch_rows or 0), _opts(options, kwargs),
                                              csv_dialect(delimiter, header, quote, null_values)))


def write_batches(data: Any, dst: str, format: Optional[str] = None,
                  compression: Optional[str] = None, row_group_rows: Optional[int] = None,
                  row_group_bytes: Optional[int] = None, if_absent: bool = False,
                  options: Optional[StoreOptions] = None, **kwargs: Any) -> Dict[str, Any]:
    """Writes Arrow data (any ``__arrow_c_stream__`` producer, a RecordBatch or a pandas
    DataFrame) to one CSV, JSON Lines or Parquet file, streaming.

    The file appears only when complete; a failure or Ctrl-C leaves nothing.  Returns
    ``{"uri", "format", "rows", "bytes", "seconds"}``.
    """
    return _lakepack.write_batches(_as_stream_source(data), str(dst), format or "",
                                   compression or "", int(row_group_rows or 0),
                                   int(row_group_bytes or 0), bool(if_absent),
                                   _opts(options, kwargs))


def convert(src: str, dst: str, in_format: Optional[str] = None, out_format: Optional[str] = None,
            compression: Optional[str] = None, schema: Optional[str] = None,
            batch_rows: Optional[int] = None, row_group_rows: Optional[int] = None,
            row_group_bytes: Optional[int] = None, options: Optional[StoreOptions] = None,
            on_schema_mismatch: str = "fail", delimiter: Optional[str] = None, header: bool = True,
            quote: Optional[str] = '"', null_values: Optional[Sequence[str]] = None,
            out_delimiter: Optional[str] = None, **kwargs: Any) -> Dict[str, Any]:
    """Converts a data file between csv, jsonl and parquet (like ``lakepack convert``).

    With ``schema`` (a schema file), ``on_schema_mismatch`` decides what happens when the input's
    columns differ from it: ``"fail"`` (the default) raises InvalidData naming them, ``"union"``
    keeps the input's extra columns, ``"drop"`` drops them and null-fills the schema's missing ones.

    Paths or ``s3://`` URIs on either side; formats from the extensions unless given;
    ``compression`` is the Parquet codec (snappy by default, zstd, gzip, lz4, brotli, none).
    Streams with bounded memory, releases the GIL, and leaves no output on failure or Ctrl-C.
    ``delimiter``, ``header``, ``quote``, ``null_values`` say how a CSV input is read (see
    :func:`lakepack.options.csv_dialect`); ``out_delimiter`` is a CSV output's separator (None:
    ',' or a tab for a ``.tsv`` dst).  A ``.gz`` / ``.zst`` input is decompressed as it streams.
    Returns the report ``lakepack convert --json`` prints: ``{"uri", "format", "rows", "bytes",
    "seconds", "src", "in_format", "in_bytes"}``.
    """
    o = _lakepack.ConvertOptions()
    o.src, o.dst = str(src), str(dst)
    o.in_format, o.out_format = in_format or "", out_format or ""
    o.compression, o.schema = compression or "", schema or ""
    o.batch_rows = int(batch_rows or 0)
    o.row_group_rows, o.row_group_bytes = int(row_group_rows or 0), int(row_group_bytes or 0)
    o.on_schema_mismatch = str(on_schema_mismatch or "fail")
    o.csv = csv_dialect(delimiter, header, quote, null_values)
    o.out_delimiter = out_delimiter
    o.store = _opts(options, kwargs)
    return _lakepack.convert(o)


def inspect(path: str, format: Optional[str] = None, options: Optional[StoreOptions] = None,
            delimiter: Optional[str] = None, header: bool = True, quote: Optional[str] = '"',
            null_values: Optional[Sequence[str]] = None, **kwargs: Any) -> Dict[str, Any]:
    """Facts about one data file (like ``lakepack inspect --json``) as a dict: format, size,
    rows, schema and, for Parquet (from the footer only), row groups, codecs and metadata.
    ``delimiter``, ``header``, ``quote``, ``null_values``: the CSV dialect (see
    :func:`lakepack.options.csv_dialect`)."""
    return json.loads(_lakepack.inspect(str(path), format or "", _opts(options, kwargs),
                                        csv_dialect(delimiter, header, quote, null_values)))


def generate(dst: str, rows: Optional[int] = None, size: Optional[int] = None, seed: int = 42,
             format: Optional[str] = None, compression: Optional[str] = None, threads: int = 0,
             batch_rows: Optional[int] = None, options: Optional[StoreOptions] = None,
             **kwargs: Any) -> Dict[str, Any]:
    """Writes deterministic fake customer records (like ``lakepack generate``).

    Give ``rows`` (a row count) or ``size`` (bytes; the file lands at or just past it, within a
    few % for sizes of 1 MB and more), not both; neither means 1,000,000 rows.  The same ``seed``
    gives the same data for any thread count.  Releases the GIL; Ctrl-C stops it and leaves no
    file.  Returns ``{"uri", "format", "rows", "bytes", "seconds"}``.
    """
    if rows is not None and size is not None:
        raise TypeError("generate: give rows= or size=, not both")
    if rows is None and size is None:
        rows = 1_000_000
    return _lakepack.generate(str(dst), -1 if rows is None else int(rows),
                              -1 if size is None else int(size), int(seed), format or "",
                              compression or "", int(threads), int(batch_rows or 0),
                              _opts(options, kwargs))


def copy(src: str, dst: str, recursive: bool = False, jobs: Optional[int] = None,
         parallel: Optional[int] = None, part_size: Optional[int] = None,
         max_failures: Optional[int] = None, options: Optional[StoreOptions] = None,
         **kwargs: Any) -> Dict[str, Any]:
    """Copies objects between local disk and S3 (like ``lakepack cp``).

    With ``recursive``, every object under the prefix ``src`` goes below ``dst``, four objects
    at a time (each one itself read in parallel ranges).  A ``dst`` that is a directory (an
    existing local directory, a URI ending in ``/``, or the root) receives ``src``'s base name,
    as with ``lakepack cp``: both are the same C++ job.  Within one store the server copies.
    Every object appears whole or not at all.  Releases the GIL; Ctrl-C starts no new object and
    aborts the ones being streamed (a server-side copy in flight completes).

    ``jobs`` (objects at once, default 4), ``parallel`` (ranges or parts of one object in
    flight, 1..64, default 8), ``part_size`` (bytes per range or part, default 8 MiB) and
    ``max_failures`` (default 10; -1: no bound) are ``lakepack cp``'s options of the same names.

    A failed object does not stop the others (up to ``max_failures``; then no new object starts).
    The exception (of the first failed object's kind) names the first failed object in listing
    order, reports the other failures and says how many objects were copied.  Returns the
    report ``lakepack cp --json`` prints: ``{"objects"`` (copied), ``"planned", "bytes",
    "total_bytes", "seconds", "cancelled", "failures"}``.
    """
    o = _lakepack.CopyOptions()  # its defaults are lakepack cp's
    o.src, o.dst, o.recursive = str(src), str(dst), bool(recursive)
    for name, value in (("jobs", jobs), ("parallel", parallel), ("part_size", part_size),
                        ("max_failures", max_failures)):
        if value is not None:
            setattr(o, name, int(value))
    o.store = _opts(options, kwargs)
    return _lakepack.copy(o)
