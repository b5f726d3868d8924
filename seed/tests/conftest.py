"""Fixtures shared by the seed tests: a clean environment and one small model trained per session."""

from __future__ import annotations

import os
import shutil
import pytest

from helpers import SEED_DIR, labelled_rows


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A directory laid out like an extracted model.tar.gz: model.joblib and code/inference.py."""
    import joblib

    import train

    directory = tmp_path_factory.mktemp("model")
    rows = labelled_rows(1500, seed=5)
    model = train.build_model(max_features=5000, ngram_max=2, min_df=2, regularization=4.0)
    model.fit([row.text for row in rows], [row.label for row in rows])
    joblib.dump(model, str(directory / "model.joblib"))
    (directory / "code").mkdir()
    shutil.copyfile(os.path.join(SEED_DIR, "inference.py"), str(directory / "code" / "inference.py"))
    return str(directory)


@pytest.fixture(scope="session")
def model(model_dir: str):
    import inference

    return inference.model_fn(model_dir)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> str:
    """No SageMaker variables leak in from the machine running the tests, and the default /opt/ml tree points at
    a directory that does not exist, so a test can never write into the real /opt/ml. Returns that path."""
    for name in list(os.environ):
        if name.startswith("SM_") or name.startswith("SAGEMAKER_"):
            monkeypatch.delenv(name, raising=False)
    absent = str(tmp_path / "absent" / "opt" / "ml")
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", absent)
    return absent
