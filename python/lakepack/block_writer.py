"""ParquetBlockWriter: one Parquet (or CSV / JSON Lines) file written block by block, as in the
parquet_s3_blocks_writer tool, but streamed by the C++ core to local disk or straight to S3."""
from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional

from . import _lakepack
from .options import StoreOptions
from .streams import _as_stream_source

_MB = 1024 * 1024


class ParquetBlockWriter:
    """Writes blocks (pandas DataFrames, pyarrow Tables / RecordBatches, polars DataFrames or any
    Arrow stream) into one file at a local path or ``s3://`` URI.

    The first block fixes the schema; a block with another schema raises
    :class:`lakepack.InvalidArgument` (a ``ValueError``) and is not written.  The file becomes
    visible only when :meth:`finish_writing` succeeds; :meth:`close` before that (or leaving a
    ``with`` block) drops it, so an interrupted run leaves no partial file.

    For Parquet outputs the C++ block writer enforces the row group size: every row group but the
    last is within 2% of ``block_size_mb`` of stored (compressed) bytes, and the statistics list
    each row group.  CSV / JSON Lines outputs are written as they come.

    Args:
        block_size_mb: target stored size of each Parquet row group, in MiB (at least 0.0625).
        options, **kwargs: store options (``endpoint_url``, ``region``, ``profile``...).
    """

    def __init__(self, block_size_mb: float = 128, options: Optional[StoreOptions] = None,
                 **kwargs: Any):
        if block_size_mb <= 0:
            raise ValueError("block_size_mb must be positive")
        self.block_size_mb = block_size_mb
        self.options = StoreOptions.from_kwargs(options, **kwargs)
        self.output_path: Optional[str] = None
        self.compression: Optional[str] = None
        self._w: Optional[Any] = None
        self._start = 0.0
        self._stats: Optional[Dict[str, Any]] = None
        self._num_columns = 0
        self._blocks = 0
        self._finished = False

    def start_writing(self, output_path: str, compression: str = "snappy") -> None:
        """Opens ``output_path`` (format from its extension) with the Parquet ``compression``."""
        if self._w is not None and not self._w.closed:
            raise RuntimeError(f"already writing {self.output_path}; finish_writing() first")
        self.output_path = os.fspath(output_path)
        self.compression = compression
        self._stats = None
        self._blocks = 0
        self._finished = False
        if self.output_path.endswith((".parquet", ".pq")):
            self._w = _lakepack.BlockWriter(self.output_path, compression or "",
                                            int(self.block_size_mb * _MB), self.options._native())
        else:
            self._w = _lakepack.FileWriter(self.output_path, "", compression or "", 0,
                                           int(self.block_size_mb * _MB), self.options._native())
        self._start = time.perf_counter()

    def write_block(self, df: Any) -> None:
        """Appends one block.  An empty block (no rows) is skipped and not counted, as in the
        reference.  Raises ValueError ("schema mismatch: ...") if its schema differs from the
        first block's; strings from pandas (large_string), polars (string_view) and pyarrow
        (string) count as one type and are written as plain strings."""
        if self._w is None or self._w.closed:
            if self._finished:
                raise RuntimeError(f"the writer is finished ({self.output_path} is written); "
                                   "call start_writing() to begin another file")
            raise RuntimeError("Writer not started. Call start_writing() first.")
        if _rows_of(df) == 0:
            return
        source = _as_stream_source(df)
        self._w.write(source)
        if self._blocks == 0:
            self._num_columns = _columns_of(df)
        self._blocks += 1

    def finish_writing(self) -> Dict[str, Any]:
        """Completes the file and returns its statistics: the reference's keys (``file_path``,
        ``file_size_bytes``, ``file_size_mb``, ``num_rows``, ``num_columns``, ``num_blocks``,
        ``compression``, ``avg_row_size_bytes``) and lakepack's (``output_path``, ``total_rows``,
        ``total_blocks``, ``format``, ``seconds`` and, for Parquet, ``row_groups``,
        ``row_group_rows``, ``row_group_bytes``, ``block_seconds``, ``compression_ratio``,
        ``uncompressed_bytes``, ``compressed_bytes``, ``etag``).

        Raises RuntimeError if no block was written (the file is then dropped)."""
        if self._w is None or (self._w.closed and not self._finished):
            raise RuntimeError("Writer not started. Call start_writing() first.")
        if self._finished:
            raise RuntimeError(f"the writer is finished ({self.output_path} is written)")
        if self._blocks == 0:
            self._w.abort()
            raise RuntimeError("No blocks written. Call write_block() at least once.")
        block_writer = isinstance(self._w, _lakepack.BlockWriter)
        info = self._w.finish() if block_writer else self._w.close()
        self._finished = True
        seconds = time.perf_counter() - self._start
        rows, size = info["rows"], info["bytes"]
        self._stats = {
            "file_path": self.output_path,
            "file_size_bytes": size,
            "file_size_mb": size / _MB,
            "num_rows": rows,
            "num_columns": self._num_columns,
            "num_blocks": self._blocks,
            "compression": self.compression,
            "avg_row_size_bytes": size / rows if rows else 0,
            "output_path": self.output_path,
            "total_rows": rows,
            "total_blocks": self._blocks,
            "format": "parquet" if block_writer else info["format"],
            "seconds": seconds,
        }
        if block_writer:
            for k in ("row_groups", "row_group_rows", "row_group_bytes", "block_seconds",
                      "compression_ratio", "uncompressed_bytes", "compressed_bytes", "etag"):
                self._stats[k] = info[k]
        return self._stats

    def read_metadata(self, parquet_path: str) -> Dict[str, Any]:
        """The footer facts of a Parquet file (local or ``s3://``), as the reference reports them:
        ``num_rows``, ``num_row_groups``, ``num_columns``, ``created_by``, ``format_version``,
        ``serialized_size``."""
        from .streams import inspect
        info = inspect(os.fspath(parquet_path), options=self.options)
        return {
            "num_rows": info["rows"],
            "num_row_groups": len(info.get("row_groups", [])),
            "num_columns": len(info.get("schema", [])),
            "created_by": info.get("created_by"),
            "format_version": info.get("format_version"),
            "serialized_size": info.get("footer_bytes"),
        }

    def close(self) -> None:
        """Releases the writer; an unfinished file is dropped (nothing becomes visible)."""
        if self._w is not None and not self._w.closed:
            self._w.abort()

    def __enter__(self) -> "ParquetBlockWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


def _rows_of(block: Any) -> Optional[int]:
    """Rows of a pandas / polars frame or a pyarrow table / batch; None for other sources."""
    for attr in ("num_rows", "height"):
        n = getattr(block, attr, None)
        if isinstance(n, int):
            return n
    if type(block).__module__.startswith("pandas"):
        return len(block)
    return None


def _columns_of(block: Any) -> int:
    for attr in ("num_columns", "width"):
        n = getattr(block, attr, None)
        if isinstance(n, int):
            return n
    columns = getattr(block, "columns", None)
    return len(columns) if columns is not None else 0


PyArrowParquetBlockWriter = ParquetBlockWriter
