"""The SageMaker Python SDK (v2, from PyPI, in .venv-tools) against the local server, as a user points it there.

One local server per session, started on 127.0.0.1 by `slipway local up --detach --port 0` in a scratch data dir
(outside any project, so no approval route), stopped at the end. Every boto3/SDK session comes from the `aws`
fixture, signed with the server's own secret (from server.json), as a user's session would be.
"""
import contextlib
import json
import os
import subprocess
import sys
import time

import boto3
import pytest

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(REPO_ROOT, "cli", "bin", "slipway.js")
REGION = "us-east-1"
BUCKET = "slipway-sdk-conformance"
ROLE = "arn:aws:iam::000000000000:role/SageMakerExecutionRole"
# Building a runtime the first time (PyTorch's is about 3 GB) happens inside a job, so executions may take long.
EXECUTION_TIMEOUT_SECONDS = float(os.environ.get("SLIPWAY_CONFORMANCE_TIMEOUT_S", "1500"))


def _slipway(*args, cwd):
    return subprocess.run(
        ["node", CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env={**os.environ, "CI": "1"}
    )


@contextlib.contextmanager
def started_server(cwd, data_dir):
    """`slipway local up --detach --port 0` run in `cwd` (a project folder or not); yields server.json; stops it."""
    started = _slipway("local", "up", "--detach", "--port", "0", "--data-dir", data_dir, "--json", cwd=cwd)
    assert started.returncode == 0, "slipway local up failed:\n%s%s" % (started.stdout, started.stderr)
    with open(os.path.join(data_dir, "server.json")) as handle:
        server = json.load(handle)
    try:
        yield server
    finally:
        _slipway("local", "down", "--data-dir", data_dir, cwd=cwd)


@pytest.fixture(scope="session")
def local_server(tmp_path_factory):
    """{url, dataDir, ...}: a local server for the session, in its own data dir."""
    work = tmp_path_factory.mktemp("slipway-sdk")
    # The SDK's own configuration: no telemetry calls to the internet (nothing but the local server is reached).
    config = work / "sagemaker-config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n")
    os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(config)
    with started_server(str(work), str(work / "data")) as server:
        yield server


@pytest.fixture(scope="session")
def aws(local_server):
    """A boto3 session for the local server: every client of the suite comes from here.

    The server verifies every request's SigV4 signature with its per-server secret (in server.json, mode 0600) and
    records the access key id as the caller.
    """
    os.environ["AWS_ENDPOINT_URL"] = local_server["url"]  # boto3 ≥ 1.28: every service, as a user points it
    os.environ.pop("AWS_PROFILE", None)
    secret = local_server["credentials"]["secretAccessKey"]
    return boto3.Session(
        aws_access_key_id="sdk-conformance",
        aws_secret_access_key=secret,
        region_name=REGION,
    )


def _ensure_bucket(aws):
    s3 = aws.client("s3")
    try:
        s3.head_bucket(Bucket=BUCKET)
    except Exception:  # noqa: BLE001 - missing: create it
        s3.create_bucket(Bucket=BUCKET)


@pytest.fixture(scope="session")
def pipeline_session(aws):
    """The SDK's PipelineSession on the local server, with the suite's bucket as its default bucket."""
    from sagemaker.workflow.pipeline_context import PipelineSession

    _ensure_bucket(aws)
    return PipelineSession(boto_session=aws, sagemaker_client=aws.client("sagemaker"), default_bucket=BUCKET)


@pytest.fixture(scope="session")
def sagemaker_session(aws):
    """The SDK's Session (jobs run at once, outside pipelines) on the local server, with the suite's bucket."""
    import sagemaker

    _ensure_bucket(aws)
    return sagemaker.Session(boto_session=aws, sagemaker_client=aws.client("sagemaker"), default_bucket=BUCKET)


@pytest.fixture(scope="session")
def run_pipeline(aws):
    """Upserts a pipeline, starts it, waits for the end and returns (execution, steps by name)."""
    client = aws.client("sagemaker")

    def run(pipeline, parameters=None):
        pipeline.upsert(role_arn=ROLE)
        execution = pipeline.start(parameters=parameters or {})
        deadline = time.monotonic() + EXECUTION_TIMEOUT_SECONDS
        while True:
            described = client.describe_pipeline_execution(PipelineExecutionArn=execution.arn)
            if described["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
                break
            assert time.monotonic() < deadline, "the execution did not finish in %s s" % EXECUTION_TIMEOUT_SECONDS
            time.sleep(1)
        steps = client.list_pipeline_execution_steps(PipelineExecutionArn=execution.arn)["PipelineExecutionSteps"]
        by_name = {step["StepName"]: step for step in steps}
        if described["PipelineExecutionStatus"] != "Succeeded":
            sys.stderr.write(json.dumps({"execution": described, "steps": steps}, default=str, indent=2) + "\n")
        return described, by_name

    return run


@pytest.fixture
def s3_json(aws):
    s3 = aws.client("s3")

    def read(uri):
        bucket, key = uri[len("s3://") :].split("/", 1)
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())

    return read


@pytest.fixture
def s3_tar_names(aws, tmp_path):
    """The member names of a model.tar.gz in the local S3."""
    import tarfile

    s3 = aws.client("s3")

    def names(uri):
        bucket, key = uri[len("s3://") :].split("/", 1)
        path = tmp_path / "archive.tar.gz"
        path.write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        with tarfile.open(path) as archive:
            return sorted(name.lstrip("./") for name in archive.getnames() if name not in (".", "./"))

    return names
