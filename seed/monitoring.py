#!/usr/bin/env python3
"""Model monitoring for the review sentiment model: the baseline each version is registered with, and the drift
check that compares an endpoint's captured traffic with the live version's baseline.

    python3 monitoring.py baseline   # the pipeline's Baseline step (a processing job)
    python3 monitoring.py check      # the drift check (the scheduled job on AWS, `slipway monitor run` locally)

Four statistics describe a window of reviews and what the model said about them:

    review_length    Integral    words per review
    oov_rate         Fractional  share of a review's words that are not in the model's vocabulary
    predicted_label  String      the class the model predicted
    confidence       Fractional  the probability of that class

`baseline` scores the model on the validation split and writes, to /opt/ml/processing/baseline:
`statistics.json` and `constraints.json` in SageMaker Model Monitor's formats (numerical features with
`distribution.kll.buckets`, the label with `distribution.categorical.buckets`; the KLL sketch itself is not
written, the buckets are what the check compares), and `vocabulary.txt`, the model's words, one a line, which the
check needs to measure the out-of-vocabulary rate of captured reviews. The validation split, not the train split:
preprocess.py balances the train split, so its class mix is not the traffic's, and the model has fit the train
split, so it is more confident there than on reviews it has not seen. The validation split is training data held
out from fitting, in its natural class mix.

`check` reads captured records (Model Monitor's data capture JSON Lines: `captureData.endpointInput` with the
request, `endpointOutput` with the `{"predictions": [{"label", "scores"}]}` response) from --capture-dir, keeps
those whose `eventMetadata.inferenceTime` is in [--start-time, --end-time), computes the same statistics with the
baseline's bucket bounds, compares each with the baseline (population stability index or Jensen-Shannon distance,
as constraints.json says per feature, with its threshold) and writes to --output-dir `statistics.json` (the
window's), `constraint_violations.json` (Model Monitor's violations format; `baseline_drift_check` entries also
carry the measured `distance`, its `comparison_method` and `threshold`) and `drift_report.json` (every
statistic's distance, drifted or not, for the job summary and `slipway monitor status`).

clean_text is a copy of preprocess.py's and inference.py's (test_scripts_standalone keeps them identical): the
statistics are of the text the model saw. Standard library only: it runs on any Python 3.9 image (the scikit-learn processing image) and reads 100,000
captured records in seconds. Only `baseline` needs the model, which it loads with evaluate.py's load_scorer:
evaluate.py comes in as the job's `evaluate` input, so the two read the model archive with the same code.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import csv
import datetime
import html
import io
import json
import math
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import traceback
import unicodedata
import uuid
from collections import Counter, OrderedDict
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

LABELS = ("negative", "neutral", "positive")
STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"
VOCABULARY_FILE = "vocabulary.txt"
VIOLATIONS_FILE = "constraint_violations.json"
REPORT_FILE = "drift_report.json"

PSI = "PopulationStabilityIndex"
JENSEN_SHANNON = "JensenShannonDistance"
METHODS = (PSI, JENSEN_SHANNON)

# Per feature: its Model Monitor type, how it is compared and the threshold above which it has drifted. A PSI
# above 0.25 is the usual "significant shift"; a Jensen-Shannon distance (base 2, between 0 and 1) of 0.15 between
# class mixes is, for three classes, a move of about ten points of share. Both sit well above what a window of a
# few hundred reviews like the baseline's measures by chance (bench and tests: under 0.1 and 0.06).
FEATURES = OrderedDict([
    ("review_length", ("Integral", PSI, 0.25)),
    ("oov_rate", ("Fractional", PSI, 0.25)),
    ("predicted_label", ("String", JENSEN_SHANNON, 0.15)),
    ("confidence", ("Fractional", PSI, 0.25)),
])
# Deciles of the baseline: ten buckets of about equal baseline share (fewer where values repeat, as 0 for oov_rate).
BUCKETS = 10
# A window with fewer reviews is not compared: its statistics are noise (it is reported, with no violations).
MIN_ITEMS = 100
# Added to every bucket share before comparing, so that a bucket empty on one side gives a large, finite distance.
EPSILON = 1e-4

_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# The words of a text as the scikit-learn model's TfidfVectorizer sees them (its default token pattern).
_WORD = re.compile(r"(?u)\b\w\w+\b")


class MonitoringError(Exception):
    """A failure with a reason worth showing as the job's exit message."""


def opt_ml(*parts: str) -> str:
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


def clean_text(raw: str) -> str:
    """Strip HTML tags and comments, decode entities, drop control characters, collapse whitespace, trim.

    preprocess.py and inference.py hold identical copies (a test compares them): the model must see text cleaned
    the same way in training and in serving, and each script ships alone.
    """
    text = _TAG.sub(" ", raw)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> List[str]:
    """Lower-cased words of two characters or more, accents stripped (as the vectorizer's strip_accents)."""
    lowered = text.lower()
    if not lowered.isascii():
        lowered = "".join(char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char))
    return _WORD.findall(lowered)


