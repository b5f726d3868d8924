"""Helpers shared by the seed tests. Importing this also puts seed/ and seed/data/ on sys.path, because the
scripts are self-contained files (each SageMaker job receives only its own), not a package."""

from __future__ import annotations

import csv
import os
import sys
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
