#!/usr/bin/env python3
"""Train step of the BERT variant: a BERT sequence classifier (transformers), in SageMaker PyTorch script mode.

The PyTorch estimator unpacks this folder (train.py, inference.py, requirements.txt) into /opt/ml/code, installs
requirements.txt (transformers, tokenizers) and runs

    python train.py --epochs 3 --pretrained-model none

with the channels in `SM_CHANNEL_TRAIN` / `SM_CHANNEL_VALIDATION` (`label,text` CSVs from preprocess.py).

- `--pretrained-model none` (the default, and what local runs and tests use): a small BERT (2 layers, hidden size
  128) trained from scratch, with a WordPiece vocabulary trained on the train split. Nothing is downloaded.
- `--pretrained-model bert-base-uncased` (on SageMaker): fine-tunes that checkpoint from the Hugging Face hub. A
  directory holding a saved model and tokenizer (`save_pretrained`) is loaded the same way.

Runs on CUDA when the machine has it. Writes the model for serving to `$SM_MODEL_DIR`: `model.pt` (the network
traced to TorchScript: input ids and attention mask in, logits out), `vocab.txt`, `model_config.json`, and
`code/inference.py` (copied from next to this file), so model.tar.gz is ready for the PyTorch inference image and
serving needs PyTorch only. Logs `validation_accuracy=<float>` after every epoch for the MetricDefinitions regex.

A handled failure (bad hyperparameter, no usable rows, one class only, a pretrained model that is not BERT, ...)
writes a one-line reason to `$SM_OUTPUT_DIR/failure` (SageMaker's FailureReason) and exits 1. Paths move as in
seed/train.py: `--model-dir`, `--train`, `--validation`, `--output-dir`, the `SM_*` variables, `SAGEMAKER_BASE_DIR`.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import json
import math
import os
import random
import shutil
import sys
import time
import traceback
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

# OpenMP threads that spin while they wait multiply a small model's CPU time tenfold on shared cores (a laptop running
# the local server, a CI box); waiting passively costs nothing measurable. A value the caller set wins. It must be
# set before torch loads, which reads it once.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

LABELS = ("negative", "neutral", "positive")
INFERENCE_SCRIPT = "inference.py"
NO_PRETRAINED_MODEL = "none"
# Learning rates that work for each mode when --learning-rate is not given.
SCRATCH_LEARNING_RATE = 5e-4
FINE_TUNING_LEARNING_RATE = 5e-5
# The traced network must give the trained one's logits to within this.
TRACE_TOLERANCE = 1e-4


class TrainingError(Exception):
    """A failure with a reason worth showing as the job's FailureReason."""


def opt_ml(*parts: str) -> str:
    """A path under /opt/ml, or under $SAGEMAKER_BASE_DIR when a local runner moved the tree."""
    return os.path.join(os.environ.get("SAGEMAKER_BASE_DIR", "/opt/ml"), *parts)


def read_labelled_dir(directory: str) -> Tuple[List[str], List[str], int]:
    """(texts, labels, rows skipped) from every *.csv with a `label,text` header in a channel directory."""
    if not os.path.isdir(directory):
        raise FileNotFoundError(directory)
    texts: List[str] = []
    labels: List[str] = []
    skipped = 0
    for name in sorted(os.listdir(directory)):
        if not name.lower().endswith(".csv"):
            continue
        with open(os.path.join(directory, name), encoding="utf-8", errors="replace", newline="") as handle:
            for record in csv.DictReader(handle):
                label, text = (record.get("label") or "").strip(), (record.get("text") or "").strip()
                if label in LABELS and text:
                    labels.append(label)
                    texts.append(text)
                else:
                    skipped += 1
    return texts, labels, skipped


def integer(name: str, low: int, high: Optional[int] = None):
    """An argparse type for an integer hyperparameter; accepts "2.0" (script mode may pass JSON numbers)."""
    def parse(value: str) -> int:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be an integer, got %r" % (name, value))
        if number != int(number) or number < low or (high is not None and number > high):
            bounds = "%d..%d" % (low, high) if high is not None else ">= %d" % low
            raise argparse.ArgumentTypeError("%s must be an integer %s, got %r" % (name, bounds, value))
        return int(number)
    return parse


