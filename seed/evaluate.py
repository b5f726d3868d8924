#!/usr/bin/env python3
"""Evaluate step: score the trained model on the test split and write evaluation.json.

Runs as a SageMaker processing job that receives only this file:

    python3 /opt/ml/processing/input/code/evaluate.py

Inputs: `model` at /opt/ml/processing/model (Train's model.tar.gz) and `test` at /opt/ml/processing/test
(`label,text` CSVs from preprocess.py). Output: /opt/ml/processing/evaluation/evaluation.json in the
`multiclass_classification_metrics` layout that the Model Registry shows and the pipeline's CheckAccuracy
condition reads (`multiclass_classification_metrics.accuracy.value`).

The same script evaluates both variants of the project: a scikit-learn model (`model.joblib`, on the scikit-learn
image) with its `predict`, and the BERT model (on the PyTorch image) through the serving code in its archive
(`code/inference.py`: `model_fn`, `predict_fn`), so both write the same report the same way.

model.tar.gz is extracted by hand, member by member: regular files and directories only, no absolute paths, no
`..`, no links (tarfile's extraction filters are not in the image's Python 3.9). Paths can be moved with
`--model-dir`, `--test-dir`, `--output-dir`, `--message-file`, or the whole /opt/ml tree with
`SAGEMAKER_BASE_DIR`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import posixpath
import shutil
import sys
import tarfile
import tempfile
import traceback
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

LABELS = ("negative", "neutral", "positive")
MODEL_ARCHIVE = "model.tar.gz"
MODEL_FILE = "model.joblib"
SERVING_CODE = os.path.join("code", "inference.py")
# The BERT model's WordPiece vocabulary, one token per line, beside its weights.
WORDPIECE_VOCABULARY = "vocab.txt"
# Texts per predict_fn call when a model is scored through its serving code.
PREDICT_BATCH = 256
REPORT_FILE = "evaluation.json"


class EvaluationError(Exception):
    """A failure with a reason worth showing as the job's exit message."""


class UnsafeArchiveError(EvaluationError):
    pass


def opt_ml(*parts: str) -> str:
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


