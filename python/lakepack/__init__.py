"""lakepack: data lakes on S3-compatible object storage and local disk, on a C++ core.

Convert, inspect, generate and copy data files; pack tables into evenly sized files; stream
Arrow data in and out zero-copy (``__arrow_c_stream__``).  Paths may be local or ``s3://`` URIs;
S3 settings come from the AWS environment or :class:`StoreOptions`.

    >>> import lakepack
    >>> lakepack.generate("/tmp/people.parquet", rows=1000)       # doctest: +SKIP
    >>> table = lakepack.read_batches("/tmp/people.parquet").read_all()  # doctest: +SKIP
"""
# The system's libcrypto first: pyarrow's libparquet exports OpenSSL symbols of its own, and a
# libcrypto loaded after the extension (by hashlib or ssl, e.g. inside `import ray`, which loads
# its _raylet with RTLD_GLOBAL) bound its internal calls to them and crashed.
import hashlib as _hashlib  # noqa: F401,E402
import ssl as _ssl  # noqa: F401,E402
import pyarrow as _pyarrow  # loads the one Arrow C++ the extension links

# The Arrow major version the extension is built against (pyproject.toml pins pyarrow to it):
# Arrow's C++ ABI changes with the major version, so any other pyarrow cannot load the extension
# (the loader would say only that libarrow.so.2600 is missing).
_ARROW_MAJOR = 26
if int(_pyarrow.__version__.split(".")[0]) != _ARROW_MAJOR:
    raise ImportError(
        f"lakepack was built against pyarrow {_ARROW_MAJOR}.x (Arrow C++ "
        f"{_ARROW_MAJOR}), but pyarrow {_pyarrow.__version__} is installed: install "
        f"'pyarrow>={_ARROW_MAJOR},<{_ARROW_MAJOR + 1}' or a lakepack built for this pyarrow")

from .errors import (AlreadyExists, Cancelled, Conflict, InvalidArgument, InvalidData,
                     IOFailure, LakepackError, NotFound, PermissionDenied, Unavailable,
                     Unsupported)
from .options import StoreOptions
from .store import ObjectWriter, Store, open_store
from .streams import (BatchStream, convert, copy, generate, inspect, read_batches,
                      write_batches)
from .generator import DataGenerator
from .block_writer import ParquetBlockWriter, PyArrowParquetBlockWriter
from .uploader import S3Uploader
from .packer import (S3DataPacker, S3OutputStore, S3TableStore, pack, pack_gc, pack_status,
                     pack_unlock)
from .sleeper import SleeperBatchWriter, SleeperClient
from . import file_dataset
from . import dbsnaplake

__version__ = "0.1.0"

__all__ = [
    "AlreadyExists", "BatchStream", "Cancelled", "Conflict", "DataGenerator", "IOFailure",
    "InvalidArgument", "InvalidData", "LakepackError", "NotFound", "ObjectWriter",
    "ParquetBlockWriter", "PermissionDenied", "PyArrowParquetBlockWriter", "S3DataPacker",
    "S3OutputStore", "S3TableStore", "S3Uploader", "SleeperBatchWriter", "SleeperClient", "Store",
    "StoreOptions", "Unavailable", "Unsupported", "convert", "copy", "dbsnaplake", "file_dataset",
    "generate", "inspect", "open_store", "pack", "pack_gc", "pack_status", "pack_unlock",
    "read_batches", "write_batches",
]
