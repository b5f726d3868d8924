#!/usr/bin/env python3
"""Preprocess step: raw review CSVs -> cleaned, labelled, split (and balanced) train/validation/test CSVs.

Runs as a SageMaker processing job (SKLearnProcessor) that receives only this file:

    python3 /opt/ml/processing/input/code/preprocess.py --train-ratio 0.7 --validation-ratio 0.15 \
        --test-ratio 0.15 --random-seed 42 --balance true

Reads every `*.csv` under the `data` input (`/opt/ml/processing/input/data`), maps star ratings to
negative/neutral/positive, cleans the text, splits per class so every split keeps the class mix, downsamples
the train split to the smallest class if asked, and writes `label,text` CSVs to
`/opt/ml/processing/output/{train,validation,test}/<split>.csv`. Bad rows are skipped and counted, never fatal;
stdout gets one JSON line with the counts (human-readable logs go to stderr).

Every path can be moved for a local run: `--input-dir`, `--output-dir`, `--message-file`, or the whole
`/opt/ml` tree with `SAGEMAKER_BASE_DIR` (the variable the SageMaker toolkits use for the same purpose).
Kept to the Python 3.9 standard library: the SageMaker scikit-learn 1.2-1 image runs Python 3.9.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import math
import os
import random
import re
import sys
import traceback
from collections import OrderedDict
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

LABELS = ("negative", "neutral", "positive")
SPLITS = ("train", "validation", "test")
TEXT_COLUMN = "review_text"
RATING_COLUMN = "star_rating"

# Why a row is skipped, in the order the checks run (a row is counted once, under the first check it fails).
SKIP_REASONS = (
    "wrong_column_count",
    "invalid_utf8",
    "empty_text",
    "missing_rating",
    "non_numeric_rating",
    "out_of_range_rating",
    "malformed_csv",
)
# Why a whole file is skipped.
FILE_SKIP_REASONS = ("unreadable", "empty_file", "missing_columns")

_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")
# Undecodable bytes survive `errors="surrogateescape"` as lone surrogates U+DC80..U+DCFF.
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class UsageError(Exception):
    """A bad argument or an unusable input: the job fails with this message."""


class Row(NamedTuple):
    label: str
    text: str


def clean_text(raw: str) -> str:
    """Strip HTML tags and comments, decode entities, drop control characters, collapse whitespace, trim.

    preprocess.py and inference.py hold identical copies (a test compares them): the model must see text cleaned
    the same way in training and in serving, and each script ships alone.
    """
    text = _TAG.sub(" ", raw)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def label_for_rating(rating: int) -> str:
    """1-2 stars -> negative, 3 -> neutral, 4-5 -> positive."""
    if rating in (1, 2):
        return "negative"
    if rating == 3:
        return "neutral"
    if rating in (4, 5):
        return "positive"
    raise ValueError("star rating must be 1..5, got %r" % (rating,))


def parse_rating(value: str) -> Tuple[Optional[int], Optional[str]]:
    """(rating, None) for an integral 1..5 (`"4"`, `" 4.0 "`), else (None, the skip reason)."""
    value = value.strip()
    if not value:
        return None, "missing_rating"
    try:
        number = float(value)
    except ValueError:
        return None, "non_numeric_rating"
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= 5:
        return None, "out_of_range_rating"
    return int(number), None


def classify_record(record: Sequence[str], header_size: int, text_index: int,
                    rating_index: int) -> Tuple[Optional[Row], Optional[str]]:
    """One parsed CSV record -> (Row, None) or (None, the skip reason). Checks run in SKIP_REASONS order."""
    if len(record) != header_size:
        return None, "wrong_column_count"
    raw_text, raw_rating = record[text_index], record[rating_index]
    if _UNDECODABLE.search(raw_text) or _UNDECODABLE.search(raw_rating):
        return None, "invalid_utf8"
    text = clean_text(raw_text)
    if not text:
        return None, "empty_text"
    rating, reason = parse_rating(raw_rating)
    if rating is None:
        return None, reason
    return Row(label_for_rating(rating), text), None


class ReadReport:
    """Counts of what was read and skipped, for the JSON summary line."""

    def __init__(self) -> None:
        self.files_read = 0
        self.files_skipped: Dict[str, int] = OrderedDict((reason, 0) for reason in FILE_SKIP_REASONS)
        self.rows_read = 0
        self.rows_skipped: Dict[str, int] = OrderedDict((reason, 0) for reason in SKIP_REASONS)

    def skip_row(self, reason: str) -> None:
        self.rows_skipped[reason] += 1

    def skip_file(self, path: str, reason: str, detail: str) -> None:
        self.files_skipped[reason] += 1
        log("skipping %s: %s" % (path, detail))


def find_csv_files(input_path: str) -> List[str]:
    """Every *.csv under a directory (recursively, sorted so runs are repeatable), or the path itself if it is a
    file."""
    if os.path.isfile(input_path):
        return [input_path]
    found = []
    for directory, subdirectories, files in os.walk(input_path):
        subdirectories.sort()
        found.extend(os.path.join(directory, name) for name in sorted(files) if name.lower().endswith(".csv"))
    return found


def read_reviews(paths: Iterable[str], report: ReadReport) -> List[Row]:
    rows: List[Row] = []
    for path in paths:
        try:
            rows.extend(read_review_file(path, report))
        except OSError as error:
            report.skip_file(path, "unreadable", "cannot read it (%s)" % (error.strerror or error))
    return rows


# Stands for a record the csv module could not parse; compared by identity.
_MALFORMED: List[str] = ["<malformed>"]


def _tolerant_records(reader: Iterator[List[str]]) -> Iterator[List[str]]:
    """Yield records; a record the csv module cannot parse (an oversized field, say) yields _MALFORMED and
    reading goes on with the next line."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error:
            yield _MALFORMED


