"""Serving handlers for the review sentiment model (SageMaker scikit-learn serving container contract).

Lives in model.tar.gz at `code/inference.py` (train.py copies it there); the container runs it with
`SAGEMAKER_PROGRAM=inference.py` and `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code`.

    model_fn(model_dir)                   -> the fitted Pipeline from model.joblib (called once per worker)
    input_fn(body, content_type)          -> list of cleaned review texts
    predict_fn(texts, model)              -> [{"label": ..., "scores": {label: probability}}]
    output_fn(prediction, accept)         -> (body, content type)

Requests: `application/json` with `{"instances": ["text", ...]}`, `["text", ...]` or `"text"`; `text/csv` with
one review per row (first column, RFC 4180 quoting). Responses: `application/json` ->
`{"predictions": [{"label": "positive", "scores": {"negative": 0.1, "neutral": 0.2, "positive": 0.7}}]}`;
`text/csv` -> one label per line. Bad input raises ValueError with a message saying what to fix.

Per-request work is kept small (it is served at thousands of requests per second): everything is imported and
compiled once at import time, and one probability computation gives both the label and the scores. A request of
a few reviews to the seed's own TfidfVectorizer + LogisticRegression is scored by _LinearTextScorer (the same
arithmetic without scikit-learn's per-call validation, which was most of a review's time); any other model, or a
larger batch, goes through its predict_proba.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import joblib

MODEL_FILE = "model.joblib"
JSON = "application/json"
CSV = "text/csv"
SUPPORTED = (JSON, CSV)
# What `*/*` or a missing Accept means; the serving toolkits read the same variable.
DEFAULT_ACCEPT = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", JSON).split(";")[0].strip().lower()
SCORE_DECIMALS = 6

_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE = re.compile(r"\s+")

Prediction = Dict[str, object]


def clean_text(raw: str) -> str:
    """Strip HTML tags and comments, decode entities, drop control characters, collapse whitespace, trim.

    preprocess.py and inference.py hold identical copies (a test compares them): the model must see text cleaned
    the same way in training and in serving, and each script ships alone.
    """
    text = _TAG.sub(" ", raw)
    text = html.unescape(text)
    text = _CONTROL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def model_fn(model_dir: str):
    path = os.path.join(model_dir, MODEL_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError("%s not found in %s: the model archive must hold %s at its root"
                                % (MODEL_FILE, model_dir, MODEL_FILE))
    return joblib.load(path)


def _split_media_type(header: str) -> Tuple[str, Dict[str, str]]:
    media, _, rest = header.partition(";")
    params = {}
    for item in rest.split(";"):
        key, _, value = item.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), params


def _decode(body: Union[str, bytes, bytearray], charset: str) -> str:
    if isinstance(body, str):
        return body
    if not isinstance(body, (bytes, bytearray)):
        raise ValueError("request body must be text or bytes, got %s" % type(body).__name__)
    try:
        return bytes(body).decode(charset)
    except LookupError:
        raise ValueError("unsupported charset %r in Content-Type: send UTF-8" % charset)
    except UnicodeDecodeError as error:
        raise ValueError("request body is not valid %s (byte %d): send UTF-8 text" % (charset, error.start))


def _json_instances(text: str) -> List[object]:
    try:
        document = json.loads(text)
    except ValueError as error:
        raise ValueError("request body is not valid JSON (%s): send {\"instances\": [\"review text\", ...]}"
                         % error)
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        if "instances" not in document:
            raise ValueError("JSON object has no \"instances\" key (keys: %s): send {\"instances\": [\"review "
                             "text\", ...]}" % ", ".join(sorted(str(key) for key in document)))
        document = document["instances"]
        if isinstance(document, str):
            return [document]
    if not isinstance(document, list):
        raise ValueError("\"instances\" must be a list of review texts, got %s" % type(document).__name__)
    return document


def _csv_instances(text: str) -> List[object]:
    try:
        return [record[0] for record in csv.reader(io.StringIO(text), strict=True) if record]
    except csv.Error as error:
        raise ValueError("request body is not valid CSV (%s): send one quoted review per line" % error)


def input_fn(request_body: Union[str, bytes, bytearray], request_content_type: str = JSON) -> List[str]:
    media, params = _split_media_type(request_content_type or JSON)
    text = _decode(request_body, params.get("charset", "utf-8")).lstrip("\ufeff")
    if media == JSON:
        instances = _json_instances(text)
    elif media == CSV:
        instances = _csv_instances(text)
    else:
        raise ValueError("unsupported Content-Type %r: send application/json or text/csv" % request_content_type)
    if not instances:
        raise ValueError("the request holds no reviews: send at least one review text")
    texts = []
    for index, instance in enumerate(instances):
        if not isinstance(instance, str):
            raise ValueError("instance %d must be a string (the review text), got %s"
                             % (index, type(instance).__name__))
        cleaned = clean_text(instance)
        if not cleaned:
            raise ValueError("instance %d is empty once HTML and whitespace are removed: send review text" % index)
        texts.append(cleaned)
    return texts


# A request of up to this many reviews is scored by _LinearTextScorer; a larger batch goes through predict_proba,
# whose per-call set-up is then shared by many rows.
FAST_PATH_MAX_TEXTS = 8


class _LinearTextScorer:
    """predict_proba of a fitted Pipeline(TfidfVectorizer, LogisticRegression) for a few reviews, without
    scikit-learn's per-call validation and sparse-matrix set-up, which take most of one review's time. The
    arithmetic is the pipeline's own: the vectorizer's analyzer and vocabulary, sublinear tf, idf and the l2
    norm, summed in column order as scipy does, then the linear model's softmax (multinomial) or normalized
    logistic (one-vs-rest). `for_model` builds it only for that exact pipeline, and only when it agrees with
    predict_proba on probe texts; any other model is scored by predict_proba alone."""

    PROBES = ("great product works well", "broke after a day returning it", "it is okay i guess", "zzzz")

    def __init__(self, vectorizer, classifier, multinomial: bool):
        self._analyze = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = vectorizer.idf_.tolist() if vectorizer.use_idf else None
        self._sublinear = bool(vectorizer.sublinear_tf)
        self._coef = [row.tolist() for row in classifier.coef_]
        self._intercept = [float(value) for value in classifier.intercept_]
        self._multinomial = multinomial

    @classmethod
    def for_model(cls, model):
        try:
            from sklearn.feature_extraction.text import TfidfVectorizer
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import Pipeline
        except ImportError:
            return None
        if not isinstance(model, Pipeline) or len(model.steps) != 2:
            return None
        (_, vectorizer), (_, classifier) = model.steps
        if not (isinstance(vectorizer, TfidfVectorizer) and isinstance(classifier, LogisticRegression)):
            return None
        if vectorizer.binary or vectorizer.norm != "l2" or len(classifier.classes_) < 2:
            return None
        multi_class = getattr(classifier, "multi_class", "auto")
        multinomial = multi_class == "multinomial" or (
            multi_class in ("auto", "deprecated") and len(classifier.classes_) > 2 and classifier.solver != "liblinear")
        scorer = cls(vectorizer, classifier, multinomial)
        expected = model.predict_proba(list(cls.PROBES)).tolist()
        for text, row in zip(cls.PROBES, expected):
            got = scorer.probabilities(text)
            if len(got) != len(row) or any(abs(a - b) > 1e-9 for a, b in zip(got, row)):
                return None
        return scorer

    def probabilities(self, text: str) -> List[float]:
        counts: Dict[int, int] = {}
        vocabulary = self._vocabulary
        for term in self._analyze(text):
            column = vocabulary.get(term)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        columns = sorted(counts)
        values = []
        for column in columns:
            value = float(counts[column])
            if self._sublinear:
                value = math.log(value) + 1.0
            if self._idf is not None:
                value *= self._idf[column]
            values.append(value)
        squares = 0.0
        for value in values:
            squares += value * value
        if squares != 0.0:
            norm = math.sqrt(squares)
            values = [value / norm for value in values]
        decision = []
        for weights, intercept in zip(self._coef, self._intercept):
            total = 0.0
            for column, value in zip(columns, values):
                total += value * weights[column]
            decision.append(total + intercept)
        if len(decision) == 1:
            positive = _expit(decision[0])
            return [1.0 - positive, positive]
        if self._multinomial:
            top = max(decision)
            exps = [math.exp(value - top) for value in decision]
            total = sum(exps)
            return [value / total for value in exps]
        logistic = [_expit(value) for value in decision]
        total = sum(logistic)
        return [value / total for value in logistic]


def _expit(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value)) if value >= 0 else math.exp(value) / (1.0 + math.exp(value))


_SCORERS: Dict[int, Tuple[object, Optional[_LinearTextScorer]]] = {}


def _scorer_for(model) -> Optional[_LinearTextScorer]:
    """The fast scorer for this model object, built once per worker (None: predict_proba serves it)."""
    cached = _SCORERS.get(id(model))
    if cached is None or cached[0] is not model:
        cached = (model, _LinearTextScorer.for_model(model))
        _SCORERS[id(model)] = cached
    return cached[1]


def _predict_proba(input_data: Sequence[str], model) -> List[List[float]]:
    """Each review's class probabilities, in the order of model.classes_."""
    scorer = _scorer_for(model) if len(input_data) <= FAST_PATH_MAX_TEXTS else None
    if scorer is not None:
        return [scorer.probabilities(text) for text in input_data]
    return model.predict_proba(input_data).tolist()


