"""The BERT variant's chain as separate processes, each script where its container would put it, in sandboxes laid out
like /opt/ml: preprocess.py (the same as the scikit-learn variant's) -> bert/train.py (source dir with inference.py
and requirements.txt) -> model.tar.gz -> evaluate.py (the same script, scoring through the archive's serving code)
-> the archive's code/inference.py answering requests."""

from __future__ import annotations

import json
import os
import re
import shutil
import tarfile

import pytest

from bert_helpers import BERT_DIR, TINY
from helpers import SERVE, pack_model, place, run, script


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("bert-e2e")
    result = {"root": root}

    processing = root / "preprocess" / "opt" / "ml"
    data = processing / "processing" / "input" / "data"
    generated = run([script(os.path.join("data", "generate_reviews.py")), "--rows", "900", "--seed", "77",
                     "--out", str(data / "reviews.csv")], {})
    assert generated.returncode == 0, generated.stderr
    code = place("preprocess.py", str(processing / "processing" / "input" / "code"))
    preprocessed = run([code], {"SAGEMAKER_BASE_DIR": str(processing)})
    assert preprocessed.returncode == 0, preprocessed.stderr
    splits = processing / "processing" / "output"

    # Train: the estimator's source dir unpacked into /opt/ml/code, hyperparameters as arguments.
    training = root / "train" / "opt" / "ml"
    shutil.copytree(BERT_DIR, str(training / "code"), ignore=shutil.ignore_patterns("__pycache__"))
    result["train"] = run(["train.py"] + TINY, {
        "SAGEMAKER_BASE_DIR": str(training), "SM_MODEL_DIR": str(training / "model"),
        "SM_CHANNEL_TRAIN": str(splits / "train"), "SM_CHANNEL_VALIDATION": str(splits / "validation"),
        "SM_OUTPUT_DIR": str(training / "output")}, cwd=str(training / "code"), timeout=600)
    assert result["train"].returncode == 0, result["train"].stderr
    archive_dir = root / "artifacts"
    archive_dir.mkdir()
    pack_model(str(training / "model"), str(archive_dir / "model.tar.gz"))

    # Evaluate: a processing job with the model archive and the test split; evaluate.py alone in its code dir.
    evaluation = root / "evaluate" / "opt" / "ml"
    (evaluation / "processing" / "model").mkdir(parents=True)
    shutil.copy(str(archive_dir / "model.tar.gz"), str(evaluation / "processing" / "model"))
    shutil.copytree(str(splits / "test"), str(evaluation / "processing" / "test"))
    code = place("evaluate.py", str(evaluation / "processing" / "input" / "code"))
    result["evaluate"] = run([code], {"SAGEMAKER_BASE_DIR": str(evaluation)}, timeout=300)
    assert result["evaluate"].returncode == 0, result["evaluate"].stderr
    result["report"] = json.loads((evaluation / "processing" / "evaluation" / "evaluation.json").read_text())

    # Serve: the archive unpacked as /opt/ml/model, its code/inference.py loaded by the container.
    served = root / "serve" / "opt" / "ml" / "model"
    served.mkdir(parents=True)
    with tarfile.open(str(archive_dir / "model.tar.gz")) as tar:
        tar.extractall(str(served))
    result["serve"] = run(["-c", SERVE, str(served)], {})
    assert result["serve"].returncode == 0, result["serve"].stderr
    return result


def test_training_logs_the_metric_the_pipeline_scrapes(pipeline):
    assert re.search(r"^epoch 2/2: train_loss=[0-9.]+ validation_accuracy=[0-9.]+ \([0-9.]+ s\)$",
                     pipeline["train"].stdout, re.MULTILINE)


def test_evaluation_writes_the_same_report_as_the_scikit_learn_variant(pipeline):
    body = pipeline["report"]["multiclass_classification_metrics"]
    assert list(body) == ["accuracy", "weighted_precision", "weighted_recall", "weighted_f1", "precision_by_class",
                          "recall_by_class", "f1_by_class", "confusion_matrix"]
    assert 0.0 <= body["accuracy"]["value"] <= 1.0
    assert pipeline["evaluate"].stdout.strip() == "accuracy=%.6f" % body["accuracy"]["value"]
    test_rows = sum(sum(row.values()) for row in body["confusion_matrix"].values())
    with open(pipeline["root"] / "preprocess" / "opt" / "ml" / "processing" / "output" / "test" / "test.csv") as f:
        assert test_rows == len(f.read().splitlines()) - 1


def test_the_archive_serves_the_scikit_learn_endpoints_formats(pipeline):
    answers = json.loads(pipeline["serve"].stdout)
    assert "instance 0 must be a string" in answers["bad"]
    body, content_type = answers["json"]
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 2 and all(set(item) == {"label", "scores"} for item in predictions)
    body, content_type = answers["csv"]
    assert content_type == "text/csv"
    assert all(line in ("negative", "neutral", "positive") for line in body.splitlines())
