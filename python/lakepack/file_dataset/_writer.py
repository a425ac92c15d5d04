"""write_files: a row's or a frame's local files (or URLs) to ``into_path/id/name``."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from .. import _lakepack
from . import _frames
from ._options import Options, resolve
from .exceptions import FileDatasetError


def _as_path(value: Optional[str], into_path: str) -> Any:
    if value is None or str(into_path).startswith("s3://"):
        return value
    return Path(value)


def write_files(row_or_dataframe: Any, *, into_path: Any, id: Any = None,
                options: Optional[Options] = None, on_error: str = "raise") -> Any:
    """Writes files to ``into_path/<id>/<name>``, local or S3; returns the new locations.

    A row (dict of name → local path or URL) needs ``id``, and returns a dict of name → new
    location (``str`` URL for S3, ``Path`` for local).  A data frame uses its ``id`` column and
    returns a frame of the same shape and type.  Each file is written whole (temp name, then
    renamed; S3 PUT with Content-MD5) and its size checked.
    """
    opts = resolve(options)
    into = os.fspath(into_path)
    if _frames.is_frame(row_or_dataframe):
        frame = _frames.from_frame(row_or_dataframe)
        if frame.ids is None:
            raise ValueError("write_files: the data frame needs an 'id' column")
        stream, outcomes = _lakepack.files_write(frame.table, into, opts._native())
        table = _frames.with_ids_first(_frames.read_stream(stream), frame, True)
        _frames.check_on_error(on_error)
        return _frames.finish(frame, table, outcomes, on_error, "write_files")
    if id is None:
        raise ValueError("write_files: a row needs an id (outputs go to into_path/id/name)")
    frame = _frames.from_row(row_or_dataframe, id=id)
    stream, outcomes = _lakepack.files_write(frame.table, into, opts._native())
    if not outcomes["ok"][0]:
        raise FileDatasetError({outcomes["column"][0] or str(id): outcomes["error"][0]},
                               "Cannot write files to destination")
    written = _frames.read_stream(stream).to_pylist()[0]
    written.pop("id", None)
    return {k: _as_path(v, into) for k, v in written.items()}
