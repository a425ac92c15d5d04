"""ParquetBlockWriter as users of parquet_s3_blocks_writer use it (the reference's documented
behaviour: its statistics, its errors, empty blocks skipped), and with blocks from pandas, polars
and pyarrow mixed in one file."""
import os

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakepack
from lakepack import ParquetBlockWriter, PyArrowParquetBlockWriter


def test_reference_statistics_and_context_manager(tmp_path):
    out = str(tmp_path / "test.parquet")
    df1 = pd.DataFrame({"id": [1, 2], "name": ["Alice", "Bob"], "age": [25, 30]})
    df2 = pd.DataFrame({"id": [3], "name": ["Carol"], "age": [35]})
    with PyArrowParquetBlockWriter(block_size_mb=1) as w:
        assert w.block_size_mb == 1
        w.start_writing(out)
        w.write_block(df1)
        w.write_block(df2)
        stats = w.finish_writing()
    assert stats["file_path"] == out
    assert stats["num_rows"] == 3 and stats["num_columns"] == 3 and stats["num_blocks"] == 2
    assert stats["file_size_bytes"] == os.path.getsize(out) > 0
    assert stats["file_size_mb"] == pytest.approx(stats["file_size_bytes"] / 2**20)
    assert stats["avg_row_size_bytes"] == pytest.approx(stats["file_size_bytes"] / 3)
    assert stats["compression"] == "snappy"
    assert pq.read_table(out).num_rows == 3


def test_empty_blocks_are_skipped_and_not_counted(tmp_path):
    out = str(tmp_path / "e.parquet")
    w = ParquetBlockWriter(block_size_mb=1)
    w.start_writing(out)
    w.write_block(pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}))
    # An empty frame has other dtypes (object / float64): skipped before any schema check.
    w.write_block(pd.DataFrame({"id": [], "name": []}))
    w.write_block(pa.table({"id": pa.array([], pa.int64()), "name": pa.array([], pa.string())}))
    w.write_block(pd.DataFrame({"id": [3, 4], "name": ["c", "d"]}))
    stats = w.finish_writing()
    w.close()
    assert stats["num_rows"] == 4 and stats["num_blocks"] == 2


def test_errors_say_what_is_wrong(tmp_path):
    w = ParquetBlockWriter(block_size_mb=1)
    with pytest.raises(RuntimeError, match="not started"):
        w.write_block(pd.DataFrame({"id": [1]}))
    out = tmp_path / "none.parquet"
    w.start_writing(str(out))
    with pytest.raises(RuntimeError, match="No blocks written"):
        w.finish_writing()
    w.close()
    assert not out.exists() and os.listdir(tmp_path) == []

    w.start_writing(str(tmp_path / "m.parquet"))
    w.write_block(pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}))
    with pytest.raises(ValueError, match="schema mismatch"):
        w.write_block(pd.DataFrame({"id": [3, 4], "age": [25, 30]}))
    w.write_block(pd.DataFrame({"id": [5], "name": ["e"]}))  # still usable
    assert w.finish_writing()["num_rows"] == 3
    with pytest.raises(RuntimeError, match="finished"):
        w.write_block(pd.DataFrame({"id": [6], "name": ["f"]}))
    w.close()


def test_read_metadata_matches_pyarrow(tmp_path):
    out = str(tmp_path / "md.parquet")
    with ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(out, compression="zstd")
        w.write_block(pd.DataFrame({"id": range(100), "value": [f"v{i}" for i in range(100)]}))
        w.finish_writing()
        md = w.read_metadata(out)
    ref = pq.ParquetFile(out).metadata
    assert md == {
        "num_rows": 100, "num_row_groups": ref.num_row_groups, "num_columns": 2,
        "created_by": ref.created_by, "format_version": ref.format_version,
        "serialized_size": ref.serialized_size,
    }


def test_polars_pyarrow_and_large_string_blocks_mix_and_polars_hits_the_size(tmp_path):
    t = lakepack.DataGenerator(seed=5).generate_table(120_000)
    out = str(tmp_path / "mixed.parquet")
    with ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(out)
        frame = pl.from_arrow(t)  # string_view columns
        for off in range(0, 90_000, 3_000):
            w.write_block(frame.slice(off, 3_000))
        w.write_block(t.slice(90_000, 15_000))               # pyarrow: string
        rest = t.slice(105_000)                              # large_string, as pandas 3 exports
        w.write_block(rest.cast(pa.schema([
            f.with_type(pa.large_string()) if f.type == pa.string() else f for f in rest.schema])))
        stats = w.finish_writing()
    assert stats["num_rows"] == 120_000
    sizes = stats["row_group_bytes"]
    assert len(sizes) >= 5
    for s in sizes[:-1]:  # before: polars gave a 3x first row group, then shrinking ones
        assert abs(s - 2**20) / 2**20 <= 0.02, sizes
    back = pq.read_table(out)
    assert back.num_rows == 120_000
    assert all(f.type != pa.string_view() and f.type != pa.large_string() for f in back.schema)


def test_pandas_index_and_schema_metadata_survive(tmp_path):
    evenly = pd.DataFrame({"id": [10, 20, 30], "v": ["a", "b", "c"]}).set_index("id")
    uneven = pd.DataFrame({"id": [3, 1, 7], "v": ["a", "b", "c"]}).set_index("id")
    for name, df in [("even", evenly), ("uneven", uneven)]:
        out = str(tmp_path / f"{name}.parquet")
        with ParquetBlockWriter(block_size_mb=1) as w:
            w.start_writing(out)
            w.write_block(df)
            w.finish_writing()
        pd.testing.assert_frame_equal(pd.read_parquet(out), df)
    t = pa.table({"x": [1]}).replace_schema_metadata({"owner": "me"})
    out = str(tmp_path / "md.parquet")
    with ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(out)
        w.write_block(t)
        w.finish_writing()
    assert pq.read_schema(out).metadata[b"owner"] == b"me"


def test_polars_categorical_is_written(tmp_path):
    out = str(tmp_path / "cat.parquet")
    df = pl.DataFrame({"c": pl.Series(["a", "b", "a"], dtype=pl.Categorical), "n": [1, 2, 3]})
    with ParquetBlockWriter(block_size_mb=1) as w:
        w.start_writing(out)
        w.write_block(df)
        w.finish_writing()
    assert pq.read_table(out).column("c").to_pylist() == ["a", "b", "a"]
