"""A Ray Data datasource of a file frame's blob table, sized by the real bytes (HEAD/LIST).

One read task per ``batch_size`` rows; each task's metadata carries the exact bytes of its rows,
looked up once on the driver with the size table (no data read), so Ray plans memory from real
sizes, not from the first batch extrapolated.  A task runs lakepack's blob reader in the worker:
credentials are resolved there, the blobs land in Arrow buffers, and failed rows follow
``on_error`` (``"report"`` keeps them, with ``status`` / ``stage`` / ``error`` columns).
"""
from __future__ import annotations

from typing import Any, List, Optional

import pyarrow as pa

from .. import _frames
from .._options import Options, resolve


def _read_batch(table: pa.Table, ids: Optional[list], options: Options, on_error: str) -> pa.Table:
    from .. import _reader
    frame = _frames.Frame("arrow", table, ids, table)
    r = _reader.FileDataFrameReader.__new__(_reader.FileDataFrameReader)
    r.dataframe, r.options, r.on_error, r._frame = table, options, on_error, frame
    return r.into_blob_table()


def read_blobs(dataframe: Any, batch_size: int, options: Optional[Options], on_error: str) -> Any:
    import ray.data
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError("blob_reader: batch_size must be a positive int")
    opts = resolve(options)
    _frames.check_on_error(on_error)
    frame = _frames.from_frame(dataframe)
    if frame.ids is None:
        raise ValueError("blob_reader: the data frame needs an 'id' column")
    if len(set(map(str, frame.ids))) != len(frame.ids):
        raise ValueError("blob_reader: the 'id' column must have unique values")

    from ... import _lakepack
    stream, _ = _lakepack.files_size_table(frame.table, opts._native())
    sizes = _frames.read_stream(stream)
    row_bytes = [0] * frame.num_rows
    for c in frame.file_columns:
        for i, v in enumerate(sizes.column(c).to_pylist()):
            row_bytes[i] += v or 0
    schema = pa.schema([("id", pa.utf8())] + [(c, pa.binary()) for c in frame.file_columns])
    if on_error == "report":
        schema = schema.append(pa.field("status", pa.utf8())).append(
            pa.field("stage", pa.utf8())).append(pa.field("error", pa.utf8()))

    class FileDataFrameAsBlobDatasource(Datasource):
        def estimate_inmemory_data_size(self) -> Optional[int]:
            return sum(row_bytes)

        def get_read_tasks(self, parallelism: int, per_task_row_limit: Optional[int] = None,
                           data_context: Any = None) -> List[ReadTask]:
            tasks = []
            for start in range(0, frame.num_rows, batch_size):
                part = frame.table.slice(start, batch_size)
                part_ids = [str(i) for i in frame.ids[start:start + batch_size]]
                meta = BlockMetadata(num_rows=part.num_rows,
                                     size_bytes=sum(row_bytes[start:start + batch_size]),
                                     exec_stats=None, input_files=None)
                tasks.append(ReadTask(
                    lambda part=part, part_ids=part_ids: [_read_batch(part, part_ids, opts, on_error)],
                    meta, schema=schema))
            return tasks

    return ray.data.read_datasource(FileDataFrameAsBlobDatasource())