# --- observations ------------------------------------------------------------------------------------------------

class Observations:
    """The four statistics' values, one per review."""

    def __init__(self) -> None:
        self.review_length: List[float] = []
        self.oov_rate: List[float] = []
        self.predicted_label: List[str] = []
        self.confidence: List[float] = []

    def __len__(self) -> int:
        return len(self.review_length)

    def add(self, text: str, label: str, confidence: float, vocabulary: frozenset) -> None:
        # Only tags and entities change the words: whitespace and control characters are not in any word.
        tokens = words(clean_text(text) if "<" in text or "&" in text else text)
        self.review_length.append(len(tokens))
        self.oov_rate.append(1.0 - sum(map(vocabulary.__contains__, tokens)) / len(tokens) if tokens else 0.0)
        self.predicted_label.append(label)
        self.confidence.append(confidence)

    def extend(self, other: "Observations") -> None:
        for name in FEATURES:
            self.values(name).extend(other.values(name))

    def values(self, name: str) -> list:
        return getattr(self, name)


# --- statistics.json ---------------------------------------------------------------------------------------------

def bucket_cuts(values: Sequence[float], buckets: int = BUCKETS) -> List[float]:
    """Upper bounds of all buckets but the last: the baseline's quantiles at 1/buckets, 2/buckets, ..., without
    repeats. A value v falls in the first bucket whose cut is >= v, or in the last."""
    ordered = sorted(values)
    if not ordered:
        return []
    cuts: List[float] = []
    for index in range(1, buckets):
        cut = ordered[min(len(ordered) - 1, (index * len(ordered)) // buckets)]
        if cut < ordered[-1] and (not cuts or cut > cuts[-1]):
            cuts.append(cut)
    return cuts


def bucket_counts(values: Iterable[float], cuts: Sequence[float]) -> List[int]:
    counts = [0] * (len(cuts) + 1)
    for value in values:
        counts[bisect.bisect_left(cuts, value)] += 1
    return counts


def numerical_feature(name: str, inferred_type: str, values: Sequence[float], cuts: Sequence[float],
                      low: float, high: float) -> Dict[str, object]:
    """A numerical feature of statistics.json. Bucket bounds are the baseline's (low and high its minimum and
    maximum); a window's values beyond them count in the outer buckets."""
    count = len(values)
    total = float(sum(values))
    mean = total / count if count else 0.0
    variance = sum((value - mean) ** 2 for value in values) / count if count else 0.0
    bounds = [low] + list(cuts) + [high]
    buckets = [OrderedDict([("lower_bound", bounds[index]), ("upper_bound", bounds[index + 1]), ("count", n)])
               for index, n in enumerate(bucket_counts(values, cuts))]
    return OrderedDict([
        ("name", name),
        ("inferred_type", inferred_type),
        ("numerical_statistics", OrderedDict([
            ("common", OrderedDict([("num_present", count), ("num_missing", 0)])),
            ("mean", mean),
            ("sum", total),
            ("std_dev", math.sqrt(variance)),
            ("min", min(values) if count else 0.0),
            ("max", max(values) if count else 0.0),
            ("distribution", OrderedDict([("kll", OrderedDict([("buckets", buckets)]))])),
        ])),
    ])


def categorical_feature(name: str, values: Sequence[str], domain: Sequence[str]) -> Dict[str, object]:
    counts = Counter(values)
    ordered = list(domain) + sorted(value for value in counts if value not in domain)
    return OrderedDict([
        ("name", name),
        ("inferred_type", "String"),
        ("string_statistics", OrderedDict([
            ("common", OrderedDict([("num_present", len(values)), ("num_missing", 0)])),
            ("distinct_count", float(len(counts))),
            ("distribution", OrderedDict([("categorical", OrderedDict([
                ("buckets", [OrderedDict([("value", value), ("count", counts.get(value, 0))]) for value in ordered]),
            ]))])),
        ])),
    ])


def statistics(observations: Observations, layout: Optional[Dict[str, object]] = None) -> Dict[str, object]:
    """statistics.json of the observations. Without a layout (the baseline) the buckets are the observations' own
    deciles; with one (a window) they are the layout's, so the two can be compared bucket by bucket."""
    features = []
    for name, (inferred_type, _, _) in FEATURES.items():
        values = observations.values(name)
        if inferred_type == "String":
            domain = layout[name] if layout else [label for label in LABELS]
            features.append(categorical_feature(name, values, domain))  # type: ignore[arg-type]
            continue
        if layout:
            cuts, low, high = layout[name]  # type: ignore[misc]
        else:
            cuts = bucket_cuts(values)
            low, high = (min(values), max(values)) if values else (0.0, 0.0)
        features.append(numerical_feature(name, inferred_type, values, cuts, low, high))
    return OrderedDict([("version", 0.0), ("dataset", OrderedDict([("item_count", len(observations))])),
                        ("features", features)])


def layout_of(baseline_statistics: Dict[str, object]) -> Dict[str, object]:
    """Per feature, the baseline's bucket cuts and bounds (numerical) or its labels (categorical)."""
    layout: Dict[str, object] = {}
    for feature in feature_map(baseline_statistics).values():
        name = feature["name"]
        if "numerical_statistics" in feature:
            buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
            cuts = [bucket["upper_bound"] for bucket in buckets[:-1]]
            layout[name] = (cuts, buckets[0]["lower_bound"], buckets[-1]["upper_bound"])
        else:
            layout[name] = [bucket["value"] for bucket in feature["string_statistics"]["distribution"]["categorical"]
                            ["buckets"]]
    return layout


def feature_map(document: Dict[str, object]) -> Dict[str, Dict]:
    features = document.get("features")
    if not isinstance(features, list):
        raise MonitoringError("the document has no \"features\" list: expected Model Monitor's statistics.json or "
                              "constraints.json")
    return OrderedDict((feature["name"], feature) for feature in features if isinstance(feature, dict))


def distribution(feature: Dict) -> OrderedDict:
    """{bucket key: count} of a statistics.json feature."""
    if "numerical_statistics" in feature:
        buckets = feature["numerical_statistics"]["distribution"]["kll"]["buckets"]
        return OrderedDict((index, bucket["count"]) for index, bucket in enumerate(buckets))
    buckets = feature["string_statistics"]["distribution"]["categorical"]["buckets"]
    return OrderedDict((bucket["value"], bucket["count"]) for bucket in buckets)


# --- constraints.json --------------------------------------------------------------------------------------------

def constraints(baseline: Dict[str, object]) -> Dict[str, object]:
    """constraints.json for a baseline: per feature its type, completeness and comparison (in
    `monitoringConfigOverrides`: `comparison_method`, `comparison_threshold`), and the labels as the label's
    domain. Edit the thresholds in the registered file's copy, or in FEATURES for every future version."""
    features = []
    baseline_features = feature_map(baseline)
    for name, (inferred_type, method, threshold) in FEATURES.items():
        feature: Dict[str, object] = OrderedDict([("name", name), ("inferred_type", inferred_type),
                                                  ("completeness", 1.0)])
        if inferred_type == "String":
            feature["string_constraints"] = OrderedDict([("domains", list(distribution(baseline_features[name])))])
        else:
            feature["num_constraints"] = OrderedDict([("is_non_negative", True)])
        feature["monitoringConfigOverrides"] = OrderedDict([("comparison_method", method),
                                                            ("comparison_threshold", threshold)])
        features.append(feature)
    return OrderedDict([
        ("version", 0.0),
        ("features", features),
        ("monitoring_config", OrderedDict([
            ("evaluate_constraints", "Enabled"),
            ("emit_metrics", "Enabled"),
            ("datatype_check_threshold", 1.0),
            ("domain_content_threshold", 1.0),
            ("distribution_constraints", OrderedDict([
                ("perform_comparison", "Enabled"),
                ("comparison_threshold", 0.25),
                ("comparison_method", PSI),
            ])),
            ("min_item_count", MIN_ITEMS),
        ])),
    ])


# --- comparison --------------------------------------------------------------------------------------------------

def shares(counts: Sequence[float]) -> List[float]:
    total = float(sum(counts))
    raw = [count / total if total else 0.0 for count in counts]
    smoothed = [share + EPSILON for share in raw]
    norm = sum(smoothed)
    return [share / norm for share in smoothed]


def population_stability_index(expected: Sequence[float], actual: Sequence[float]) -> float:
    """PSI = sum over buckets of (actual - expected) * ln(actual / expected), on bucket shares."""
    e, a = shares(expected), shares(actual)
    return sum((a_i - e_i) * math.log(a_i / e_i) for e_i, a_i in zip(e, a))


def jensen_shannon_distance(expected: Sequence[float], actual: Sequence[float]) -> float:
    """The square root of the Jensen-Shannon divergence in bits: 0 for equal distributions, 1 for disjoint ones."""
    e, a = shares(expected), shares(actual)
    m = [(e_i + a_i) / 2 for e_i, a_i in zip(e, a)]

    def kl(p: Sequence[float]) -> float:
        return sum(p_i * math.log2(p_i / m_i) for p_i, m_i in zip(p, m) if p_i > 0)
    return math.sqrt(max(0.0, (kl(e) + kl(a)) / 2))


COMPARE = {PSI: population_stability_index, JENSEN_SHANNON: jensen_shannon_distance}


def compare(baseline: Dict[str, object], constraint_document: Dict[str, object],
            window: Dict[str, object]) -> Tuple[List[Dict[str, object]], List[Dict[str, object]]]:
    """(every feature's comparison, the violations) of a window's statistics against the baseline's."""
    config = constraint_document.get("monitoring_config") or {}
    defaults = config.get("distribution_constraints") or {}  # type: ignore[union-attr]
    min_items = int(config.get("min_item_count", MIN_ITEMS))  # type: ignore[union-attr]
    item_count = int(window["dataset"]["item_count"])  # type: ignore[index]
    baseline_features, window_features = feature_map(baseline), feature_map(window)
    comparisons: List[Dict[str, object]] = []
    violations: List[Dict[str, object]] = []
    for name, constraint in feature_map(constraint_document).items():
        overrides = constraint.get("monitoringConfigOverrides") or {}
        method = overrides.get("comparison_method", defaults.get("comparison_method", PSI))
        threshold = float(overrides.get("comparison_threshold", defaults.get("comparison_threshold", 0.25)))
        if method not in COMPARE:
            raise MonitoringError("constraints.json: feature %r has comparison_method %r: use one of %s"
                                  % (name, method, ", ".join(METHODS)))
        if name not in baseline_features or name not in window_features:
            raise MonitoringError("feature %r is in constraints.json but not in the baseline's statistics.json: "
                                  "register the baseline's statistics and constraints together" % name)
        expected = distribution(baseline_features[name])
        actual = distribution(window_features[name])
        keys = list(expected) + [key for key in actual if key not in expected]
        distance = COMPARE[method]([expected.get(key, 0) for key in keys], [actual.get(key, 0) for key in keys])
        compared = item_count >= min_items
        drifted = compared and distance > threshold
        comparisons.append(OrderedDict([("feature_name", name), ("comparison_method", method),
                                        ("distance", round(distance, 6)), ("threshold", threshold),
                                        ("compared", compared), ("drifted", drifted),
                                        ("baseline", summary(baseline_features[name])),
                                        ("window", summary(window_features[name]))]))
        if drifted:
            violations.append(OrderedDict([
                ("feature_name", name),
                ("constraint_check_type", "baseline_drift_check"),
                ("description", "Baseline drift distance: %.4f (%s) exceeds threshold: %g. %s"
                 % (distance, method, threshold, describe_change(baseline_features[name],
                                                                 window_features[name]))),
                ("comparison_method", method),
                ("distance", round(distance, 6)),
                ("threshold", threshold),
            ]))
    return comparisons, violations


def summary(feature: Dict) -> Dict[str, object]:
    """The headline of a feature: its mean (numerical) or its shares (categorical)."""
    if "numerical_statistics" in feature:
        return OrderedDict([("mean", round(feature["numerical_statistics"]["mean"], 6))])
    counts = distribution(feature)
    total = float(sum(counts.values())) or 1.0
    return OrderedDict([("shares", OrderedDict((key, round(count / total, 4)) for key, count in counts.items()))])


def describe_change(baseline_feature: Dict, window_feature: Dict) -> str:
    before, after = summary(baseline_feature), summary(window_feature)
    if "mean" in before:
        return "Mean %.4g in the baseline, %.4g in this window." % (before["mean"], after["mean"])
    return "Shares %s in the baseline, %s in this window." % (
        json.dumps(before["shares"]), json.dumps(after["shares"]))


# --- captured data -----------------------------------------------------------------------------------------------

def capture_files(directory: str) -> Iterator[str]:
    """Every *.jsonl under directory (Model Monitor's <endpoint>/<variant>/yyyy/mm/dd/hh/ layout), in name order."""
    for root, folders, files in os.walk(directory):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".jsonl"):
                yield os.path.join(root, name)


# json.loads less its per-call checks and keyword handling: three documents per captured record (the record, its
# request and its response) make decoding most of a check's time.
_decode_json = json.JSONDecoder().decode


def body_text(captured: Dict) -> str:
    data = captured.get("data", "")
    if captured.get("encoding") == "BASE64":
        return base64.b64decode(data).decode("utf-8", errors="replace")
    return data if isinstance(data, str) else json.dumps(data)


def request_texts(captured: Dict) -> List[str]:
    """The review texts of a captured request (JSON `{"instances": [...]}`, a JSON string or list, or CSV)."""
    text = body_text(captured)
    media = str(captured.get("observedContentType", "application/json")).split(";")[0].strip().lower()
    if media == "text/csv":
        return [record[0] for record in csv.reader(io.StringIO(text)) if record]
    document = _decode_json(text)
    if isinstance(document, dict):
        document = document.get("instances", [])
    if isinstance(document, str):
        return [document]
    return [item for item in document if isinstance(item, str)] if isinstance(document, list) else []


def response_predictions(captured: Dict) -> List[Tuple[str, float]]:
    """(label, confidence) per prediction of a captured JSON response; CSV responses carry labels only (NaN)."""
    text = body_text(captured)
    media = str(captured.get("observedContentType", "application/json")).split(";")[0].strip().lower()
    if media == "text/csv":
        return [(line.strip(), float("nan")) for line in text.splitlines() if line.strip()]
    predictions = _decode_json(text).get("predictions", [])
    result = []
    for item in predictions:
        scores = item.get("scores") or {}
        label = str(item.get("label"))
        result.append((label, float(scores.get(label, max(scores.values()) if scores else float("nan")))))
    return result


def read_capture_file(path: str, vocabulary: frozenset, start: Optional[str],
                      end: Optional[str]) -> Tuple[Observations, int]:
    """(observations, records skipped) of one capture file (see read_capture)."""
    observations = Observations()
    skipped = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                record = _decode_json(line)
                when = record.get("eventMetadata", {}).get("inferenceTime", "")
                if (start and when < start) or (end and when >= end):
                    continue
                data = record["captureData"]
                texts = request_texts(data["endpointInput"])
                predictions = response_predictions(data["endpointOutput"])
                if len(texts) != len(predictions) or not texts:
                    raise ValueError("%d texts, %d predictions" % (len(texts), len(predictions)))
            except (KeyError, ValueError, TypeError, AttributeError):
                skipped += 1
                continue
            for text, (label, confidence) in zip(texts, predictions):
                if math.isnan(confidence):
                    skipped += 1
                    continue
                observations.add(text, label, confidence, vocabulary)
    return observations, skipped


# What the worker processes of read_capture read the files with (set before they are forked).
_WORKER_ARGS: Tuple[frozenset, Optional[str], Optional[str]] = (frozenset(), None, None)


def _read_in_worker(path: str) -> Tuple[Observations, int]:
    return read_capture_file(path, *_WORKER_ARGS)


def read_capture(directory: str, vocabulary: frozenset, start: Optional[str] = None,
                 end: Optional[str] = None, processes: Optional[int] = None) -> Tuple[Observations, int]:
    """(observations, records skipped) of the captured records with start <= inferenceTime < end (ISO 8601 UTC
    strings compare in time order). A record skipped is one without both input and output, or that cannot be read:
    it is counted, never fatal, since one bad request must not stop the check.

    Files are read by one process per CPU (at most one per file) where the platform forks; the observations come
    back in file order, so the result does not depend on how many processes read them."""
    global _WORKER_ARGS
    paths = list(capture_files(directory))
    processes = min(processes or os.cpu_count() or 1, len(paths))
    observations = Observations()
    skipped = 0
    if processes > 1 and "fork" in multiprocessing.get_all_start_methods():
        _WORKER_ARGS = (vocabulary, start, end)
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_read_in_worker, paths, chunksize=1)
    else:
        parts = [read_capture_file(path, vocabulary, start, end) for path in paths]
    for part, part_skipped in parts:
        observations.extend(part)
        skipped += part_skipped
    return observations, skipped


