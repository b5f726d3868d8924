#!/usr/bin/env python3
"""Figures for the seed model on the committed data set: size, test accuracy (per class), training time, and
single-review inference latency in-process (input_fn -> predict_fn -> output_fn).

    .venv/bin/python seed/bench/seed_model.py [--data seed/data/reviews.csv] [--calls 2000]
    <python with torch, transformers, tokenizers> seed/bench/seed_model.py --model bert [--calls 500]

Runs the real scripts' main() functions with their default arguments (the pipeline's defaults) in a temporary
/opt/ml tree: preprocess.py and evaluate.py, with the train.py and inference.py of the chosen variant (seed/ for
scikit-learn, seed/bert/ for BERT). Prints figures; asserts nothing (speed targets belong in benchmarks, not in
tests).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tarfile
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

SEED_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, SEED_DIR)

import evaluate  # noqa: E402
import preprocess  # noqa: E402

# Where each variant's train.py and inference.py live.
VARIANT_DIRS = {"sklearn": SEED_DIR, "bert": os.path.join(SEED_DIR, "bert")}


def load_variant(model: str):
    """(train, inference) of a variant, imported from their files (inference as `inference`, as train.py does)."""
    modules = []
    for name in ("inference", "train"):
        spec = importlib.util.spec_from_file_location(name, os.path.join(VARIANT_DIRS[model], name + ".py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules.append(module)
    return modules[1], modules[0]


def quiet(function, argv):
    """Run a script's main(argv); return (exit code, stdout)."""
    out = StringIO()
    with redirect_stdout(out), redirect_stderr(StringIO()):
        code = function(argv)
    return code, out.getvalue()


def percentile(sorted_values, fraction):
    return sorted_values[min(len(sorted_values) - 1, int(round(fraction * (len(sorted_values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.path.join(SEED_DIR, "data", "reviews.csv"))
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--model", choices=sorted(VARIANT_DIRS), default="sklearn")
    args = parser.parse_args()
    train, inference = load_variant(args.model)

    with tempfile.TemporaryDirectory() as base:
        processed = os.path.join(base, "processing", "output")
        code, out = quiet(preprocess.main, ["--input-dir", args.data, "--output-dir", processed,
                                            "--message-file", os.path.join(base, "message")])
        assert code == 0, "preprocess failed"
        summary = json.loads(out)

        model_dir = os.path.join(base, "model")
        started = time.perf_counter()
        code, out = quiet(train.main, ["--train", os.path.join(processed, "train"),
                                       "--validation", os.path.join(processed, "validation"),
                                       "--model-dir", model_dir, "--output-dir", os.path.join(base, "output")])
        train_wall = time.perf_counter() - started
        assert code == 0, "train failed"
        result = json.loads(out.strip().splitlines()[-1])

        archive_dir = os.path.join(base, "archive")
        os.makedirs(archive_dir)
        with tarfile.open(os.path.join(archive_dir, "model.tar.gz"), "w:gz") as tar:
            for name in sorted(os.listdir(model_dir)):
                tar.add(os.path.join(model_dir, name), arcname=name)
        evaluation_dir = os.path.join(base, "evaluation")
        code, _ = quiet(evaluate.main, ["--model-dir", archive_dir, "--test-dir", os.path.join(processed, "test"),
                                        "--output-dir", evaluation_dir, "--message-file", os.path.join(base, "m")])
        assert code == 0, "evaluate failed"
        with open(os.path.join(evaluation_dir, "evaluation.json")) as handle:
            metrics = json.load(handle)["multiclass_classification_metrics"]

        test_texts, _, _ = evaluate.read_labelled_dir(os.path.join(processed, "test"))
        model = inference.model_fn(model_dir)
        bodies = {
            "application/json": [json.dumps({"instances": [text]}).encode("utf-8") for text in test_texts],
            "text/csv": [('"%s"\n' % text.replace('"', '""')).encode("utf-8") for text in test_texts],
        }

        def invoke(content_type, call):
            body = bodies[content_type][call % len(test_texts)]
            inference.output_fn(inference.predict_fn(inference.input_fn(body, content_type), model), content_type)

        for call in range(min(1000, args.calls)):  # warm both paths first: the first calls run slower
            invoke("application/json" if call % 2 else "text/csv", call)
        latencies = {}
        for content_type in bodies:
            timings = []
            for call in range(args.calls):
                started = time.perf_counter()
                invoke(content_type, call)
                timings.append((time.perf_counter() - started) * 1000.0)
            timings.sort()
            latencies[content_type] = timings

    print("model: %s (%s)" % (args.model, os.path.relpath(VARIANT_DIRS[args.model])))
    print("data set: %s, %d rows read, %d skipped %s" % (
        os.path.relpath(args.data), summary["rows_read"], sum(summary["rows_skipped"].values()),
        {k: v for k, v in summary["rows_skipped"].items() if v}))
    print("splits: %s (train balanced, %d rows dropped)" % (summary["rows_written"], summary["balanced_away"]))
    print("test labels: %s" % summary["labels"]["test"])
    print("training: fit %.2f s, train.main %.2f s wall (incl. imports, reading, validation, saving)" % (
        result["train_seconds"], train_wall))
    print("validation accuracy: %.4f" % result["validation_accuracy"])
    print("test accuracy: %.4f, weighted F1 %.4f" % (metrics["accuracy"]["value"], metrics["weighted_f1"]["value"]))
    for label in evaluate.LABELS:
        print("  %-8s precision %.3f recall %.3f F1 %.3f" % (
            label, metrics["precision_by_class"][label]["value"], metrics["recall_by_class"][label]["value"],
            metrics["f1_by_class"][label]["value"]))
    print("confusion matrix (actual -> predicted): %s" % json.dumps(metrics["confusion_matrix"]))
    for content_type, timings in latencies.items():
        print("latency %-16s one review, %d calls: p50 %.3f ms, p99 %.3f ms, mean %.3f ms (~%d req/s one core)" % (
            content_type, len(timings), percentile(timings, 0.5), percentile(timings, 0.99),
            statistics.mean(timings), 1000.0 / statistics.mean(timings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
