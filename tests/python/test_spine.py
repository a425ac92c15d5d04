"""The job spine from Python: one copy semantics shared with the CLI, reports equal to the CLI's
--json, and Ctrl-C (KeyboardInterrupt) mid-run cancelling every job with nothing half-written."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

import lakepack
from lakepack._cli import cli_path


def _cli(*args):
    return subprocess.run([cli_path(), *map(str, args)], capture_output=True, text=True,
                          timeout=120)


# ---- one semantics with the CLI ----------------------------------------------------------------

def test_copy_into_a_directory_keeps_the_name_like_the_cli(tmp_path):
    (tmp_path / "a.csv").write_text("a\n1\n")
    (tmp_path / "PY").mkdir()
    (tmp_path / "CLI").mkdir()
    r = lakepack.copy(str(tmp_path / "a.csv"), str(tmp_path / "PY"))
    assert r["objects"] == 1
    assert _cli("cp", "--quiet", tmp_path / "a.csv", tmp_path / "CLI").returncode == 0
    assert (tmp_path / "PY" / "a.csv").read_text() == "a\n1\n"
    assert (tmp_path / "CLI" / "a.csv").read_text() == "a\n1\n"
    assert sorted(os.listdir(tmp_path / "PY")) == sorted(os.listdir(tmp_path / "CLI")) == ["a.csv"]


def test_copy_options_are_the_cli_options(tmp_path):
    src = lakepack.open_store(str(tmp_path / "src"))
    for i in range(3):
        src.put(f"a/x{i}.bin", b"x")
    for i in range(5):
        src.put(f"b/y{i}.bin", b"y")
    (tmp_path / "dst").mkdir()
    (tmp_path / "dst" / "a").write_text("a file where a directory is needed")
    # One object at a time, stop at the first failure: as `cp --jobs 1 --max-failures 1`.
    with pytest.raises(lakepack.LakepackError) as e:
        lakepack.copy(str(tmp_path / "src"), str(tmp_path / "dst"), recursive=True, jobs=1,
                      max_failures=1)
    assert str(e.value).endswith("0 of 8 objects were copied"), str(e.value)
    cli = _cli("cp", "--recursive", "--jobs", "1", "--max-failures", "1", tmp_path / "src",
               tmp_path / "dst")
    assert cli.returncode == 1 and "0 of 8 objects copied (1 failed)" in cli.stderr, cli.stderr
    with pytest.raises(lakepack.InvalidArgument, match="--parallel must be 1..64"):
        lakepack.copy(str(tmp_path / "src"), str(tmp_path / "x"), recursive=True, parallel=65)
    assert not (tmp_path / "x").exists()


def test_reports_are_the_cli_json(tmp_path):
    src = tmp_path / "land" / "t" / "a.csv"
    lakepack.generate(str(src), rows=3000, seed=5)
    py = lakepack.convert(str(src), str(tmp_path / "py.parquet"))
    cli = json.loads(_cli("convert", src, tmp_path / "cli.parquet", "--json").stdout)
    assert set(py) == set(cli)
    assert py["rows"] == cli["rows"] == 3000 and py["bytes"] == cli["bytes"]
    py = lakepack.copy(str(tmp_path / "land"), str(tmp_path / "c1"), recursive=True)
    cli = json.loads(_cli("cp", "--recursive", tmp_path / "land", tmp_path / "c2", "--json").stdout)
    assert set(py) == set(cli) and py["objects"] == cli["objects"] == 1
    py = lakepack.pack(str(tmp_path / "land"), str(tmp_path / "db1"), "t")
    cli = json.loads(_cli("pack", tmp_path / "land", tmp_path / "db2", "t", "--json").stdout)
    assert set(py) == set(cli) and py["rows"] == cli["rows"] == 3000


# ---- Ctrl-C mid-run -------------------------------------------------------------------------------

def _temp_files(d):
    return [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if ".lakepack-tmp-" in f]


def _interrupt_when(ready, timeout=60):
    """Sends SIGINT to this process once ready() is true (the job is mid-run)."""
    def run():
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.0005)
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_ctrl_c_cancels_every_job_and_leaves_nothing_half_written(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    writing = lambda: bool(_temp_files(out))  # noqa: E731

    # generate
    t = _interrupt_when(writing)
    with pytest.raises(KeyboardInterrupt):
        lakepack.generate(str(out / "big.csv"), rows=100_000_000)
    t.join()
    assert os.listdir(out) == []

    # convert
    big = tmp_path / "land" / "t" / "big.csv"
    lakepack.generate(str(big), rows=300_000, seed=2)
    t = _interrupt_when(writing)
    with pytest.raises(KeyboardInterrupt):
        lakepack.convert(str(big), str(out / "big.parquet"))
    t.join()
    assert os.listdir(out) == []

    # write_batches, from a stream that never ends (made in C++: a Python generator as the
    # source would take the KeyboardInterrupt itself, inside pyarrow, which reports it as an error)
    t = _interrupt_when(writing)
    with pytest.raises(KeyboardInterrupt):
        lakepack.write_batches(lakepack.DataGenerator(seed=1).generate_batches(None),
                               str(out / "stream.parquet"))
    t.join()
    assert os.listdir(out) == []

    # copy: stops between and within objects; what is there is whole.  One object at a time
    # (jobs=1), so that on an idle machine the copy cannot end before the interrupt is seen
    # (with 16 at once all 150 were done within one poll interval).
    blob = os.urandom(2 << 20)
    many = tmp_path / "many"
    many.mkdir()
    for i in range(150):
        (many / f"f{i:04d}").write_bytes(blob)
    t = _interrupt_when(lambda: (out / "many" / "f0000").exists())
    with pytest.raises(KeyboardInterrupt) as e:
        lakepack.copy(str(many), str(out / "many"), recursive=True, jobs=1, parallel=1)
    t.join()
    copied = os.listdir(out / "many")
    assert _temp_files(out) == []
    assert 1 <= len(copied) < 150
    assert all((out / "many" / f).read_bytes() == blob for f in copied)
    for f in copied:
        os.remove(out / "many" / f)
    os.rmdir(out / "many")

    # pack: cancelled after its first output file; the table is as it was (no output files)
    db = tmp_path / "db"
    def packed_one():
        d = db / "t"
        return d.exists() and any(f.startswith("t_") for f in os.listdir(d))
    t = _interrupt_when(packed_one)
    with pytest.raises(KeyboardInterrupt):
        lakepack.pack(str(tmp_path / "land"), str(db), "t", file_limit_bytes=1_000_000)
    t.join()
    assert not packed_one()
    assert _temp_files(db) == []