# --- the two commands --------------------------------------------------------------------------------------------

def read_json(path: str, what: str) -> Dict[str, object]:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise MonitoringError("%s %s does not exist" % (what, path))
    except ValueError as error:
        raise MonitoringError("%s %s is not valid JSON: %s" % (what, path, error))


def write_json(directory: str, name: str, document: object) -> str:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    return path


def read_vocabulary(path: str) -> frozenset:
    try:
        with open(path, encoding="utf-8") as handle:
            return frozenset(line.rstrip("\n") for line in handle if line.strip())
    except FileNotFoundError:
        raise MonitoringError("the baseline's %s does not exist at %s: it is written beside statistics.json by the "
                              "Baseline step" % (VOCABULARY_FILE, path))


def read_texts(directory: str) -> List[str]:
    """The texts of every `label,text` CSV in a split's folder."""
    if not os.path.isdir(directory):
        raise MonitoringError("input %s does not exist: give the job a `validation` input" % directory)
    texts: List[str] = []
    for name in sorted(os.listdir(directory)):
        if name.lower().endswith(".csv"):
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace", newline="") as handle:
                texts.extend(text for text in ((row.get("text") or "").strip() for row in csv.DictReader(handle))
                             if text)
    if not texts:
        raise MonitoringError("no texts in %s: expected CSVs with a label,text header" % directory)
    return texts