def positive_float(name: str):
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError("%s must be a number, got %r" % (name, value))
        if not number > 0 or number == float("inf"):
            raise argparse.ArgumentTypeError("%s must be a number above 0, got %r" % (name, value))
        return number
    return parse


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise TrainingError("bad hyperparameter or argument: %s" % message)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    env = os.environ
    parser = _Parser(description="Train the BERT review sentiment model (SageMaker PyTorch script mode).")
    parser.add_argument("--pretrained-model", default=NO_PRETRAINED_MODEL,
                        help="'none': a small BERT from scratch; else a hub name (bert-base-uncased) or a directory "
                             "saved with save_pretrained, fine-tuned")
    parser.add_argument("--epochs", type=integer("--epochs", 1, 100), default=4)
    parser.add_argument("--batch-size", type=integer("--batch-size", 1, 4096), default=32)
    parser.add_argument("--learning-rate", type=positive_float("--learning-rate"), default=None,
                        help="default %g from scratch, %g when fine-tuning"
                             % (SCRATCH_LEARNING_RATE, FINE_TUNING_LEARNING_RATE))
    parser.add_argument("--max-length", type=integer("--max-length", 8, 512), default=128,
                        help="tokens per review, [CLS] and [SEP] included; longer reviews are cut")
    parser.add_argument("--warmup-ratio", type=float, default=0.1)
    parser.add_argument("--seed", type=integer("--seed", 0), default=42)
    # The small BERT's shape (from scratch only).
    parser.add_argument("--vocab-size", type=integer("--vocab-size", 100, 100000), default=8000)
    parser.add_argument("--hidden-size", type=integer("--hidden-size", 16, 1024), default=128)
    parser.add_argument("--layers", type=integer("--layers", 1, 24), default=2)
    parser.add_argument("--heads", type=integer("--heads", 1, 16), default=2)
    parser.add_argument("--intermediate-size", type=integer("--intermediate-size", 16, 8192), default=512)
    parser.add_argument("--model-dir", default=env.get("SM_MODEL_DIR") or opt_ml("model"))
    parser.add_argument("--train", default=env.get("SM_CHANNEL_TRAIN") or opt_ml("input", "data", "train"))
    parser.add_argument("--validation",
                        default=env.get("SM_CHANNEL_VALIDATION") or opt_ml("input", "data", "validation"))
    parser.add_argument("--output-dir", default=env.get("SM_OUTPUT_DIR") or opt_ml("output"),
                        help="the failure file is written here")
    args = parser.parse_args(argv)
    if not 0.0 <= args.warmup_ratio < 1.0:
        raise TrainingError("bad hyperparameter: --warmup-ratio must be in [0, 1), got %s" % args.warmup_ratio)
    if args.hidden_size % args.heads:
        raise TrainingError("bad hyperparameter: --hidden-size (%d) must be a multiple of --heads (%d)"
                            % (args.hidden_size, args.heads))
    if args.learning_rate is None:
        args.learning_rate = (SCRATCH_LEARNING_RATE if args.pretrained_model == NO_PRETRAINED_MODEL
                              else FINE_TUNING_LEARNING_RATE)
    return args


def log(message: str) -> None:
    print(message, flush=True)


