"""Serving handlers for the BERT review sentiment model (SageMaker PyTorch inference container contract).

Lives in model.tar.gz at `code/inference.py` (train.py copies it there); the container runs it with
`SAGEMAKER_PROGRAM=inference.py` and `SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code`. The archive holds:

    model.pt            the trained BertForSequenceClassification, traced to TorchScript (input ids and attention
                        mask in, logits out), so serving needs PyTorch only: no transformers, no pip at start-up,
                        and it works on an endpoint with network isolation
    vocab.txt           the WordPiece vocabulary, one token per line (the line number is the token id)
    model_config.json   {"labels": [...], "max_length": 128, "lowercase": true, "strip_accents": true, ...}

    model_fn(model_dir)                   -> a SentimentModel (tokenizer + network), on CUDA when there is one
    input_fn(body, content_type)          -> list of cleaned review texts
    predict_fn(texts, model)              -> [{"label": ..., "scores": {label: probability}}]
    output_fn(prediction, accept)         -> (body, content type)

The requests and responses are the scikit-learn endpoint's, byte for byte (seed/inference.py; the shared parts are
identical copies, which seed/tests/test_scripts_standalone.py keeps in step). train.py imports the tokenizer
from this file, so training and serving turn a text into the same token ids.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import unicodedata
from typing import Dict, List, Optional, Sequence, Tuple, Union

# OpenMP threads that spin while they wait multiply a small model's CPU time tenfold on shared cores (a laptop running
# the local server, a CI box); waiting passively costs nothing measurable. A value the caller set wins. It must be
# set before torch loads, which reads it once.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

MODEL_FILE = "model.pt"
VOCAB_FILE = "vocab.txt"
CONFIG_FILE = "model_config.json"
JSON = "application/json"
CSV = "text/csv"
SUPPORTED = (JSON, CSV)
# What `*/*` or a missing Accept means; the serving toolkits read the same variable.
DEFAULT_ACCEPT = os.environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", JSON).split(";")[0].strip().lower()
SCORE_DECIMALS = 6

# BERT's special tokens, in the order a vocabulary trained by train.py puts them first.
PAD, UNK, CLS, SEP, MASK = "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"
SPECIAL_TOKENS = (PAD, UNK, CLS, SEP, MASK)
SUBWORD_PREFIX = "##"
# A longer "word" is one [UNK], as in BERT's WordPiece.
MAX_CHARS_PER_WORD = 100
# Texts per forward pass: bounds memory for large requests and for the evaluation job.
PREDICT_BATCH = 64

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


# CJK ideographs, which BERT splits into one token each (the blocks the `tokenizers` library's BERT normalizer
# lists; its sixth range starts at U+2B920, not at U+2B820 as the older Python tokenizer's does).
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
               (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_cjk(code: int) -> bool:
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _is_punctuation(char: str) -> bool:
    """ASCII symbols count as punctuation too ("$", "^", "`"), as in BERT."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


