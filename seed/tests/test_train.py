"""train.py: hyperparameters, the SageMaker training contract (channels, model dir, metric line, failure file)."""

from __future__ import annotations

import filecmp
import os
import re

import pytest

import train
from helpers import labelled_rows, script, write_labelled
from preprocess import Row

METRIC_REGEX = re.compile(r"validation_accuracy=([0-9.]+)")  # the pipeline's MetricDefinitions regex


@pytest.fixture
def channels(tmp_path):
    rows = labelled_rows(900, seed=31)
    write_labelled(str(tmp_path / "train"), "train.csv", rows[:700])
    write_labelled(str(tmp_path / "validation"), "validation.csv", rows[700:])
    return tmp_path


def paths(base, **override):
    values = {"--train": base / "train", "--validation": base / "validation", "--model-dir": base / "model",
              "--output-dir": base / "output"}
    values.update({"--" + key.replace("_", "-"): value for key, value in override.items()})
    return [item for key, value in values.items() for item in (key, str(value))]


def test_parses_the_script_mode_hyperparameters_with_defaults(clean_env):
    args = train.parse_args([])
    assert (args.max_features, args.ngram_max, args.min_df, args.regularization) == (20000, 2, 2, 4.0)
    args = train.parse_args(["--max-features", "500", "--ngram-max", "3", "--min-df", "1.0",
                             "--regularization", "0.5"])
    assert (args.max_features, args.ngram_max, args.min_df, args.regularization) == (500, 3, 1, 0.5)


@pytest.mark.parametrize("argv, message", [
    (["--ngram-max", "4"], "--ngram-max must be an integer 1..3"),
    (["--max-features", "2.5"], "--max-features must be an integer"),
    (["--min-df", "0"], "--min-df must be an integer >= 1"),
    (["--regularization", "0"], "--regularization must be a number above 0"),
    (["--regularization", "nan"], "--regularization must be a number above 0"),
    (["--regularization", "strong"], "--regularization must be a number"),
    (["--learning-rate", "0.1"], "unrecognized arguments: --learning-rate"),
])
def test_a_bad_hyperparameter_is_a_training_error_naming_it(argv, message, clean_env):
    with pytest.raises(train.TrainingError, match=re.escape(message)):
        train.parse_args(argv)


def test_paths_come_from_the_sm_variables_then_sagemaker_base_dir(monkeypatch, clean_env):
    args = train.parse_args([])
    assert args.model_dir == os.path.join(clean_env, "model")
    assert args.train == os.path.join(clean_env, "input", "data", "train")
    assert args.output_dir == os.path.join(clean_env, "output")
    monkeypatch.setenv("SM_MODEL_DIR", "/m")
    monkeypatch.setenv("SM_CHANNEL_TRAIN", "/t")
    monkeypatch.setenv("SM_CHANNEL_VALIDATION", "/v")
    monkeypatch.setenv("SM_OUTPUT_DIR", "/o")
    args = train.parse_args([])
    assert (args.model_dir, args.train, args.validation, args.output_dir) == ("/m", "/t", "/v", "/o")
    assert train.parse_args(["--model-dir", "/x"]).model_dir == "/x"


def test_trains_saves_the_model_with_its_inference_code_and_logs_the_metric_line(channels, capsys, clean_env):
    assert train.main(paths(channels) + ["--max-features", "3000"]) == 0
    out = capsys.readouterr().out
    matches = [METRIC_REGEX.fullmatch(line) for line in out.splitlines()]
    scores = [float(match.group(1)) for match in matches if match]
    assert len(scores) == 1 and 0.5 < scores[0] <= 1.0
    model_dir = channels / "model"
    assert sorted(os.listdir(str(model_dir))) == ["code", "model.joblib"]
    assert os.listdir(str(model_dir / "code")) == ["inference.py"]
    assert filecmp.cmp(str(model_dir / "code" / "inference.py"), script("inference.py"), shallow=False)
    assert not (channels / "output" / "failure").exists()

    import joblib

    model = joblib.load(str(model_dir / "model.joblib"))
    assert list(model.classes_) == ["negative", "neutral", "positive"]
    assert len(model.named_steps["tfidf"].vocabulary_) <= 3000


def test_without_a_validation_channel_training_still_succeeds_and_says_so(channels, capsys, clean_env):
    assert train.main(paths(channels, validation=channels / "nowhere")) == 0
    out = capsys.readouterr().out
    assert "validation_accuracy not computed" in out and not METRIC_REGEX.search(out)


def failure(channels):
    return (channels / "output" / "failure").read_text()


def test_an_empty_train_channel_fails_with_a_failure_file(channels, capsys, clean_env):
    (channels / "empty").mkdir()
    assert train.main(paths(channels, train=channels / "empty")) == 1
    reason = failure(channels)
    assert reason.startswith("no usable rows in the train channel") and reason.count("\n") == 1
    assert "no usable rows" in capsys.readouterr().err
    assert not (channels / "model").exists()


def test_a_missing_train_channel_fails_naming_it(channels, clean_env):
    assert train.main(paths(channels, train=channels / "absent")) == 1
    assert "does not exist" in failure(channels)


def test_a_single_class_fails_with_a_clear_reason(channels, clean_env):
    write_labelled(str(channels / "one"), "train.csv", [Row("positive", "good %d" % i) for i in range(20)])
    assert train.main(paths(channels, train=channels / "one")) == 1
    assert "only the class 'positive'" in failure(channels)


def test_min_df_that_prunes_every_term_fails_pointing_at_the_hyperparameter(channels, clean_env):
    assert train.main(paths(channels) + ["--min-df", "100000"]) == 1
    assert "--min-df" in failure(channels)


def test_a_bad_hyperparameter_writes_the_failure_file_given_on_the_command_line(channels, clean_env):
    assert train.main(paths(channels) + ["--ngram-max", "9"]) == 1
    assert "--ngram-max must be an integer 1..3" in failure(channels)


def test_rows_with_unknown_labels_or_empty_text_are_skipped(tmp_path):
    write_labelled(str(tmp_path), "a.csv", [Row("positive", "ok"), Row("meh", "x"), Row("negative", " ")])
    (tmp_path / "notes.txt").write_text("label,text\npositive,ignored\n")
    assert train.read_labelled_dir(str(tmp_path)) == (["ok"], ["positive"], 2)
