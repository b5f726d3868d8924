"""preprocess -> train -> evaluate -> inference as separate processes, each script copied alone to where its
container would put it, in sandboxes laid out like /opt/ml (moved with SAGEMAKER_BASE_DIR and the SM_*
variables, as a local runner does)."""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile

import pytest

import evaluate
from helpers import SERVE, pack_model, place, read_csv, run, script

HYPERPARAMETERS = ["--max-features", "20000", "--min-df", "2", "--ngram-max", "2", "--regularization", "4.0"]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """Runs the four steps once; each test checks one step's outputs."""
    root = tmp_path_factory.mktemp("e2e")
    result = {"root": root}

    # Preprocess: a processing job with the data input (a generated data set plus a file of bad rows).
    processing = root / "preprocess" / "opt" / "ml"
    data = processing / "processing" / "input" / "data"
    generated = run([script(os.path.join("data", "generate_reviews.py")), "--rows", "1500", "--seed", "99",
                     "--out", str(data / "reviews.csv")], {})
    assert generated.returncode == 0, generated.stderr
    (data / "more").mkdir()
    (data / "more" / "bad.csv").write_bytes(
        b"review_id,product_category,review_text,star_rating\n1,x,\xff\xfe,5\n2,x,,4\n3,x,fine,\n4,x,ok,3,extra\n")
    code = place("preprocess.py", str(processing / "processing" / "input" / "code"))
    result["preprocess"] = run([code, "--train-ratio", "0.7", "--validation-ratio", "0.15", "--test-ratio", "0.15",
                                "--random-seed", "42", "--balance", "true"],
                               {"SAGEMAKER_BASE_DIR": str(processing)})
    assert result["preprocess"].returncode == 0, result["preprocess"].stderr
    outputs = processing / "processing" / "output"

    # Train: a training job; the toolkit sets SM_* and passes the hyperparameters as CLI arguments.
    training = root / "train" / "opt" / "ml"
    shutil.copytree(str(outputs / "train"), str(training / "input" / "data" / "train"))
    shutil.copytree(str(outputs / "validation"), str(training / "input" / "data" / "validation"))
    code = place("train.py", str(training / "code"))
    place("inference.py", str(training / "code"))
    training_env = {"SM_MODEL_DIR": str(training / "model"), "SM_OUTPUT_DIR": str(training / "output"),
                    "SM_CHANNEL_TRAIN": str(training / "input" / "data" / "train"),
                    "SM_CHANNEL_VALIDATION": str(training / "input" / "data" / "validation")}
    (training / "model").mkdir()
    (training / "output").mkdir()
    result["train"] = run([code] + HYPERPARAMETERS, training_env, cwd=str(training / "code"))
    assert result["train"].returncode == 0, result["train"].stderr
    archive = str(root / "model.tar.gz")
    pack_model(str(training / "model"), archive)

    # Evaluate: a processing job with the model archive and the test split as inputs.
    evaluation = root / "evaluate" / "opt" / "ml"
    (evaluation / "processing" / "model").mkdir(parents=True)
    shutil.copy(archive, str(evaluation / "processing" / "model" / "model.tar.gz"))
    shutil.copytree(str(outputs / "test"), str(evaluation / "processing" / "test"))
    code = place("evaluate.py", str(evaluation / "processing" / "input" / "code"))
    result["evaluate"] = run([code], {"SAGEMAKER_BASE_DIR": str(evaluation)})
    assert result["evaluate"].returncode == 0, result["evaluate"].stderr

    # Serve: the archive extracted to /opt/ml/model, code/inference.py imported from there.
    serving = root / "serve" / "opt" / "ml" / "model"
    serving.mkdir(parents=True)
    evaluate.extract_archive(archive, str(serving))
    result["serve"] = run(["-c", SERVE, str(serving)], {})
    assert result["serve"].returncode == 0, result["serve"].stderr

    result.update(processing=processing, outputs=outputs, training=training, evaluation=evaluation,
                  training_env=training_env, archive=archive)
    return result


def test_preprocess_writes_the_three_splits_and_counts_the_bad_rows(pipeline):
    summary = json.loads(pipeline["preprocess"].stdout)
    assert summary["files_read"] == 2
    skipped = summary["rows_skipped"]
    assert skipped["invalid_utf8"] == 1 and skipped["wrong_column_count"] == 1 and skipped["missing_rating"] >= 1
    assert summary["rows_read"] == 1504
    for name in ("train", "validation", "test"):
        table = read_csv(str(pipeline["outputs"] / name / (name + ".csv")))
        assert table[0] == ["label", "text"]
        assert len(table) - 1 == summary["rows_written"][name] > 0
    assert len(set(summary["labels"]["train"].values())) == 1  # balanced


def test_train_logs_the_metric_and_leaves_a_servable_model_dir(pipeline):
    lines = pipeline["train"].stdout.splitlines()
    metric = [float(m.group(1)) for m in map(re.compile(r"validation_accuracy=([0-9.]+)").fullmatch, lines) if m]
    assert len(metric) == 1 and 0.0 <= metric[0] <= 1.0
    with tarfile.open(pipeline["archive"]) as tar:
        assert sorted(tar.getnames()) == ["code", "code/inference.py", "model.joblib"]
    assert not (pipeline["training"] / "output" / "failure").exists()


def test_evaluate_writes_the_report_the_condition_step_reads(pipeline):
    path = pipeline["evaluation"] / "processing" / "evaluation" / "evaluation.json"
    report = json.loads(path.read_text())
    accuracy = report["multiclass_classification_metrics"]["accuracy"]["value"]
    assert isinstance(accuracy, float) and 0.0 <= accuracy <= 1.0
    assert set(report["multiclass_classification_metrics"]["confusion_matrix"]) == {"negative", "neutral",
                                                                                    "positive"}
    assert pipeline["evaluate"].stdout.strip() == "accuracy=%.6f" % accuracy


def test_the_served_model_answers_json_and_csv_and_rejects_bad_input(pipeline):
    out = json.loads(pipeline["serve"].stdout)
    body, content_type = out["json"]
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert [p["label"] for p in predictions] == ["positive", "negative"]
    assert out["csv"] == ["positive\nnegative\n", "text/csv"]
    assert "instance 0 must be a string" in out["bad"]


def test_a_failed_training_run_leaves_a_failure_file_and_exits_1(pipeline):
    training = pipeline["training"]
    (training / "input" / "data" / "empty").mkdir()
    env = dict(pipeline["training_env"], SM_CHANNEL_TRAIN=str(training / "input" / "data" / "empty"),
               SM_MODEL_DIR=str(training / "model-2"))
    failed = run([str(training / "code" / "train.py")] + HYPERPARAMETERS, env)
    assert failed.returncode == 1
    reason = (training / "output" / "failure").read_text()
    assert "no usable rows in the train channel" in reason
    assert reason.strip() in failed.stderr


def test_a_preprocess_run_with_no_usable_rows_exits_1_with_an_exit_message(pipeline, tmp_path):
    sandbox = tmp_path / "opt" / "ml"
    (sandbox / "processing" / "input" / "data").mkdir(parents=True)
    (sandbox / "processing" / "input" / "data" / "bad.csv").write_bytes(
        b"review_text,star_rating\n,5\nok,zero\n")
    failed = run([script("preprocess.py")], {"SAGEMAKER_BASE_DIR": str(sandbox)})
    assert failed.returncode == 1 and failed.stdout == ""
    assert "no usable rows" in (sandbox / "output" / "message").read_text()
