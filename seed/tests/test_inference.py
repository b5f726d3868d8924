"""inference.py: the four handlers, JSON and CSV in and out, and bad requests as ValueError."""

from __future__ import annotations

import json

import pytest

import inference
import preprocess
from helpers import labelled_rows

LABELS = ["negative", "neutral", "positive"]


# --- input_fn --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    '{"instances": ["Great <b>sound</b>", "Broke in a week"]}',
    b'{"instances": ["Great <b>sound</b>", "Broke in a week"]}',
    bytearray(b'["Great <b>sound</b>", "Broke in a week"]'),
    '\ufeff["Great sound", "Broke   in a week"]',
])
def test_json_bodies_as_an_instances_object_or_a_list_in_text_or_bytes(body):
    assert inference.input_fn(body, "application/json") == ["Great sound", "Broke in a week"]


def test_a_json_string_or_instances_string_is_one_review():
    assert inference.input_fn('"Just fine"', "application/json") == ["Just fine"]
    assert inference.input_fn('{"instances": "Just fine"}', "application/json") == ["Just fine"]


def test_content_type_parameters_and_case_are_understood():
    body = '["caf\u00e9 ok"]'.encode("latin-1")
    assert inference.input_fn(body, "Application/JSON; charset=ISO-8859-1") == ["caf\u00e9 ok"]
    assert inference.input_fn(b'["ok"]', None) == ["ok"]  # no content type: JSON, the toolkits' default


def test_csv_bodies_take_the_first_column_of_each_row_with_rfc4180_quoting():
    body = 'Great value,extra\n"Loud, but ""fine""\nreally"\n\nBroke\n'
    assert inference.input_fn(body, "text/csv") == ["Great value", 'Loud, but "fine" really', "Broke"]
    assert inference.input_fn(b"One review", "text/csv; charset=utf-8") == ["One review"]


