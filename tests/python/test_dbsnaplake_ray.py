"""dbsnaplake on a local Ray (2 CPUs), against the S3 server when it is configured (else local
disk): Project.run(executor="ray") puts exactly the snapshot's rows in the lake with each group
claimed once; a task whose worker dies mid-group is retried by Ray and only that group is redone;
re-submitted tasks find their groups done.  Without Ray, the error names the extra."""
import os
import sys

import pyarrow as pa
import pytest

import lakepack
from lakepack import dbsnaplake
from conftest import S3_ENABLED, _s3_base

if os.environ.get("CI") or os.environ.get("LAKEPACK_REQUIRE_RAY") == "1":
    import ray  # noqa: F401 -- in CI Ray must be there (requirements-dev.txt pins it)
else:
    ray = pytest.importorskip("ray")

N_FILES = 6
N_ROWS = 3000




@pytest.fixture
def where(tmp_path):
    return _s3_base() if S3_ENABLED else str(tmp_path / "lake")


def _snapshot(base):
    for f in range(N_FILES):
        ids = [f"order-{f * N_ROWS + r}" for r in range(N_ROWS)]
        region = [f"r{(f * N_ROWS + r) % 4}" for r in range(N_ROWS)]
        lakepack.write_batches(pa.table({"order_id": ids, "region": region,
                                         "amount": [float(r) for r in range(N_ROWS)]}),
                               f"{base}/snapshot/{f}.parquet")
    dbsnaplake.build_snapshot_manifest(f"{base}/snapshot",
                                       f"{base}/staging/manifests/manifest-summary.json",
                                       f"{base}/staging/manifests/manifest-data.parquet")


def _project(base, cls=dbsnaplake.Project, **kw):
    return cls(s3uri_db_snapshot_manifest_summary=f"{base}/staging/manifests/manifest-summary.json",
               s3uri_staging=f"{base}/staging/", s3uri_datalake=f"{base}/datalake/",
               target_db_snapshot_file_group_size=60_000, partition_keys=["region"],
               target_parquet_file_size=40_000, **kw)


def _claims(base):
    """{unit: [claim attempt keys]} under the staging state folder."""
    store = lakepack.open_store(base)
    out = {}
    for o in store.list("staging/manifests/_lakepack/", recursive=True):
        key = o.key if hasattr(o, "key") else o["key"]
        parts = key.split("/")
        if parts[-1].startswith("claim-"):
            out.setdefault(parts[-2], []).append(parts[-1])
    return out


def _lake_ids(base):
    store = lakepack.open_store(base)
    ids = []
    for o in store.list("datalake/", recursive=True):
        key = o.key if hasattr(o, "key") else o["key"]
        if "/part-" in "/" + key and "_lakepack" not in key:
            ids += lakepack.read_batches(f"{base}/{key}").read_all().column("order_id").to_pylist()
    return ids


def test_ray_run_exact_rows_each_group_once(local_ray, where):
    _snapshot(where)
    project = _project(where)
    result = project.run(executor="ray")
    assert result.mode == "staged"
    assert result.after_total_n_record == result.before_total_n_record == N_FILES * N_ROWS
    assert result.n_partition == 4
    ids = _lake_ids(where)
    assert len(ids) == N_FILES * N_ROWS and len(set(ids)) == len(ids)
    status = project.status()
    n_stage = status["snapshot_to_staging"]["groups"]
    assert n_stage >= 3 and status["snapshot_to_staging"]["done"] == n_stage
    assert status["committed"] is True
    claims = _claims(where)
    stage_units = [u for u in claims if u.startswith("stage-")]
    compact_units = [u for u in claims if u.startswith("compact-")]
    assert len(stage_units) == n_stage and len(compact_units) == 4
    assert all(len(v) == 1 for v in claims.values()), claims  # each group claimed once
    # Ray retries a task whose result was lost: the same tasks again find every group done.
    from lakepack import _lake_ray
    again = _lake_ray.run_stage_tasks(project)
    assert again["already_done"] == n_stage and again["processed"] == 0 and again["rows"] == 0
    assert project.run(executor="ray").commit == result.commit


class DiesOnce(dbsnaplake.Project):
    """Reads group 2 by killing its worker the first time (a marker file says it happened)."""

    def batch_read_snapshot_data_file(self, db_snapshot_file_group_manifest_file, **kwargs):
        g = db_snapshot_file_group_manifest_file
        marker = self.died_marker
        if g.index == 2 and not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)  # the worker process dies mid-group, holding the group's claim
        return pa.concat_tables([lakepack.read_batches(f["uri"]).read_all()
                                 for f in g.data_file_list])


def test_ray_retried_task_redoes_only_its_group(local_ray, where, tmp_path):
    _snapshot(where)
    project = _project(where, cls=DiesOnce)
    project.died_marker = str(tmp_path / "died")
    result = project.run(executor="ray")
    assert os.path.exists(tmp_path / "died")  # the worker did die once
    assert result.after_total_n_record == N_FILES * N_ROWS
    ids = _lake_ids(where)
    assert len(ids) == N_FILES * N_ROWS and len(set(ids)) == len(ids)
    claims = _claims(where)
    # Group 2 was claimed twice (its first holder died), every other group once.
    assert len(claims["stage-2"]) == 2, claims
    assert all(len(v) == 1 for u, v in claims.items() if u != "stage-2"), claims


def test_local_executor_is_the_same_job(where):
    _snapshot(where)
    result = _project(where, one_pass=False).run(executor="local")
    assert result.mode == "staged" and result.after_total_n_record == N_FILES * N_ROWS
    with pytest.raises(ValueError, match="executor"):
        _project(where).run(executor="dask")


def test_without_ray_the_error_names_the_extra(where, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    with pytest.raises(ImportError, match=r"lakepack\[ray\]"):
        _project(where).run(executor="ray")


def test_ray_imports_after_lakepack():
    # Ray loads its _raylet with RTLD_GLOBAL and then OpenSSL through hashlib; with lakepack (and
    # pyarrow's libparquet, which exports OpenSSL symbols) loaded first, that crashed the process.
    import subprocess
    r = subprocess.run([sys.executable, "-c", "import lakepack; import ray; print('ok')"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]
