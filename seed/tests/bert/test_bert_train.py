"""seed/bert/train.py: the small BERT from scratch, fine-tuning a saved checkpoint (the code that loads
bert-base-uncased on SageMaker, run on a tiny BERT saved to disk), the model directory it leaves, its metrics and its
failures."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import torch

from bert_helpers import BERT_DIR, TINY, bert_inference, bert_train
from helpers import labelled_rows, write_labelled

METRIC = re.compile(r"validation_accuracy=([0-9.]+)")  # the pipeline's MetricDefinitions regex


def run_main(argv, capsys=None):
    code = bert_train.main(argv)
    return code, (capsys.readouterr() if capsys else None)


def paths(channels, root):
    return ["--train", str(channels / "train"), "--validation", str(channels / "validation"),
            "--model-dir", str(root / "model"), "--output-dir", str(root / "output")]


def test_the_model_directory_holds_the_traced_network_vocabulary_config_and_serving_code(bert_model_dir):
    assert sorted(os.listdir(bert_model_dir)) == ["code", "model.pt", "model_config.json", "vocab.txt"]
    assert os.listdir(os.path.join(bert_model_dir, "code")) == ["inference.py"]
    with open(os.path.join(BERT_DIR, "inference.py"), "rb") as source, \
            open(os.path.join(bert_model_dir, "code", "inference.py"), "rb") as copy:
        assert copy.read() == source.read()
    with open(os.path.join(bert_model_dir, "model_config.json")) as handle:
        config = json.load(handle)
    assert config == {"labels": ["negative", "neutral", "positive"], "max_length": 64, "lowercase": True,
                      "strip_accents": True, "architecture": "BertForSequenceClassification",
                      "pretrained_model": "none", "layers": 1, "hidden_size": 32}
    vocabulary = bert_inference.read_vocabulary(os.path.join(bert_model_dir, "vocab.txt"))
    assert vocabulary[:5] == list(bert_inference.SPECIAL_TOKENS) and 100 < len(vocabulary) <= 800
    # TorchScript: loadable with PyTorch alone.
    network = torch.jit.load(os.path.join(bert_model_dir, "model.pt"))
    assert isinstance(network, torch.jit.ScriptModule)


def test_it_logs_every_epoch_keeps_the_best_and_serves_what_it_kept(channels, tmp_path, capsys):
    code, out = run_main(TINY + paths(channels, tmp_path), capsys)
    assert code == 0, out.err
    epochs = re.findall(r"^epoch \d/2: .*validation_accuracy=([0-9.]+)", out.out, re.MULTILINE)
    scores = [float(value) for value in epochs]
    assert len(scores) == 2 and all(0.0 <= score <= 1.0 for score in scores)
    # What the pipeline's metric regex reads last is the kept model's score.
    assert float(METRIC.findall(out.out)[-1]) == pytest.approx(max(scores), abs=1e-6)
    assert re.search(r"^epoch 2/2: train_loss=[0-9.]+ validation_accuracy=[0-9.]+ \([0-9.]+ s\)$", out.out,
                     re.MULTILINE)
    summary = json.loads(out.out.strip().splitlines()[-1])
    # The best epoch's weights are kept (the first of equals), and the summary reports that epoch.
    assert summary["validation_accuracy"] == pytest.approx(max(scores), abs=1e-6)
    assert summary["best_epoch"] == scores.index(max(scores)) + 1
    assert "keeping epoch %d's weights" % summary["best_epoch"] in out.out
    assert summary["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    assert summary["train_rows"] == len(labelled_rows(400, seed=11))
    # The traced network in the archive is the kept one: it scores the validation split the same.
    texts = [row.text for row in labelled_rows(120, seed=12)]
    labels = [row.label for row in labelled_rows(120, seed=12)]
    served = bert_inference.model_fn(str(tmp_path / "model"))
    predicted = [item["label"] for item in bert_inference.predict_fn(texts, served)]
    assert bert_train.accuracy(labels, predicted) == pytest.approx(summary["validation_accuracy"], abs=1e-6)


def test_the_defaults_are_the_small_bert_and_the_learning_rate_follows_the_mode(clean_env):
    args = bert_train.parse_args([])
    assert (args.pretrained_model, args.epochs, args.learning_rate, args.layers, args.hidden_size, args.max_length) \
        == ("none", 4, 5e-4, 2, 128, 128)
    assert args.model_dir == os.path.join(clean_env, "model")
    assert args.train == os.path.join(clean_env, "input", "data", "train")
    assert bert_train.parse_args(["--pretrained-model", "bert-base-uncased"]).learning_rate == 5e-5
    assert bert_train.parse_args(["--pretrained-model", "x", "--learning-rate", "1e-4"]).learning_rate == 1e-4
    assert bert_train.parse_args(["--epochs", "2.0"]).epochs == 2  # script mode may pass JSON numbers


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be an integer 1..100"),
    (["--learning-rate", "-1"], "--learning-rate must be a number above 0"),
    (["--hidden-size", "30", "--heads", "4"], "--hidden-size (30) must be a multiple of --heads (4)"),
    (["--max-length", "1000"], "--max-length must be an integer 8..512"),
    (["--warmup-ratio", "1.5"], "--warmup-ratio must be in [0, 1)"),
    (["--dropout", "0.1"], "unrecognized arguments: --dropout 0.1"),
])
def test_a_bad_hyperparameter_fails_with_the_reason_in_the_failure_file(channels, tmp_path, argv, message):
    (tmp_path / "output").mkdir()
    assert run_main(argv + paths(channels, tmp_path))[0] == 1
    assert message in (tmp_path / "output" / "failure").read_text()
    assert not (tmp_path / "model").exists()


def test_missing_or_single_class_data_fails_with_a_reason(tmp_path):
    (tmp_path / "output").mkdir()
    argv = TINY + ["--train", str(tmp_path / "absent"), "--model-dir", str(tmp_path / "model"),
                   "--output-dir", str(tmp_path / "output")]
    assert run_main(argv)[0] == 1
    assert "train channel %s does not exist" % (tmp_path / "absent") in (tmp_path / "output" / "failure").read_text()
    positive = [row for row in labelled_rows(200, seed=1) if row.label == "positive"]
    write_labelled(str(tmp_path / "one"), "train.csv", positive)
    argv[argv.index("--train") + 1] = str(tmp_path / "one")
    assert run_main(argv)[0] == 1
    assert "only the class 'positive'" in (tmp_path / "output" / "failure").read_text()


def test_train_py_without_inference_py_beside_it_fails_saying_so(channels, tmp_path):
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    shutil.copy(os.path.join(BERT_DIR, "train.py"), str(code_dir / "train.py"))
    (tmp_path / "output").mkdir()
    result = subprocess.run([sys.executable, str(code_dir / "train.py")] + TINY + paths(channels, tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "inference.py is missing next to train.py" in (tmp_path / "output" / "failure").read_text()


# --- fine-tuning a pretrained checkpoint ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved_checkpoint(tmp_path_factory):
    """A tiny BERT pretraining checkpoint and its uncased tokenizer, saved the way the hub's bert-base-uncased is
    (config.json, weights, vocab.txt, tokenizer_config.json), so from_pretrained reads it as it would the hub's."""
    from transformers import BertConfig, BertForPreTraining, BertTokenizerFast

    directory = tmp_path_factory.mktemp("checkpoint")
    vocabulary = bert_train.train_vocabulary([row.text for row in labelled_rows(800, seed=21)], 600,
                                             bert_inference.SPECIAL_TOKENS)
    (directory / "vocab.txt").write_text("".join(token + "\n" for token in vocabulary), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(directory / "vocab.txt"), do_lower_case=True).save_pretrained(str(directory))
    torch.manual_seed(7)
    config = BertConfig(vocab_size=len(vocabulary), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=96)
    BertForPreTraining(config).save_pretrained(str(directory))
    return directory