def load_inference_module():
    """inference.py from next to this file, imported as `inference`: its tokenizer turns texts into ids here exactly
    as in serving."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), INFERENCE_SCRIPT)
    if not os.path.isfile(path):
        raise TrainingError("%s is missing next to train.py: ship both in the estimator's source dir"
                            % INFERENCE_SCRIPT)
    loaded = sys.modules.get("inference")
    if loaded is not None and os.path.abspath(getattr(loaded, "__file__", "")) == path:
        return loaded
    spec = importlib.util.spec_from_file_location("inference", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["inference"] = module
    spec.loader.exec_module(module)
    return module


def train_vocabulary(texts: Sequence[str], vocab_size: int, special_tokens: Sequence[str]) -> List[str]:
    """A WordPiece vocabulary (uncased, accents stripped) trained on the texts, special tokens first, in id order."""
    from tokenizers import BertWordPieceTokenizer

    trainer = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    trainer.train_from_iterator(list(texts), vocab_size=vocab_size, min_frequency=2,
                                special_tokens=list(special_tokens), show_progress=False)
    ids = trainer.get_vocab()
    return sorted(ids, key=ids.__getitem__)


def scratch_model(args: argparse.Namespace, vocabulary: Sequence[str], pad_id: int):
    """A small BertForSequenceClassification with fresh weights."""
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(
        vocab_size=len(vocabulary), hidden_size=args.hidden_size, num_hidden_layers=args.layers,
        num_attention_heads=args.heads, intermediate_size=args.intermediate_size,
        max_position_embeddings=args.max_length, pad_token_id=pad_id, num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)), label2id={label: index for index, label in enumerate(LABELS)},
        # The eager attention traces to TorchScript the same for every batch and sequence length.
        attn_implementation="eager")
    return BertForSequenceClassification(config)


def pretrained_model(name: str, max_length: int):
    """(model, vocabulary, lowercase, strip_accents) of a BERT checkpoint: a hub name or a saved directory, loaded
    with transformers' own from_pretrained, with a new classification head for the three labels."""
    from transformers import AutoConfig, AutoTokenizer, BertForSequenceClassification

    try:
        config = AutoConfig.from_pretrained(name)
        if config.model_type != "bert":
            raise TrainingError("the pretrained model %r is a %s model; this script fine-tunes BERT checkpoints "
                                "(such as bert-base-uncased)" % (name, config.model_type))
        tokenizer = AutoTokenizer.from_pretrained(name)
        model = BertForSequenceClassification.from_pretrained(
            name, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
            label2id={label: index for index, label in enumerate(LABELS)}, attn_implementation="eager")
    except (OSError, ValueError) as error:
        raise TrainingError("cannot load the pretrained model %r: %s (give a model hub name such as "
                            "bert-base-uncased, a directory saved with save_pretrained, or none)"
                            % (name, str(error).strip().splitlines()[0]))
    vocab = getattr(tokenizer, "vocab", None)
    if not isinstance(vocab, dict):
        raise TrainingError("the tokenizer of %r has no WordPiece vocabulary" % name)
    if max_length > model.config.max_position_embeddings:
        raise TrainingError("--max-length %d is more than %r takes (%d positions)"
                            % (max_length, name, model.config.max_position_embeddings))
    lowercase = bool(getattr(tokenizer, "do_lower_case", True))
    strip_accents = tokenizer.init_kwargs.get("strip_accents")
    return model, sorted(vocab, key=vocab.__getitem__), lowercase, strip_accents


