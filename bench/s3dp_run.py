#!/usr/bin/env python3
"""Runs the real s3-data-packer (PyPI 0.0.9) the way its README shows, against the local S3 server.

  bench/.venv-s3dp/bin/python bench/s3dp_run.py s3://BUCKET/INPUT_BASE s3://BUCKET/OUTPUT_BASE TABLE \
      [--file-limit-gigabytes 0.256]

Run by bench/bench_pack.py in the virtual environment bench/.venv-s3dp (s3-data-packer pins
numpy<2 and its own awswrangler / pyarrow, which clash with the project's .venv).

What this wrapper adds around `S3DataPacker(input_basepath, output_basepath, table).pack_data()`,
and why; none of it changes how the packer reads, sizes or writes data:
- The import: 0.0.9's package __init__ exports nothing, so the README's
  `from s3_data_packer import S3DataPacker` fails; the class lives in s3_data_packer.s3_data_packer.
- A network guard.  boto3 and pyarrow.fs.FileSystem.from_uri honour AWS_ENDPOINT_URL, but
  arrow_pd_parser's Parquet writer re-opens each written file through
  `pyarrow.fs.S3FileSystem(region=...)`, which ignores it and would go to AWS.  This wrapper gives
  that constructor the local endpoint, and refuses (in Python's resolver) any host but loopback.
It refuses to start unless AWS_ENDPOINT_URL points at 127.0.0.1 / localhost.
"""
import argparse
import os
import socket
import sys
import urllib.parse

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _install_guard():
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    url = urllib.parse.urlsplit(endpoint)
    if url.hostname not in LOOPBACK:
        sys.exit(f"s3dp_run: AWS_ENDPOINT_URL={endpoint!r} is not a loopback address; refusing to run")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise OSError(f"s3dp_run: refused to resolve non-loopback host {name!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = loopback_only

    import pyarrow.fs as pafs

    real_s3fs = pafs.S3FileSystem

    class LocalS3FileSystem(real_s3fs):
        """S3FileSystem that always talks to the local endpoint (only that, never AWS)."""

        def __init__(self, *args, **kwargs):
            kwargs["endpoint_override"] = f"{url.hostname}:{url.port or 80}"
            kwargs["scheme"] = url.scheme or "http"
            super().__init__(*args, **kwargs)

    pafs.S3FileSystem = LocalS3FileSystem


def main():
    ap = argparse.ArgumentParser(description="run s3-data-packer against the local S3 server")
    ap.add_argument("input_basepath")
    ap.add_argument("output_basepath")
    ap.add_argument("table")
    # The packer's own default, 256 * 10**-3 GB; given only to run small smoke tests.
    ap.add_argument("--file-limit-gigabytes", type=float, default=None)
    args = ap.parse_args()
    _install_guard()
    from s3_data_packer.s3_data_packer import S3DataPacker

    extra = {}
    if args.file_limit_gigabytes is not None:
        extra["file_limit_gigabytes"] = args.file_limit_gigabytes
    packer = S3DataPacker(args.input_basepath, args.output_basepath, args.table, **extra)
    packer.pack_data()


if __name__ == "__main__":
    main()
