"""Pipelines built with the SageMaker Python SDK itself, upserted, started and checked on the local server."""
import json
import os
import random

from conftest import BUCKET, REGION, ROLE

HERE = os.path.dirname(os.path.abspath(__file__))
CODE = os.path.join(HERE, "code")


def _put(aws, key, text):
    aws.client("s3").put_object(Bucket=BUCKET, Key=key, Body=text.encode())
    return "s3://%s/%s" % (BUCKET, key)


def _regression_csv(rows, seed):
    rng = random.Random(seed)
    lines = []
    for _ in range(rows):
        x0, x1 = rng.random() * 10, rng.random() * 10
        lines.append("%.4f,%.4f,%.4f" % (3 * x0 - 2 * x1 + rng.gauss(0, 0.3), x0, x1))
    return "\n".join(lines) + "\n"


def _classification_csv(rows, seed):
    rng = random.Random(seed)
    lines = []
    for _ in range(rows):
        x0, x1 = rng.random(), rng.random()
        lines.append("%d,%.4f,%.4f" % (1 if x0 + x1 > 1 else 0, x0, x1))
    return "\n".join(lines) + "\n"


def test_sklearn_processor_with_a_property_file_and_a_condition(aws, pipeline_session, run_pipeline, s3_json):
    from sagemaker.processing import ProcessingInput, ProcessingOutput
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.condition_step import ConditionStep
    from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
    from sagemaker.workflow.fail_step import FailStep
    from sagemaker.workflow.functions import JsonGet
    from sagemaker.workflow.parameters import ParameterFloat
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.properties import PropertyFile
    from sagemaker.workflow.steps import ProcessingStep

    data = _put(aws, "conformance/processing/data.csv", _regression_csv(200, 1))
    max_mse = ParameterFloat(name="MaxMse", default_value=1.0)
    # The abalone example's processing image: scikit-learn 0.23-1, run on its nearest installable stand-in.
    processor = SKLearnProcessor(
        framework_version="0.23-1",
        role=ROLE,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        sagemaker_session=pipeline_session,
    )
    report = PropertyFile(name="EvaluationReport", output_name="evaluation", path="evaluation.json")
    evaluate = ProcessingStep(
        name="Evaluate",
        step_args=processor.run(
            code=os.path.join(CODE, "evaluate", "evaluate.py"),
            inputs=[ProcessingInput(source=data, destination="/opt/ml/processing/input")],
            outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/evaluation")],
        ),
        property_files=[report],
    )
    check = ConditionStep(
        name="CheckMse",
        conditions=[
            ConditionLessThanOrEqualTo(
                left=JsonGet(step_name=evaluate.name, property_file=report, json_path="regression_metrics.mse.value"),
                right=max_mse,
            )
        ],
        if_steps=[],
        else_steps=[FailStep(name="MseTooHigh", error_message="the model's mse is above MaxMse")],
    )
    pipeline = Pipeline(
        name="conformance-processing",
        parameters=[max_mse],
        steps=[evaluate, check],
        sagemaker_session=pipeline_session,
    )

    execution, steps = run_pipeline(pipeline)
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    assert steps["Evaluate"]["StepStatus"] == "Succeeded"
    assert steps["CheckMse"]["Metadata"]["Condition"]["Outcome"] == "True"
    assert "MseTooHigh" not in steps
    job = aws.client("sagemaker").describe_processing_job(
        ProcessingJobName=steps["Evaluate"]["Metadata"]["ProcessingJob"]["Arn"].split("/")[-1]
    )
    output = job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]
    evaluation = s3_json(output.rstrip("/") + "/evaluation.json")
    assert evaluation["regression_metrics"]["mse"]["value"] < 0.2
    # The 0.23-1 stand-in has scikit-learn and pandas (the nearest releases that install on this Python).
    assert evaluation["versions"] == {"sklearn": "1.1.3", "pandas": "1.5.0"}

    # The same pipeline with a threshold the model misses takes the else branch and fails by its FailStep.
    execution, steps = run_pipeline(pipeline, parameters={"MaxMse": 0.0001})
    assert execution["PipelineExecutionStatus"] == "Failed"
    assert steps["CheckMse"]["Metadata"]["Condition"]["Outcome"] == "False"
    assert steps["MseTooHigh"]["StepStatus"] == "Failed"


