"""DataGenerator: deterministic fake customer records, as in the parquet_s3_blocks_writer tool."""
from __future__ import annotations

from typing import Any, Iterator, Optional

import pyarrow as pa

from . import _lakepack
from .streams import BatchStream

# Rows per generated batch; fixed (not the caller's block size) so that the data of a seed is
# the same however it is sliced into blocks.
_GENERATOR_BATCH_ROWS = 64 * 1024


def _require_pandas() -> None:
    try:
        import pandas  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("this needs pandas: pip install 'lakepack[pandas]'") from e


class DataGenerator:
    """Generates fake customer records (names, e-mail, address, company, dates, money, flags,
    notes) with the C++ generator: deterministic per ``seed``, multi-threaded, hundreds of MB/s.

    Columns: id, first_name, last_name, email, phone, street_address, city, country, postcode,
    company, job, category, signup_date, last_login, amount, score, is_active, referrer_id, notes.
    """

    def __init__(self, seed: int = 42, threads: int = 0, null_fraction: float = 0.2):
        if seed is None:
            seed = 42
        self.seed = int(seed)
        self.threads = int(threads)
        self.null_fraction = float(null_fraction)

    def __repr__(self) -> str:
        return f"lakepack.DataGenerator(seed={self.seed})"

    def generate_batches(self, num_records: Optional[int]) -> BatchStream:
        """``num_records`` rows (``None``: without end) as a :class:`BatchStream`."""
        rows = -1 if num_records is None else int(num_records)
        return BatchStream(_lakepack.generate_stream(self.seed, rows, _GENERATOR_BATCH_ROWS,
                                                     self.threads, self.null_fraction))

    def generate_table(self, num_records: int) -> pa.Table:
        """``num_records`` rows as a pyarrow Table."""
        return self.generate_batches(num_records).read_all()

    def generate_dataframe(self, num_records: int) -> Any:
        """``num_records`` rows as a pandas DataFrame (needs pandas)."""
        _require_pandas()
        return self.generate_table(num_records).to_pandas()

    def generate_table_blocks(self, total_records: int, block_size: int) -> Iterator[pa.Table]:
        """Yields pyarrow Tables of ``block_size`` rows (the last one shorter), ``total_records``
        in all; only one block (plus one generator batch) is in memory at a time.  The blocks
        concatenated equal ``generate_table(total_records)``."""
        if block_size <= 0:
            raise ValueError("block_size must be positive")
        pending, pending_rows = [], 0
        for batch in self.generate_batches(total_records):
            offset = 0
            while offset < batch.num_rows:
                take = min(block_size - pending_rows, batch.num_rows - offset)
                pending.append(batch.slice(offset, take))
                pending_rows += take
                offset += take
                if pending_rows == block_size:
                    yield pa.Table.from_batches(pending)
                    pending, pending_rows = [], 0
        if pending_rows:
            yield pa.Table.from_batches(pending)

    def generate_dataframe_blocks(self, total_records: int, block_size: int) -> Iterator[Any]:
        """Yields pandas DataFrames of ``block_size`` rows, ``total_records`` in all (needs
        pandas); memory-efficient like :meth:`generate_table_blocks`."""
        _require_pandas()
        for table in self.generate_table_blocks(total_records, block_size):
            yield table.to_pandas()
