"""A LambdaStep built with the SageMaker Python SDK, run by the local server from the project's local.lambdaFunctions.

Its own server: `slipway local up --detach` started inside a scratch project whose slipway.config.json maps the
function, so what is tested is what a user does (the CLI reads the setting and hands it to the server).
"""
import json
import time

import boto3
import pytest

from conftest import BUCKET, REGION, ROLE, _ensure_bucket, started_server

FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:score-threshold"

HANDLER = '''
def handler(event, context):
    accuracy = float(event["accuracy"])
    return {"approved": accuracy >= float(event["threshold"]), "margin": round(accuracy - 0.8, 4),
            "caller": context.function_name}
'''


@pytest.fixture(scope="module")
def project_server(tmp_path_factory):
    """{url, credentials, ...} of a server started in a project that maps FUNCTION_ARN's name to a local handler."""
    project = tmp_path_factory.mktemp("lambda-project")
    (project / "lambdas").mkdir()
    (project / "lambdas" / "threshold.py").write_text(HANDLER)
    config = {
        "projectName": "lambdademo",
        "projectId": "p-lambdademo01",
        "region": REGION,
        "pipelineName": "lambdademo-pipeline",
        "modelPackageGroupName": "lambdademo-models",
        "artifactBucket": "slipway-lambdademo-p-lambdademo01",
        "stages": ["staging", "prod"],
        "local": {"lambdaFunctions": {"score-threshold": {"file": "lambdas/threshold.py", "function": "handler"}}},
    }
    (project / "slipway.config.json").write_text(json.dumps(config))
    with started_server(str(project), str(project / ".slipway-data")) as server:
        yield server


@pytest.fixture
def project_session(project_server, monkeypatch):
    """A PipelineSession on the project's server (AWS_ENDPOINT_URL points there for this test only)."""
    from sagemaker.workflow.pipeline_context import PipelineSession

    monkeypatch.setenv("AWS_ENDPOINT_URL", project_server["url"])
    boto = boto3.Session(
        aws_access_key_id="sdk-conformance",
        aws_secret_access_key=project_server["credentials"]["secretAccessKey"],
        region_name=REGION,
    )
    _ensure_bucket(boto)
    client = boto.client("sagemaker")
    return client, PipelineSession(boto_session=boto, sagemaker_client=client, default_bucket=BUCKET)


def _pipeline(session, function_arn, name):
    from sagemaker.lambda_helper import Lambda
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionEquals, ConditionGreaterThan
    from sagemaker.workflow.fail_step import FailStep
    from sagemaker.workflow.lambda_step import LambdaOutput, LambdaOutputTypeEnum, LambdaStep
    from sagemaker.workflow.parameters import ParameterFloat
    from sagemaker.workflow.pipeline import Pipeline

    accuracy = ParameterFloat(name="Accuracy", default_value=0.9)
    approved = LambdaOutput(output_name="approved", output_type=LambdaOutputTypeEnum.Boolean)
    margin = LambdaOutput(output_name="margin", output_type=LambdaOutputTypeEnum.Float)
    caller = LambdaOutput(output_name="caller", output_type=LambdaOutputTypeEnum.String)
    score = LambdaStep(
        name="ScoreThreshold",
        lambda_func=Lambda(function_arn=function_arn, session=session),
        inputs={"accuracy": accuracy, "threshold": 0.8},
        outputs=[approved, margin, caller],
    )
    gate = ConditionStep(
        name="Approved",
        conditions=[
            ConditionEquals(left=score.properties.Outputs["approved"], right=True),
            ConditionGreaterThan(left=score.properties.Outputs["margin"], right=0.0),
        ],
        if_steps=[],
        else_steps=[FailStep(name="BelowThreshold", error_message="accuracy below the threshold")],
    )
    return Pipeline(name=name, parameters=[accuracy], steps=[score, gate], sagemaker_session=session)


def _run(client, pipeline, parameters):
    pipeline.upsert(role_arn=ROLE)
    execution = pipeline.start(parameters=parameters)
    for _ in range(600):
        described = client.describe_pipeline_execution(PipelineExecutionArn=execution.arn)
        if described["PipelineExecutionStatus"] not in ("Executing", "Stopping"):
            break
        time.sleep(0.1)
    steps = client.list_pipeline_execution_steps(PipelineExecutionArn=execution.arn)["PipelineExecutionSteps"]
    return described["PipelineExecutionStatus"], {step["StepName"]: step for step in steps}


def test_lambda_step_outputs_feed_a_condition(project_session):
    client, session = project_session
    pipeline = _pipeline(session, FUNCTION_ARN, "conformance-lambda")
    definition = json.loads(pipeline.definition())
    assert definition["Steps"][0]["Type"] == "Lambda" and definition["Steps"][0]["FunctionArn"] == FUNCTION_ARN

    status, steps = _run(client, pipeline, {"Accuracy": 0.93})
    assert status == "Succeeded", steps
    assert steps["Approved"]["Metadata"]["Condition"]["Outcome"] == "True"
    assert steps["ScoreThreshold"]["Metadata"]["Lambda"] == {
        "Arn": FUNCTION_ARN,
        "OutputParameters": [
            {"Name": "approved", "Value": "true"},
            {"Name": "margin", "Value": "0.13"},
            {"Name": "caller", "Value": "score-threshold"},
        ],
    }

    status, steps = _run(client, pipeline, {"Accuracy": 0.5})
    assert status == "Failed"
    assert steps["Approved"]["Metadata"]["Condition"]["Outcome"] == "False"
    assert steps["BelowThreshold"]["StepStatus"] == "Failed"


def test_a_lambda_step_without_a_local_handler_is_refused_at_upsert(project_session):
    from botocore.exceptions import ClientError

    client, session = project_session
    unmapped = "arn:aws:lambda:us-east-1:000000000000:function:not-mapped"
    with pytest.raises(ClientError) as refused:
        _pipeline(session, unmapped, "conformance-lambda-unmapped").upsert(role_arn=ROLE)
    message = refused.value.response["Error"]["Message"]
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "ScoreThreshold" in message and "local.lambdaFunctions in slipway.config.json" in message
    assert '"not-mapped"' in message
