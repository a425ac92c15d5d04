"""lakepack.file_dataset on local disk, S3 and S3 with 10% injected faults: the reference README's
four usages, failures reported with row and stage (every input row exactly once in the output or
the failure table), resume after kill -9, pickling into a subprocess, unicode and spaces in keys."""
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import lakepack
from lakepack import file_dataset
from conftest import S3_ENABLED, _s3_base

KINDS = ["local"] + (["s3", "s3-faulty"] if S3_ENABLED else [])


class Place:
    """Where a test's input objects live and where its outputs go."""

    def __init__(self, kind, tmp_path):
        self.kind = kind
        self.base = str(tmp_path / "lake") if kind == "local" else _s3_base()
        self.store = lakepack.open_store(self.base)
        self.options = file_dataset.Options(max_attempts=5)

    def put(self, name, data):
        self.store.put(name, data)
        return self.uri(name)

    def uri(self, name):
        return self.base + "/" + name

    def get(self, uri):
        return lakepack.open_store(os.path.dirname(uri)).get(os.path.basename(uri))


@pytest.fixture(params=KINDS)
def place(request, tmp_path, monkeypatch):
    # s3-faulty: the S3 transport's test hook injects a fault into 10% of requests.
    if request.param == "s3-faulty":
        monkeypatch.setenv("LAKEPACK_FAULT_RATE", "0.1")
    return Place(request.param, tmp_path)


def content(i):
    return (f"image {i} ".encode() * (50 + i))


def copy_fn(input_dir, output_dir):
    """The README's shape of function: input_dir/image.mha -> output_dir/output.mha (upper case)."""
    data = (input_dir / "image.mha").read_bytes()
    if data.startswith(b"image 2 "):
        raise ValueError("this function does not like image 2")
    (output_dir / "output.mha").write_bytes(data.upper())
    return {"output.mha": output_dir / "output.mha"}


def frame(place, n, missing=()):
    return pd.DataFrame({
        "image.mha": [place.uri("in/missing") if i in missing else place.put(f"in/{i}.mha", content(i))
                      for i in range(n)],
        "id": [str(i + 1) for i in range(n)],
    })


# ---- the README's four usages -------------------------------------------------------------

def test_usage1_row_into_temp_dir(place):
    row = {"image.mha": place.put("image.mha", content(0))}
    with file_dataset.reader(row, options=place.options).into_temp_dir() as tmp:
        assert (tmp / "image.mha").read_bytes() == content(0)
        kept = tmp
    assert not kept.exists()
    with pytest.raises(file_dataset.FileDatasetError) as e:
        with file_dataset.reader({"image.mha": place.uri("nope")}, options=place.options).into_temp_dir():
            pass
    assert "image.mha" in e.value.file_errors


def test_usage2_write_files(place, tmp_path):
    local = tmp_path / "resampled_image.mha"
    local.write_bytes(b"resampled")
    into = place.uri("resampled/")
    out = file_dataset.write_files({"resampled_image.mha": local}, into_path=into, id="1",
                                   options=place.options)
    assert set(out) == {"resampled_image.mha"}
    dest = out["resampled_image.mha"]
    if place.kind == "local":
        assert isinstance(dest, Path) and dest.read_bytes() == b"resampled"
    else:
        assert dest == place.uri("resampled/1/resampled_image.mha")
        assert place.get(dest) == b"resampled"


def test_usage3_pipeline_over_a_frame(place):
    df = frame(place, 4).drop(index=2).reset_index(drop=True)  # no failing rows here
    out = file_dataset.Pipeline(fn=copy_fn, write_options={"into_path": place.uri("resampled/")},
                                options=place.options)(df)
    assert list(out.columns) == ["id", "output.mha"]
    assert list(out["id"]) == ["1", "2", "4"]
    for _, row in out.iterrows():
        assert row["output.mha"] == place.uri(f"resampled/{row['id']}/output.mha")
        assert place.get(row["output.mha"]) == content(int(row["id"]) - 1).upper()


def test_usage4_blob_and_size_tables(place):
    row = {"image.mha": place.put("image_mask.mha", content(3))}
    blobs = file_dataset.reader(row=row, options=place.options).into_blob_table()
    assert blobs.schema == pa.schema([("image.mha", pa.binary())])
    assert blobs.num_rows == 1 and blobs.column(0)[0].as_py() == content(3)
    sizes = file_dataset.reader(row=row, options=place.options).into_size_table()
    assert sizes.column("image.mha").to_pylist() == [len(content(3))]
    df = frame(place, 5)
    t = file_dataset.file_dataframe_reader(df, options=place.options).into_blob_table()
    assert t.column_names == ["id", "image.mha"]
    assert t.column("id").to_pylist() == list(df["id"])
    assert t.column("image.mha").to_pylist() == [content(i) for i in range(5)]
    assert file_dataset.reader(df, options=place.options).into_size_table(head=2).num_rows == 2


