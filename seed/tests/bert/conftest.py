"""Fixtures of the BERT variant's tests: one tiny BERT trained per session, in process."""

from __future__ import annotations

import pytest

from bert_helpers import TINY, bert_inference, bert_train
from helpers import labelled_rows, write_labelled


@pytest.fixture(scope="session")
def channels(tmp_path_factory: pytest.TempPathFactory):
    """train/ and validation/ channel directories of generated, labelled reviews."""
    root = tmp_path_factory.mktemp("channels")
    write_labelled(str(root / "train"), "train.csv", labelled_rows(400, seed=11))
    write_labelled(str(root / "validation"), "validation.csv", labelled_rows(120, seed=12))
    return root


@pytest.fixture(scope="session")
def bert_model_dir(tmp_path_factory: pytest.TempPathFactory, channels) -> str:
    """A model directory as train.py leaves it (what model.tar.gz holds)."""
    root = tmp_path_factory.mktemp("bert")
    argv = TINY + ["--train", str(channels / "train"), "--validation", str(channels / "validation"),
                   "--model-dir", str(root / "model"), "--output-dir", str(root / "output")]
    assert bert_train.main(argv) == 0, (root / "output" / "failure").read_text()
    return str(root / "model")


@pytest.fixture(scope="session")
def bert_model(bert_model_dir: str):
    return bert_inference.model_fn(bert_model_dir)
