"""Data frames in and out: pandas, polars and pyarrow frames (and single rows) as file tables.

A file table crosses into the engine as a pyarrow Table of string columns (file columns, then
``id`` as text); results come back in the caller's own frame type.  Outcomes of the engine (one
per input row) become the failure table, or the ``status`` / ``error`` columns of
``on_error="report"``.
"""
from __future__ import annotations

import math
import os
import warnings
from pathlib import PurePath
from typing import Any, Dict, List, Optional, Sequence, Tuple

import pyarrow as pa

from .exceptions import RowsFailed

ON_ERROR = ("raise", "report", "drop")


def check_on_error(on_error: str) -> str:
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {ON_ERROR}, not {on_error!r}")
    return on_error


def _cell(v: Any) -> Optional[str]:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (os.PathLike, PurePath)):
        return os.fspath(v)
    if isinstance(v, str):
        return v
    try:  # pandas.NA and friends
        import pandas as pd
        if pd.isna(v):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    raise TypeError(f"a file cell holds {type(v).__name__} {v!r}; expected a path or URL string")


class Frame:
    """A caller's frame: its kind, its id values, and the file table the engine reads."""

    def __init__(self, kind: str, table: pa.Table, ids: Optional[List[Any]], source: Any):
        self.kind = kind            # "pandas", "polars", "arrow"
        self.table = table          # file columns (utf8), then "id" (utf8) if any
        self.ids = ids              # the caller's id values, or None
        self.source = source
        self.file_columns = [c for c in table.column_names if c != "id"]

    @property
    def num_rows(self) -> int:
        return self.table.num_rows

    def id_of(self, row: int) -> Any:
        return self.ids[row] if self.ids is not None else str(row)


def is_frame(obj: Any) -> bool:
    mod = type(obj).__module__
    return (isinstance(obj, (pa.Table, pa.RecordBatch)) or mod.startswith("pandas")
            and type(obj).__name__ == "DataFrame" or mod.startswith("polars")
            and type(obj).__name__ == "DataFrame")


def from_frame(df: Any, file_columns: Optional[Sequence[str]] = None) -> Frame:
    """The file table of a pandas / polars / pyarrow frame (all non-id columns, or `file_columns`)."""
    mod = type(df).__module__
    if isinstance(df, pa.RecordBatch):
        df = pa.Table.from_batches([df])
    if isinstance(df, pa.Table):
        kind, names = "arrow", df.column_names
        get = lambda c: df.column(c).to_pylist()  # noqa: E731
    elif mod.startswith("polars"):
        kind, names = "polars", list(df.columns)
        get = lambda c: df.get_column(c).to_list()  # noqa: E731
    elif mod.startswith("pandas"):
        kind, names = "pandas", [str(c) for c in df.columns]
        get = lambda c: df[c].tolist()  # noqa: E731
    else:
        raise TypeError(f"expected a pandas, polars or pyarrow data frame, not {type(df).__name__}")
    cols = [c for c in names if c != "id"] if file_columns is None else list(file_columns)
    arrays, fields = [], []
    for c in cols:
        arrays.append(pa.array([_cell(v) for v in get(c)], pa.utf8()))
        fields.append(c)
    ids = None
    if "id" in names:
        ids = get("id")
        arrays.append(pa.array([str(v) for v in ids], pa.utf8()))
        fields.append("id")
    table = pa.Table.from_arrays(arrays, names=fields) if fields else pa.table({})
    return Frame(kind, table, ids, df)


def from_row(row: Any, id: Any = None) -> Frame:
    """The one-row file table of a dict (or pandas Series) of name → path/URL."""
    if hasattr(row, "to_dict") and not isinstance(row, dict):
        row = row.to_dict()
    if not isinstance(row, dict):
        raise TypeError(f"a row is a dict of file name to path or URL, not {type(row).__name__}")
    row = dict(row)
    if id is None and "id" in row:
        id = row.pop("id")
    else:
        row.pop("id", None)
    arrays = [pa.array([_cell(v)], pa.utf8()) for v in row.values()]
    names = [str(k) for k in row.keys()]
    ids = None
    if id is not None:
        arrays.append(pa.array([str(id)], pa.utf8()))
        names.append("id")
        ids = [id]
    return Frame("row", pa.Table.from_arrays(arrays, names=names), ids, row)


