"""The checksum script of modelDataChecksumStep, run as a processing job runs it (SAGEMAKER_BASE_DIR)."""

import hashlib
import json
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "model_data_checksum.py")


def run(base):
    env = {**os.environ, "SAGEMAKER_BASE_DIR": str(base)}
    return subprocess.run([sys.executable, SCRIPT], env=env, capture_output=True, text=True, check=False)


def test_records_the_sha256_of_the_one_model_file(tmp_path):
    model_dir = tmp_path / "processing" / "model"
    model_dir.mkdir(parents=True)
    data = os.urandom(3 * 1024 * 1024 + 7)
    (model_dir / "model.tar.gz").write_bytes(data)
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "processing" / "checksum" / "checksum.json").read_text())
    assert report == {"sha256": hashlib.sha256(data).hexdigest(), "file": "model.tar.gz", "bytes": len(data)}


def test_fails_clearly_unless_there_is_exactly_one_file(tmp_path):
    (tmp_path / "processing" / "model").mkdir(parents=True)
    result = run(tmp_path)
    assert result.returncode != 0
    assert "expected one model data file" in result.stderr
    assert not (tmp_path / "processing" / "checksum" / "checksum.json").exists()