class WordPieceTokenizer:
    """BERT's uncased (or cased) tokenization, in plain Python: normalize (drop control characters, space out CJK
    ideographs, strip accents, lowercase), split on whitespace and punctuation, then greedy longest-match-first
    WordPiece over the vocabulary. It gives the ids the `tokenizers` library's BertWordPieceTokenizer and
    transformers' BertTokenizerFast give for the same vocabulary and flags (tests/bert compares them), without
    either installed."""

    def __init__(self, vocabulary: Sequence[str], lowercase: bool = True, strip_accents: Optional[bool] = None):
        self.vocabulary = list(vocabulary)
        self.ids = {token: index for index, token in enumerate(self.vocabulary)}
        missing = [token for token in (PAD, UNK, CLS, SEP) if token not in self.ids]
        if missing:
            raise ValueError("the vocabulary has no %s token: it is not a BERT WordPiece vocabulary"
                             % ", ".join(missing))
        if len(self.ids) != len(self.vocabulary):
            raise ValueError("the vocabulary lists a token twice")
        self.lowercase = lowercase
        self.strip_accents = lowercase if strip_accents is None else strip_accents
        self.pad_id, self.unk_id = self.ids[PAD], self.ids[UNK]
        self.cls_id, self.sep_id = self.ids[CLS], self.ids[SEP]

    def normalize(self, text: str) -> str:
        chars = []
        for char in text:
            code = ord(char)
            category = unicodedata.category(char)
            if code == 0 or code == 0xFFFD or (category.startswith("C") and char not in "\t\n\r"):
                continue
            if char in "\t\n\r" or category in ("Zs", "Zl", "Zp"):
                chars.append(" ")
            elif _is_cjk(code):
                chars.extend((" ", char, " "))
            else:
                chars.append(char)
        text = "".join(chars)
        if text.isascii():
            return text.lower() if self.lowercase else text
        if self.strip_accents:
            text = "".join(char for char in unicodedata.normalize("NFD", text)
                           if unicodedata.category(char) != "Mn")
        # Character by character, as BERT's normalizer does (str.lower() would apply Greek final sigma).
        return "".join(char.lower() for char in text) if self.lowercase else text

    def words(self, text: str) -> List[str]:
        """Whitespace-separated pieces, with every punctuation character a word of its own."""
        words: List[str] = []
        for piece in self.normalize(text).split():
            start = 0
            for index, char in enumerate(piece):
                if _is_punctuation(char):
                    if index > start:
                        words.append(piece[start:index])
                    words.append(char)
                    start = index + 1
            if start < len(piece):
                words.append(piece[start:])
        return words

    def word_ids(self, word: str) -> List[int]:
        if len(word) > MAX_CHARS_PER_WORD:
            return [self.unk_id]
        ids: List[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else SUBWORD_PREFIX + word[start:end]
                if piece in self.ids:
                    ids.append(self.ids[piece])
                    break
                end -= 1
            if end == start:  # no piece of the vocabulary starts here: the whole word is unknown
                return [self.unk_id]
            start = end
        return ids

    def encode(self, text: str, max_length: int) -> List[int]:
        """[CLS] tokens [SEP], the tokens cut so that the whole fits in max_length."""
        ids: List[int] = []
        for word in self.words(text):
            ids.extend(self.word_ids(word))
            if len(ids) >= max_length - 2:
                break
        return [self.cls_id] + ids[:max_length - 2] + [self.sep_id]

    def batch(self, encoded: Sequence[Sequence[int]]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(input ids, attention mask), padded with [PAD] to the longest sequence rounded up to a multiple of 8
        (fewer distinct shapes for the CPU kernels to prepare)."""
        width = max(len(ids) for ids in encoded)
        width = (width + 7) // 8 * 8
        input_ids = torch.full((len(encoded), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(encoded), width), dtype=torch.long)
        for row, ids in enumerate(encoded):
            input_ids[row, :len(ids)] = torch.tensor(ids, dtype=torch.long)
            attention_mask[row, :len(ids)] = 1
        return input_ids, attention_mask


def read_vocabulary(path: str) -> List[str]:
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


class SentimentModel:
    """The traced network and its tokenizer, with the scikit-learn classifier's `classes_` and `predict_proba`, so
    predict_fn reads exactly as the scikit-learn endpoint's does."""

    def __init__(self, network, tokenizer: WordPieceTokenizer, labels: Sequence[str], max_length: int,
                 device: torch.device):
        self.network = network
        self.tokenizer = tokenizer
        self.classes_ = list(labels)
        self.max_length = max_length
        self.device = device

    def predict_proba(self, texts: Sequence[str]) -> torch.Tensor:
        """One row of class probabilities per text, in `classes_` order (a CPU tensor; `.tolist()` gives lists)."""
        rows = []
        with torch.inference_mode():
            for start in range(0, len(texts), PREDICT_BATCH):
                encoded = [self.tokenizer.encode(text, self.max_length) for text in texts[start:start + PREDICT_BATCH]]
                input_ids, attention_mask = self.tokenizer.batch(encoded)
                logits = self.network(input_ids.to(self.device), attention_mask.to(self.device))
                rows.append(torch.softmax(logits.float(), dim=-1).cpu())
        return torch.cat(rows) if rows else torch.empty((0, len(self.classes_)))


def select_device() -> torch.device:
    """CUDA when the machine has a GPU PyTorch can use (a GPU instance type), else the CPU: training and serving
    both choose here, so a model trained on either runs on either."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_fn(model_dir: str) -> SentimentModel:
    for name in (MODEL_FILE, VOCAB_FILE, CONFIG_FILE):
        if not os.path.isfile(os.path.join(model_dir, name)):
            raise FileNotFoundError("%s not found in %s: the model archive must hold %s, %s and %s at its root "
                                    "(train.py writes them)" % (name, model_dir, MODEL_FILE, VOCAB_FILE, CONFIG_FILE))
    with open(os.path.join(model_dir, CONFIG_FILE), encoding="utf-8") as handle:
        config = json.load(handle)
    tokenizer = WordPieceTokenizer(read_vocabulary(os.path.join(model_dir, VOCAB_FILE)),
                                   lowercase=bool(config["lowercase"]), strip_accents=config.get("strip_accents"))
    device = select_device()
    network = torch.jit.load(os.path.join(model_dir, MODEL_FILE), map_location=device)
    network.eval()
    return SentimentModel(network, tokenizer, config["labels"], int(config["max_length"]), device)


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


def _predict_proba(input_data: Sequence[str], model) -> List[List[float]]:
    """Each review's class probabilities, in the order of model.classes_."""
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