def read_review_file(path: str, report: ReadReport) -> List[Row]:
    # surrogateescape: a file with a few undecodable bytes still parses; the rows holding them are skipped.
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
        records = _tolerant_records(csv.reader(handle))
        header = next(records, None)
        if header is None:
            report.skip_file(path, "empty_file", "the file is empty")
            return []
        names = [name.strip().lstrip("\ufeff").lower() for name in header]
        missing = [column for column in (TEXT_COLUMN, RATING_COLUMN) if column not in names]
        if missing:
            report.skip_file(path, "missing_columns",
                             "the header has no %s column (found: %s)" % (" or ".join(missing), ", ".join(names)))
            return []
        text_index, rating_index = names.index(TEXT_COLUMN), names.index(RATING_COLUMN)
        report.files_read += 1
        rows = []
        for record in records:
            if not record:  # a blank line is not a record
                continue
            report.rows_read += 1
            if record is _MALFORMED:
                report.skip_row("malformed_csv")
                continue
            row, reason = classify_record(record, len(header), text_index, rating_index)
            if row is None:
                report.skip_row(reason or "malformed_csv")
            else:
                rows.append(row)
        return rows


def split_rows(rows: Sequence[Row], ratios: Sequence[float], seed: int) -> Dict[str, List[Row]]:
    """Stratified split: each label's rows are shuffled (seeded) and cut by the ratios, so every split keeps the
    class mix. Same rows, ratios and seed -> same split."""
    rng = random.Random(seed)
    splits: Dict[str, List[Row]] = OrderedDict((name, []) for name in SPLITS)
    for label in LABELS:
        members = [row for row in rows if row.label == label]
        rng.shuffle(members)
        n_train = int(math.floor(len(members) * ratios[0] + 0.5))
        n_validation = min(int(math.floor(len(members) * ratios[1] + 0.5)), len(members) - n_train)
        splits["train"].extend(members[:n_train])
        splits["validation"].extend(members[n_train:n_train + n_validation])
        splits["test"].extend(members[n_train + n_validation:])
    for name in SPLITS:  # interleave the labels again
        rng.shuffle(splits[name])
    return splits


def balance_rows(rows: Sequence[Row], seed: int) -> List[Row]:
    """Downsample every label present to the size of the smallest one (seeded), keeping the given order."""
    counts = label_counts(rows)
    present = [label for label in LABELS if counts[label] > 0]
    if not present:
        return []
    target = min(counts[label] for label in present)
    rng = random.Random(seed)
    keep = set()
    for label in present:
        indices = [index for index, row in enumerate(rows) if row.label == label]
        keep.update(rng.sample(indices, target))
    return [row for index, row in enumerate(rows) if index in keep]


def label_counts(rows: Iterable[Row]) -> Dict[str, int]:
    counts: Dict[str, int] = OrderedDict((label, 0) for label in LABELS)
    for row in rows:
        counts[row.label] += 1
    return counts


def write_split(rows: Sequence[Row], path: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["label", "text"])
        writer.writerows(rows)