def test_sklearn_estimator_and_register_model_with_an_entry_point_repacks_the_model(
    aws, pipeline_session, run_pipeline, s3_tar_names
):
    from sagemaker.inputs import TrainingInput
    from sagemaker.sklearn.estimator import SKLearn
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.step_collections import RegisterModel
    from sagemaker.workflow.steps import TrainingStep

    train_data = _put(aws, "conformance/sklearn/train/train.csv", _classification_csv(300, 2))
    estimator = SKLearn(
        entry_point="train.py",
        source_dir=os.path.join(CODE, "sklearn"),
        framework_version="1.2-1",
        instance_type="ml.m5.large",
        role=ROLE,
        hyperparameters={"C": 2.0},
        sagemaker_session=pipeline_session,
    )
    train = TrainingStep(
        name="Train",
        step_args=estimator.fit({"train": TrainingInput(train_data.rsplit("/", 1)[0] + "/", content_type="text/csv")}),
    )
    register = RegisterModel(
        name="Register",
        estimator=estimator,
        model_data=train.properties.ModelArtifacts.S3ModelArtifacts,
        content_types=["text/csv"],
        response_types=["application/json"],
        inference_instances=["ml.m5.large"],
        transform_instances=["ml.m5.large"],
        model_package_group_name="conformance-sklearn",
        approval_status="PendingManualApproval",
        entry_point=os.path.join(CODE, "sklearn", "inference.py"),
    )
    pipeline = Pipeline(name="conformance-sklearn", steps=[train, register], sagemaker_session=pipeline_session)

    execution, steps = run_pipeline(pipeline)
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    repack = [name for name in steps if name.startswith("Register-RepackModel")]
    assert len(repack) == 1 and steps[repack[0]]["StepStatus"] == "Succeeded", steps
    assert steps["Register-RegisterModel"]["StepStatus"] == "Succeeded"

    client = aws.client("sagemaker")
    trained = client.describe_training_job(
        TrainingJobName=steps["Train"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    )
    assert "model.joblib" in s3_tar_names(trained["ModelArtifacts"]["S3ModelArtifacts"])
    package = client.describe_model_package(
        ModelPackageName=steps["Register-RegisterModel"]["Metadata"]["RegisterModel"]["Arn"]
    )
    container = package["InferenceSpecification"]["Containers"][0]
    assert container["Image"].endswith("/sagemaker-scikit-learn:1.2-1-cpu-py3")
    # The repack step's output: the trained model with the inference script under code/.
    assert {"model.joblib", "code/inference.py"} <= set(s3_tar_names(container["ModelDataUrl"]))
    # RegisterModel(estimator=...) sends no Environment: the container finds code/inference.py by its default name.

    # The registered package serves: a model, an endpoint, one CSV request through SageMaker Runtime.
    client.create_model(
        ModelName="conformance-sklearn", ExecutionRoleArn=ROLE, PrimaryContainer={"ModelPackageName": package["ModelPackageArn"]}
    )
    client.create_endpoint_config(
        EndpointConfigName="conformance-sklearn",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "conformance-sklearn", "InstanceType": "ml.m5.large", "InitialInstanceCount": 1}
        ],
    )
    client.create_endpoint(EndpointName="conformance-sklearn", EndpointConfigName="conformance-sklearn")
    client.get_waiter("endpoint_in_service").wait(
        EndpointName="conformance-sklearn", WaiterConfig={"Delay": 1, "MaxAttempts": 120}
    )
    answer = aws.client("sagemaker-runtime").invoke_endpoint(
        EndpointName="conformance-sklearn", ContentType="text/csv", Accept="application/json", Body=b"0.9,0.8\n0.1,0.2\n"
    )
    assert json.loads(answer["Body"].read()) == [1, 0]
    client.delete_endpoint(EndpointName="conformance-sklearn")


