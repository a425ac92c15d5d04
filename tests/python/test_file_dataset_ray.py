"""file_dataset on a local Ray (2 CPUs): Pipeline in map_batches and the blob datasource, over the
S3 server when it is configured (else local disk), with a failing row visible in the result."""
import os

import pandas as pd
import pytest

from lakepack import file_dataset
from conftest import S3_ENABLED, _s3_base

if os.environ.get("CI") or os.environ.get("LAKEPACK_REQUIRE_RAY") == "1":
    import ray  # noqa: F401 -- in CI Ray must be there (requirements-dev.txt pins it)
else:
    ray = pytest.importorskip("ray")

import lakepack




@pytest.fixture
def base(tmp_path):
    return _s3_base() if S3_ENABLED else str(tmp_path / "lake")


def upper(input_dir, output_dir):
    (output_dir / "out.txt").write_bytes((input_dir / "in.txt").read_bytes().upper())
    return {"out.txt": output_dir / "out.txt"}


def make_frame(base, n, missing):
    store = lakepack.open_store(base)
    urls = []
    for i in range(n):
        if i == missing:
            urls.append(base + "/in/missing.txt")
        else:
            store.put(f"in/{i}.txt", f"row {i}".encode())
            urls.append(base + f"/in/{i}.txt")
    return pd.DataFrame({"in.txt": urls, "id": [f"r{i}" for i in range(n)]})


def test_map_batches_pipeline_and_blob_reader(local_ray, base):
    df = make_frame(base, 12, missing=5)
    pipeline = file_dataset.Pipeline(upper, write_options={"into_path": base + "/out"},
                                     on_error="report")
    out = ray.data.from_pandas(df).map_batches(pipeline, batch_format="pandas",
                                               batch_size=4).to_pandas()
    out = out.sort_values("id").reset_index(drop=True)
    assert sorted(out["id"]) == sorted(df["id"])  # every row exactly once
    failed = out[out["status"] == "failed"]
    assert list(failed["id"]) == ["r5"] and list(failed["stage"]) == ["fetch"]
    good = out[out["status"] == "ok"]
    store = lakepack.open_store(base)
    assert store.get("out/r3/out.txt") == b"ROW 3"
    assert all(u.endswith("/out.txt") for u in good["out.txt"])

    ds = file_dataset.ray.blob_reader(df, batch_size=5, on_error="report")
    blobs = ds.to_pandas().sort_values("id").reset_index(drop=True)
    assert len(blobs) == 12
    assert blobs.loc[blobs["id"] == "r7", "in.txt"].iloc[0] == b"row 7"
    assert list(blobs.loc[blobs["status"] == "failed", "id"]) == ["r5"]
    good_df = df[df["id"] != "r5"]
    ds = file_dataset.ray.read_file_dataset(good_df, batch_size=4,
                                            options=file_dataset.Options.default())
    assert ds.count() == 11
    assert sorted(ds.to_pandas()["in.txt"]) == sorted(f"row {i}".encode() for i in range(12) if i != 5)
