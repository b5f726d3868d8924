"""monitoring.py check-endpoint: the drift check as the scheduled job runs it on AWS, against moto (in process).

The job resolves endpoint → live version → that version's DriftCheckBaselines when it runs, so the schedule never
names a version: after the endpoint moves to another version, the next check reads that version's baseline."""
from __future__ import annotations

import json
import os

import boto3  # seed/requirements-dev.txt
import moto
import pytest

import monitoring
from test_monitoring import baseline_dir, capture_lines, normal_texts, shifted_texts  # noqa: E402,F401

REGION = "us-east-1"
BUCKET = "slipway-artifacts"
ENDPOINT = "sentiment-prod"
GROUP = "sentiment-models"
# What the pipeline passes (deploy-pipeline's DRIFT_METRIC and drift-event.ts); build-pipeline/test/drift-check-pipeline.test.ts checks
# that the TypeScript side passes exactly these.
CONTRACT = ["--metric-namespace", "Slipway/Monitoring", "--metric-name", "DriftedStatistics",
            "--metric-dimension", "EndpointName", "--event-source", "slipway.monitoring",
            "--event-detail-type", "Model Drift Detected"]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with moto.mock_aws():
        yield boto3.session.Session(region_name=REGION)


def register(session, baseline: str, version_prefix: str, with_baseline: bool = True) -> str:
    """A version whose DriftCheckBaselines point at the baseline's files, uploaded under `version_prefix`."""
    s3, sagemaker = session.client("s3"), session.client("sagemaker")
    for name in (monitoring.STATISTICS_FILE, monitoring.CONSTRAINTS_FILE, monitoring.VOCABULARY_FILE):
        s3.upload_file(os.path.join(baseline, name), BUCKET, "%s/%s" % (version_prefix, name))
    uri = "s3://%s/%s/" % (BUCKET, version_prefix)
    extra = {"DriftCheckBaselines": {"ModelDataQuality": {
        "Statistics": {"ContentType": "application/json", "S3Uri": uri + monitoring.STATISTICS_FILE},
        "Constraints": {"ContentType": "application/json", "S3Uri": uri + monitoring.CONSTRAINTS_FILE},
    }}} if with_baseline else {}
    return sagemaker.create_model_package(
        ModelPackageGroupName=GROUP, ModelApprovalStatus="Approved",
        InferenceSpecification={"Containers": [{"Image": "sklearn", "ModelDataUrl": "s3://%s/model.tar.gz" % BUCKET}],
                                "SupportedContentTypes": ["application/json"],
                                "SupportedResponseMIMETypes": ["application/json"]},
        **extra)["ModelPackageArn"]


def serve(session, arn: str, name: str, capture: bool = True) -> None:
    """The endpoint serves `arn` through model and config `name` (created on first use, updated after)."""
    sagemaker = session.client("sagemaker")
    sagemaker.create_model(ModelName=name, ExecutionRoleArn="arn:aws:iam::123456789012:role/x",
                           PrimaryContainer={"ModelPackageName": arn})
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[{"VariantName": "AllTraffic", "ModelName": name, "InitialInstanceCount": 1,
                             "InstanceType": "ml.m5.large"}],
        **({"DataCaptureConfig": {"EnableCapture": True, "InitialSamplingPercentage": 100,
                                  "DestinationS3Uri": "s3://%s/capture" % BUCKET,
                                  "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]}}
           if capture else {}))
    # moto has no UpdateEndpoint; to the lookup, a re-created endpoint is the same move to a new config.
    if sagemaker.list_endpoints(NameContains=ENDPOINT)["Endpoints"]:
        sagemaker.delete_endpoint(EndpointName=ENDPOINT)
    sagemaker.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName=name)


def put_capture(session, hour: int, lines) -> None:
    key = "capture/%s/AllTraffic/2026/12/04/%02d/00-00-000-capture.jsonl" % (ENDPOINT, hour)
    session.client("s3").put_object(Bucket=BUCKET, Key=key, Body=("\n".join(lines) + "\n").encode())


def drift_queue(session) -> str:
    """An SQS queue behind a rule on the drift event, to see what the job published."""
    sqs, events = session.client("sqs"), session.client("events")
    url = sqs.create_queue(QueueName="drift")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="drift", EventPattern=json.dumps({"source": ["slipway.monitoring"],
                                                           "detail-type": ["Model Drift Detected"]}))
    events.put_targets(Rule="drift", Targets=[{"Id": "q", "Arn": arn}])
    return url


def check_endpoint(session, now: str, period: int = 3600) -> dict:
    return monitoring.run_check_endpoint(monitoring.parse_args([
        "check-endpoint", "--endpoint-name", ENDPOINT, "--model-package-group-name", GROUP,
        "--report-bucket", BUCKET, "--period-seconds", str(period), "--now", now] + CONTRACT), session)


def metric_values(session) -> list:
    """(count, minimum, maximum) of the endpoint's published values, or [] when none was published."""
    data = session.client("cloudwatch").get_metric_statistics(
        Namespace="Slipway/Monitoring", MetricName="DriftedStatistics",
        Dimensions=[{"Name": "EndpointName", "Value": ENDPOINT}], StartTime="2020-01-01T00:00:00Z",
        EndTime="2100-01-01T00:00:00Z", Period=86400 * 30, Statistics=["SampleCount", "Minimum", "Maximum"])
    return [(point["SampleCount"], point["Minimum"], point["Maximum"]) for point in data["Datapoints"]]


