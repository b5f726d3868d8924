"""Each script ships alone (a processing job receives only its own file; the model archive holds only
inference.py), so a few small helpers exist in several scripts. These tests keep the copies identical and keep
the scripts runnable in the SageMaker scikit-learn 1.2-1 image (Python 3.9).

The BERT variant's scripts (seed/bert/) are checked here too, from their source (importing them needs PyTorch): the
request and response handling of its inference.py is a copy of the scikit-learn endpoint's, and its train.py shares
the scikit-learn train.py's helpers."""

from __future__ import annotations

import ast
import inspect
import os

import pytest

import evaluate
import inference
import monitoring
import preprocess
import train
from helpers import script

COPIES = [
    ("LABELS", [preprocess, train, evaluate, monitoring]),
    ("opt_ml", [preprocess, train, evaluate, monitoring]),
    ("flag_value", [preprocess, train, evaluate]),
    ("write_message", [preprocess, evaluate]),
    ("read_labelled_dir", [train, evaluate]),
    ("clean_text", [preprocess, inference, monitoring]),
    ("_TAG", [preprocess, inference, monitoring]),
    ("_CONTROL", [preprocess, inference, monitoring]),
    ("_SPACE", [preprocess, inference, monitoring]),
]


def source_of(module, name):
    value = getattr(module, name)
    if callable(value):
        return inspect.getsource(value)
    return getattr(value, "pattern", value)  # compiled regexes compare by pattern


# (name, the scikit-learn script, its BERT counterpart in seed/bert/)
BERT_COPIES = [(name, "inference.py", "inference.py") for name in (
    "JSON", "CSV", "SUPPORTED", "DEFAULT_ACCEPT", "SCORE_DECIMALS", "_TAG", "_CONTROL", "_SPACE", "Prediction",
    "clean_text", "_split_media_type", "_decode", "_json_instances", "_csv_instances", "input_fn", "predict_fn",
    "_choose_accept", "output_fn")] + [(name, "train.py", "train.py") for name in (
    "LABELS", "TrainingError", "opt_ml", "read_labelled_dir", "integer", "positive_float", "_Parser", "log",
    "accuracy", "_validation_rows", "write_failure", "flag_value")]

# What the BERT scripts may import: inference.py runs in the PyTorch inference image (no transformers there).
BERT_IMPORTS = {
    "inference.py": {"__future__", "csv", "html", "io", "json", "os", "re", "unicodedata", "typing", "torch"},
    "train.py": {"__future__", "argparse", "contextlib", "csv", "importlib", "json", "math", "os", "random", "shutil",
                 "sys", "time", "traceback", "typing", "warnings", "torch", "transformers", "tokenizers"},
}


def top_level_sources(path):
    """{name: source} of every top-level function, class and assignment in a file, without importing it."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found[node.name] = ast.get_source_segment(source, node)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = ast.get_source_segment(source, node)
    return found


def imports_of(path):
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), feature_version=(3, 9))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    return imported


@pytest.mark.parametrize("name, sklearn_file, bert_file", BERT_COPIES,
                         ids=["%s:%s" % (file, name) for name, file, _ in BERT_COPIES])
def test_the_bert_scripts_copies_are_identical(name, sklearn_file, bert_file):
    ours = top_level_sources(script(sklearn_file))
    theirs = top_level_sources(script(os.path.join("bert", bert_file)))
    assert name in ours and name in theirs
    assert theirs[name] == ours[name], "%s differs between seed/%s and seed/bert/%s: change both" % (
        name, sklearn_file, bert_file)


@pytest.mark.parametrize("name", sorted(BERT_IMPORTS))
def test_a_bert_script_imports_only_what_its_image_has_and_parses_as_python_3_9(name):
    imported = imports_of(script(os.path.join("bert", name)))
    assert imported <= BERT_IMPORTS[name], "new dependency in seed/bert/%s: %s" % (name, imported - BERT_IMPORTS[name])


def test_the_bert_training_requirements_are_pinned():
    with open(script(os.path.join("bert", "requirements.txt")), encoding="utf-8") as handle:
        pins = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert sorted(pin.split("==")[0] for pin in pins) == ["tokenizers", "transformers"]
    assert all("==" in pin for pin in pins)


@pytest.mark.parametrize("name, modules", COPIES, ids=[name for name, _ in COPIES])
def test_copies_of_a_helper_are_identical(name, modules):
    first = source_of(modules[0], name)
    for module in modules[1:]:
        assert source_of(module, name) == first, "%s differs between %s and %s: change every copy" % (
            name, modules[0].__name__, module.__name__)


def test_the_labels_are_the_three_sentiment_classes_in_order():
    assert preprocess.LABELS == ("negative", "neutral", "positive")


@pytest.mark.parametrize("name", ["preprocess.py", "train.py", "evaluate.py", "inference.py"])
def test_a_script_imports_no_sibling_and_parses_as_python_3_9(name):
    imported = imports_of(script(name))
    siblings = {os.path.splitext(other)[0] for other in os.listdir(os.path.dirname(script(name)))
                if other.endswith(".py")}
    assert not imported & siblings, "%s imports %s, which is not shipped with it" % (name, imported & siblings)
    assert imported <= {"__future__", "argparse", "csv", "html", "io", "json", "math", "os", "posixpath", "random",
                        "re", "shutil", "sys", "tarfile", "tempfile", "time", "traceback", "typing",
                        "collections", "importlib", "joblib", "sklearn"}, \
        "new dependency in %s: check the image has it" % name
