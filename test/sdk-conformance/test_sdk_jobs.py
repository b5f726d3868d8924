"""Jobs outside pipelines, and Tuning/Transform steps, driven by the SageMaker Python SDK itself.

`estimator.fit(logs=True)` and `transformer.transform(logs=True)` follow the job through DescribeTrainingJob /
DescribeTransformJob and CloudWatch Logs (DescribeLogStreams, GetLogEvents), so what they print is the job's own
log; `tuner.fit()` runs a HyperParameterTuningJob; a pipeline chains a TuningStep, a ModelStep (with repack) built
on `get_top_model_s3_uri`, and a TransformStep.
"""
import os
import random

from conftest import BUCKET, ROLE

HERE = os.path.dirname(os.path.abspath(__file__))
SKLEARN_CODE = os.path.join(HERE, "code", "sklearn")
METRICS = [{"Name": "accuracy", "Regex": "train accuracy ([0-9.]+)"}]


def _classification_csv(rows, seed, label=True):
    rng = random.Random(seed)
    lines = []
    for _ in range(rows):
        x0, x1 = rng.random(), rng.random()
        features = "%.4f,%.4f" % (x0, x1)
        lines.append(("%d," % (1 if x0 + x1 > 1 else 0) + features) if label else features)
    return "\n".join(lines) + "\n"


def _put(aws, key, text):
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=text.encode())
    return "s3://%s/%s" % (BUCKET, key)


def _estimator(session, **extra):
    from sagemaker.sklearn.estimator import SKLearn

    return SKLearn(
        entry_point="train.py",
        source_dir=SKLEARN_CODE,
        framework_version="1.2-1",
        instance_type="ml.m5.large",
        role=ROLE,
        sagemaker_session=session,
        metric_definitions=METRICS,
        **extra,
    )


def test_estimator_fit_and_transformer_transform_outside_a_pipeline(aws, sagemaker_session, capsys):
    """Before: CreateTrainingJob and CreateTransformJob were served only inside pipelines, so both failed."""
    from sagemaker.inputs import TrainingInput

    session = sagemaker_session
    train = _put(aws, "conformance/jobs/train/train.csv", _classification_csv(200, 3))
    estimator = _estimator(session, hyperparameters={"C": 1.5})
    estimator.fit({"train": TrainingInput(train.rsplit("/", 1)[0] + "/", content_type="text/csv")}, logs=True)
    printed = capsys.readouterr().out
    # logs=True printed the job's own stream (its script's output), read through CloudWatch Logs' API.
    assert "train accuracy" in printed, printed[-2000:]
    job = estimator.latest_training_job.describe()
    assert job["TrainingJobStatus"] == "Completed"
    assert [m["MetricName"] for m in job["FinalMetricDataList"]] == ["accuracy"]
    listed = aws.client("sagemaker").list_training_jobs(NameContains=job["TrainingJobName"])["TrainingJobSummaries"]
    assert [s["TrainingJobName"] for s in listed] == [job["TrainingJobName"]]

    data = _put(aws, "conformance/jobs/batch/in.csv", _classification_csv(40, 4, label=False))
    transformer = estimator.transformer(
        instance_count=1,
        instance_type="ml.m5.large",
        strategy="MultiRecord",
        assemble_with="Line",
        accept="text/csv",
        output_path="s3://%s/conformance/jobs/batch-out" % BUCKET,
        entry_point=os.path.join(SKLEARN_CODE, "inference.py"),
    )
    transformer.transform(data, content_type="text/csv", split_type="Line", wait=True, logs=True)
    described = aws.client("sagemaker").describe_transform_job(TransformJobName=transformer.latest_transform_job.name)
    assert described["TransformJobStatus"] == "Completed", described.get("FailureReason")
    body = aws.client("s3").get_object(Bucket=BUCKET, Key="conformance/jobs/batch-out/in.csv.out")["Body"].read()
    predictions = [line for line in body.decode().splitlines() if line.strip()]
    assert len(predictions) == 40
    # The default output_fn answers CSV: one predicted label per record.
    assert {line.strip("[] ") for line in predictions} <= {"0", "1", "0.0", "1.0"}, predictions[:5]


