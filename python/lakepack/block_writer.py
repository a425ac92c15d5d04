"""ParquetBlockWriter: one Parquet (or CSV / JSON Lines) file written block by block, as in the
parquet_s3_blocks_writer tool, but streamed by the C++ core to local disk or straight to S3."""
from __future__ import annotations

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

    def start_writing(self, output_path: str, compression: str = "snappy") -> None:
        """Opens ``output_path`` (format from its extension) with the Parquet ``compression``."""
        if self._w is not None and not self._w.closed:
            raise RuntimeError(f"already writing {self.output_path}; finish_writing() first")
        self.output_path = str(output_path)
        self.compression = compression
        self._stats = None
        self._blocks = 0
        if self.output_path.endswith((".parquet", ".pq")):
            self._w = _lakepack.BlockWriter(self.output_path, compression or "",
                                            int(self.block_size_mb * _MB), self.options._native())
        else:
            self._w = _lakepack.FileWriter(self.output_path, "", compression or "", 0,
                                           int(self.block_size_mb * _MB), self.options._native())
        self._start = time.perf_counter()

    def write_block(self, df: Any) -> None:
        """Appends one block.  Raises ValueError if its schema differs from the first block's."""
        if self._w is None or self._w.closed:
            raise RuntimeError("start_writing() must be called before write_block()")
        source = _as_stream_source(df)
        if self._blocks == 0:
            schema = getattr(source, "schema", None)
            self._num_columns = len(schema) if schema is not None else 0
        self._w.write(source)
        self._blocks += 1

    def finish_writing(self) -> Dict[str, Any]:
        """Completes the file and returns its statistics: ``output_path``, ``total_rows``,
        ``total_blocks``, ``num_columns``, ``file_size_bytes``, ``file_size_mb``,
        ``compression``, ``seconds``."""
        if self._w is None:
            raise RuntimeError("start_writing() was not called")
        block_writer = isinstance(self._w, _lakepack.BlockWriter)
        info = self._w.finish() if block_writer else self._w.close()
        seconds = time.perf_counter() - self._start
        self._stats = {
            "output_path": self.output_path,
            "total_rows": info["rows"],
            "total_blocks": info["blocks"],
            "num_columns": self._num_columns,
            "file_size_bytes": info["bytes"],
            "file_size_mb": info["bytes"] / _MB,
            "compression": self.compression,
            "format": "parquet" if block_writer else info["format"],
            "seconds": seconds,
        }
        if block_writer:
            for k in ("row_groups", "row_group_rows", "row_group_bytes", "block_seconds",
                      "compression_ratio", "uncompressed_bytes", "compressed_bytes", "etag"):
                self._stats[k] = info[k]
        return self._stats

    def close(self) -> None:
        """Releases the writer; an unfinished file is dropped (nothing becomes visible)."""
        if self._w is not None and not self._w.closed:
            self._w.abort()

    def __enter__(self) -> "ParquetBlockWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()


PyArrowParquetBlockWriter = ParquetBlockWriter
