"""monitoring.py: the baseline a version is registered with, and the drift check over captured traffic.

The scenario the issue names: a model trained on the seed's reviews, its baseline from a validation split; then
captured traffic of 2,000 reviews like the training data and 2,000 shifted ones (words the model never saw, mostly
negative). The check fires for the shifted window only, naming the statistics that moved; ten windows of normal
traffic raise nothing."""

from __future__ import annotations

import json
import os
import random
from typing import List, Sequence

import pytest

import inference
import monitoring
from helpers import SEED_DIR, labelled_rows, pack_model, place, run, write_labelled

# Words the generator never writes: a shifted window's reviews talk about something else entirely.
FOREIGN_WORDS = ("kernel dashboard onboarding webhook latency throughput subscription invoice tenant "
                 "kubernetes cluster deployment terraform telemetry sidecar ingress quota billing refactor "
                 "microservice serverless gateway throttling credential rotation rollback").split()


def shifted_texts(count: int, seed: int) -> List[str]:
    """Negative reviews (1 and 2 stars only: another class mix), each with a sentence of foreign words."""
    chooser = random.Random(seed)
    negatives = [row.text for row in labelled_rows(count * 4, seed=seed) if row.label == "negative"]
    texts = []
    for index in range(count):
        foreign = " ".join(chooser.choice(FOREIGN_WORDS) for _ in range(chooser.randint(6, 14)))
        texts.append("%s The %s." % (negatives[index % len(negatives)], foreign))
    return texts


def normal_texts(count: int, seed: int) -> List[str]:
    texts = [row.text for row in labelled_rows(count + count // 20 + 10, seed=seed)][:count]
    assert len(texts) == count
    return texts


def capture_lines(texts: Sequence[str], model, hour: int, batch: int = 1) -> List[str]:
    """Model Monitor capture records of the model's answers to the texts, `batch` texts a request, in one hour."""
    lines = []
    for start in range(0, len(texts), batch):
        chunk = list(texts[start:start + batch])
        request = json.dumps({"instances": chunk})
        response, _ = inference.output_fn(inference.predict_fn(inference.input_fn(request, "application/json"), model))
        minute, second = divmod(start % 3600, 60)
        lines.append(json.dumps({
            "captureData": {
                "endpointInput": {"observedContentType": "application/json", "mode": "INPUT", "data": request,
                                  "encoding": "JSON"},
                "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT", "data": response,
                                   "encoding": "JSON"},
            },
            "eventMetadata": {"eventId": "e-%d-%d" % (hour, start),
                              "inferenceTime": "2026-12-04T%02d:%02d:%02dZ" % (hour, minute, second)},
            "eventVersion": "0",
        }))
    return lines


def write_capture(directory: str, hour: int, lines: Sequence[str]) -> None:
    folder = os.path.join(directory, "sentiment-prod", "AllTraffic", "2026", "12", "04", "%02d" % hour)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "00-00-000-capture.jsonl"), "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def baseline_dir(model_dir: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    work = tmp_path_factory.mktemp("baseline")
    write_labelled(str(work / "validation"), "validation.csv", labelled_rows(1000, seed=7))
    assert monitoring.main(["baseline", "--model-dir", model_dir, "--data-dir", str(work / "validation"),
                            "--evaluate-dir", SEED_DIR, "--output-dir", str(work / "out")]) == 0
    return str(work / "out")