def predict_fn(input_data: Sequence[str], model) -> List[Prediction]:
    probabilities = _predict_proba(input_data, model)
    classes = [str(label) for label in model.classes_]
    predictions: List[Prediction] = []
    for row in probabilities:
        best = max(range(len(row)), key=row.__getitem__)
        scores = {label: round(score, SCORE_DECIMALS) for label, score in zip(classes, row)}
        predictions.append({"label": classes[best], "scores": scores})
    return predictions


def _choose_accept(accept: str) -> str:
    """The first supported media type in an Accept header; `*/*` or nothing means DEFAULT_ACCEPT."""
    if not accept:
        return DEFAULT_ACCEPT
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in SUPPORTED:
            return media
        if media in ("*/*", "application/*", ""):
            return DEFAULT_ACCEPT if media != "application/*" else JSON
        if media == "text/*":
            return CSV
    raise ValueError("unsupported Accept %r: ask for application/json or text/csv" % accept)


def output_fn(prediction: Sequence[Prediction], accept: str = JSON) -> Tuple[str, str]:
    """(body, content type): the tuple form both scikit-learn serving stacks turn into the response."""
    media = _choose_accept(accept)
    if media == CSV:
        return "".join("%s\n" % item["label"] for item in prediction), CSV
    return json.dumps({"predictions": list(prediction)}, separators=(",", ":")), JSON
