"""evaluate.py: metrics and their layout, safe extraction of model.tar.gz, and the job."""

from __future__ import annotations

import io
import json
import os
import random
import sys
import tarfile
import textwrap

import pytest

import evaluate
from helpers import labelled_rows, write_labelled
from preprocess import Row

LABELS = ["negative", "neutral", "positive"]


# --- metrics -------------------------------------------------------------------------------------------------

def test_metrics_match_scikit_learn_on_random_predictions():
    from sklearn import metrics as sk

    rng = random.Random(4)
    expected = [rng.choice(LABELS) for _ in range(500)]
    predicted = [label if rng.random() < 0.7 else rng.choice(LABELS) for label in expected]
    report = evaluate.classification_metrics(expected, predicted)["multiclass_classification_metrics"]
    assert report["accuracy"]["value"] == pytest.approx(sk.accuracy_score(expected, predicted))
    precision, recall, f1, _ = sk.precision_recall_fscore_support(expected, predicted, labels=LABELS,
                                                                  zero_division=0)
    for index, label in enumerate(LABELS):
        assert report["precision_by_class"][label]["value"] == pytest.approx(precision[index])
        assert report["recall_by_class"][label]["value"] == pytest.approx(recall[index])
        assert report["f1_by_class"][label]["value"] == pytest.approx(f1[index])
    weighted = sk.precision_recall_fscore_support(expected, predicted, labels=LABELS, average="weighted",
                                                  zero_division=0)
    assert report["weighted_precision"]["value"] == pytest.approx(weighted[0])
    assert report["weighted_recall"]["value"] == pytest.approx(weighted[1])
    assert report["weighted_f1"]["value"] == pytest.approx(weighted[2])
    matrix = sk.confusion_matrix(expected, predicted, labels=LABELS)
    for i, actual in enumerate(LABELS):
        for j, guess in enumerate(LABELS):
            assert report["confusion_matrix"][actual][guess] == matrix[i][j]


def test_the_report_has_the_model_registry_layout():
    report = evaluate.classification_metrics(["positive", "negative"], ["positive", "positive"])
    body = report["multiclass_classification_metrics"]
    assert list(report) == ["multiclass_classification_metrics"]
    assert list(body) == ["accuracy", "weighted_precision", "weighted_recall", "weighted_f1", "precision_by_class",
                          "recall_by_class", "f1_by_class", "confusion_matrix"]
    for name in ("accuracy", "weighted_precision", "weighted_recall", "weighted_f1"):
        assert body[name]["standard_deviation"] == "NaN" and isinstance(body[name]["value"], float)
    for name in ("precision_by_class", "recall_by_class", "f1_by_class"):
        assert list(body[name]) == LABELS and all(list(item) == ["value"] for item in body[name].values())
    # A class that is never predicted and never present scores 0, and still has its row and column.
    assert body["precision_by_class"]["neutral"]["value"] == 0.0
    assert body["confusion_matrix"] == {
        "negative": {"negative": 0, "neutral": 0, "positive": 1},
        "neutral": {"negative": 0, "neutral": 0, "positive": 0},
        "positive": {"negative": 0, "neutral": 0, "positive": 1},
    }
    assert body["accuracy"]["value"] == 0.5
    json.dumps(report, allow_nan=False)  # valid JSON: no bare NaN anywhere


@pytest.mark.parametrize("expected, predicted, message", [([], [], "zero rows"), (["positive"], [], "length")])
def test_metrics_of_nothing_or_of_mismatched_lists_are_refused(expected, predicted, message):
    with pytest.raises(ValueError, match=message):
        evaluate.classification_metrics(expected, predicted)


# --- safe extraction -------------------------------------------------------------------------------------------

def make_archive(path, members):
    """members: (TarInfo settings, bytes or None)."""
    with tarfile.open(str(path), "w:gz") as tar:
        for settings, data in members:
            info = tarfile.TarInfo(settings.pop("name"))
            for key, value in settings.items():
                setattr(info, key, value)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def test_a_normal_archive_is_extracted_with_its_directories(tmp_path):
    archive = make_archive(tmp_path / "model.tar.gz", [
        ({"name": "./code", "type": tarfile.DIRTYPE}, None),
        ({"name": "./code/inference.py"}, b"print(1)\n"),
        ({"name": "model.joblib"}, b"model"),
    ])
    evaluate.extract_archive(archive, str(tmp_path / "out"))
    assert (tmp_path / "out" / "model.joblib").read_bytes() == b"model"
    assert (tmp_path / "out" / "code" / "inference.py").read_bytes() == b"print(1)\n"


@pytest.mark.parametrize("member, reason", [
    ({"name": "/etc/evil"}, "absolute path"),
    ({"name": "../evil"}, "'..'"),
    ({"name": "code/../../evil"}, "'..'"),
    ({"name": "link", "type": tarfile.SYMTYPE, "linkname": "/etc/passwd"}, "links"),
    ({"name": "hard", "type": tarfile.LNKTYPE, "linkname": "model.joblib"}, "links"),
    ({"name": "fifo", "type": tarfile.FIFOTYPE}, "only files and directories"),
    ({"name": "dev", "type": tarfile.CHRTYPE}, "only files and directories"),
])
def test_an_unsafe_member_is_refused_before_anything_is_written(tmp_path, member, reason):
    data = b"x" if member.get("type", tarfile.REGTYPE) == tarfile.REGTYPE else None
    archive = make_archive(tmp_path / "model.tar.gz", [({"name": "model.joblib"}, b"model"), (member, data)])
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(evaluate.UnsafeArchiveError, match=reason):
        evaluate.extract_archive(archive, str(target))
    assert os.listdir(str(target)) == []
    assert not (tmp_path / "evil").exists()