def check(baseline_dir: str, capture_dir: str, output_dir: str, start: str, end: str) -> dict:
    assert monitoring.main(["check", "--baseline-dir", baseline_dir, "--capture-dir", capture_dir,
                            "--start-time", start, "--end-time", end, "--output-dir", output_dir]) == 0
    with open(os.path.join(output_dir, monitoring.VIOLATIONS_FILE), encoding="utf-8") as handle:
        violations = json.load(handle)["violations"]
    with open(os.path.join(output_dir, monitoring.REPORT_FILE), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["drifted"] == [violation["feature_name"] for violation in violations]
    return report


def test_baseline_is_model_monitor_statistics_and_constraints(baseline_dir: str):
    with open(os.path.join(baseline_dir, "statistics.json")) as handle:
        statistics = json.load(handle)
    with open(os.path.join(baseline_dir, "constraints.json")) as handle:
        constraints = json.load(handle)
    features = {feature["name"]: feature for feature in statistics["features"]}
    assert list(features) == ["review_length", "oov_rate", "predicted_label", "confidence"]
    assert statistics["dataset"]["item_count"] == features["review_length"]["numerical_statistics"]["common"][
        "num_present"] > 900
    length = features["review_length"]["numerical_statistics"]
    buckets = length["distribution"]["kll"]["buckets"]
    assert sum(bucket["count"] for bucket in buckets) == statistics["dataset"]["item_count"]
    assert buckets[0]["lower_bound"] == length["min"] and buckets[-1]["upper_bound"] == length["max"]
    assert all(a["upper_bound"] == b["lower_bound"] for a, b in zip(buckets, buckets[1:]))
    # The validation split is the traffic's natural mix: more positive than negative, as the generator writes.
    labels = {b["value"]: b["count"] for b in features["predicted_label"]["string_statistics"]["distribution"]
              ["categorical"]["buckets"]}
    assert list(labels) == ["negative", "neutral", "positive"] and labels["positive"] > labels["negative"]
    # The model's own vocabulary covers most words of reviews like its training data.
    assert features["oov_rate"]["numerical_statistics"]["mean"] < 0.1
    assert 0.34 < features["confidence"]["numerical_statistics"]["mean"] < 1
    by_name = {feature["name"]: feature for feature in constraints["features"]}
    assert by_name["predicted_label"]["string_constraints"]["domains"] == ["negative", "neutral", "positive"]
    assert by_name["oov_rate"]["monitoringConfigOverrides"] == {"comparison_method": "PopulationStabilityIndex",
                                                                "comparison_threshold": 0.25}
    assert constraints["monitoring_config"]["distribution_constraints"]["perform_comparison"] == "Enabled"
    with open(os.path.join(baseline_dir, "vocabulary.txt")) as handle:
        vocabulary = handle.read().split()
    assert "battery" in vocabulary and "kubernetes" not in vocabulary


def test_check_fires_once_for_the_shifted_window_naming_what_moved(baseline_dir: str, model, tmp_path):
    capture = str(tmp_path / "capture")
    write_capture(capture, 10, capture_lines(normal_texts(2000, seed=11), model, hour=10, batch=4))
    write_capture(capture, 11, capture_lines(shifted_texts(2000, seed=12), model, hour=11, batch=4))

    normal = check(baseline_dir, capture, str(tmp_path / "normal"), "2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z")
    shifted = check(baseline_dir, capture, str(tmp_path / "shifted"), "2026-12-04T11:00:00Z", "2026-12-04T12:00:00Z")

    assert normal["item_count"] == 2000 and normal["drifted"] == []
    assert shifted["item_count"] == 2000
    assert {"oov_rate", "predicted_label"} <= set(shifted["drifted"]), shifted["features"]
    by_name = {feature["feature_name"]: feature for feature in shifted["features"]}
    assert by_name["oov_rate"]["window"]["mean"] > 3 * by_name["oov_rate"]["baseline"]["mean"]
    assert by_name["predicted_label"]["window"]["shares"]["negative"] > 0.6
    with open(str(tmp_path / "shifted" / monitoring.VIOLATIONS_FILE)) as handle:
        violation = json.load(handle)["violations"][0]
    assert violation["constraint_check_type"] == "baseline_drift_check"
    assert "exceeds threshold" in violation["description"] and violation["distance"] > violation["threshold"]
    with open(str(tmp_path / "shifted" / "statistics.json")) as handle:
        window = json.load(handle)
    assert window["dataset"]["item_count"] == 2000


def test_ten_windows_of_normal_traffic_raise_nothing(baseline_dir: str, model, tmp_path):
    capture = str(tmp_path / "capture")
    for hour in range(10):
        write_capture(capture, hour, capture_lines(normal_texts(300, seed=100 + hour), model, hour=hour, batch=5))
    for hour in range(10):
        report = check(baseline_dir, capture, str(tmp_path / str(hour)), "2026-12-04T%02d:00:00Z" % hour,
                       "2026-12-04T%02d:00:00Z" % (hour + 1))
        assert report["item_count"] >= 250
        assert report["drifted"] == [], report["features"]
        # Not a near miss: every distance is clearly under its threshold.
        distances = {feature["feature_name"]: feature["distance"] for feature in report["features"]}
        assert all(feature["distance"] < 0.75 * feature["threshold"] for feature in report["features"]), distances


def test_a_small_window_is_reported_but_not_compared(baseline_dir: str, model, tmp_path):
    capture = str(tmp_path / "capture")
    write_capture(capture, 10, capture_lines(shifted_texts(20, seed=3), model, hour=10))
    report = check(baseline_dir, capture, str(tmp_path / "out"), "2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z")
    assert report["item_count"] == 20 and report["drifted"] == []
    assert not any(feature["compared"] for feature in report["features"])


def test_unreadable_records_are_counted_not_fatal(baseline_dir: str, model, tmp_path):
    capture = str(tmp_path / "capture")
    lines = capture_lines(normal_texts(150, seed=4), model, hour=10)
    write_capture(capture, 10, lines + ["not json", json.dumps({"captureData": {}, "eventMetadata": {"inferenceTime": "2026-12-04T10:30:00Z"}})])
    report = check(baseline_dir, capture, str(tmp_path / "out"), "2026-12-04T10:00:00Z", "2026-12-04T11:00:00Z")
    assert report["records_skipped"] == 2 and report["item_count"] == 150


def test_csv_and_base64_captures_are_read(baseline_dir: str):
    captured = {"observedContentType": "text/csv", "encoding": "BASE64",
                "data": __import__("base64").b64encode(b'"Great, works",\n"Broke"\n').decode()}
    assert monitoring.request_texts(captured) == ["Great, works", "Broke"]


def test_distances():
    assert monitoring.population_stability_index([10, 10], [10, 10]) == pytest.approx(0, abs=1e-9)
    assert monitoring.jensen_shannon_distance([1, 0], [0, 1]) == pytest.approx(1, abs=1e-2)
    assert monitoring.population_stability_index([50, 50], [90, 10]) > 0.25


def test_a_bad_comparison_method_names_the_feature_and_the_choices(baseline_dir: str, tmp_path):
    with open(os.path.join(baseline_dir, "statistics.json")) as handle:
        baseline = json.load(handle)
    constraints = monitoring.constraints(baseline)
    constraints["features"][1]["monitoringConfigOverrides"]["comparison_method"] = "Robust"
    with pytest.raises(monitoring.MonitoringError, match="'oov_rate' has comparison_method 'Robust': use one of"):
        monitoring.compare(baseline, constraints, baseline)


def test_the_check_runs_as_a_job_receives_it(baseline_dir: str, tmp_path):
    """Alone in its folder, with the /opt/ml layout's defaults moved by SAGEMAKER_BASE_DIR."""
    base = tmp_path / "opt" / "ml" / "processing"
    for name in ("statistics.json", "constraints.json", "vocabulary.txt"):
        os.makedirs(str(base / "baseline"), exist_ok=True)
        with open(os.path.join(baseline_dir, name)) as source, open(str(base / "baseline" / name), "w") as sink:
            sink.write(source.read())
    os.makedirs(str(base / "capture"))
    code = str(tmp_path / "code")
    result = run([place("monitoring.py", code), "check"], {"SAGEMAKER_BASE_DIR": str(tmp_path / "opt" / "ml")},
                 cwd=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "drifted="
    assert os.path.isfile(str(base / "output" / "constraint_violations.json"))


def test_baseline_of_a_packed_model_without_evaluate_says_what_to_give(model_dir: str, tmp_path):
    pack_model(model_dir, str(tmp_path / "model.tar.gz"))
    write_labelled(str(tmp_path / "validation"), "v.csv", labelled_rows(50, seed=1))
    result = run([place("monitoring.py", str(tmp_path / "code")), "baseline", "--model-dir", str(tmp_path), "--data-dir",
                  str(tmp_path / "validation"), "--evaluate-dir", str(tmp_path / "none"), "--output-dir",
                  str(tmp_path / "out")], {}, cwd=str(tmp_path))
    assert result.returncode == 1
    assert "evaluate.py is not in" in result.stderr


def test_a_model_scored_through_its_serving_code_gives_scores_and_its_wordpiece_words(tmp_path):
    """The BERT variant's path of load_scorer, with a stand-in serving code: predict_fn's scores, vocab.txt's words."""
    import evaluate

    code = tmp_path / "code"
    code.mkdir()
    (code / "inference.py").write_text(
        "def model_fn(model_dir):\n    return 'm'\n\n"
        "def predict_fn(texts, model):\n"
        "    return [{'label': 'positive', 'scores': {'negative': 0.1, 'neutral': 0.2, 'positive': 0.7}}"
        " for _ in texts]\n")
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nbattery\n##ies\nlasts\n")
    scorer = evaluate.load_scorer(str(tmp_path), str(tmp_path / "scratch"))
    assert scorer.predict(["a", "b"])[1] == {"label": "positive",
                                            "scores": {"negative": 0.1, "neutral": 0.2, "positive": 0.7}}
    assert scorer.words() == ["battery", "lasts"]