# ---- no row disappears ----------------------------------------------------------------------

def test_missing_object_failing_fn_and_failing_upload_are_reported(place):
    df = frame(place, 6, missing={4})

    def fn(input_dir, output_dir):
        out = copy_fn(input_dir, output_dir)
        if (input_dir / "image.mha").read_bytes().startswith(b"image 5 "):
            return {"output.mha": output_dir / "not-written.mha"}  # the upload fails
        return out

    p = file_dataset.Pipeline(fn, write_options={"into_path": place.uri("out")},
                              options=place.options)
    with pytest.raises(file_dataset.RowsFailed) as e:
        p(df)
    failures = e.value.failures.to_pandas().set_index("id")
    assert sorted(failures.index) == ["3", "5", "6"]
    assert failures.loc["3", "stage"] == "fn" and "image 2" in failures.loc["3", "error"]
    assert failures.loc["5", "stage"] == "fetch" and failures.loc["5", "column"] == "image.mha"
    assert failures.loc["5", "code"] == "NotFound" and failures.loc["5", "row"] == 4
    assert failures.loc["6", "stage"] == "upload" and failures.loc["6", "column"] == "output.mha"
    succeeded = e.value.succeeded
    # Every input row exactly once: in the output or in the failure table.
    assert sorted(list(succeeded["id"]) + list(failures.index)) == sorted(df["id"])
    assert not set(succeeded["id"]) & set(failures.index)

    report = file_dataset.Pipeline(fn, write_options={"into_path": place.uri("out")},
                                   options=place.options, on_error="report")(df)
    assert list(report["id"]) == list(df["id"])
    assert list(report["status"]) == ["ok", "ok", "failed", "ok", "failed", "failed"]
    assert list(report["stage"])[2] == "fn"
    with pytest.warns(RuntimeWarning, match="3 of 6 rows failed and were dropped"):
        dropped = file_dataset.Pipeline(fn, write_options={"into_path": place.uri("out")},
                                        options=place.options, on_error="drop")(df)
    assert list(dropped["id"]) == ["1", "2", "4"]


def test_blob_table_failures_raise_after_all_rows(place):
    df = frame(place, 4, missing={1})
    with pytest.raises(file_dataset.RowsFailed) as e:
        file_dataset.reader(df, options=place.options).into_blob_table()
    assert e.value.failures.column("id").to_pylist() == ["2"]
    assert e.value.succeeded.column("id").to_pylist() == ["1", "3", "4"]
    with pytest.warns(RuntimeWarning, match="1 of 4 rows failed"):
        dirs = list(file_dataset.reader(df, options=place.options, on_error="drop").into_temp_dirs())
    assert [d[0] for d in dirs] == ["1", "3", "4"]


def test_polars_and_pyarrow_frames(place):
    df = frame(place, 3)
    df = df[df["id"] != "3"]
    for data in (pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        blobs = file_dataset.reader(data, options=place.options).into_blob_table()
        assert blobs.column("image.mha").to_pylist() == [content(0), content(1)]
        out = file_dataset.Pipeline(copy_fn, write_options={"into_path": place.uri("o")},
                                    options=place.options)(data)
        assert type(out) is type(data)
        written = frame_to_dict(out)
        assert written["id"] == ["1", "2"]


def frame_to_dict(out):
    return out.to_pydict() if isinstance(out, pa.Table) else out.to_dict(as_series=False)


def test_unicode_and_spaces_in_keys_and_ids(place, tmp_path):
    df = pd.DataFrame({"scan é.mha": [place.put("in/ünï cødé 1.mha", b"one"),
                                      place.put("in/with space/2.mha", b"two")],
                       "id": ["patient é 1", "patient 2"]})
    blobs = file_dataset.reader(df, options=place.options).into_blob_table()
    assert blobs.column("scan é.mha").to_pylist() == [b"one", b"two"]

    def fn(input_dir, output_dir):
        return {"résumé out.mha": input_dir / "scan é.mha"}  # forwards an input as an output

    out = file_dataset.Pipeline(fn, write_options={"into_path": place.uri("out put")},
                                options=place.options)(df)
    assert place.get(out["résumé out.mha"][0]) == b"one"
    assert out["résumé out.mha"][1] == place.uri("out put/patient 2/résumé out.mha")


# ---- resume and integrity -------------------------------------------------------------------

def test_rerun_of_a_finished_job_writes_nothing(place):
    df = frame(place, 5).drop(index=2)
    p = file_dataset.Pipeline(copy_fn, write_options={"into_path": place.uri("out")},
                              options=place.options)
    first = p(df)
    assert p.last_run["objects_written"] == 2 * 4  # output + manifest record per row
    again = p(df)
    assert p.last_run == {"objects_written": 0, "rows": 4, "skipped": 4, "failed": 0}
    pd.testing.assert_frame_equal(first, again)


FN_MODULE = textwrap.dedent('''
    import os, time
    def slow_copy(input_dir, output_dir):
        time.sleep(float(os.environ.get("FN_SLEEP", "0")))
        log = os.environ.get("FN_LOG")
        if log:
            with open(log, "a") as f:
                f.write(input_dir.name + "\\n")
        data = (input_dir / "image.mha").read_bytes()
        (output_dir / "output.mha").write_bytes(data.upper())
        return {"output.mha": output_dir / "output.mha"}
''')


def write_fn_module(tmp_path):
    (tmp_path / "fnmod.py").write_text(FN_MODULE)
    sys.path.insert(0, str(tmp_path))
    return dict(os.environ, PYTHONPATH=str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))