def test_the_pretrained_loader_reads_the_checkpoint_weights_and_its_tokenizer(saved_checkpoint):
    from transformers import BertForPreTraining

    model, vocabulary, lowercase, strip_accents = bert_train.pretrained_model(str(saved_checkpoint), 64)
    saved = BertForPreTraining.from_pretrained(str(saved_checkpoint))
    for name, tensor in saved.bert.encoder.state_dict().items():
        assert torch.equal(model.bert.encoder.state_dict()[name], tensor), name
    assert torch.equal(model.bert.embeddings.word_embeddings.weight, saved.bert.embeddings.word_embeddings.weight)
    assert model.config.num_labels == 3 and model.config.id2label == {0: "negative", 1: "neutral", 2: "positive"}
    assert vocabulary == bert_inference.read_vocabulary(str(saved_checkpoint / "vocab.txt"))
    assert (lowercase, strip_accents) == (True, None)


def test_fine_tuning_a_saved_checkpoint_gives_a_servable_model(saved_checkpoint, channels, tmp_path, capsys):
    argv = ["--pretrained-model", str(saved_checkpoint), "--epochs", "1", "--max-length", "64"]
    code, out = run_main(argv + paths(channels, tmp_path), capsys)
    assert code == 0, out.err
    assert "fine-tuning %s (2 layers, hidden size 32)" % saved_checkpoint in out.out
    with open(tmp_path / "model" / "model_config.json") as handle:
        config = json.load(handle)
    assert config["pretrained_model"] == str(saved_checkpoint) and config["layers"] == 2
    assert (tmp_path / "model" / "vocab.txt").read_text() == (saved_checkpoint / "vocab.txt").read_text()
    served = bert_inference.model_fn(str(tmp_path / "model"))
    for item in bert_inference.predict_fn(["Love it", "Broke in a day"], served):
        assert item["label"] in served.classes_
        assert sum(item["scores"].values()) == pytest.approx(1.0, abs=1e-5)


