"""preprocess.py: cleaning, labelling, bad rows, splitting, balancing and the job's inputs and outputs."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest

import preprocess
from helpers import labelled_rows, read_csv, write_csv
from preprocess import Row

HEADER = ["review_id", "product_category", "review_text", "star_rating"]


# --- cleaning and labelling -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, cleaned", [
    ("Great<br />value<br/>  really", "Great value really"),
    ("<p>Nice <b>sound</b></p>", "Nice sound"),
    ("before<!-- a\ncomment -->after", "before after"),
    ("Fish &amp; chips &quot;ok&quot; &#39;fine&#39;", "Fish & chips \"ok\" 'fine'"),
    ("  tabs\tand\nnewlines\r\n  ", "tabs and newlines"),
    ("nul\x00and\x07bell", "nul and bell"),
    ("I <3 it, 2 < 3 > 1", "I <3 it, 2 < 3 > 1"),  # not tags: kept
    ("<br /><br />", ""),
    ("caf\u00e9 \U0001F44D", "caf\u00e9 \U0001F44D"),
])
def test_clean_text_strips_html_decodes_entities_and_collapses_whitespace(raw, cleaned):
    assert preprocess.clean_text(raw) == cleaned


@pytest.mark.parametrize("rating, label", [(1, "negative"), (2, "negative"), (3, "neutral"), (4, "positive"),
                                           (5, "positive")])
def test_ratings_map_to_three_classes(rating, label):
    assert preprocess.label_for_rating(rating) == label


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_1_to_5_has_no_label(rating):
    with pytest.raises(ValueError, match="1..5"):
        preprocess.label_for_rating(rating)


@pytest.mark.parametrize("value, expected", [
    ("4", (4, None)), (" 5 ", (5, None)), ("1.0", (1, None)),
    ("", (None, "missing_rating")), ("   ", (None, "missing_rating")),
    ("five", (None, "non_numeric_rating")), ("4 stars", (None, "non_numeric_rating")),
    ("0", (None, "out_of_range_rating")), ("6", (None, "out_of_range_rating")),
    ("4.5", (None, "out_of_range_rating")), ("nan", (None, "out_of_range_rating")),
    ("inf", (None, "out_of_range_rating")),
])
def test_parse_rating_accepts_integral_1_to_5_and_names_what_is_wrong_otherwise(value, expected):
    assert preprocess.parse_rating(value) == expected


# --- reading files with bad rows ---------------------------------------------------------------------------

def write_bytes(path, data: bytes) -> str:
    os.makedirs(os.path.dirname(str(path)), exist_ok=True)
    with open(str(path), "wb") as handle:
        handle.write(data)
    return str(path)


def test_every_kind_of_bad_row_is_skipped_and_counted_and_good_rows_survive(tmp_path):
    data = (
        b"review_id,product_category,review_text,star_rating\n"
        b"1,kitchen,Works great,5\n"
        b"2,kitchen,,4\n"                                   # empty text
        b"3,kitchen,   ,4\n"                                # whitespace text
        b"4,kitchen,<br />,4\n"                             # nothing left once HTML is stripped
        b"5,kitchen,Fine I guess,\n"                        # missing rating
        b"6,kitchen,Fine I guess,five\n"                    # non-numeric rating
        b"7,kitchen,Fine I guess,7\n"                       # out of range
        b"8,kitchen,Bad \xff\xfe bytes,2\n"                 # invalid UTF-8
        b"9,kitchen,too,many,columns,1\n"                   # wrong column count
        b"10,kitchen\n"                                     # too few columns
        b"\n"                                               # blank line: not a record
        b"11,kitchen,\"Broke, twice\",1\n"
        b"12,kitchen,It's ok,3\n"
    )
    path = write_bytes(tmp_path / "reviews.csv", data)
    report = preprocess.ReadReport()
    rows = preprocess.read_reviews([path], report)
    assert rows == [Row("positive", "Works great"), Row("negative", "Broke, twice"), Row("neutral", "It's ok")]
    assert report.rows_read == 12
    assert dict(report.rows_skipped) == {
        "wrong_column_count": 2, "invalid_utf8": 1, "empty_text": 3, "missing_rating": 1,
        "non_numeric_rating": 1, "out_of_range_rating": 1, "malformed_csv": 0,
    }
    assert report.files_read == 1


def test_an_unparseable_record_is_counted_and_reading_goes_on(tmp_path):
    huge = b"x" * 200000  # over the csv module's field size limit
    path = write_bytes(tmp_path / "r.csv", b"review_text,star_rating\n" + huge + b",4\nGood,5\n")
    report = preprocess.ReadReport()
    assert preprocess.read_reviews([path], report) == [Row("positive", "Good")]
    assert report.rows_skipped["malformed_csv"] == 1


def test_columns_are_found_by_name_in_any_order_extra_columns_ignored_bom_and_case_tolerated(tmp_path):
    data = "\ufeffStar_Rating,Extra,REVIEW_TEXT\n2,\xff-ignored,Meh\n".encode("utf-8")
    path = write_bytes(tmp_path / "r.csv", data)
    assert preprocess.read_reviews([path], preprocess.ReadReport()) == [Row("negative", "Meh")]


def test_invalid_utf8_in_an_ignored_column_does_not_drop_the_row(tmp_path):
    path = write_bytes(tmp_path / "r.csv", b"review_text,star_rating,note\nNice,5,\xff\n")
    assert preprocess.read_reviews([path], preprocess.ReadReport()) == [Row("positive", "Nice")]


def test_unreadable_empty_and_headerless_files_are_skipped_with_a_reason(tmp_path):
    empty = write_bytes(tmp_path / "empty.csv", b"")
    wrong = write_bytes(tmp_path / "wrong.csv", b"text,stars\nGood,5\n")
    missing = str(tmp_path / "gone.csv")
    good = write_bytes(tmp_path / "good.csv", b"review_text,star_rating\nGood,5\n")
    report = preprocess.ReadReport()
    assert preprocess.read_reviews([empty, wrong, missing, good], report) == [Row("positive", "Good")]
    assert dict(report.files_skipped) == {"unreadable": 1, "empty_file": 1, "missing_columns": 1}
    assert report.files_read == 1


def test_every_csv_under_the_input_is_found_recursively_in_a_stable_order(tmp_path):
    for name in ["b/2.csv", "a/1.CSV", "a/notes.txt", "0.csv"]:
        write_bytes(tmp_path / name, b"")
    found = [os.path.relpath(path, str(tmp_path)) for path in preprocess.find_csv_files(str(tmp_path))]
    assert found == ["0.csv", os.path.join("a", "1.CSV"), os.path.join("b", "2.csv")]
    single = str(tmp_path / "0.csv")
    assert preprocess.find_csv_files(single) == [single]


# --- splitting and balancing ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows():
    return labelled_rows(3000, seed=21)


def test_split_follows_the_ratios_per_class_and_loses_or_duplicates_nothing(rows):
    splits = preprocess.split_rows(rows, (0.7, 0.15, 0.15), seed=42)
    assert Counter(r for name in splits for r in splits[name]) == Counter(rows)
    totals = Counter(row.label for row in rows)
    for name, ratio in (("train", 0.7), ("validation", 0.15), ("test", 0.15)):
        per_class = Counter(row.label for row in splits[name])
        for label, total in totals.items():
            assert abs(per_class[label] - total * ratio) <= 1, (name, label)


def test_split_is_deterministic_for_a_seed_and_differs_across_seeds(rows):
    first = preprocess.split_rows(rows, (0.6, 0.2, 0.2), seed=1)
    assert preprocess.split_rows(rows, (0.6, 0.2, 0.2), seed=1) == first
    assert preprocess.split_rows(rows, (0.6, 0.2, 0.2), seed=2)["test"] != first["test"]


def test_split_with_a_zero_ratio_leaves_that_split_empty(rows):
    splits = preprocess.split_rows(rows, (0.8, 0.0, 0.2), seed=3)
    assert splits["validation"] == [] and len(splits["train"]) + len(splits["test"]) == len(rows)


def test_balance_downsamples_every_class_to_the_smallest_deterministically(rows):
    balanced = preprocess.balance_rows(rows, seed=9)
    counts = Counter(row.label for row in balanced)
    smallest = min(Counter(row.label for row in rows).values())
    assert set(counts.values()) == {smallest} and len(counts) == 3
    assert not Counter(balanced) - Counter(rows)  # a subset of the input
    assert preprocess.balance_rows(rows, seed=9) == balanced
    assert preprocess.balance_rows(rows, seed=10) != balanced


def test_balance_ignores_an_absent_class_and_handles_no_rows():
    rows = [Row("positive", "a"), Row("positive", "b"), Row("negative", "c")]
    assert Counter(row.label for row in preprocess.balance_rows(rows, 0)) == {"positive": 1, "negative": 1}
    assert preprocess.balance_rows([], 0) == []


@pytest.mark.parametrize("ratios, message", [
    ((0.7, 0.2, 0.2), "must be 1"),
    ((0.0, 0.5, 0.5), "above 0"),
    ((1.2, -0.1, -0.1), "between 0 and 1"),
])
def test_ratios_must_be_fractions_summing_to_one(ratios, message):
    with pytest.raises(preprocess.UsageError, match=message):
        preprocess.validate_ratios(*ratios)


def test_ratios_within_floating_point_tolerance_are_accepted():
    assert preprocess.validate_ratios(0.7, 0.2, 0.1 + 1e-9) == (0.7, 0.2, 0.1 + 1e-9)


# --- the job -------------------------------------------------------------------------------------------------

def run_job(tmp_path, capsys, *extra):
    args = ["--input-dir", str(tmp_path / "in"), "--output-dir", str(tmp_path / "out"),
            "--message-file", str(tmp_path / "message")] + list(extra)
    code = preprocess.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_job_writes_label_text_csvs_per_split_and_a_json_summary(tmp_path, capsys, clean_env):
    records = [[str(i), "books", "Loved it, <b>really</b>", "5"] for i in range(30)]
    records += [[str(i), "books", "Hated it", "1"] for i in range(30, 50)]
    records += [[str(i), "books", "It's fine", "3"] for i in range(50, 60)]
    records += [["x", "books", "", "5"], ["y", "books", "Okay", "zero"]]
    write_csv(str(tmp_path / "in" / "reviews.csv"), HEADER, records)
    code, out, _ = run_job(tmp_path, capsys, "--train-ratio", "0.6", "--validation-ratio", "0.2",
                           "--test-ratio", "0.2", "--random-seed", "5", "--balance", "true")
    assert code == 0
    summary = json.loads(out.strip())  # exactly one JSON line on stdout
    assert summary["rows_read"] == 62
    assert summary["rows_skipped"]["empty_text"] == 1 and summary["rows_skipped"]["non_numeric_rating"] == 1
    assert summary["rows_written"] == {"train": 18, "validation": 12, "test": 12}
    assert summary["labels"]["train"] == {"negative": 6, "neutral": 6, "positive": 6}
    for name in ("train", "validation", "test"):
        table = read_csv(str(tmp_path / "out" / name / (name + ".csv")))
        assert table[0] == ["label", "text"]
        assert len(table) - 1 == summary["rows_written"][name]
    assert ["positive", "Loved it, really"] in read_csv(str(tmp_path / "out" / "train" / "train.csv"))
    assert not (tmp_path / "message").exists()


def test_without_balancing_the_train_split_keeps_the_natural_class_mix(tmp_path, capsys, clean_env):
    records = [[str(i), "books", "Loved it", "5"] for i in range(40)] + [["n", "books", "Bad", "1"]] * 10
    write_csv(str(tmp_path / "in" / "reviews.csv"), HEADER, records)
    code, out, _ = run_job(tmp_path, capsys, "--balance", "false")
    assert code == 0
    assert json.loads(out)["labels"]["train"] == {"negative": 7, "neutral": 0, "positive": 28}


def test_a_run_with_no_usable_rows_fails_with_a_clear_message(tmp_path, capsys, clean_env):
    write_csv(str(tmp_path / "in" / "reviews.csv"), HEADER, [["1", "books", "", "5"], ["2", "books", "Ok", "9"]])
    code, out, err = run_job(tmp_path, capsys)
    assert code == 1 and out == ""
    message = (tmp_path / "message").read_text()
    assert "no usable rows" in message and '"empty_text": 1' in message and '"out_of_range_rating": 1' in message
    assert "no usable rows" in err


def test_a_missing_input_and_bad_arguments_fail_with_a_message_naming_the_fix(tmp_path, capsys, clean_env):
    code, _, _ = run_job(tmp_path, capsys)
    assert code == 1 and "does not exist" in (tmp_path / "message").read_text()
    (tmp_path / "in").mkdir()
    code, _, _ = run_job(tmp_path, capsys, "--train-ratio", "0.9")
    assert code == 1 and "must be 1" in (tmp_path / "message").read_text()
    code, _, _ = run_job(tmp_path, capsys, "--balance", "maybe")
    assert code == 1 and "expected true or false" in (tmp_path / "message").read_text()
    code = preprocess.main(["--input-dir", str(tmp_path / "in"), "--random-seed", "x",
                            "--message-file=%s" % (tmp_path / "other")])
    assert code == 1 and "--random-seed" in (tmp_path / "other").read_text()


def test_without_an_opt_ml_tree_a_failure_writes_nothing_outside_the_sandbox(tmp_path, capsys, clean_env):
    assert preprocess.main(["--input-dir", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not os.path.exists(os.path.dirname(clean_env))


def test_default_paths_follow_sagemaker_base_dir(monkeypatch, clean_env):
    monkeypatch.setenv("SAGEMAKER_BASE_DIR", "/sandbox/opt/ml")
    args = preprocess.parse_args([])
    assert args.input_dir == "/sandbox/opt/ml/processing/input/data"
    assert args.output_dir == "/sandbox/opt/ml/processing/output"
    assert args.message_file == "/sandbox/opt/ml/output/message"
    monkeypatch.delenv("SAGEMAKER_BASE_DIR")
    assert preprocess.parse_args([]).input_dir == "/opt/ml/processing/input/data"