def test_the_job_finds_the_live_baseline_checks_the_last_period_and_reports_drift_once(aws, baseline_dir, model):
    session = aws
    session.client("s3").create_bucket(Bucket=BUCKET)
    session.client("sagemaker").create_model_package_group(ModelPackageGroupName=GROUP)
    arn = register(session, baseline_dir, "baselines/v1")
    serve(session, arn, "sentiment-prod-v1")
    put_capture(session, 10, capture_lines(normal_texts(2000, seed=31), model, hour=10, batch=20))
    put_capture(session, 11, [line.replace("T10:", "T11:") for line in
                              capture_lines(shifted_texts(2000, seed=32), model, hour=10, batch=20)])
    queue = drift_queue(session)

    normal = check_endpoint(session, "2026-12-04T11:00:42Z")
    assert (normal["status"], normal["window_start"], normal["window_end"]) == (
        "NoViolations", "2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z")
    assert normal["model_package_arn"] == arn and normal["item_count"] == 2000
    shifted = check_endpoint(session, "2026-12-04T12:07:00Z")
    assert shifted["status"] == "Violations" and shifted["item_count"] == 2000
    assert {"oov_rate", "predicted_label"} <= {entry["feature"] for entry in shifted["drifted"]}

    # Reports in Model Monitor's format under monitoring/<endpoint>/<check>/.
    prefix = "monitoring/%s/%s/" % (ENDPOINT, shifted["check_id"])
    assert shifted["report_s3_uri"] == "s3://%s/%s" % (BUCKET, prefix)
    keys = {item["Key"] for item in session.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]}
    assert keys == {prefix + name for name in (monitoring.REPORT_FILE, monitoring.VIOLATIONS_FILE,
                                               monitoring.STATISTICS_FILE)}
    # The metric after each check (0, then the number drifted) and one event, for the shifted window only.
    assert metric_values(session) == [(2.0, 0.0, float(len(shifted["drifted"])))]
    messages = session.client("sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    detail = json.loads(messages[0]["Body"])["detail"]
    assert (detail["EndpointName"], detail["ModelPackageArn"], detail["CheckId"], detail["WindowEnd"],
            detail["ModelPackageGroupName"]) == (ENDPOINT, arn, shifted["check_id"], "2026-12-04T12:00:00Z", GROUP)
    assert [entry["feature"] for entry in detail["Drifted"]] == [entry["feature"] for entry in shifted["drifted"]]
    assert all(entry["distance"] > entry["threshold"] for entry in detail["Drifted"])


def test_the_lookup_follows_the_live_version_and_says_why_it_skips(aws, baseline_dir):
    session = aws
    session.client("s3").create_bucket(Bucket=BUCKET)
    session.client("sagemaker").create_model_package_group(ModelPackageGroupName=GROUP)
    first = register(session, baseline_dir, "baselines/v1")
    serve(session, first, "sentiment-prod-v1")
    sagemaker = session.client("sagemaker")
    assert monitoring.live_model_package(sagemaker, ENDPOINT)[0] == first
    assert monitoring.baseline_uris(sagemaker, first) == tuple(
        "s3://%s/baselines/v1/%s" % (BUCKET, name)
        for name in (monitoring.STATISTICS_FILE, monitoring.CONSTRAINTS_FILE, monitoring.VOCABULARY_FILE))
    # A new version goes live: the next check reads its baseline (here: none), not the old one.
    second = register(session, baseline_dir, "baselines/v2", with_baseline=False)
    serve(session, second, "sentiment-prod-v2")
    assert monitoring.live_model_package(sagemaker, ENDPOINT)[0] == second
    result = check_endpoint(session, "2026-12-04T12:00:00Z")
    assert result["status"] == "Skipped" and "DriftCheckBaselines" in result["reason"]
    assert metric_values(session) == []
    # No capture configured: skipped, saying which setting.
    third = register(session, baseline_dir, "baselines/v3")
    serve(session, third, "sentiment-prod-v3", capture=False)
    assert "dataCapture.enabled" in check_endpoint(session, "2026-12-04T12:00:00Z")["reason"]


def test_an_unknown_endpoint_and_a_short_period_are_named(aws):
    with pytest.raises(monitoring.MonitoringError, match="endpoint 'sentiment-prod' does not exist"):
        check_endpoint(aws, "2026-12-04T12:00:00Z")
    with pytest.raises(monitoring.MonitoringError, match="--period-seconds must be at least 60"):
        check_endpoint(aws, "2026-12-04T12:00:00Z", period=30)


def test_windows_are_whole_periods_on_epoch_boundaries():
    import datetime

    at = datetime.datetime(2026, 12, 4, 0, 5, 13, tzinfo=datetime.timezone.utc)
    start, end = monitoring.window_of(at, 86400)
    assert (monitoring.iso(start), monitoring.iso(end)) == ("2026-12-03T00:00:00Z", "2026-12-04T00:00:00Z")
    assert monitoring.capture_hours(start, end)[0] == "2026/12/03/00"
    assert monitoring.capture_hours(start, end)[-1] == "2026/12/04/00"