def test_a_checkpoint_that_is_not_bert_or_not_there_fails_with_a_reason(saved_checkpoint, channels, tmp_path):
    from transformers import DistilBertConfig, DistilBertForMaskedLM

    other = tmp_path / "distilbert"
    DistilBertForMaskedLM(DistilBertConfig(vocab_size=600, dim=32, n_layers=1, n_heads=2, hidden_dim=64)) \
        .save_pretrained(str(other))
    shutil.copy(str(saved_checkpoint / "vocab.txt"), str(other / "vocab.txt"))
    (tmp_path / "output").mkdir()
    assert run_main(["--pretrained-model", str(other)] + paths(channels, tmp_path))[0] == 1
    assert "is a distilbert model; this script fine-tunes BERT checkpoints" in \
        (tmp_path / "output" / "failure").read_text()
    # No hub in tests (HF_HUB_OFFLINE=1): an unknown name fails to load, it is not fetched.
    assert run_main(["--pretrained-model", str(tmp_path / "nothing-here")] + paths(channels, tmp_path))[0] == 1
    assert "cannot load the pretrained model" in (tmp_path / "output" / "failure").read_text()
    assert run_main(["--pretrained-model", str(saved_checkpoint), "--max-length", "128"]
                    + paths(channels, tmp_path))[0] == 1
    assert "--max-length 128 is more than" in (tmp_path / "output" / "failure").read_text()


def test_these_tests_run_on_the_versions_the_pipeline_s_containers_have():
    """requirements.txt's pins (what the training container installs) and the PyTorch version of the pipeline's
    images (build-pipeline/variants/bert.ts) are what this interpreter has, so the tests say how the job behaves."""
    from importlib.metadata import version

    with open(os.path.join(BERT_DIR, "requirements.txt"), encoding="utf-8") as handle:
        pins = dict(line.strip().split("==") for line in handle if "==" in line and not line.startswith("#"))
    assert {name: version(name) for name in pins} == pins
    variant = os.path.join(BERT_DIR, "..", "..", "build-pipeline", "variants", "bert.ts")
    with open(variant, encoding="utf-8") as handle:
        image_version = re.search(r"PYTORCH_VERSION = '([0-9.]+)'", handle.read()).group(1)
    assert torch.__version__.split("+")[0] == image_version