# --- the job ---------------------------------------------------------------------------------------------------

def tar_model_dir(model_dir, archive):
    with tarfile.open(str(archive), "w:gz") as tar:
        for name in sorted(os.listdir(model_dir)):
            tar.add(os.path.join(model_dir, name), arcname=name)


@pytest.fixture
def job(tmp_path, model_dir):
    (tmp_path / "model").mkdir()
    tar_model_dir(model_dir, tmp_path / "model" / "model.tar.gz")
    write_labelled(str(tmp_path / "test"), "test.csv", labelled_rows(300, seed=41))
    return tmp_path


def job_args(base, **override):
    values = {"model_dir": base / "model", "test_dir": base / "test", "output_dir": base / "evaluation",
              "message_file": base / "message"}
    values.update(override)
    return [item for key, value in values.items() for item in ("--" + key.replace("_", "-"), str(value))]


def test_the_job_writes_evaluation_json_from_model_tar_gz(job, capsys, clean_env):
    assert evaluate.main(job_args(job)) == 0
    report = json.loads((job / "evaluation" / "evaluation.json").read_text())
    accuracy = report["multiclass_classification_metrics"]["accuracy"]["value"]
    assert 0.6 < accuracy <= 1.0  # a model trained on the same generator does far better than chance
    assert capsys.readouterr().out.strip() == "accuracy=%.6f" % accuracy
    assert sum(sum(row.values()) for row in report["multiclass_classification_metrics"]["confusion_matrix"]
               .values()) == len(labelled_rows(300, seed=41))


def test_the_job_also_takes_an_unpacked_model_directory(job, model_dir, clean_env):
    assert evaluate.main(job_args(job, model_dir=model_dir)) == 0
    assert (job / "evaluation" / "evaluation.json").exists()


@pytest.mark.parametrize("override, message", [
    ({"model_dir": "empty"}, "no model.joblib (a scikit-learn model) or code/inference.py"),
    ({"test_dir": "empty"}, "no usable rows in the test input"),
    ({"test_dir": "absent"}, "does not exist"),
])
def test_a_missing_model_or_test_data_fails_with_a_message(job, override, message, clean_env):
    (job / "empty").mkdir()
    assert evaluate.main(job_args(job, **{key: job / value for key, value in override.items()})) == 1
    assert message in (job / "message").read_text()
    assert not (job / "evaluation").exists()


# A model that carries its own serving code and no model.joblib (as the BERT variant's does): it predicts "positive"
# for texts with a word from the file model_fn reads, else "negative", and records how often it was called.
SERVED_MODEL = textwrap.dedent("""
    import os
    CALLS = []
    def model_fn(model_dir):
        with open(os.path.join(model_dir, "words.txt"), encoding="utf-8") as handle:
            return set(handle.read().split())
    def predict_fn(texts, words):
        CALLS.append(len(texts))
        return [{"label": "positive" if words & set(text.lower().split()) else "negative",
                 "scores": {}} for text in texts]
""")


def served_model_archive(directory, words="love great", code=SERVED_MODEL):
    source = directory / "served"
    (source / "code").mkdir(parents=True)
    (source / "words.txt").write_text(words)
    (source / "code" / "inference.py").write_text(code)
    (directory / "model").mkdir(exist_ok=True)
    tar_model_dir(str(source), directory / "model" / "model.tar.gz")


def test_a_model_without_model_joblib_is_scored_by_its_own_serving_code(tmp_path, clean_env, monkeypatch):
    monkeypatch.setattr(evaluate, "PREDICT_BATCH", 2)
    served_model_archive(tmp_path)
    write_labelled(str(tmp_path / "test"), "test.csv", [
        Row("positive", "I love it"), Row("negative", "Broke in a day"), Row("positive", "Great value"),
        Row("neutral", "It is fine"), Row("positive", "Works")])
    assert evaluate.main(job_args(tmp_path)) == 0
    report = json.loads((tmp_path / "evaluation" / "evaluation.json").read_text())
    matrix = report["multiclass_classification_metrics"]["confusion_matrix"]
    assert matrix["positive"] == {"negative": 1, "neutral": 0, "positive": 2}
    assert matrix["neutral"] == {"negative": 1, "neutral": 0, "positive": 0}
    assert report["multiclass_classification_metrics"]["accuracy"]["value"] == pytest.approx(3 / 5)
    # predict_fn gets the texts in batches, as an endpoint would.
    assert sys.modules["model_inference"].CALLS == [2, 2, 1]


def test_serving_code_without_the_handlers_fails_with_a_message(tmp_path, clean_env):
    served_model_archive(tmp_path, code="def model_fn(model_dir):\n    return None\n")
    write_labelled(str(tmp_path / "test"), "test.csv", [Row("positive", "I love it")])
    assert evaluate.main(job_args(tmp_path)) == 1
    assert "has no predict_fn" in (tmp_path / "message").read_text()


def test_a_corrupt_archive_fails_with_a_message(job, clean_env):
    (job / "model" / "model.tar.gz").write_bytes(b"not a tarball")
    assert evaluate.main(job_args(job)) == 1
    assert "cannot extract" in (job / "message").read_text()


def test_default_paths_are_the_processing_contract(clean_env):
    args = evaluate.parse_args([])
    assert args.model_dir == os.path.join(clean_env, "processing", "model")
    assert args.test_dir == os.path.join(clean_env, "processing", "test")
    assert args.output_dir == os.path.join(clean_env, "processing", "evaluation")
