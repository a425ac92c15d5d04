"""Shared fixtures of the Python package tests: a fresh location on local disk and, when
LAKEPACK_TEST_S3=1 (scripts/test.sh sources the S3 server's env), one on the S3 test server."""
import os
import uuid

import pytest

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

S3_ENABLED = os.environ.get("LAKEPACK_TEST_S3") == "1"
BACKENDS = ["local"] + (["s3"] if S3_ENABLED else [])


def _s3_base():
    return f"s3://{os.environ['LAKEPACK_TEST_BUCKET']}/pytest-{uuid.uuid4().hex[:12]}"


@pytest.fixture(params=BACKENDS)
def base(request, tmp_path):
    """A URI prefix (no trailing slash) under which a test may write: a temp dir or S3."""
    if request.param == "local":
        return str(tmp_path / "lake")
    return _s3_base()


@pytest.fixture
def s3_base():
    if not S3_ENABLED:
        if os.environ.get("LAKEPACK_REQUIRE_S3") == "1":
            pytest.fail("LAKEPACK_REQUIRE_S3=1 but LAKEPACK_TEST_S3 is not set")
        pytest.skip("no S3 test server (set LAKEPACK_TEST_S3=1)")
    return _s3_base()


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray (2 CPUs) for one test module, shut down after it (so no Ray process outlives
    the module: later modules fork).  Workers get the AWS_/LAKEPACK_ environment and this
    directory on their path, since they import the tests' functions by module name."""
    ray = pytest.importorskip("ray")
    env = {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "LAKEPACK_"))}
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.abspath(__file__))] + ([os.environ["PYTHONPATH"]]
                                                        if os.environ.get("PYTHONPATH") else []))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": env})
    yield ray
    ray.shutdown()
