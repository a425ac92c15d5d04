"""S3Uploader: uploads local files to an S3 bucket, as in the parquet_s3_blocks_writer tool."""
from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional

from . import _lakepack
from .options import StoreOptions


class S3Uploader:
    """Uploads files to ``bucket_name`` on AWS S3 or any S3-compatible server.

    Large files go up as multipart uploads streamed from disk (parts uploaded in parallel, the
    upload aborted on failure so no partial object is ever visible).

    Args:
        bucket_name: the bucket.
        endpoint_url, region, profile: as in :class:`StoreOptions` (default: the environment).
        options: a :class:`StoreOptions` to start from.
    """

    def __init__(self, bucket_name: str, endpoint_url: Optional[str] = None,
                 region: Optional[str] = None, profile: Optional[str] = None,
                 options: Optional[StoreOptions] = None):
        if not bucket_name or "/" in bucket_name:
            raise ValueError(f"not a bucket name: {bucket_name!r}")
        self.bucket_name = bucket_name
        kw = {k: v for k, v in
              (("endpoint_url", endpoint_url), ("region", region), ("profile", profile)) if v}
        self.options = StoreOptions.from_kwargs(options, **kw)

    def create_bucket_if_not_exists(self) -> bool:
        """Creates the bucket unless it exists; returns True if it was created."""
        return _lakepack.create_bucket_if_not_exists(self.bucket_name, self.options._native())

    def upload_file(self, file_path: str, s3_key: Optional[str] = None) -> Dict[str, Any]:
        """Uploads ``file_path`` to ``s3://bucket_name/s3_key`` (default key: the file's name).

        Returns ``{"bucket", "key", "uri", "file_size_bytes", "file_size_mb", "seconds",
        "throughput_mb_s"}``.  Raises NotFound if the file does not exist.
        """
        key = s3_key or os.path.basename(file_path)
        uri = f"s3://{self.bucket_name}/{key.lstrip('/')}"
        start = time.perf_counter()
        o = _lakepack.CopyOptions()
        o.src, o.dst, o.store = os.path.abspath(file_path), uri, self.options._native()
        result = _lakepack.copy(o)
        seconds = time.perf_counter() - start
        size = result["bytes"]
        return {
            "bucket": self.bucket_name,
            "key": key.lstrip("/"),
            "uri": uri,
            "file_size_bytes": size,
            "file_size_mb": size / (1024 * 1024),
            "seconds": seconds,
            "throughput_mb_s": size / (1024 * 1024) / seconds if seconds > 0 else 0.0,
        }