RUNNER = textwrap.dedent('''
    import pickle, sys
    import pandas as pd
    pipeline = pickle.load(open(sys.argv[1], "rb"))
    df = pd.read_pickle(sys.argv[2])
    out = pipeline(df)
    out.to_pickle(sys.argv[3])
    print("objects_written", pipeline.last_run["objects_written"])
''')


def test_pickled_pipeline_and_options_run_in_a_subprocess(place, tmp_path):
    env = write_fn_module(tmp_path)
    import fnmod
    df = frame(place, 4).drop(index=2)
    opts = pickle.loads(pickle.dumps(place.options))
    assert opts == place.options
    p = file_dataset.Pipeline(fnmod.slow_copy, write_options={"into_path": place.uri("sub")},
                              options=opts)
    (tmp_path / "p.pkl").write_bytes(pickle.dumps(p))
    df.to_pickle(tmp_path / "df.pkl")
    (tmp_path / "runner.py").write_text(RUNNER)
    r = subprocess.run([sys.executable, str(tmp_path / "runner.py"), str(tmp_path / "p.pkl"),
                        str(tmp_path / "df.pkl"), str(tmp_path / "out.pkl")],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = pd.read_pickle(tmp_path / "out.pkl")
    assert list(out["id"]) == ["1", "2", "4"]
    assert place.get(out["output.mha"][2]) == content(3).upper()


def test_fn_in_a_process_pool(place, tmp_path):
    write_fn_module(tmp_path)
    import fnmod
    df = frame(place, 3)
    df = df[df["id"] != "3"]
    p = file_dataset.Pipeline(fnmod.slow_copy, write_options={"into_path": place.uri("proc")},
                              options=place.options, fn_executor="process", max_workers=2)
    try:
        out = p(df)
    finally:
        p.close()
    assert place.get(out["output.mha"][1]) == content(1).upper()


def test_single_argument_fn_of_the_reference_code(place):
    df = frame(place, 2)

    def fn(temp_dir):
        (temp_dir / "echo.mha").write_bytes((temp_dir / "image.mha").read_bytes())
        return {"echo.mha": temp_dir / "echo.mha"}

    out = file_dataset.Pipeline(fn, into_path=place.uri("one"), options=place.options)(df)
    assert place.get(out["echo.mha"][0]) == content(0)


def test_resume_after_kill_9(place, tmp_path):
    env = write_fn_module(tmp_path)
    import fnmod
    n = 40
    df = frame(place, n + 3).iloc[3:].reset_index(drop=True)  # no failing image 2
    opts = place.options.replace(parallel_rows=4)
    p = file_dataset.Pipeline(fnmod.slow_copy, write_options={"into_path": place.uri("kill")},
                              options=opts)
    (tmp_path / "p.pkl").write_bytes(pickle.dumps(p))
    df.to_pickle(tmp_path / "df.pkl")
    (tmp_path / "runner.py").write_text(RUNNER)
    env = dict(env, FN_SLEEP="0.05", FN_LOG=str(tmp_path / "calls1.log"))
    proc = subprocess.Popen([sys.executable, str(tmp_path / "runner.py"), str(tmp_path / "p.pkl"),
                             str(tmp_path / "df.pkl"), str(tmp_path / "out.pkl")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    records = lakepack.open_store(place.uri("kill/_lakepack/rows"))
    deadline = time.time() + 60
    while time.time() < deadline and len(records.list("")) < 10:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(records.list(""))
    assert 10 <= done_before < n, "the run finished before it could be killed"
    # Outputs are complete or absent: never a partial object under its final name.
    calls = tmp_path / "calls2.log"
    os.environ["FN_LOG"] = str(calls)
    try:
        out = p(df)
    finally:
        del os.environ["FN_LOG"]
    redone = len(calls.read_text().split())
    assert redone <= n - done_before  # only rows without a record are redone
    assert p.last_run["skipped"] >= done_before
    assert list(out["id"]) == list(df["id"])
    for i, uri in zip(out["id"], out["output.mha"]):
        assert place.get(uri) == content(int(i) - 1).upper()
