"""Interop: files lakepack writes are read identically by pyarrow, DuckDB and polars, and files
they write are read correctly by lakepack.

The CLI under test is $LAKEPACK_CLI (default: build/lakepack of this checkout).  Every comparison is
row for row against one fixture table with many types.
"""
import datetime as dt
import decimal
import json
import os
import subprocess
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

CLI = os.environ.get("LAKEPACK_CLI",
                     str(Path(__file__).resolve().parents[2] / "build" / "lakepack"))

UTC = dt.timezone.utc

FLAT_SCHEMA = pa.schema([
    ("i8", pa.int8()),
    ("i32", pa.int32()),
    ("i64", pa.int64()),
    ("f64", pa.float64()),
    ("s", pa.string()),
    ("ts", pa.timestamp("ms", tz="UTC")),
    ("day", pa.date32()),
    ("amount", pa.decimal128(12, 2)),
    ("ok", pa.bool_()),
])
NESTED_FIELDS = [
    ("tags", pa.list_(pa.string())),
    ("point", pa.struct([("x", pa.int64()), ("label", pa.string())])),
]
ODD_STRINGS = ["plain", 'comma, "quote"', "new\nline\ttab", "héllo € 😀", "", "back\\slash", "NA",
               "\x01ctl"]


def _rows(n=40):
    rows = []
    for k in range(n):
        null = k % 7 == 3
        rows.append({
            "i8": None if null else (k * 37) % 256 - 128,
            "i32": None if null else k * 100003 - 2000000,
            "i64": None if null else (k - 20) * 9007199254740993,
            "f64": None if null else [0.1, -1e300, 2.5, 1 / 3, 123456.789][k % 5] * (k + 1),
            "s": None if null else ODD_STRINGS[k % len(ODD_STRINGS)],
            "ts": None if null else dt.datetime(2024, 1, 1, tzinfo=UTC)
            + dt.timedelta(milliseconds=k * 86_400_123 - 5_000_000_000),
            "day": None if null else dt.date(1969, 12, 1) + dt.timedelta(days=k * 397),
            "amount": None if null else decimal.Decimal(k * 12345 - 200000).scaleb(-2),
            "ok": None if null else k % 2 == 0,
            "tags": None if null else [ODD_STRINGS[(k + j) % len(ODD_STRINGS)] for j in range(k % 3)],
            "point": None if null else {"x": k, "label": None if k % 5 == 0 else f"p{k}"},
        })
    return rows


@pytest.fixture(scope="module")
def table():
    schema = pa.schema(list(FLAT_SCHEMA) + NESTED_FIELDS)
    return pa.Table.from_pylist(_rows(), schema=schema)


@pytest.fixture(scope="module")
def flat(table):
    return table.select(FLAT_SCHEMA.names)


@pytest.fixture
def work(tmp_path):
    return tmp_path