def validate_ratios(train: float, validation: float, test: float) -> Tuple[float, float, float]:
    for name, value in (("--train-ratio", train), ("--validation-ratio", validation), ("--test-ratio", test)):
        if not 0.0 <= value <= 1.0:
            raise UsageError("%s must be between 0 and 1, got %s" % (name, value))
    if train <= 0.0:
        raise UsageError("--train-ratio must be above 0, got %s: the model needs training rows" % train)
    total = train + validation + test
    if abs(total - 1.0) > 1e-6:
        raise UsageError("--train-ratio + --validation-ratio + --test-ratio must be 1, got %s + %s + %s = %s"
                         % (train, validation, test, total))
    return train, validation, test


def parse_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("true", "1", "yes", "y"):
        return True
    if lowered in ("false", "0", "no", "n"):
        return False
    raise argparse.ArgumentTypeError("expected true or false, got %r" % value)


def opt_ml(*parts: str) -> str:
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError("bad argument: %s (see --help)" % message)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = _Parser(description="Clean, label, split and balance product reviews.")
    parser.add_argument("--train-ratio", type=float, default=0.7)
    parser.add_argument("--validation-ratio", type=float, default=0.15)
    parser.add_argument("--test-ratio", type=float, default=0.15)
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--balance", type=parse_bool, default=True,
                        help="downsample each class to the smallest one, in the train split only")
    parser.add_argument("--input-dir", default=opt_ml("processing", "input", "data"),
                        help="directory searched for *.csv (or a single CSV file)")
    parser.add_argument("--output-dir", default=opt_ml("processing", "output"),
                        help="parent of the train/, validation/ and test/ output directories")
    parser.add_argument("--message-file", default=opt_ml("output", "message"),
                        help="where a failure reason is written (SageMaker shows it as the job's ExitMessage)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print("preprocess: %s" % message, file=sys.stderr, flush=True)


def write_message(path: str, message: str) -> None:
    """Best effort. Creates at most the file's own directory, so on a machine without an /opt/ml tree nothing is
    written outside it; the message is on stderr either way."""
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(os.path.dirname(parent)):
        log("not writing %s: %s does not exist" % (path, os.path.dirname(parent)))
        return
    try:
        os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(message + "\n")
    except OSError as error:
        log("could not write %s: %s" % (path, error))


def run(args: argparse.Namespace) -> Dict[str, object]:
    ratios = validate_ratios(args.train_ratio, args.validation_ratio, args.test_ratio)
    if not os.path.exists(args.input_dir):
        raise UsageError("input %s does not exist: give the data input (or --input-dir) a CSV of reviews"
                         % args.input_dir)
    paths = find_csv_files(args.input_dir)
    report = ReadReport()
    rows = read_reviews(paths, report)
    if not rows:
        raise UsageError(
            "no usable rows: %d CSV file(s) under %s, %d row(s) read, skipped %s, files skipped %s; "
            "expected columns %s and %s with ratings 1..5"
            % (len(paths), args.input_dir, report.rows_read, json.dumps(report.rows_skipped),
               json.dumps(report.files_skipped), TEXT_COLUMN, RATING_COLUMN))
    splits = split_rows(rows, ratios, args.random_seed)
    before_balance = len(splits["train"])
    if args.balance:
        splits["train"] = balance_rows(splits["train"], args.random_seed)
    for name in SPLITS:
        write_split(splits[name], os.path.join(args.output_dir, name, name + ".csv"))
    summary: Dict[str, object] = OrderedDict()
    summary["rows_read"] = report.rows_read
    summary["rows_skipped"] = report.rows_skipped
    summary["rows_written"] = OrderedDict((name, len(splits[name])) for name in SPLITS)
    summary["files_read"] = report.files_read
    summary["files_skipped"] = report.files_skipped
    summary["labels"] = OrderedDict((name, label_counts(splits[name])) for name in SPLITS)
    summary["balanced_away"] = before_balance - len(splits["train"])
    return summary


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
    message_file = flag_value(argv, "--message-file", opt_ml("output", "message"))
    try:
        args = parse_args(argv)
        summary = run(args)
    except UsageError as error:
        log("failed: %s" % error)
        write_message(message_file, str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - anything else still deserves an exit message
        traceback.print_exc()
        write_message(message_file, "unexpected error: %s: %s" % (type(error).__name__, error))
        return 1
    print(json.dumps(summary), flush=True)
    log("wrote %s" % json.dumps(summary["rows_written"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