def to_kind(table: pa.Table, kind: str) -> Any:
    """`table` as the caller's frame type (pandas / polars / pyarrow)."""
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl
        return pl.from_arrow(table)
    return table


def read_stream(stream: Any) -> pa.Table:
    return pa.RecordBatchReader.from_stream(stream).read_all()


def failure_table(frame: Frame, outcomes: Dict[str, list]) -> pa.Table:
    rows = [i for i, ok in enumerate(outcomes["ok"]) if not ok]
    ids = [str(frame.id_of(i)) for i in rows]
    return pa.table({
        "id": pa.array(ids, pa.utf8()),
        "row": pa.array(rows, pa.int64()),
        "column": pa.array([outcomes["column"][i] for i in rows], pa.utf8()),
        "stage": pa.array([outcomes["stage"][i] or "fetch" for i in rows], pa.utf8()),
        "error": pa.array([outcomes["error"][i] for i in rows], pa.utf8()),
        "code": pa.array([outcomes["code"][i] for i in rows], pa.utf8()),
        "attempts": pa.array([outcomes["attempts"][i] for i in rows], pa.int32()),
    })


def finish(frame: Frame, result: pa.Table, outcomes: Dict[str, list], on_error: str, what: str,
           convert=None) -> Any:
    """Applies the failure mode to `result` (one row per input row) and converts it.

    raise: the succeeded rows, or RowsFailed after all rows carrying the failure table and the
    succeeded rows; report: every row, with ``status`` ("ok" / "failed"), ``stage`` and
    ``error`` columns; drop: the succeeded rows, with a warning counting the dropped ones.
    """
    convert = convert or (lambda t: to_kind(t, frame.kind))
    ok = outcomes["ok"]
    failed = ok.count(False)
    if on_error == "report":
        status = pa.array(["ok" if o else "failed" for o in ok], pa.utf8())
        stage = pa.array([s if not o else None for s, o in zip(outcomes["stage"], ok)], pa.utf8())
        error = pa.array([e if not o else None for e, o in zip(outcomes["error"], ok)], pa.utf8())
        result = result.append_column("status", status).append_column("stage", stage)
        return convert(result.append_column("error", error))
    good = result.filter(pa.array(ok, pa.bool_())) if failed else result
    if failed and on_error == "raise":
        failures = failure_table(frame, outcomes)
        first = failures.slice(0, 1).to_pylist()[0]
        raise RowsFailed(
            f"{what}: {failed} of {len(ok)} rows failed (first: row {first['row']} id "
            f"{first['id']!r}, {first['stage']} of {first['column'] or 'the row'!r}: "
            f"{first['error']}); .failures has every failed row, .succeeded the others",
            failures, convert(good))
    if failed:
        warnings.warn(f"{what}: {failed} of {len(ok)} rows failed and were dropped "
                      f"(on_error='drop')", RuntimeWarning, stacklevel=3)
    return convert(good)


def with_ids_first(table: pa.Table, frame: Frame, original_ids: bool) -> pa.Table:
    """`table` with ``id`` as its first column (the caller's id values if `original_ids`)."""
    if "id" not in table.column_names:
        return table
    rest = [c for c in table.column_names if c != "id"]
    if original_ids and frame.ids is not None:
        try:
            id_col = pa.array(frame.ids)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            id_col = table.column("id")
    else:
        id_col = table.column("id")
    return pa.Table.from_arrays([id_col] + [table.column(c) for c in rest], names=["id"] + rest)


def split_outputs(outputs: List[Tuple[str, str]]) -> Dict[str, str]:
    return dict(outputs)