def test_tuner_fit_runs_a_tuning_job_and_names_the_best_training_job(aws, sagemaker_session):
    from sagemaker.inputs import TrainingInput
    from sagemaker.tuner import ContinuousParameter, HyperparameterTuner

    session = sagemaker_session
    train = _put(aws, "conformance/tuner/train/train.csv", _classification_csv(200, 5))
    tuner = HyperparameterTuner(
        _estimator(session),
        objective_metric_name="accuracy",
        metric_definitions=METRICS,
        hyperparameter_ranges={"C": ContinuousParameter(0.01, 10, scaling_type="Logarithmic")},
        strategy="Random",
        max_jobs=3,
        max_parallel_jobs=2,
        base_tuning_job_name="conf-tuner",
    )
    tuner.fit({"train": TrainingInput(train.rsplit("/", 1)[0] + "/", content_type="text/csv")}, wait=True)
    described = tuner.describe()
    assert described["HyperParameterTuningJobStatus"] == "Completed", described.get("FailureReason")
    assert described["TrainingJobStatusCounters"]["Completed"] == 3
    best = tuner.best_training_job()
    children = aws.client("sagemaker").list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuner.latest_tuning_job.name, SortBy="FinalObjectiveMetricValue"
    )["TrainingJobSummaries"]
    assert best == children[0]["TrainingJobName"]
    values = [c["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for c in children]
    assert values == sorted(values, reverse=True)
    frame = tuner.analytics().dataframe()
    assert len(frame) == 3


def test_tuning_step_best_model_and_transform_step_in_a_pipeline(aws, pipeline_session, run_pipeline):
    from sagemaker.inputs import TrainingInput
    from sagemaker.sklearn.model import SKLearnModel
    from sagemaker.transformer import Transformer
    from sagemaker.tuner import CategoricalParameter, HyperparameterTuner
    from sagemaker.workflow.model_step import ModelStep
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import TransformStep, TuningStep

    train = _put(aws, "conformance/tuning-step/train/train.csv", _classification_csv(200, 6))
    data = _put(aws, "conformance/tuning-step/batch/in.csv", _classification_csv(30, 7, label=False))
    prefix = "conformance/tuning-step/models"
    tuner = HyperparameterTuner(
        _estimator(pipeline_session, output_path="s3://%s/%s" % (BUCKET, prefix)),
        objective_metric_name="accuracy",
        metric_definitions=METRICS,
        hyperparameter_ranges={"C": CategoricalParameter(["0.1", "1.0"])},
        strategy="Grid",
        max_jobs=2,
        max_parallel_jobs=2,
    )
    tune = TuningStep(
        name="Tune",
        step_args=tuner.fit({"train": TrainingInput(train.rsplit("/", 1)[0] + "/", content_type="text/csv")}),
    )
    model = SKLearnModel(
        model_data=tune.get_top_model_s3_uri(top_k=0, s3_bucket=BUCKET, prefix=prefix),
        role=ROLE,
        entry_point="inference.py",
        source_dir=SKLEARN_CODE,
        framework_version="1.2-1",
        sagemaker_session=pipeline_session,
    )
    create = ModelStep(name="BestModel", step_args=model.create(instance_type="ml.m5.large"))
    transformer = Transformer(
        model_name=create.properties.ModelName,
        instance_count=1,
        instance_type="ml.m5.large",
        accept="text/csv",
        assemble_with="Line",
        # The scikit-learn container decodes a one-line CSV body to a 1-D array, which predict() refuses (on
        # SageMaker too): send the records together.
        strategy="MultiRecord",
        output_path="s3://%s/conformance/tuning-step/batch-out" % BUCKET,
        sagemaker_session=pipeline_session,
    )
    score = TransformStep(
        name="Score", step_args=transformer.transform(data=data, content_type="text/csv", split_type="Line")
    )
    pipeline = Pipeline(name="conformance-tuning-transform", steps=[tune, create, score], sagemaker_session=pipeline_session)

    execution, steps = run_pipeline(pipeline)
    assert execution["PipelineExecutionStatus"] == "Succeeded", {n: s.get("FailureReason") for n, s in steps.items()}
    assert "TuningJob" in steps["Tune"]["Metadata"]
    assert "TransformJob" in steps["Score"]["Metadata"]
    body = aws.client("s3").get_object(Bucket=BUCKET, Key="conformance/tuning-step/batch-out/in.csv.out")["Body"].read()
    assert len([line for line in body.decode().splitlines() if line.strip()]) == 30


def test_callback_step_token_through_sqs_and_send_pipeline_execution_step_success(aws, pipeline_session):
    """A CallbackStep's token reaches boto3's SQS ReceiveMessage; SendPipelineExecutionStepSuccess completes it."""
    import json
    import time

    from sagemaker.workflow.callback_step import CallbackOutput, CallbackOutputTypeEnum, CallbackStep
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionGreaterThanOrEqualTo
    from sagemaker.workflow.fail_step import FailStep
    from sagemaker.workflow.pipeline import Pipeline

    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="conformance-callbacks")["QueueUrl"]
    score = CallbackOutput(output_name="score", output_type=CallbackOutputTypeEnum.Float)
    wait = CallbackStep(
        name="ExternalReview", sqs_queue_url=queue, inputs={"model": "conformance"}, outputs=[score]
    )
    check = ConditionStep(
        name="GoodEnough",
        conditions=[ConditionGreaterThanOrEqualTo(left=score, right=0.8)],
        if_steps=[],
        else_steps=[FailStep(name="TooLow", error_message="the review scored too low")],
    )
    pipeline = Pipeline(name="conformance-callback", steps=[wait, check], sagemaker_session=pipeline_session)
    pipeline.upsert(role_arn=ROLE)
    execution = pipeline.start()
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20, MaxNumberOfMessages=1).get("Messages", [])
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["pipelineExecutionArn"] == execution.arn and body["arguments"] == {"model": "conformance"}
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=messages[0]["ReceiptHandle"])
    client = aws.client("sagemaker")
    answered = client.send_pipeline_execution_step_success(
        CallbackToken=body["token"], OutputParameters=[{"Name": "score", "Value": "0.9"}]
    )
    assert answered["PipelineExecutionArn"] == execution.arn
    for _ in range(200):
        status = client.describe_pipeline_execution(PipelineExecutionArn=execution.arn)["PipelineExecutionStatus"]
        if status not in ("Executing", "Stopping"):
            break
        time.sleep(0.1)
    assert status == "Succeeded"
