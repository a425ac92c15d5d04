"""Issue 13, MF-3 in the Python API: the CSV dialect keywords (delimiter, header, quote,
null_values) of read_batches, convert, inspect and pack; .tsv, .gz / .zst inputs and any-case
extensions.  Local disk and (LAKEPACK_TEST_S3=1) S3, through the `base` fixture."""
import gzip
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import lakepack
from lakepack.errors import InvalidArgument, InvalidData


def _put(base, name, data: bytes):
    lakepack.open_store(base).put(name, data)


def test_read_batches_with_a_dialect(base):
    # Before: semi.csv failed with "Expected 1 columns, got 2" and there was no way to say ';'.
    _put(base, "semi.csv", b"a;b\n1;x,y\n2;NA\n")
    t = lakepack.read_batches(f"{base}/semi.csv", delimiter=";", null_values=["NA"]).read_all()
    assert t.schema.names == ["a", "b"]
    assert t.column("b").to_pylist() == ["x,y", None]
    _put(base, "n.csv", b"1,'p,q'\n")
    t = lakepack.read_batches(f"{base}/n.csv", header=False, quote="'").read_all()
    assert t.to_pylist() == [{"f0": 1, "f1": "p,q"}]
    t = lakepack.read_batches(f"{base}/n.csv", header=False, quote=None).read_all()
    assert t.num_columns == 3


def test_tsv_gz_zst_and_any_case(base):
    # Before: .tsv and .csv.gz were "cannot tell the format from the name".
    _put(base, "t.TSV", b"a\tb\n1\tx y\n")
    assert lakepack.read_batches(f"{base}/t.TSV").read_all().to_pylist() == [{"a": 1, "b": "x y"}]
    _put(base, "g.csv.GZ", gzip.compress(b"a,b\n1,007\n"))
    assert lakepack.read_batches(f"{base}/g.csv.GZ").read_all().to_pylist() == [{"a": 1, "b": "007"}]
    _put(base, "j.jsonl.gz", gzip.compress(b'{"a":1,"d":"1990-01-01"}\n'))
    info = lakepack.inspect(f"{base}/j.jsonl.gz")
    assert info["rows"] == 1
    assert lakepack.inspect(f"{base}/t.TSV")["rows"] == 1


def test_convert_dialect_and_out_delimiter(base, tmp_path):
    _put(base, "s.csv", b"a|b\n1|x\n")
    dst = tmp_path / "o.csv"
    lakepack.convert(f"{base}/s.csv", str(dst), delimiter="|", out_delimiter=";")
    assert dst.read_text() == '"a";"b"\n1;"x"\n'
    with pytest.raises(InvalidArgument):
        lakepack.convert(f"{base}/s.csv", str(tmp_path / "o.csv.gz"))
    with pytest.raises(InvalidArgument):
        lakepack.read_batches(f"{base}/s.csv", delimiter="ab")


def test_corrupt_gz_is_invalid_data_naming_the_file(base, tmp_path):
    data = bytearray(gzip.compress(b"a,b\n" + b"".join(b"%d,x\n" % i for i in range(200000))))
    data[len(data) // 2] ^= 0x5A
    _put(base, "bad.csv.gz", bytes(data))
    dst = tmp_path / "bad.parquet"
    with pytest.raises(InvalidData, match=r"bad\.csv\.gz: not valid gzip data"):
        lakepack.convert(f"{base}/bad.csv.gz", str(dst))
    assert not dst.exists()


def test_pack_with_a_dialect_and_compressed_inputs(base, tmp_path):
    _put(base, "land/t/A.CSV", b"a;b\n1;x\n")
    _put(base, "land/t/b.csv.gz", gzip.compress(b"a;b\n2;y\n"))
    _put(base, "land/t/notes.txt", b"hi\n")
    r = lakepack.pack(f"{base}/land", str(tmp_path / "db"), "t", delimiter=";", dry_run=True)
    assert "skipped input" in r["plan"] and "notes.txt" in r["plan"]
    assert "CSV inputs read with: delimiter ';'" in r["plan"]
    r = lakepack.pack(f"{base}/land", str(tmp_path / "db"), "t", delimiter=";")
    assert r["rows"] == 2
    t = pq.read_table(str(tmp_path / "db" / "t" / "t_0.snappy.parquet"))
    assert t.to_pylist() == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
