"""Helpers for the BERT variant's tests. They need PyTorch, transformers and tokenizers, so they run in the PyTorch
runtime (scripts/test.mjs), not in .venv; pytest.ini keeps them out of .venv's run.

seed/bert/'s scripts are imported from their files: `inference` is the BERT serving code (as train.py and the
serving container import it), `bert_train` the training script."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import List

from helpers import SEED_DIR, labelled_rows

BERT_DIR = os.path.join(SEED_DIR, "bert")
# Tests never reach a model hub: everything they load is made on disk first.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def load_script(file_name: str, module_name: str):
    path = os.path.join(BERT_DIR, file_name)
    loaded = sys.modules.get(module_name)
    if loaded is not None and os.path.abspath(getattr(loaded, "__file__", "")) == path:
        return loaded
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


bert_inference = load_script("inference.py", "inference")
bert_train = load_script("train.py", "bert_train")

# A BERT small enough to train in a few seconds on one core; the shape is what the tests care about, not accuracy.
TINY = ["--layers", "1", "--hidden-size", "32", "--heads", "2", "--intermediate-size", "64", "--vocab-size", "800",
        "--epochs", "2", "--batch-size", "32", "--max-length", "64"]


def review_texts(rows: int, seed: int) -> List[str]:
    return [row.text for row in labelled_rows(rows, seed)]
