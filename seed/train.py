#!/usr/bin/env python3
"""Train step: a TF-IDF + logistic regression sentiment classifier, in SageMaker script mode.

The SKLearn estimator (image 1.2-1) unpacks this file and inference.py into /opt/ml/code and runs

    python train.py --max-features 20000 --min-df 2 --ngram-max 2 --regularization 4.0

with the channels in `SM_CHANNEL_TRAIN` / `SM_CHANNEL_VALIDATION` (`label,text` CSVs from preprocess.py).
It saves the fitted `Pipeline(TfidfVectorizer, LogisticRegression)` as `$SM_MODEL_DIR/model.joblib`, copies
inference.py to `$SM_MODEL_DIR/code/inference.py` (so model.tar.gz is ready to serve), and logs
`validation_accuracy=<float>` on a line of its own for the MetricDefinitions regex.

A handled failure (bad hyperparameter, no usable rows, one class only, ...) writes a one-line reason to
`$SM_OUTPUT_DIR/failure` (SageMaker's FailureReason) and exits 1. For a local run every path can be moved:
`--model-dir`, `--train`, `--validation`, `--output-dir`, the `SM_*` variables, or the whole /opt/ml tree with
`SAGEMAKER_BASE_DIR`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import time
import traceback
from typing import Dict, List, Optional, Sequence, Tuple

LABELS = ("negative", "neutral", "positive")
MODEL_FILE = "model.joblib"
INFERENCE_SCRIPT = "inference.py"


class TrainingError(Exception):
    """A failure with a reason worth showing as the job's FailureReason."""


def opt_ml(*parts: str) -> str:
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


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