def lakepack(*args):
    r = subprocess.run([CLI, *map(str, args), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, f"lakepack {' '.join(map(str, args))}: {r.stderr}"
    return r


def schema_file(path, schema):
    def name(t):
        if pa.types.is_timestamp(t):
            return f"timestamp[{t.unit}, tz={t.tz}]" if t.tz else f"timestamp[{t.unit}]"
        if pa.types.is_decimal(t):
            return f"decimal128({t.precision},{t.scale})"
        if pa.types.is_list(t):
            return f"list<{name(t.value_type)}>"
        if pa.types.is_struct(t):
            return "struct<" + ", ".join(f"{f.name}: {name(f.type)}" for f in t) + ">"
        if pa.types.is_date32(t):
            return "date32"
        return str(t)
    path.write_text(json.dumps({"columns": [{"name": f.name, "type": name(f.type)} for f in schema]}))
    return path


def duck_types(schema):
    def t(x):
        if pa.types.is_timestamp(x):
            return "TIMESTAMPTZ" if x.tz else "TIMESTAMP"
        if pa.types.is_decimal(x):
            return f"DECIMAL({x.precision},{x.scale})"
        if pa.types.is_list(x):
            return t(x.value_type) + "[]"
        if pa.types.is_struct(x):
            return "STRUCT(" + ", ".join(f'"{f.name}" {t(f.type)}' for f in x) + ")"
        return {pa.int8(): "TINYINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT",
                pa.float64(): "DOUBLE", pa.string(): "VARCHAR", pa.date32(): "DATE",
                pa.bool_(): "BOOLEAN"}[x]
    return {f.name: t(f.type) for f in schema}


def duck_rows(sql):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    # Through Arrow: DuckDB's own Python conversion of TIMESTAMPTZ would need pytz.
    return con.sql(sql).to_arrow_table().to_pylist()


# ---- lakepack writes, the others read --------------------------------------------------------

def test_parquet_written_by_lakepack(table, work):
    src = work / "src.parquet"
    pq.write_table(table, src)
    out = work / "out.parquet"
    lakepack("convert", src, out, "--compression", "zstd")
    assert pq.read_table(out).equals(table)
    assert duck_rows(f"SELECT * FROM '{out}'") == duck_rows(f"SELECT * FROM '{src}'")
    assert pl.read_parquet(out).equals(pl.from_arrow(table))
    assert pq.ParquetFile(out).metadata.row_group(0).column(0).compression == "ZSTD"


def test_jsonl_written_by_lakepack(table, work):
    src = work / "src.parquet"
    pq.write_table(table, src)
    out = work / "out.jsonl"
    lakepack("convert", src, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == table.num_rows
    # Every line is standard JSON and holds the row's values.
    for line, row in zip(lines, table.to_pylist()):
        got = json.loads(line)
        assert got["s"] == row["s"] and got["i64"] == row["i64"] and got["tags"] == row["tags"]
        assert got["point"] == row["point"]
        if row["amount"] is not None:
            assert decimal.Decimal(str(got["amount"])) == row["amount"]
    # pyarrow: dates come as strings (its JSON reader cannot parse dates), the rest typed.
    read_schema = pa.schema([f if f.name != "day" else pa.field("day", pa.string())
                             for f in table.schema])
    got = pajson.read_json(out, parse_options=pajson.ParseOptions(explicit_schema=read_schema))
    got = got.set_column(got.schema.get_field_index("day"), "day",
                         got.column("day").cast(pa.date32()))
    assert got.equals(table)
    # DuckDB with declared columns.
    cols = ", ".join(f"'{k}': '{v}'" for k, v in duck_types(table.schema).items())
    assert (duck_rows(f"SELECT * FROM read_json('{out}', format='newline_delimited', "
                      f"columns={{{cols}}})") == duck_rows(f"SELECT * FROM '{src}'"))
    # polars infers; compare the columns it types without help.
    got_pl = pl.read_ndjson(out)
    want_pl = pl.from_arrow(table)
    for name in ["i64", "f64", "s", "ok", "tags"]:
        assert got_pl[name].to_list() == want_pl[name].to_list(), name


def test_csv_written_by_lakepack(flat, work):
    src = work / "src.parquet"
    pq.write_table(flat, src)
    out = work / "out.csv"
    lakepack("convert", src, out)
    got = pacsv.read_csv(out, convert_options=pacsv.ConvertOptions(
        column_types=flat.schema, strings_can_be_null=True, null_values=[""],
        quoted_strings_can_be_null=False))
    assert got.equals(flat)
    cols = ", ".join(f"'{k}': '{v}'" for k, v in duck_types(flat.schema).items())
    # With allow_quoted_nulls=false DuckDB reads an unquoted empty field as NULL and "" as an
    # empty string, like lakepack.
    assert (duck_rows(f"SELECT * FROM read_csv('{out}', header=true, allow_quoted_nulls=false, "
                      f"columns={{{cols}}})")
            == duck_rows(f"SELECT * FROM '{src}'"))
    got_pl = pl.read_csv(out, schema_overrides={"i8": pl.Int8, "i32": pl.Int32, "i64": pl.Int64,
                                                "s": pl.Utf8}, try_parse_dates=True)
    want_pl = pl.from_arrow(flat)
    for name in ["i8", "i32", "i64", "f64", "ok"]:
        assert got_pl[name].to_list() == want_pl[name].to_list(), name
    # polars too tells an empty field (null) from "" (empty string).
    assert got_pl["s"].to_list() == want_pl["s"].to_list()


# ---- the others write, lakepack reads --------------------------------------------------------

def check_back(path, want):
    got = pq.read_table(path)
    assert got.schema.names == want.schema.names
    assert got.cast(want.schema).equals(want), f"{path}:\n{got}\n!=\n{want}"


@pytest.mark.parametrize("writer", ["pyarrow", "duckdb", "polars"])
def test_parquet_written_by_others(table, work, writer):
    src = work / f"{writer}.parquet"
    if writer == "pyarrow":
        pq.write_table(table, src, compression="gzip")
    elif writer == "duckdb":
        pq.write_table(table, work / "seed.parquet")
        duckdb.connect().execute(f"COPY (SELECT * FROM '{work / 'seed.parquet'}') TO '{src}' "
                                 "(FORMAT parquet)")
    else:
        pl.from_arrow(table).write_parquet(src)
    out = work / "back.parquet"
    lakepack("convert", src, out)
    check_back(out, table)
    jl = work / "back.jsonl"
    lakepack("convert", src, jl)
    assert len(jl.read_text(encoding="utf-8").splitlines()) == table.num_rows


@pytest.mark.parametrize("writer", ["pyarrow", "duckdb", "polars"])
def test_csv_written_by_others(flat, work, writer):
    src = work / f"{writer}.csv"
    if writer == "pyarrow":
        pacsv.write_csv(flat, src)
    elif writer == "duckdb":
        pq.write_table(flat, work / "seed.parquet")
        duckdb.connect().execute(f"SET TimeZone='UTC'; COPY (SELECT * FROM '{work / 'seed.parquet'}') "
                                 f"TO '{src}' (FORMAT csv, HEADER)")
    else:
        pl.from_arrow(flat).write_csv(src)
    schema = schema_file(work / "schema.json", flat.schema)
    out = work / "back.parquet"
    lakepack("convert", src, out, "--schema", schema)
    # All three quote an empty string and leave null empty, as lakepack does: both survive.
    check_back(out, flat)


@pytest.mark.parametrize("writer", ["duckdb", "polars"])
def test_jsonl_written_by_others(table, work, writer):
    src = work / f"{writer}.jsonl"
    if writer == "duckdb":
        pq.write_table(table, work / "seed.parquet")
        duckdb.connect().execute(f"SET TimeZone='UTC'; COPY (SELECT * FROM '{work / 'seed.parquet'}') "
                                 f"TO '{src}' (FORMAT json)")
    else:
        pl.from_arrow(table).write_ndjson(src)
    schema = schema_file(work / "schema.json", table.schema)
    out = work / "back.parquet"
    lakepack("convert", src, out, "--schema", schema)
    check_back(out, table)


def test_errors_leave_nothing_and_name_the_line(work):
    bad = work / "bad.csv"
    bad.write_text("a,b\n1,2\n3\n")
    out = work / "out.parquet"
    r = subprocess.run([CLI, "convert", bad, out], capture_output=True, text=True)
    assert r.returncode == 1
    assert r.stderr.startswith(f"lakepack: error: {bad}: line 3: "), r.stderr
    assert r.stderr.count("\n") == 1
    assert sorted(p.name for p in work.iterdir()) == ["bad.csv"]
