"""Ray Data integration (optional extra ``lakepack[ray]``): a datasource and an exactly sized sink.

- :func:`read` -- a Ray Dataset of CSV, JSON Lines or Parquet files on local disk or S3, read by
  lakepack's readers (the C++ core, GIL released) inside read tasks sized by bytes from the
  listing.
- :class:`PackSink` -- ``ds.write_datasink(PackSink(output_base, table, file_limit=...))`` writes
  a distributed dataset into files of exactly ``file_limit`` bytes (all but the last within ±2%),
  named and committed like :func:`lakepack.pack`: one commit at the end, nothing visible after a
  failed job, and a re-run of the same ``job_id`` does not duplicate rows.
"""
try:
    import ray.data  # noqa: F401
    from ray.data import Datasink as _Datasink  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "lakepack.ray needs Ray Data, which is not installed: pip install 'lakepack[ray]' "
        f"(the pinned ray[data]) ({e})") from e

from ._datasource import LakepackDatasource, list_inputs, read
from ._sink import PackSink

__all__ = ["LakepackDatasource", "PackSink", "list_inputs", "read"]