def build_model(max_features: int, ngram_max: int, min_df: int, regularization: float):
    """The seed model. Change it here: anything with fit/predict/predict_proba/classes_ that joblib can save
    works with evaluate.py and inference.py unchanged."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline([
        ("tfidf", TfidfVectorizer(lowercase=True, strip_accents="unicode", sublinear_tf=True,
                                  ngram_range=(1, ngram_max), min_df=min_df, max_features=max_features)),
        ("classifier", LogisticRegression(C=regularization, max_iter=2000, random_state=0)),
    ])


def accuracy(expected: Sequence[str], predicted: Sequence[str]) -> float:
    if not expected:
        raise ValueError("accuracy of an empty set is undefined")
    return sum(1 for a, b in zip(expected, predicted) if a == b) / float(len(expected))


def integer(name: str, low: int, high: Optional[int] = None):
    """An argparse type for an integer hyperparameter; accepts "2.0" (script mode may pass JSON numbers)."""
    def parse(value: str) -> int:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be an integer, got %r" % (name, value))
        if number != int(number) or number < low or (high is not None and number > high):
            bounds = "%d..%d" % (low, high) if high is not None else ">= %d" % low
            raise argparse.ArgumentTypeError("%s must be an integer %s, got %r" % (name, bounds, value))
        return int(number)
    return parse


def positive_float(name: str):
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be a number, got %r" % (name, value))
        if not number > 0 or number == float("inf"):
            raise argparse.ArgumentTypeError("%s must be a number above 0, got %r" % (name, value))
        return number
    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise TrainingError("bad hyperparameter or argument: %s" % message)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    env = os.environ
    parser = _Parser(description="Train the review sentiment model (SageMaker script mode).")
    parser.add_argument("--max-features", type=integer("--max-features", 1), default=20000)
    parser.add_argument("--ngram-max", type=integer("--ngram-max", 1, 3), default=2)
    parser.add_argument("--min-df", type=integer("--min-df", 1), default=2)
    parser.add_argument("--regularization", type=positive_float("--regularization"), default=4.0,
                        help="inverse regularization strength C of the logistic regression")
    parser.add_argument("--model-dir", default=env.get("SM_MODEL_DIR") or opt_ml("model"))
    parser.add_argument("--train", default=env.get("SM_CHANNEL_TRAIN") or opt_ml("input", "data", "train"))
    parser.add_argument("--validation",
                        default=env.get("SM_CHANNEL_VALIDATION") or opt_ml("input", "data", "validation"))
    parser.add_argument("--output-dir", default=env.get("SM_OUTPUT_DIR") or opt_ml("output"),
                        help="the failure file is written here")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


def train(args: argparse.Namespace) -> Dict[str, object]:
    try:
        texts, labels, skipped = read_labelled_dir(args.train)
    except FileNotFoundError:
        raise TrainingError("train channel %s does not exist: give the job a `train` input" % args.train)
    if not texts:
        raise TrainingError("no usable rows in the train channel %s (%d skipped): expected CSVs with a "
                            "label,text header and labels %s" % (args.train, skipped, "/".join(LABELS)))
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise TrainingError("the train channel has only the class %r: a classifier needs at least two"
                            % classes[0])
    inference_source = os.path.join(os.path.dirname(os.path.abspath(__file__)), INFERENCE_SCRIPT)
    if not os.path.isfile(inference_source):
        raise TrainingError("%s is missing next to train.py: ship both in the estimator's source files"
                            % INFERENCE_SCRIPT)
    log("training on %d rows (%d skipped), classes %s" % (len(texts), skipped, ", ".join(classes)))

    model = build_model(args.max_features, args.ngram_max, args.min_df, args.regularization)
    started = time.perf_counter()
    try:
        model.fit(texts, labels)
    except ValueError as error:  # e.g. min_df so high that no term is left
        raise TrainingError("training failed: %s (check --min-df and --max-features)" % error)
    seconds = time.perf_counter() - started
    result: Dict[str, object] = {"train_rows": len(texts), "train_seconds": round(seconds, 3)}
    log("train_accuracy=%.6f" % accuracy(labels, list(model.predict(texts))))
    log("train_seconds=%.3f" % seconds)

    validation_texts, validation_labels = _validation_rows(args.validation)
    if validation_texts:
        score = accuracy(validation_labels, list(model.predict(validation_texts)))
        result["validation_accuracy"] = score
        log("validation_accuracy=%.6f" % score)

    save(model, args.model_dir, inference_source)
    return result


def _validation_rows(directory: str) -> Tuple[List[str], List[str]]:
    try:
        texts, labels, _ = read_labelled_dir(directory)
    except FileNotFoundError:
        log("no validation channel at %s: validation_accuracy not computed" % directory)
        return [], []
    if not texts:
        log("the validation channel %s has no usable rows: validation_accuracy not computed" % directory)
    return texts, labels


def save(model, model_dir: str, inference_source: str) -> None:
    import joblib

    code_dir = os.path.join(model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    joblib.dump(model, os.path.join(model_dir, MODEL_FILE))
    shutil.copyfile(inference_source, os.path.join(code_dir, INFERENCE_SCRIPT))
    log("saved %s and code/%s to %s" % (MODEL_FILE, INFERENCE_SCRIPT, model_dir))


def write_failure(output_dir: str, reason: str) -> None:
    """One line in <output>/failure, which SageMaker reports as the FailureReason. Also the last stderr line,
    because the training toolkit may overwrite the file with its own message and the tail of stderr.
    Creates at most the output directory itself, so a run outside an /opt/ml tree writes nothing outside it."""
    print(reason, file=sys.stderr, flush=True)
    if not os.path.isdir(os.path.dirname(os.path.abspath(output_dir))):
        print("not writing the failure file: %s has no parent directory" % output_dir, file=sys.stderr)
        return
    try:
        os.makedirs(output_dir, exist_ok=True)
        with open(os.path.join(output_dir, "failure"), "w", encoding="utf-8") as handle:
            handle.write(reason.replace("\n", " ") + "\n")
    except OSError as error:
        print("could not write the failure file in %s: %s" % (output_dir, error), file=sys.stderr)


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
    output_dir = flag_value(argv, "--output-dir", os.environ.get("SM_OUTPUT_DIR") or opt_ml("output"))
    try:
        args = parse_args(argv)
        result = train(args)
    except TrainingError as error:
        write_failure(output_dir, str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - anything else still deserves a FailureReason
        traceback.print_exc()
        write_failure(output_dir, "unexpected error: %s: %s" % (type(error).__name__, error))
        return 1
    log(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
