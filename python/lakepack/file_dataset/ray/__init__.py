"""Ray Data integration of file_dataset (optional extra ``lakepack[ray]``): a blob datasource."""
from __future__ import annotations

from typing import Any, Optional


def blob_reader(dataframe: Any, batch_size: int, options: Optional[Any] = None,
                on_error: str = "raise") -> Any:
    """A Ray Dataset of the frame's blob table: one read task per ``batch_size`` rows.

    Each task's size estimate is the real bytes of its rows (from LIST/HEAD), not an
    extrapolation.  Rows are ``id`` plus one ``binary`` column per file column.
    """
    from ._datasource import read_blobs
    return read_blobs(dataframe, batch_size, options, on_error)


# file_dataset's code name for the same function.
read_file_dataset = blob_reader

__all__ = ["blob_reader", "read_file_dataset"]
