"""file_dataset's exceptions: a failure names its rows, files and stages; nothing is dropped silently."""
from __future__ import annotations

from typing import Any, Dict, Optional

from ..errors import LakepackError


class FileDatasetError(LakepackError):
    """A file dataset operation failed; ``file_errors`` maps each failed file (or row id) to its error."""

    def __init__(self, file_errors: Dict[str, str], message: str = "File dataset operation failed"):
        self.file_errors = dict(file_errors)
        super().__init__(message)

    def __str__(self) -> str:
        details = ", ".join(f"{k}: {v}" for k, v in list(self.file_errors.items())[:10])
        more = len(self.file_errors) - 10
        if more > 0:
            details += f", ... and {more} more"
        return f"{super().__str__()}. File errors: {details}"


class RowsFailed(FileDatasetError):
    """Some rows failed; raised after the whole frame was processed.

    Attributes:
        failures: a pyarrow Table with one row per failed input row: ``id``, ``row`` (its position
            in the input), ``column`` (the file or output that failed, "" for the row),
            ``stage`` (``fetch`` / ``fn`` / ``upload``), ``error``, ``code``, ``attempts``.
        succeeded: the result for the rows that succeeded (the same type the call returns).
    """

    def __init__(self, message: str, failures: Any, succeeded: Optional[Any] = None):
        ids = failures.column("id").to_pylist()
        errors = failures.column("error").to_pylist()
        stages = failures.column("stage").to_pylist()
        super().__init__({str(i): f"[{s}] {e}" for i, s, e in zip(ids, stages, errors)}, message)
        self.failures = failures
        self.succeeded = succeeded


__all__ = ["FileDatasetError", "RowsFailed"]