class LogitsOnly(torch.nn.Module):
    """The classifier as the traced network presents it: (input_ids, attention_mask) in, logits out."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask, return_dict=False)[0]


def accuracy(expected: Sequence[str], predicted: Sequence[str]) -> float:
    if not expected:
        raise ValueError("accuracy of an empty set is undefined")
    return sum(1 for a, b in zip(expected, predicted) if a == b) / float(len(expected))


def predict_labels(network, tokenizer, encoded: Sequence[Sequence[int]], device, batch_size: int = 128) -> List[str]:
    labels: List[str] = []
    with torch.inference_mode():
        for start in range(0, len(encoded), batch_size):
            input_ids, attention_mask = tokenizer.batch(encoded[start:start + batch_size])
            logits = network(input_ids.to(device), attention_mask.to(device))
            labels.extend(LABELS[index] for index in logits.argmax(dim=-1).tolist())
    return labels


def fit(model, tokenizer, encoded: Sequence[Sequence[int]], targets: Sequence[int], args: argparse.Namespace,
        device, validation: Tuple[Sequence[Sequence[int]], Sequence[str]]) -> Dict[str, object]:
    """AdamW with linear warm-up and decay, gradient clipping; validation accuracy after every epoch, and the
    weights of the epoch that scored best on it kept at the end (the test split stays unseen)."""
    generator = random.Random(args.seed)
    batches_per_epoch = math.ceil(len(encoded) / args.batch_size)
    total_steps = batches_per_epoch * args.epochs
    warmup_steps = max(1, int(total_steps * args.warmup_ratio))
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup_steps, max(0.0, (total_steps - step) / total_steps)))
    logits_of = LogitsOnly(model)
    result: Dict[str, object] = {}
    best: Optional[Tuple[float, int, Dict[str, torch.Tensor]]] = None
    order = list(range(len(encoded)))
    for epoch in range(1, args.epochs + 1):
        started = time.perf_counter()
        model.train()
        generator.shuffle(order)
        loss_sum = 0.0
        for start in range(0, len(order), args.batch_size):
            rows = order[start:start + args.batch_size]
            input_ids, attention_mask = tokenizer.batch([encoded[row] for row in rows])
            labels = torch.tensor([targets[row] for row in rows], dtype=torch.long, device=device)
            logits = logits_of(input_ids.to(device), attention_mask.to(device))
            loss = torch.nn.functional.cross_entropy(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            loss_sum += float(loss) * len(rows)
        line = "epoch %d/%d: train_loss=%.6f" % (epoch, args.epochs, loss_sum / len(order))
        result["train_loss"] = round(loss_sum / len(order), 6)
        if validation[0]:
            model.eval()
            score = accuracy(validation[1], predict_labels(logits_of, tokenizer, validation[0], device))
            line += " validation_accuracy=%.6f" % score
            if best is None or score > best[0]:
                best = (score, epoch, {name: value.detach().to("cpu", copy=True)
                                       for name, value in model.state_dict().items()})
        log("%s (%.1f s)" % (line, time.perf_counter() - started))
    if best is not None:
        if best[1] != args.epochs:
            model.load_state_dict(best[2])
        log("keeping epoch %d's weights: validation_accuracy=%.6f" % (best[1], best[0]))
        result.update(validation_accuracy=best[0], best_epoch=best[1])
    return result


@contextlib.contextmanager
def quiet_transformers():
    """transformers' own log at error level only (tracing reads properties that log notes about the loss)."""
    from transformers.utils import logging as transformers_logging

    level = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(level)


def trace(model, tokenizer, encoded: Sequence[Sequence[int]]):
    """The classifier traced to TorchScript on the CPU (loadable anywhere, moved to CUDA by map_location), checked
    against the trained network on batches of other sizes and lengths than the one it was traced with."""
    network = LogitsOnly(model.to("cpu").eval())
    with torch.no_grad():
        with warnings.catch_warnings(), quiet_transformers():
            # Tracing probes deprecated attributes and notes Python-level shapes; the check below is what counts.
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", torch.jit.TracerWarning)
            traced = torch.jit.trace(network, tokenizer.batch(encoded[:2]))
        for sample in (encoded[:1], encoded[-5:]):
            input_ids, attention_mask = tokenizer.batch(sample)
            difference = (traced(input_ids, attention_mask) - network(input_ids, attention_mask)).abs().max()
            if float(difference) > TRACE_TOLERANCE:
                raise TrainingError("the traced network differs from the trained one by %.2g; "
                                    "it cannot be served" % float(difference))
    return traced


