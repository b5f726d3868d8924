"""Each script ships alone (a processing job receives only its own file; the model archive holds only
inference.py), so a few small helpers exist in several scripts. These tests keep the copies identical and keep
the scripts runnable in the SageMaker scikit-learn 1.2-1 image (Python 3.9)."""

from __future__ import annotations

import ast
import inspect
import os

import pytest

import evaluate
import inference
import preprocess
import train
from helpers import script

COPIES = [
    ("LABELS", [preprocess, train, evaluate]),
    ("opt_ml", [preprocess, train, evaluate]),
    ("flag_value", [preprocess, train, evaluate]),
    ("write_message", [preprocess, evaluate]),
    ("read_labelled_dir", [train, evaluate]),
    ("clean_text", [preprocess, inference]),
    ("_TAG", [preprocess, inference]),
    ("_CONTROL", [preprocess, inference]),
    ("_SPACE", [preprocess, inference]),
]


def source_of(module, name):
    value = getattr(module, name)
    if callable(value):
        return inspect.getsource(value)
    return getattr(value, "pattern", value)  # compiled regexes compare by pattern


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
    with open(script(name), encoding="utf-8") as handle:
        source = handle.read()
    tree = ast.parse(source, feature_version=(3, 9))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    siblings = {os.path.splitext(other)[0] for other in os.listdir(os.path.dirname(script(name)))
                if other.endswith(".py")}
    assert not imported & siblings, "%s imports %s, which is not shipped with it" % (name, imported & siblings)
    assert imported <= {"__future__", "argparse", "csv", "html", "io", "json", "math", "os", "posixpath", "random",
                        "re", "shutil", "sys", "tarfile", "tempfile", "time", "traceback", "typing",
                        "collections", "joblib", "sklearn"}, "new dependency in %s: check the image has it" % name