def test_pytorch_estimator_installs_its_requirements_and_gets_the_toolkit_environment(
    aws, pipeline_session, run_pipeline, s3_tar_names, tmp_path
):
    import tarfile

    from sagemaker.pytorch.estimator import PyTorch
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import TrainingStep

    estimator = PyTorch(
        entry_point="train.py",
        source_dir=os.path.join(CODE, "pytorch"),
        framework_version="2.5.1",
        py_version="py311",
        instance_type="ml.m5.xlarge",
        instance_count=1,
        role=ROLE,
        hyperparameters={"epochs": 60, "lr": 0.1},
        metric_definitions=[{"Name": "train:loss", "Regex": "loss=([0-9.]+);"}],
        sagemaker_session=pipeline_session,
    )
    train = TrainingStep(name="TrainTorch", step_args=estimator.fit())
    pipeline = Pipeline(name="conformance-pytorch", steps=[train], sagemaker_session=pipeline_session)

    execution, steps = run_pipeline(pipeline)
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    job = aws.client("sagemaker").describe_training_job(
        TrainingJobName=steps["TrainTorch"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    )
    assert job["AlgorithmSpecification"]["TrainingImage"].endswith("/pytorch-training:2.5.1-cpu-py311")
    assert [metric["MetricName"] for metric in job["FinalMetricDataList"]] == ["train:loss"]
    uri = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert {"model.pt", "environment.json"} <= set(s3_tar_names(uri))
    bucket, key = uri[len("s3://") :].split("/", 1)
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    with tarfile.open(archive) as tar:
        environment = json.load(tar.extractfile("environment.json"))
    # transformers came from requirements.txt (the local wheel cache), torch is the runtime's.
    assert environment["transformers"] == "4.49.0"
    assert environment["torch"].startswith("2.5.1")
    assert environment["hosts"] == ["algo-1"] and environment["current_host"] == "algo-1"
    assert environment["num_cpus"] == os.cpu_count() and environment["num_gpus"] >= 0
    assert environment["epochs"] == 60


def test_xgboost_built_in_algorithm(aws, pipeline_session, run_pipeline, s3_tar_names):
    from sagemaker import image_uris
    from sagemaker.estimator import Estimator
    from sagemaker.inputs import TrainingInput
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import TrainingStep

    train_data = _put(aws, "conformance/xgboost/train/train.csv", _regression_csv(400, 3))
    validation_data = _put(aws, "conformance/xgboost/validation/validation.csv", _regression_csv(100, 4))
    image = image_uris.retrieve(framework="xgboost", region=REGION, version="1.7-1", py_version="py3", instance_type="ml.m5.xlarge")
    estimator = Estimator(
        image_uri=image,
        instance_type="ml.m5.xlarge",
        instance_count=1,
        role=ROLE,
        output_path="s3://%s/conformance/xgboost/models" % BUCKET,
        sagemaker_session=pipeline_session,
    )
    estimator.set_hyperparameters(objective="reg:squarederror", num_round=40, max_depth=4, eta=0.2, subsample=0.9)
    train = TrainingStep(
        name="TrainXGBoost",
        step_args=estimator.fit(
            {
                "train": TrainingInput(train_data.rsplit("/", 1)[0] + "/", content_type="text/csv"),
                "validation": TrainingInput(validation_data.rsplit("/", 1)[0] + "/", content_type="text/csv"),
            }
        ),
    )
    pipeline = Pipeline(name="conformance-xgboost", steps=[train], sagemaker_session=pipeline_session)

    execution, steps = run_pipeline(pipeline)
    assert execution["PipelineExecutionStatus"] == "Succeeded", execution.get("FailureReason")
    job = aws.client("sagemaker").describe_training_job(
        TrainingJobName=steps["TrainXGBoost"]["Metadata"]["TrainingJob"]["Arn"].split("/")[-1]
    )
    metrics = {metric["MetricName"]: metric["Value"] for metric in job["FinalMetricDataList"]}
    assert set(metrics) == {"train:rmse", "validation:rmse"}
    assert metrics["validation:rmse"] < 1.5
    assert s3_tar_names(job["ModelArtifacts"]["S3ModelArtifacts"]) == ["xgboost-model"]
