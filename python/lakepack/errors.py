"""lakepack's exceptions: one class per kind of failure of the C++ core.

Every error raised by lakepack derives from :class:`LakepackError`; each also derives from the
nearest built-in exception, so ``except FileNotFoundError`` or ``except ValueError`` work as a
Python user expects.  Messages name the file or object and the place (row, line, offset).
"""


class LakepackError(Exception):
    """Base class of every lakepack error."""


class NotFound(LakepackError, FileNotFoundError):
    """An object, bucket or file does not exist."""


class Conflict(LakepackError):
    """The operation conflicts with the current state of the store."""


class AlreadyExists(Conflict, FileExistsError):
    """A put-if-absent (or a second packer on the same table) lost: the object is there first."""


class InvalidArgument(LakepackError, ValueError):
    """The request is malformed: a bad URI, option, format name or size."""


class InvalidData(LakepackError, ValueError):
    """The input data is malformed: a corrupt Parquet file, a bad CSV row, a bad JSON line."""


class PermissionDenied(LakepackError, PermissionError):
    """Credentials were rejected or access was denied."""


class Unavailable(LakepackError, ConnectionError):
    """A transient failure outlasted the retries (5xx, SlowDown, timeout, refused connection)."""


class IOFailure(LakepackError, OSError):
    """A non-transient I/O failure (disk full, unreadable file...)."""


class Unsupported(LakepackError, NotImplementedError):
    """lakepack does not implement this (yet)."""


class Cancelled(LakepackError):
    """The operation was cancelled."""


__all__ = [
    "LakepackError", "NotFound", "Conflict", "AlreadyExists", "InvalidArgument", "InvalidData",
    "PermissionDenied", "Unavailable", "IOFailure", "Unsupported", "Cancelled",
]