def run_baseline(args: argparse.Namespace) -> Dict[str, object]:
    sys.path.insert(0, args.evaluate_dir)
    try:
        import evaluate  # noqa: E402 - delivered as the job's `evaluate` input
    except ImportError:
        raise MonitoringError("evaluate.py is not in %s: give the job evaluate.py as its `evaluate` input"
                              % args.evaluate_dir)
    texts = read_texts(args.data_dir)
    scratch = tempfile.mkdtemp(prefix="model-")
    try:
        scorer = evaluate.load_scorer(args.model_dir, scratch)
        vocabulary = sorted(set(scorer.words()))
        predictions = scorer.predict(texts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    known = frozenset(vocabulary)
    observations = Observations()
    for text, prediction in zip(texts, predictions):
        label = str(prediction["label"])
        observations.add(text, label, float(prediction["scores"][label]), known)  # type: ignore[index]
    baseline = statistics(observations)
    write_json(args.output_dir, STATISTICS_FILE, baseline)
    write_json(args.output_dir, CONSTRAINTS_FILE, constraints(baseline))
    with open(os.path.join(args.output_dir, VOCABULARY_FILE), "w", encoding="utf-8") as handle:
        handle.writelines("%s\n" % word for word in vocabulary)
    log("baseline of %d reviews, %d words in the model's vocabulary" % (len(observations), len(vocabulary)))
    return baseline


def run_check(args: argparse.Namespace) -> Dict[str, object]:
    baseline = read_json(os.path.join(args.baseline_dir, STATISTICS_FILE), "the baseline statistics")
    constraint_document = read_json(os.path.join(args.baseline_dir, CONSTRAINTS_FILE), "the baseline constraints")
    vocabulary = read_vocabulary(os.path.join(args.baseline_dir, VOCABULARY_FILE))
    observations, skipped = read_capture(args.capture_dir, vocabulary, args.start_time, args.end_time)
    window = statistics(observations, layout_of(baseline))
    comparisons, violations = compare(baseline, constraint_document, window)
    write_json(args.output_dir, STATISTICS_FILE, window)
    write_json(args.output_dir, VIOLATIONS_FILE, OrderedDict([("violations", violations)]))
    report = OrderedDict([
        ("start_time", args.start_time), ("end_time", args.end_time),
        ("item_count", len(observations)), ("records_skipped", skipped),
        ("min_item_count", int((constraint_document.get("monitoring_config") or {}).get(  # type: ignore[union-attr]
            "min_item_count", MIN_ITEMS))),
        ("drifted", [violation["feature_name"] for violation in violations]),
        ("features", comparisons),
    ])
    write_json(args.output_dir, REPORT_FILE, report)
    log("%d reviews (%d records skipped); drifted: %s" % (len(observations), skipped,
                                                          ", ".join(report["drifted"]) or "nothing"))
    return report


# --- The drift check on AWS: `check-endpoint`, the scheduled pipeline's processing job -----------------------------
# A port of deploy-pipeline's runDriftCheck (TypeScript, which `slipway monitor run` uses locally) to boto3, so the
# job needs no Node.js: endpoint → live version → its DriftCheckBaselines, the window's captured files, `check`,
# the reports to S3, the CloudWatch metric, and the Model Drift Detected event. The lookup happens when the job
# runs, so a schedule never needs updating when a new version goes live. boto3 is imported only here: the
# scikit-learn processing image has it, and `baseline` and `check` stay standard library only.


def parse_s3(uri: str, field: str) -> Tuple[str, str]:
    match = re.match(r"^s3://([^/]+)/?(.*)$", uri or "")
    if not match:
        raise MonitoringError("%s must be an s3:// URI, got %r" % (field, uri))
    return match.group(1), match.group(2)


def live_model_package(sagemaker, endpoint_name: str) -> Tuple[Optional[str], Dict]:
    """The model package ARN the endpoint serves (its first variant's model's container) and its endpoint config;
    no ARN when the model was not created from a model package. The container is the authority, as in
    readLiveDeployment: tags can drift, the container cannot."""
    from botocore.exceptions import ClientError

    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("ValidationException", "ResourceNotFound"):
            raise MonitoringError("endpoint %r does not exist: name a deployed stage's endpoint" % endpoint_name)
        raise
    config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    variants = config.get("ProductionVariants") or []
    if not variants or not variants[0].get("ModelName"):
        return None, config
    model = sagemaker.describe_model(ModelName=variants[0]["ModelName"])
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    return container.get("ModelPackageName") or None, config


def baseline_uris(sagemaker, model_package_arn: str) -> Optional[Tuple[str, str, str]]:
    """statistics.json, constraints.json and vocabulary.txt (beside the statistics) of a version's
    DriftCheckBaselines.ModelDataQuality; None when it was registered without one."""
    package = sagemaker.describe_model_package(ModelPackageName=model_package_arn)
    quality = (package.get("DriftCheckBaselines") or {}).get("ModelDataQuality") or {}
    statistics_uri = (quality.get("Statistics") or {}).get("S3Uri")
    constraints_uri = (quality.get("Constraints") or {}).get("S3Uri")
    if not statistics_uri or not constraints_uri:
        return None
    return statistics_uri, constraints_uri, statistics_uri.rsplit("/", 1)[0] + "/" + VOCABULARY_FILE


def capture_hours(start: "datetime.datetime", end: "datetime.datetime") -> List[str]:
    """The hour folders (yyyy/mm/dd/hh) a window touches, plus the next hour (capture flushes every few seconds,
    so a record near an hour's end can land in the next hour's file); as captureHours in drift-check.ts."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    last = end + datetime.timedelta(hours=1)
    hours = []
    while hour < last:
        hours.append(hour.strftime("%Y/%m/%d/%H"))
        hour += datetime.timedelta(hours=1)
    return hours


def download_capture(s3, destination: str, endpoint_name: str, start, end, into: str) -> int:
    bucket, key = parse_s3(destination, "DataCaptureConfig.DestinationS3Uri")
    base = "/".join(part for part in (key.rstrip("/"), endpoint_name) if part)
    hours = set(capture_hours(start, end))
    files = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base + "/"):
        for item in page.get("Contents", []):
            parts = item["Key"][len(base) + 1:].split("/")  # <variant>/yyyy/mm/dd/hh/<file>.jsonl
            if len(parts) != 6 or not parts[5].endswith(".jsonl") or "/".join(parts[1:5]) not in hours:
                continue
            if any(part in ("", ".", "..") for part in parts):
                continue
            target = os.path.join(into, *parts)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            s3.download_file(bucket, item["Key"], target)
            files += 1
    return files


def window_of(now: "datetime.datetime", period_seconds: int) -> Tuple["datetime.datetime", "datetime.datetime"]:
    """The last whole period before `now`, on period boundaries counted from the epoch: a schedule that fires
    late, or twice, checks the same window, and consecutive windows neither overlap nor leave gaps."""
    epoch = int(now.timestamp())
    end = datetime.datetime.fromtimestamp(epoch - epoch % period_seconds, tz=datetime.timezone.utc)
    return end - datetime.timedelta(seconds=period_seconds), end


def iso(moment: "datetime.datetime") -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def run_check_endpoint(args: argparse.Namespace, session=None) -> Dict[str, object]:
    import boto3

    session = session or boto3.session.Session()
    sagemaker, s3 = session.client("sagemaker"), session.client("s3")
    if args.period_seconds < 60:
        raise MonitoringError("--period-seconds must be at least 60, got %d" % args.period_seconds)
    now = (datetime.datetime.strptime(args.now, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
           if args.now else datetime.datetime.now(datetime.timezone.utc))
    start, end = window_of(now, args.period_seconds)
    check_id = "%s-%s" % (iso(end).replace("-", "").replace(":", ""), uuid.uuid4().hex[:8])
    result = OrderedDict([("check_id", check_id), ("endpoint_name", args.endpoint_name),
                          ("window_start", iso(start)), ("window_end", iso(end))])
    arn, config = live_model_package(sagemaker, args.endpoint_name)
    if not arn:
        return skipped(result, "the endpoint serves a model that was not created from a model package")
    result["model_package_arn"] = arn
    uris = baseline_uris(sagemaker, arn)
    if not uris:
        return skipped(result, "the live version has no DriftCheckBaselines.ModelDataQuality (registered before "
                               "the Baseline step): retrain to get one")
    capture = config.get("DataCaptureConfig") or {}
    if capture.get("EnableCapture") is False or not capture.get("DestinationS3Uri"):
        return skipped(result, "the endpoint captures no data (its stage config has dataCapture.enabled false)")
    work = tempfile.mkdtemp(prefix="drift-")
    try:
        baseline_dir = os.path.join(work, "baseline")
        os.makedirs(baseline_dir)
        for uri, name in zip(uris, (STATISTICS_FILE, CONSTRAINTS_FILE, VOCABULARY_FILE)):
            s3.download_file(*parse_s3(uri, "DriftCheckBaselines"), os.path.join(baseline_dir, name))
        capture_dir = os.path.join(work, "capture")
        os.makedirs(capture_dir)
        download_capture(s3, capture["DestinationS3Uri"], args.endpoint_name, start, end, capture_dir)
        output_dir = os.path.join(work, "output")
        report = run_check(argparse.Namespace(baseline_dir=baseline_dir, capture_dir=capture_dir,
                                              start_time=iso(start), end_time=iso(end), output_dir=output_dir))
        prefix = "monitoring/%s/%s" % (args.endpoint_name, check_id)
        for name in (REPORT_FILE, VIOLATIONS_FILE, STATISTICS_FILE):
            s3.upload_file(os.path.join(output_dir, name), args.report_bucket, "%s/%s" % (prefix, name),
                           ExtraArgs={"ContentType": "application/json"})
        violations = read_json(os.path.join(output_dir, VIOLATIONS_FILE), "the violations")["violations"]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.update([("status", "Violations" if violations else "NoViolations"),
                   ("item_count", report["item_count"]),
                   ("report_s3_uri", "s3://%s/%s/" % (args.report_bucket, prefix)),
                   ("drifted", [drifted_statistic(violation) for violation in violations])])
    # The metric after every check that ran, 0 included: the alarm tells "no drift" from "no check".
    session.client("cloudwatch").put_metric_data(Namespace=args.metric_namespace, MetricData=[{
        "MetricName": args.metric_name, "Value": float(len(violations)), "Unit": "Count",
        "Dimensions": [{"Name": args.metric_dimension, "Value": args.endpoint_name}],
    }])
    if violations:
        put_drift_event(session.client("events"), args, result)
    return result


def skipped(result: Dict[str, object], reason: str) -> Dict[str, object]:
    result.update([("status", "Skipped"), ("reason", reason)])
    log("skipped: %s" % reason)
    return result


def drifted_statistic(violation: Dict) -> Dict[str, object]:
    """One entry of the event's Drifted, as runDriftCheck builds it."""
    return OrderedDict([("feature", violation["feature_name"]), ("method", violation["comparison_method"]),
                        ("distance", violation["distance"]), ("threshold", violation["threshold"]),
                        ("change", re.sub(r"^.*?threshold: [0-9.e+-]+\. ", "", violation["description"]))])


def put_drift_event(events, args: argparse.Namespace, result: Dict[str, object]) -> None:
    """The Model Drift Detected event (DriftDetectedDetail in drift-event.ts) on the default bus."""
    detail = OrderedDict([
        ("ModelPackageGroupName", args.model_package_group_name), ("EndpointName", args.endpoint_name),
        ("ModelPackageArn", result["model_package_arn"]), ("CheckId", result["check_id"]),
        ("WindowStart", result["window_start"]), ("WindowEnd", result["window_end"]),
        ("ItemCount", result["item_count"]), ("Drifted", result["drifted"]),
        ("ReportS3Uri", result["report_s3_uri"]),
    ])
    answer = events.put_events(Entries=[{"Source": args.event_source, "DetailType": args.event_detail_type,
                                         "Detail": json.dumps(detail)}])
    if answer.get("FailedEntryCount"):
        raise MonitoringError("EventBridge refused the drift event: %s" % answer["Entries"])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise MonitoringError("bad argument: %s (see --help)" % message)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = _Parser(description="Baseline and drift check of the review sentiment model.")
    commands = parser.add_subparsers(dest="command")
    baseline = commands.add_parser("baseline", help="compute the baseline of a model version")
    baseline.add_argument("--model-dir", default=opt_ml("processing", "model"))
    baseline.add_argument("--data-dir", default=opt_ml("processing", "validation"),
                          help="label,text CSVs the model is scored on (the validation split)")
    baseline.add_argument("--evaluate-dir", default=opt_ml("processing", "input", "evaluate"),
                          help="the folder holding evaluate.py")
    baseline.add_argument("--output-dir", default=opt_ml("processing", "baseline"))
    check = commands.add_parser("check", help="compare captured traffic with a baseline")
    check.add_argument("--baseline-dir", default=opt_ml("processing", "baseline"),
                       help="statistics.json, constraints.json and vocabulary.txt of the live version")
    check.add_argument("--capture-dir", default=opt_ml("processing", "capture"),
                       help="the endpoint's captured JSON Lines (searched recursively)")
    check.add_argument("--start-time", help="ISO 8601 UTC, e.g. 2026-12-04T10:00:00Z (default: no lower bound)")
    check.add_argument("--end-time", help="ISO 8601 UTC, exclusive (default: no upper bound)")
    check.add_argument("--output-dir", default=opt_ml("processing", "output"))
    job = commands.add_parser("check-endpoint", help="the drift check on AWS: one endpoint's last period, end to end")
    job.add_argument("--endpoint-name", required=True)
    job.add_argument("--model-package-group-name", required=True)
    job.add_argument("--report-bucket", required=True, help="where monitoring/<endpoint>/<check>/ is written")
    job.add_argument("--period-seconds", type=int, required=True, help="the window: the last whole period")
    job.add_argument("--now", help="ISO 8601 UTC instead of the clock (tests)")
    for name in ("metric-namespace", "metric-name", "metric-dimension", "event-source", "event-detail-type"):
        job.add_argument("--" + name, required=True, help="from deploy-pipeline's DRIFT_METRIC / drift-event.ts")
    args = parser.parse_args(argv)
    if not args.command:
        raise MonitoringError("name a command: baseline, check or check-endpoint (see --help)")
    return args


def log(message: str) -> None:
    print("monitoring: %s" % message, file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parse_args(argv)
        if args.command == "baseline":
            run_baseline(args)
            return 0
        if args.command == "check-endpoint":
            print(json.dumps(run_check_endpoint(args)), flush=True)
            return 0
        report = run_check(args)
    except MonitoringError as error:
        log("failed: %s" % error)
        return 1
    except Exception:  # noqa: BLE001 - the trace is the message
        traceback.print_exc()
        return 1
    print("drifted=%s" % ",".join(report["drifted"]), flush=True)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
