"""Readers: a row's or a frame's files into temp dirs, a blob table or a size table."""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pyarrow as pa

from .. import _lakepack
from . import _frames
from ._options import Options, resolve
from .exceptions import FileDatasetError


def _file_errors(frame: _frames.Frame, outcomes: Dict[str, list]) -> Dict[str, str]:
    errors = {}
    for i, ok in enumerate(outcomes["ok"]):
        if not ok:
            key = outcomes["column"][i] or str(frame.id_of(i))
            errors[key] = outcomes["error"][i]
    return errors


class FileRowReader:
    """The files of one row: a dict of file name → path or URL."""

    def __init__(self, row: Any, options: Optional[Options] = None):
        self._frame = _frames.from_row(row)
        self.files_dict = self._frame.source
        self.options = resolve(options)

    def _check(self, outcomes: Dict[str, list], what: str) -> None:
        if not all(outcomes["ok"]):
            raise FileDatasetError(_file_errors(self._frame, outcomes), what)

    @contextlib.contextmanager
    def into_temp_dir(self) -> Iterator[Path]:
        """Copies the files into a fresh temp dir (``<dir>/<file name>``); removed on exit."""
        tmp = Path(tempfile.mkdtemp(prefix="lakepack-row-"))
        try:
            outcomes = _lakepack.files_fetch(self._frame.table, [str(tmp)], self.options._native())
            self._check(outcomes, "Cannot copy files to temporary directory")
            yield tmp
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def into_blob_table(self) -> pa.Table:
        """A one-row pyarrow Table, one ``binary`` column per file."""
        stream, outcomes = _lakepack.files_blob_table(self._frame.table, self.options._native())
        self._check(outcomes, "Cannot read files into a blob table")
        return _frames.with_ids_first(_frames.read_stream(stream), self._frame, False)

    def into_size_table(self) -> pa.Table:
        """A one-row pyarrow Table, one ``int64`` column (bytes) per file; nothing is downloaded."""
        stream, outcomes = _lakepack.files_size_table(self._frame.table, self.options._native())
        self._check(outcomes, "Cannot read file sizes")
        return _frames.with_ids_first(_frames.read_stream(stream), self._frame, False)


class FileDataFrameReader:
    """The files of a data frame (pandas, polars or pyarrow): an ``id`` column and file columns.

    Rows are read in parallel.  ``on_error`` decides what a failed row does: ``"raise"``
    (default) raises :class:`RowsFailed` after all rows, with the failure table and the rows that
    succeeded; ``"report"`` returns every row with ``status`` / ``stage`` / ``error`` columns;
    ``"drop"`` drops failed rows with a warning that counts them (file_dataset's behaviour).
    """

    def __init__(self, dataframe: Any, options: Optional[Options] = None, on_error: str = "raise"):
        self.dataframe = dataframe
        self.options = resolve(options)
        self.on_error = _frames.check_on_error(on_error)
        self._frame = _frames.from_frame(dataframe)

    def _head(self, head: Optional[int]) -> _frames.Frame:
        if head is None:
            return self._frame
        f = self._frame
        return _frames.Frame(f.kind, f.table.slice(0, head), None if f.ids is None else f.ids[:head],
                             f.source)

    def into_blob_table(self, head: Optional[int] = None) -> pa.Table:
        """A pyarrow Table: ``id`` (string) and one ``binary`` column per file column.

        The blobs are Arrow buffers filled by the engine: no Python bytes objects, no copies.
        """
        frame = self._head(head)
        stream, outcomes = _lakepack.files_blob_table(frame.table, self.options._native())
        table = _frames.read_stream(stream)
        return _frames.finish(frame, table, outcomes, self.on_error, "into_blob_table",
                              convert=lambda t: _frames.with_ids_first(t, frame, False))

    def into_size_table(self, head: Optional[int] = None) -> pa.Table:
        """A pyarrow Table: ``id`` (string) and one ``int64`` column (bytes) per file column."""
        frame = self._head(head)
        stream, outcomes = _lakepack.files_size_table(frame.table, self.options._native())
        table = _frames.read_stream(stream)
        return _frames.finish(frame, table, outcomes, self.on_error, "into_size_table",
                              convert=lambda t: _frames.with_ids_first(t, frame, False))

    def into_temp_dir(self) -> Iterator[Tuple[Any, Path]]:
        """Yields ``(row_id, temp_dir)`` for each row; each dir is removed when the next is asked for.

        Rows are fetched ``parallel_rows`` at a time, ahead of the consumer.  Failed rows are
        handled per ``on_error`` once every row was offered (raise: :class:`RowsFailed`).
        """
        frame = self._frame
        chunk = max(1, self.options.parallel_rows)
        all_ok: list = []
        merged: Dict[str, list] = {}
        for start in range(0, frame.num_rows, chunk):
            part = frame.table.slice(start, chunk)
            dirs = [Path(tempfile.mkdtemp(prefix="lakepack-row-")) for _ in range(part.num_rows)]
            try:
                outcomes = _lakepack.files_fetch(part, [str(d) for d in dirs],
                                                 self.options._native())
                for k, v in outcomes.items():
                    merged.setdefault(k, []).extend(v)
                for i, d in enumerate(dirs):
                    all_ok.append(outcomes["ok"][i])
                    if outcomes["ok"][i]:
                        yield frame.id_of(start + i), d
                    shutil.rmtree(d, ignore_errors=True)
            finally:
                for d in dirs:
                    shutil.rmtree(d, ignore_errors=True)
        if merged and not all(merged["ok"]) and self.on_error != "report":
            _frames.finish(frame, frame.table, merged, self.on_error, "into_temp_dir",
                           convert=lambda t: None)

    into_temp_dirs = into_temp_dir


def row_reader(row: Any, options: Optional[Options] = None) -> FileRowReader:
    """A reader of one row (a dict of file name → path or URL)."""
    return FileRowReader(row, options)


def file_dataframe_reader(dataframe: Any, options: Optional[Options] = None,
                          on_error: str = "raise") -> FileDataFrameReader:
    """A reader of a data frame's files (pandas, polars or pyarrow)."""
    return FileDataFrameReader(dataframe, options, on_error)


def reader(row: Any = None, options: Optional[Options] = None, *, dataframe: Any = None,
           on_error: str = "raise"):
    """``reader(row_dict)`` or ``reader(dataframe)``: a row or a frame reader."""
    if dataframe is not None:
        return FileDataFrameReader(dataframe, options, on_error)
    if row is None:
        raise TypeError("reader() needs a row (dict) or a data frame")
    if _frames.is_frame(row):
        return FileDataFrameReader(row, options, on_error)
    return FileRowReader(row, options)
