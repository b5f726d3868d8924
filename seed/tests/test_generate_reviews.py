"""The synthetic review generator: deterministic bytes, the committed file, and data fit for the pipeline."""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter

import pytest

import generate_reviews
import preprocess
from helpers import SEED_DIR

COMMITTED = os.path.join(SEED_DIR, "data", "reviews.csv")


def test_regenerating_with_the_documented_arguments_reproduces_the_committed_file_byte_for_byte(tmp_path):
    out = tmp_path / "reviews.csv"
    assert generate_reviews.main(["--rows", "6000", "--seed", "20261126", "--out", str(out)]) == 0
    with open(COMMITTED, "rb") as handle:
        committed = handle.read()
    assert out.read_bytes() == committed, "seed/data/reviews.csv is stale: rerun the generator and commit it"


def test_same_arguments_give_identical_bytes_and_another_seed_gives_other_data():
    first = generate_reviews.render_csv(generate_reviews.generate_rows(300, 7))
    again = generate_reviews.render_csv(generate_reviews.generate_rows(300, 7))
    other = generate_reviews.render_csv(generate_reviews.generate_rows(300, 8))
    assert first == again
    assert first != other


def parse(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_the_csv_has_the_contract_columns_unique_ids_and_rfc4180_quoting_round_trips():
    rows = generate_reviews.generate_rows(500, 3)
    parsed = parse(generate_reviews.render_csv(rows))
    assert parsed[0] == ["review_id", "product_category", "review_text", "star_rating"]
    assert parsed[1:] == rows  # commas, quotes and line breaks inside texts survive the round trip
    assert len({row[0] for row in rows}) == len(rows)
    assert any("\n" in row[2] for row in rows) and any('"' in row[2] for row in rows)
    assert {row[1] for row in rows} == set(generate_reviews.CATEGORIES)


def test_without_dirty_rows_every_row_is_usable_and_every_class_is_well_represented():
    rows = generate_reviews.generate_rows(3000, 11, dirty_fraction=0.0)
    labels = Counter()
    for row in rows:
        parsed, reason = preprocess.classify_record(row, 4, 2, 3)
        assert reason is None, (reason, row)
        labels[parsed.label] += 1
    shares = {label: count / len(rows) for label, count in labels.items()}
    assert 0.12 <= shares["neutral"] <= 0.25
    assert 0.18 <= shares["negative"] <= 0.35
    assert 0.45 <= shares["positive"] <= 0.70


def test_dirty_rows_are_ones_preprocessing_skips():
    rows = generate_reviews.generate_rows(200, 12, dirty_fraction=1.0)
    reasons = Counter(preprocess.classify_record(row, 4, 2, 3)[1] for row in rows)
    assert None not in reasons
    assert {"empty_text", "missing_rating", "non_numeric_rating", "out_of_range_rating"} <= set(reasons)


def test_label_noise_makes_some_ratings_contradict_their_text():
    # Noise has its own random stream: same seed, same texts; only some ratings differ.
    clean = generate_reviews.generate_rows(2000, 13, label_noise=0.0, dirty_fraction=0.0)
    noisy = generate_reviews.generate_rows(2000, 13, label_noise=0.05, dirty_fraction=0.0)
    assert [row[2] for row in clean] == [row[2] for row in noisy]
    flipped = [
        (a, b) for a, b in zip(clean, noisy)
        if generate_reviews.sentiment_class(int(a[3])) != generate_reviews.sentiment_class(int(b[3]))
    ]
    assert 0.03 <= len(flipped) / 2000 <= 0.07
    # Noise always moves a rating to another class, never just to a neighbouring star of the same class.
    changed = [(a, b) for a, b in zip(clean, noisy) if a[3] != b[3]]
    assert changed == flipped


def test_texts_are_filled_templates_without_leftover_slots_or_broken_grammar():
    texts = [row[2] for row in generate_reviews.generate_rows(3000, 14, dirty_fraction=0.0)]
    for text in texts:
        assert text.strip() == text and text
        assert not re.search(r"[{}]", text), text
        assert "  " not in text, text
        assert not re.search(r"\b(very|so|super) (love|loves)\b", text, re.IGNORECASE), text
    # The roughening happens, but only to a minority of texts.
    assert 0.02 < sum("<br />" in text for text in texts) / len(texts) < 0.12
    assert 0.02 < sum(text == text.lower() for text in texts) / len(texts) < 0.2


def test_articles_match_the_product_noun():
    assert generate_reviews.with_article("air fryer") == "an air fryer"
    assert generate_reviews.with_article("blender") == "a blender"


@pytest.mark.parametrize("argument", [["--rows", "0"], ["--label-noise", "1.5"], ["--dirty-fraction", "-0.1"]])
def test_bad_arguments_are_rejected(argument, capsys):
    with pytest.raises(SystemExit):
        generate_reviews.main(argument + ["--out", "-"])
    assert "must be" in capsys.readouterr().err
