"""Helpers shared by the seed tests. Importing this also puts seed/ and seed/data/ on sys.path, because the
scripts are self-contained files (each SageMaker job receives only its own), not a package."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from typing import List, Sequence

SEED_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
for _path in (SEED_DIR, os.path.join(SEED_DIR, "data")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import generate_reviews  # noqa: E402
import preprocess  # noqa: E402


def script(name: str) -> str:
    return os.path.join(SEED_DIR, name)


def labelled_rows(rows: int, seed: int) -> List[preprocess.Row]:
    """Generated reviews, cleaned and labelled as preprocess.py does, without the malformed ones."""
    out = []
    for record in generate_reviews.generate_rows(rows, seed):
        row, _ = preprocess.classify_record(record, len(generate_reviews.COLUMNS), 2, 3)
        if row is not None:
            out.append(row)
    return out


def write_csv(path: str, header: Sequence[str], records: Sequence[Sequence[str]]) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(records)
    return path


def write_labelled(directory: str, name: str, rows: Sequence[preprocess.Row]) -> str:
    return write_csv(os.path.join(directory, name), ["label", "text"], [[row.label, row.text] for row in rows])


def read_csv(path: str) -> List[List[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def run(argv: Sequence[str], env: dict, cwd: str = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """This interpreter on argv, with the machine's SM_* and SAGEMAKER_* variables replaced by `env`."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("SM_", "SAGEMAKER_"))}
    clean.update(env)
    return subprocess.run([sys.executable] + list(argv), env=clean, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def place(name: str, directory: str) -> str:
    """Copies seed/<name> into directory, as a job receives it; returns the copy's path."""
    os.makedirs(directory, exist_ok=True)
    return shutil.copy(script(name), os.path.join(directory, os.path.basename(name)))


def pack_model(model_dir: str, archive: str) -> None:
    """As SageMaker does at the end of a training job: the model dir's contents, tarred and gzipped."""
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(model_dir)):
            tar.add(os.path.join(model_dir, name), arcname=name)


# Loads a model as the serving containers do (its code/ on sys.path, then the four handlers), sends a JSON and a CSV
# request and a bad one; prints the answers as JSON. Argument: the unpacked model directory.
SERVE = textwrap.dedent("""
    import json, sys
    model_dir = sys.argv[1]
    sys.path.insert(0, model_dir + "/code")  # SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code
    import inference
    model = inference.model_fn(model_dir)
    def invoke(body, content_type, accept):
        data = inference.input_fn(body, content_type)
        return inference.output_fn(inference.predict_fn(data, model), accept)
    out = {
        "json": invoke(b'{"instances": ["Love it, works great", "Broke in a day, returning it"]}',
                       "application/json", "application/json"),
        "csv": invoke(b'"Great value, would buy again"\\nTerrible. Avoid.\\n', "text/csv", "text/csv"),
    }
    try:
        invoke(b'{"instances": [42]}', "application/json", "application/json")
    except ValueError as error:
        out["bad"] = str(error)
    print(json.dumps(out))
""")