def safe_member_path(name: str) -> str:
    """The relative path a tar member may be written to, or UnsafeArchiveError."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        raise UnsafeArchiveError("refusing archive member %r: absolute path" % name)
    parts = [part for part in normalized.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError("refusing archive member %r: '..' in its path" % name)
    return posixpath.join(*parts) if parts else ""


def extract_archive(archive: str, target: str) -> None:
    """Extract a model.tar.gz into target: regular files and directories only, nothing outside target.

    Checks every member before writing anything, so a bad archive leaves target untouched."""
    with tarfile.open(archive, "r:*") as tar:
        members = tar.getmembers()
        planned = []
        for member in members:
            relative = safe_member_path(member.name)
            if member.issym() or member.islnk():
                raise UnsafeArchiveError("refusing archive member %r: links are not allowed" % member.name)
            if not (member.isfile() or member.isdir()):
                raise UnsafeArchiveError("refusing archive member %r: only files and directories are allowed"
                                         % member.name)
            if relative:
                planned.append((member, relative))
        for member, relative in planned:
            destination = os.path.join(target, *relative.split("/"))
            if member.isdir():
                os.makedirs(destination, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                raise UnsafeArchiveError("cannot read archive member %r" % member.name)
            with source, open(destination, "wb") as sink:
                shutil.copyfileobj(source, sink)


Prediction = Dict[str, object]


class Scorer:
    """A loaded model: `predict(texts)` gives one `{"label": ..., "scores": {label: probability}}` per text (the
    serving code's predict_fn shape), and `words()` the whole words of the model's vocabulary (what the baseline's
    out-of-vocabulary rate is measured against)."""

    def __init__(self, predict: Callable[[List[str]], List[Prediction]], words: Callable[[], List[str]]):
        self.predict = predict
        self.words = words


def load_scorer(model_dir: str, scratch: str) -> Scorer:
    """The model in <model_dir>/model.tar.gz (extracted into scratch, which must outlive the scorer) or unpacked in
    <model_dir>.

    A scikit-learn model (`model.joblib`) predicts with its own `predict_proba`; its words are its text
    vectorizer's single-word features. Any other model is scored through the serving code it carries
    (`code/inference.py`: `model_fn`, then `predict_fn` on the texts, which preprocess.py already cleaned as
    `input_fn` would), so a BERT model is evaluated by exactly the code its endpoint runs; its words are the whole
    words of its WordPiece `vocab.txt`."""
    archive = os.path.join(model_dir, MODEL_ARCHIVE)
    base = model_dir
    if os.path.isfile(archive):
        try:
            extract_archive(archive, scratch)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise EvaluationError("cannot extract %s: %s" % (archive, error))
        base = scratch
    if os.path.isfile(os.path.join(base, MODEL_FILE)):
        import joblib

        model = joblib.load(os.path.join(base, MODEL_FILE))

        def predict_proba(texts: List[str]) -> List[Prediction]:
            classes = [str(label) for label in model.classes_]
            predictions: List[Prediction] = []
            for row in model.predict_proba(texts).tolist():
                best = max(range(len(row)), key=row.__getitem__)
                predictions.append({"label": classes[best], "scores": dict(zip(classes, row))})
            return predictions
        return Scorer(predict_proba, lambda: sklearn_words(model))
    serving_code = os.path.join(base, SERVING_CODE)
    if os.path.isfile(serving_code):
        handlers = load_serving_code(serving_code)
        served = handlers.model_fn(base)

        def predict(texts: List[str]) -> List[Prediction]:
            predictions: List[Prediction] = []
            for start in range(0, len(texts), PREDICT_BATCH):
                predictions.extend(handlers.predict_fn(texts[start:start + PREDICT_BATCH], served))
            return predictions
        return Scorer(predict, lambda: wordpiece_words(os.path.join(base, WORDPIECE_VOCABULARY)))
    raise EvaluationError("no %s (a scikit-learn model) or %s (a model with its serving code) in %s (looked in %s, "
                          "then in the folder itself)" % (MODEL_FILE, SERVING_CODE, model_dir, MODEL_ARCHIVE))


def load_model(model_dir: str, scratch: str) -> Callable[[List[str]], List[str]]:
    """A function from texts to predicted labels (see load_scorer)."""
    scorer = load_scorer(model_dir, scratch)
    return lambda texts: [str(item["label"]) for item in scorer.predict(texts)]


def sklearn_words(model) -> List[str]:
    """The single-word features of the first step of a scikit-learn pipeline that has a `vocabulary_`."""
    steps = [step for _, step in getattr(model, "steps", [])] or [model]
    for step in steps:
        vocabulary = getattr(step, "vocabulary_", None)
        if isinstance(vocabulary, dict):
            return sorted(str(term) for term in vocabulary if " " not in str(term))
    raise EvaluationError("the scikit-learn model has no step with a vocabulary_ (a text vectorizer): cannot "
                          "measure out-of-vocabulary words against it")


def wordpiece_words(path: str) -> List[str]:
    """The whole words of a WordPiece vocabulary: no `##` continuations, no `[SPECIAL]` tokens."""
    if not os.path.isfile(path):
        raise EvaluationError("the model has no %s: cannot measure out-of-vocabulary words against it"
                              % WORDPIECE_VOCABULARY)
    with open(path, encoding="utf-8") as handle:
        tokens = [line.rstrip("\n") for line in handle]
    return [token for token in tokens
            if token and not token.startswith("##") and not (token.startswith("[") and token.endswith("]"))]


def load_serving_code(path: str):
    """The model's inference.py, imported as the serving container imports it (its folder first on sys.path)."""
    import importlib.util

    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("model_inference", path)
    if spec is None or spec.loader is None:
        raise EvaluationError("cannot import %s" % path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    missing = [name for name in ("model_fn", "predict_fn") if not callable(getattr(module, name, None))]
    if missing:
        raise EvaluationError("%s has no %s: the serving code must define model_fn and predict_fn"
                              % (path, " or ".join(missing)))
    return module


def read_labelled_dir(directory: str) -> Tuple[List[str], List[str], int]:
    """(texts, labels, rows skipped) from every *.csv with a `label,text` header in a channel directory."""
    if not os.path.isdir(directory):
        raise FileNotFoundError(directory)
    texts: List[str] = []
    labels: List[str] = []
    skipped = 0
    for name in sorted(os.listdir(directory)):
        if not name.lower().endswith(".csv"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace", newline="") as handle:
            for record in csv.DictReader(handle):
                label, text = (record.get("label") or "").strip(), (record.get("text") or "").strip()
                if label in LABELS and text:
                    labels.append(label)
                    texts.append(text)
                else:
                    skipped += 1
    return texts, labels, skipped


def confusion_matrix(expected: Sequence[str], predicted: Sequence[str],
                     labels: Sequence[str] = LABELS) -> Dict[str, Dict[str, int]]:
    """{actual: {predicted: count}} over every pair of labels (zeros included)."""
    matrix: Dict[str, Dict[str, int]] = OrderedDict(
        (actual, OrderedDict((guess, 0) for guess in labels)) for actual in labels)
    for actual, guess in zip(expected, predicted):
        if actual in matrix and guess in matrix[actual]:
            matrix[actual][guess] += 1
    return matrix


def _ratio(numerator: float, denominator: float) -> float:
    # A class never predicted (or never present) scores 0, as scikit-learn's zero_division=0 does.
    return numerator / denominator if denominator else 0.0


def classification_metrics(expected: Sequence[str], predicted: Sequence[str],
                           labels: Sequence[str] = LABELS) -> Dict[str, object]:
    """The `multiclass_classification_metrics` document: accuracy, weighted and per-class precision/recall/F1,
    confusion matrix. Weighted means weighted by each class's number of true rows."""
    if len(expected) != len(predicted):
        raise ValueError("expected and predicted differ in length: %d vs %d" % (len(expected), len(predicted)))
    if not expected:
        raise ValueError("cannot compute metrics of zero rows")
    matrix = confusion_matrix(expected, predicted, labels)
    total = len(expected)
    correct = sum(matrix[label][label] for label in labels)
    precision, recall, f1, support = OrderedDict(), OrderedDict(), OrderedDict(), {}
    for label in labels:
        true_positive = matrix[label][label]
        predicted_as = sum(matrix[actual][label] for actual in labels)
        support[label] = sum(matrix[label].values())
        precision[label] = _ratio(true_positive, predicted_as)
        recall[label] = _ratio(true_positive, support[label])
        f1[label] = _ratio(2 * precision[label] * recall[label], precision[label] + recall[label])

    def weighted(scores: Dict[str, float]) -> float:
        return sum(scores[label] * support[label] for label in labels) / float(total)

    def metric(value: float) -> Dict[str, object]:
        return OrderedDict([("value", value), ("standard_deviation", "NaN")])

    def by_class(scores: Dict[str, float]) -> Dict[str, object]:
        return OrderedDict((label, OrderedDict([("value", scores[label])])) for label in labels)

    return OrderedDict([("multiclass_classification_metrics", OrderedDict([
        ("accuracy", metric(correct / float(total))),
        ("weighted_precision", metric(weighted(precision))),
        ("weighted_recall", metric(weighted(recall))),
        ("weighted_f1", metric(weighted(f1))),
        ("precision_by_class", by_class(precision)),
        ("recall_by_class", by_class(recall)),
        ("f1_by_class", by_class(f1)),
        ("confusion_matrix", matrix),
    ]))])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise EvaluationError("bad argument: %s (see --help)" % message)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = _Parser(description="Evaluate the review sentiment model on the test split.")
    parser.add_argument("--model-dir", default=opt_ml("processing", "model"),
                        help="directory holding model.tar.gz (or model.joblib)")
    parser.add_argument("--test-dir", default=opt_ml("processing", "test"), help="directory of label,text CSVs")
    parser.add_argument("--output-dir", default=opt_ml("processing", "evaluation"),
                        help="evaluation.json is written here")
    parser.add_argument("--message-file", default=opt_ml("output", "message"),
                        help="where a failure reason is written (SageMaker shows it as the job's ExitMessage)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print("evaluate: %s" % message, file=sys.stderr, flush=True)


def write_message(path: str, message: str) -> None:
    """Best effort. Creates at most the file's own directory, so on a machine without an /opt/ml tree nothing is
    written outside it; the message is on stderr either way."""
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(os.path.dirname(parent)):
        log("not writing %s: %s does not exist" % (path, os.path.dirname(parent)))
        return
    try:
        os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(message + "\n")
    except OSError as error:
        log("could not write %s: %s" % (path, error))


def run(args: argparse.Namespace) -> Dict[str, object]:
    try:
        texts, labels, skipped = read_labelled_dir(args.test_dir)
    except FileNotFoundError:
        raise EvaluationError("test input %s does not exist: give the job a `test` input" % args.test_dir)
    if not texts:
        raise EvaluationError("no usable rows in the test input %s (%d skipped): expected CSVs with a label,text "
                              "header" % (args.test_dir, skipped))
    scratch = tempfile.mkdtemp(prefix="model-")
    try:
        predicted = load_model(args.model_dir, scratch)(texts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report = classification_metrics(labels, predicted)
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, REPORT_FILE), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    log("%d test rows (%d skipped)" % (len(texts), skipped))
    return report


def flag_value(argv: Sequence[str], flag: str, default: str) -> str:
    """The value of `flag` in argv (`--flag V` or `--flag=V`), read before parsing so that even an argument error
    is reported where the caller asked."""
    for index, item in enumerate(argv):
        if item == flag and index + 1 < len(argv):
            return argv[index + 1]
        if item.startswith(flag + "="):
            return item[len(flag) + 1:]
    return default


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    message_file = flag_value(argv, "--message-file", opt_ml("output", "message"))
    try:
        args = parse_args(argv)
        report = run(args)
    except EvaluationError as error:
        log("failed: %s" % error)
        write_message(message_file, str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - anything else still deserves an exit message
        traceback.print_exc()
        write_message(message_file, "unexpected error: %s: %s" % (type(error).__name__, error))
        return 1
    metrics = report["multiclass_classification_metrics"]
    print("accuracy=%.6f" % metrics["accuracy"]["value"], flush=True)  # type: ignore[index]
    return 0


if __name__ == "__main__":
    sys.exit(main())