def save(traced, vocabulary: Sequence[str], config: Dict[str, object], model_dir: str, inference_source: str) -> None:
    code_dir = os.path.join(model_dir, "code")
    os.makedirs(code_dir, exist_ok=True)
    torch.jit.save(traced, os.path.join(model_dir, "model.pt"))
    with open(os.path.join(model_dir, "vocab.txt"), "w", encoding="utf-8") as handle:
        handle.writelines(token + "\n" for token in vocabulary)
    with open(os.path.join(model_dir, "model_config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    shutil.copyfile(inference_source, os.path.join(code_dir, INFERENCE_SCRIPT))
    log("saved model.pt, vocab.txt, model_config.json and code/%s to %s" % (INFERENCE_SCRIPT, model_dir))


def train(args: argparse.Namespace) -> Dict[str, object]:
    try:
        texts, labels, skipped = read_labelled_dir(args.train)
    except FileNotFoundError:
        raise TrainingError("train channel %s does not exist: give the job a `train` input" % args.train)
    if not texts:
        raise TrainingError("no usable rows in the train channel %s (%d skipped): expected CSVs with a "
                            "label,text header and labels %s" % (args.train, skipped, "/".join(LABELS)))
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise TrainingError("the train channel has only the class %r: a classifier needs at least two"
                            % classes[0])
    inference = load_inference_module()
    torch.manual_seed(args.seed)
    device = inference.select_device()
    if args.pretrained_model == NO_PRETRAINED_MODEL:
        vocabulary = train_vocabulary(texts, args.vocab_size, inference.SPECIAL_TOKENS)
        tokenizer = inference.WordPieceTokenizer(vocabulary, lowercase=True)
        model = scratch_model(args, vocabulary, tokenizer.pad_id)
        log("a small BERT from scratch: %d layers, hidden size %d, %d heads, vocabulary of %d WordPieces"
            % (args.layers, args.hidden_size, args.heads, len(vocabulary)))
    else:
        model, vocabulary, lowercase, strip_accents = pretrained_model(args.pretrained_model, args.max_length)
        tokenizer = inference.WordPieceTokenizer(vocabulary, lowercase=lowercase, strip_accents=strip_accents)
        log("fine-tuning %s (%d layers, hidden size %d)"
            % (args.pretrained_model, model.config.num_hidden_layers, model.config.hidden_size))
    log("training on %d rows (%d skipped), classes %s, on %s" % (len(texts), skipped, ", ".join(classes), device))

    encoded = [tokenizer.encode(text, args.max_length) for text in texts]
    targets = [LABELS.index(label) for label in labels]
    validation_texts, validation_labels = _validation_rows(args.validation)
    validation = ([tokenizer.encode(text, args.max_length) for text in validation_texts], validation_labels)
    model.to(device)
    started = time.perf_counter()
    result = fit(model, tokenizer, encoded, targets, args, device, validation)
    seconds = time.perf_counter() - started
    result.update({"train_rows": len(texts), "train_seconds": round(seconds, 3), "device": device.type})
    log("train_seconds=%.3f" % seconds)

    traced = trace(model, tokenizer, encoded)
    config: Dict[str, object] = {
        "labels": list(LABELS),
        "max_length": args.max_length,
        "lowercase": tokenizer.lowercase,
        "strip_accents": tokenizer.strip_accents,
        "architecture": "BertForSequenceClassification",
        "pretrained_model": args.pretrained_model,
        "layers": model.config.num_hidden_layers,
        "hidden_size": model.config.hidden_size,
    }
    save(traced, vocabulary, config, args.model_dir, inference.__file__)
    return result


def _validation_rows(directory: str) -> Tuple[List[str], List[str]]:
    try:
        texts, labels, _ = read_labelled_dir(directory)
    except FileNotFoundError:
        log("no validation channel at %s: validation_accuracy not computed" % directory)
        return [], []
    if not texts:
        log("the validation channel %s has no usable rows: validation_accuracy not computed" % directory)
    return texts, labels


def write_failure(output_dir: str, reason: str) -> None:
    """One line in <output>/failure, which SageMaker reports as the FailureReason. Also the last stderr line,
    because the training toolkit may overwrite the file with its own message and the tail of stderr.
    Creates at most the output directory itself, so a run outside an /opt/ml tree writes nothing outside it."""
    print(reason, file=sys.stderr, flush=True)
    if not os.path.isdir(os.path.dirname(os.path.abspath(output_dir))):
        print("not writing the failure file: %s has no parent directory" % output_dir, file=sys.stderr)
        return
    try:
        os.makedirs(output_dir, exist_ok=True)
        with open(os.path.join(output_dir, "failure"), "w", encoding="utf-8") as handle:
            handle.write(reason.replace("\n", " ") + "\n")
    except OSError as error:
        print("could not write the failure file in %s: %s" % (output_dir, error), file=sys.stderr)


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
    output_dir = flag_value(argv, "--output-dir", os.environ.get("SM_OUTPUT_DIR") or opt_ml("output"))
    try:
        args = parse_args(argv)
        result = train(args)
    except TrainingError as error:
        write_failure(output_dir, str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - anything else still deserves a FailureReason
        traceback.print_exc()
        write_failure(output_dir, "unexpected error: %s: %s" % (type(error).__name__, error))
        return 1
    log(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
