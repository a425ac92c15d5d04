"""Object stores: S3 buckets and local directories through one small interface."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Union

from . import _lakepack
from .options import StoreOptions

ObjectInfo = Dict[str, Any]


class ObjectWriter:
    """Streams one object into a store; nothing is visible until :meth:`finish`.

    Use as a context manager: leaving the block normally finishes (commits) the object, leaving
    it with an exception aborts it (S3: the multipart upload is aborted; local: the temp file is
    removed), so a failed or interrupted write leaves nothing behind.
    """

    def __init__(self, native: "_lakepack.ObjectWriter", uri: str):
        self._w = native
        self.uri = uri
        self.info: Optional[ObjectInfo] = None

    def write(self, data: Union[bytes, bytearray, memoryview]) -> None:
        """Appends ``data`` to the object."""
        self._w.write(data if isinstance(data, bytes) else bytes(data))

    def finish(self) -> ObjectInfo:
        """Commits the object; returns its info (key, size, etag, mtime_ns)."""
        self.info = self._w.finish()
        return self.info

    def abort(self) -> None:
        """Drops everything written.  Idempotent; a no-op after :meth:`finish`."""
        self._w.abort()

    @property
    def bytes_written(self) -> int:
        """Bytes accepted by :meth:`write` so far."""
        return self._w.bytes_written

    @property
    def closed(self) -> bool:
        """True after :meth:`finish` or :meth:`abort`."""
        return self._w.closed

    def __enter__(self) -> "ObjectWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.closed:
            return
        if exc_type is None:
            self.finish()
        else:
            self.abort()


class Store:
    """A location in an object store: an ``s3://bucket/prefix`` or a local directory.

    Keys given to the methods are relative to the location, so
    ``open_store("s3://b/data").put("x.csv", ...)`` writes ``s3://b/data/x.csv``.  Every call
    releases the GIL.  Stores pickle as their URI and :class:`StoreOptions` (never credentials)
    and re-open in the unpickling process.
    """

    def __init__(self, uri: str, options: Optional[StoreOptions] = None):
        self._uri_arg = uri
        self.options = options if options is not None else StoreOptions()
        self._s = _lakepack.Store.open(uri, self.options._native())

    def __reduce__(self):
        return (Store, (self._uri_arg, self.options))

    def __repr__(self) -> str:
        return f"lakepack.Store({self.uri!r})"

    @property
    def uri(self) -> str:
        """The location's URI (``s3://bucket/prefix`` or ``file:///abs/dir``)."""
        return self._s.uri

    @property
    def is_local(self) -> bool:
        """True for local disk."""
        return self._s.is_local

    def uri_of(self, key: str) -> str:
        """The full URI of ``key``."""
        return self._s.key_uri(key)

    def head(self, key: str) -> ObjectInfo:
        """Info of one object: ``{"key", "size", "etag", "mtime_ns"}``.  Raises NotFound."""
        return self._s.head(key)

    def exists(self, key: str) -> bool:
        """True if the object exists."""
        from .errors import NotFound
        try:
            self._s.head(key)
            return True
        except NotFound:
            return False

    def get(self, key: str) -> bytes:
        """The whole object.  Raises NotFound."""
        return self._s.get(key)

    def get_range(self, key: str, offset: int, length: int) -> bytes:
        """Bytes ``[offset, offset + length)`` of the object (fewer at its end)."""
        return self._s.get_range(key, offset, length)

    def put(self, key: str, data: Union[bytes, bytearray, memoryview]) -> ObjectInfo:
        """Writes a whole object atomically (replacing any existing one)."""
        return self._s.put(key, data if isinstance(data, bytes) else bytes(data), False)

    def put_if_absent(self, key: str, data: Union[bytes, bytearray, memoryview]) -> ObjectInfo:
        """Creates the object only if no object has this key; else raises AlreadyExists."""
        return self._s.put(key, data if isinstance(data, bytes) else bytes(data), True)

    def list(self, prefix: str = "", recursive: bool = True) -> List[ObjectInfo]:
        """Objects whose keys start with ``prefix`` (relative keys, sorted).

        Without ``recursive``, only one level: deeper keys are rolled up into entries
        ``{"key": "dir/", "prefix": True}``.
        """
        return self._s.list(prefix, recursive)

    def delete(self, keys: Union[str, Iterable[str]]) -> None:
        """Deletes one key or many; a key that does not exist is not an error."""
        self._s.delete([keys] if isinstance(keys, str) else list(keys))

    def copy(self, src: str, dst: str) -> ObjectInfo:
        """Server-side copy of ``src`` to ``dst`` within this store."""
        return self._s.copy(src, dst)

    def open_writer(self, key: str, if_absent: bool = False,
                    part_size: Optional[int] = None) -> ObjectWriter:
        """A streaming writer for ``key`` (S3: multipart upload of ``part_size``-byte parts)."""
        return ObjectWriter(self._s.open_writer(key, if_absent, int(part_size or 0)),
                            self.uri_of(key))


def open_store(uri: str, options: Optional[StoreOptions] = None, **kwargs: Any) -> Store:
    """Opens the store at ``uri``: ``s3://bucket[/prefix]``, ``file:///abs/dir`` or a local path.

    Keyword arguments are :class:`StoreOptions` fields (``endpoint_url``, ``region``,
    ``profile``, ``max_retries``).  Credentials come from the environment / profile.
    """
    return Store(uri, StoreOptions.from_kwargs(options, **kwargs))