@pytest.mark.parametrize("body, content_type, message", [
    ("{not json", "application/json", "not valid JSON"),
    ('{"text": "hi"}', "application/json", 'no "instances" key (keys: text)'),
    ('{"instances": 5}', "application/json", '"instances" must be a list'),
    ("42", "application/json", '"instances" must be a list'),
    ("[]", "application/json", "holds no reviews"),
    ('["ok", 3]', "application/json", "instance 1 must be a string"),
    ('["ok", null]', "application/json", "instance 1 must be a string"),
    ('["ok", "  <br/> "]', "application/json", "instance 1 is empty"),
    ("", "text/csv", "holds no reviews"),
    ('"unterminated', "text/csv", "not valid CSV"),
    (b"\xff\xfe bad bytes", "application/json", "not valid utf-8"),
    (b"[]", "application/json; charset=klingon", "unsupported charset"),
    ("hello", "text/plain", "unsupported Content-Type 'text/plain'"),
    (12, "application/json", "must be text or bytes"),
])
def test_bad_requests_raise_value_error_saying_what_to_send(body, content_type, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inference.input_fn(body, content_type)


def test_requests_are_cleaned_exactly_as_training_text_was():
    samples = ["<p>Nice&amp;cheap</p>", "tabs\tand\nlines ", "I <3 it", "a<!-- c -->b", "x\x00y"]
    for raw in samples:
        assert inference.clean_text(raw) == preprocess.clean_text(raw)


# --- predict_fn and output_fn ----------------------------------------------------------------------------------

def test_predict_gives_a_label_and_a_probability_per_class(model):
    predictions = inference.predict_fn(["Works great, love it", "Broke after a day. Returning it."], model)
    assert len(predictions) == 2
    for prediction in predictions:
        assert list(prediction) == ["label", "scores"]
        assert sorted(prediction["scores"]) == LABELS
        assert sum(prediction["scores"].values()) == pytest.approx(1.0, abs=1e-5)
        assert prediction["label"] == max(prediction["scores"], key=prediction["scores"].get)
    assert [prediction["label"] for prediction in predictions] == ["positive", "negative"]


def test_json_response_layout(model):
    body, content_type = inference.output_fn(inference.predict_fn(["Love it"], model), "application/json")
    assert content_type == "application/json"
    document = json.loads(body)
    assert list(document) == ["predictions"]
    assert document["predictions"][0]["label"] == "positive"
    assert sorted(document["predictions"][0]["scores"]) == LABELS


def test_csv_response_is_one_label_per_line():
    predictions = [{"label": "positive", "scores": {}}, {"label": "neutral", "scores": {}}]
    assert inference.output_fn(predictions, "text/csv") == ("positive\nneutral\n", "text/csv")


@pytest.mark.parametrize("accept, content_type", [
    (None, "application/json"), ("", "application/json"), ("*/*", "application/json"),
    ("application/json; charset=utf-8", "application/json"), ("text/csv;q=0.9", "text/csv"),
    ("image/png, text/csv", "text/csv"), ("text/*", "text/csv"), ("application/*", "application/json"),
])
def test_accept_headers_pick_a_supported_type(accept, content_type):
    assert inference.output_fn([{"label": "neutral", "scores": {}}], accept)[1] == content_type


def test_the_default_accept_comes_from_the_serving_environment(monkeypatch):
    import importlib

    monkeypatch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
    try:
        reloaded = importlib.reload(inference)
        assert reloaded.output_fn([{"label": "neutral", "scores": {}}], "*/*") == ("neutral\n", "text/csv")
    finally:
        monkeypatch.delenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT")
        importlib.reload(inference)
    assert inference.DEFAULT_ACCEPT == "application/json"


def test_an_unsupported_accept_is_a_value_error():
    with pytest.raises(ValueError, match="unsupported Accept 'image/png'"):
        inference.output_fn([], "image/png")


def test_the_whole_chain_in_csv(model):
    data = inference.input_fn("Great value\nBroke in a week, returning it\n", "text/csv")
    body, _ = inference.output_fn(inference.predict_fn(data, model), "text/csv")
    assert body == "positive\nnegative\n"


def test_model_fn_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.joblib not found"):
        inference.model_fn(str(tmp_path))


# --- the fast path for one review at a time -------------------------------------------------------------------

def test_the_seed_pipeline_is_scored_without_predict_proba_and_exactly_as_predict_proba_scores_it(model):
    scorer = inference._scorer_for(model)
    assert scorer is not None, "the seed's TfidfVectorizer + LogisticRegression should take the fast path"
    texts = [row.text for row in labelled_rows(600, seed=11)] + ["zzzz qqqq", "a", "Love it! " * 50]
    expected = model.predict_proba(texts).tolist()
    for text, row in zip(texts, expected):
        got = scorer.probabilities(text)
        assert got == pytest.approx(row, rel=1e-12, abs=1e-15), text
    # predict_fn answers the same whether a request goes through the scorer (a few reviews) or predict_proba.
    one_by_one = [inference.predict_fn([text], model)[0] for text in texts[:50]]
    batched = inference.predict_fn(texts[:50], model)
    assert len(texts[:50]) > inference.FAST_PATH_MAX_TEXTS
    assert [p["label"] for p in one_by_one] == [p["label"] for p in batched]
    for fast, slow in zip(one_by_one, batched):
        assert fast["scores"] == pytest.approx(slow["scores"], abs=2e-6)


def test_any_other_model_is_scored_by_its_own_predict_proba(model):
    from sklearn.base import clone
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.pipeline import Pipeline

    rows = labelled_rows(300, seed=3)
    other = Pipeline([("tfidf", clone(model.steps[0][1])), ("classifier", MultinomialNB())])
    other.fit([row.text for row in rows], [row.label for row in rows])
    assert inference._scorer_for(other) is None
    prediction = inference.predict_fn(["Works great, love it"], other)[0]
    probabilities = other.predict_proba(["Works great, love it"])[0].tolist()
    assert prediction["scores"] == {
        str(label): round(p, inference.SCORE_DECIMALS) for label, p in zip(other.classes_, probabilities)
    }
