"""No silent loss of columns in pack and convert from Python (issue 13, DL-1..3): the
``on_schema_mismatch`` option of ``pack()``, ``S3DataPacker`` and ``convert()``.  Local disk and
(LAKEPACK_TEST_S3=1) S3."""
import pyarrow as pa
import pytest

import lakepack


def _put(base, key, text):
    lakepack.open_store(base).put(key, text.encode())


def _land(base):
    _put(base, "land/t/a.jsonl", '{"id":1,"name":"a"}\n')
    _put(base, "land/t/b.jsonl", '{"id":2,"name":"b","email":"e@x"}\n')


def _rows(base, key):
    return lakepack.read_batches(f"{base}/{key}").read_all().to_pylist()


def test_pack_fails_on_a_new_column_by_default_and_writes_nothing(base):
    _land(base)
    with pytest.raises(lakepack.InvalidData, match="not in the target: 'email'"):
        lakepack.pack(f"{base}/land", f"{base}/db", "t")
    assert lakepack.open_store(base).list("db/") == [] or not lakepack.open_store(base).list("db/")
    r = lakepack.pack(f"{base}/land", f"{base}/db", "t", on_schema_mismatch="union")
    assert r["rows"] == 2
    assert _rows(base, "db/t/t_0.snappy.parquet") == [
        {"id": 1, "name": "a", "email": None}, {"id": 2, "name": "b", "email": "e@x"}]
    with pytest.raises(lakepack.InvalidArgument):
        lakepack.pack(f"{base}/land", f"{base}/db", "t", on_schema_mismatch="maybe")


def test_s3_data_packer_on_schema_mismatch_drop(base):
    _land(base)
    with pytest.raises(lakepack.InvalidData):
        lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "t").pack_data()
    packer = lakepack.S3DataPacker(f"{base}/land", f"{base}/db", "t", on_schema_mismatch="drop")
    packer.pack_data()
    assert _rows(base, "db/t/t_0.snappy.parquet") == [{"id": 1, "name": "a"},
                                                       {"id": 2, "name": "b"}]


def test_convert_schema_mismatch_policy(base):
    _put(base, "in.jsonl", '{"id":1,"x":"a","pad":"p"}\n')
    _put(base, "s.json", '{"columns":[{"name":"id","type":"int64"},{"name":"x","type":"string"}]}')
    with pytest.raises(lakepack.InvalidData, match="'pad'"):
        lakepack.convert(f"{base}/in.jsonl", f"{base}/o.parquet", schema=f"{base}/s.json")
    lakepack.convert(f"{base}/in.jsonl", f"{base}/o.parquet", schema=f"{base}/s.json",
                     on_schema_mismatch="drop")
    assert _rows(base, "o.parquet") == [{"id": 1, "x": "a"}]
    lakepack.convert(f"{base}/in.jsonl", f"{base}/u.parquet", schema=f"{base}/s.json",
                     on_schema_mismatch="union")
    assert _rows(base, "u.parquet") == [{"id": 1, "x": "a", "pad": "p"}]
