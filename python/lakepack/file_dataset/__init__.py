"""lakepack.file_dataset: tables of file URLs — fetch into temp dirs, blob and size tables, write
files, and per-row pipelines that never drop a row.  A drop-in for ``file_dataset``:

    from lakepack import file_dataset

    with file_dataset.reader({"image.mha": "s3://bucket/image.mha"}).into_temp_dir() as tmp:
        ...
    table = file_dataset.reader(df).into_blob_table()      # pyarrow, one binary column per file
    out = file_dataset.Pipeline(fn, write_options={"into_path": "s3://bucket/out/"})(df)

Data frames may be pandas, polars or pyarrow; files are ``s3://`` URLs or local paths.  The work
is done by lakepack's C++ engine: rows and files in parallel, bounded by bytes in flight, small
objects in one GET, sizes checked after every transfer, transient errors retried per file.
Failures are reported (row, file, stage, error, attempts), never silently dropped.
"""
from ._options import Options, S3Options
from ._reader import (FileDataFrameReader, FileRowReader, file_dataframe_reader, reader,
                      row_reader)
from ._writer import write_files
from ._pipeline import Pipeline
from .exceptions import FileDatasetError, RowsFailed
from . import ray  # noqa: F401  -- imports Ray itself only when used

__all__ = [
    "FileDataFrameReader", "FileDatasetError", "FileRowReader", "Options", "Pipeline",
    "RowsFailed", "S3Options", "file_dataframe_reader", "reader", "row_reader", "write_files",
]
