"""seed/bert/inference.py: the BERT endpoint's handlers answer exactly as the scikit-learn endpoint's do, and serving
needs PyTorch alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from bert_helpers import bert_inference, review_texts


def invoke(model, body, content_type="application/json", accept="application/json"):
    return bert_inference.output_fn(bert_inference.predict_fn(bert_inference.input_fn(body, content_type), model),
                                    accept)


def test_model_fn_loads_the_network_tokenizer_and_labels(bert_model):
    assert bert_model.classes_ == ["negative", "neutral", "positive"]
    assert bert_model.max_length == 64
    assert bert_model.device.type == ("cuda" if bert_inference.torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("cuda, expected", [(True, "cuda"), (False, "cpu")])
def test_the_device_is_cuda_when_pytorch_has_a_gpu_else_the_cpu(monkeypatch, cuda, expected):
    # Choosing allocates nothing, so the CUDA branch is checked on a machine without a GPU too.
    monkeypatch.setattr(bert_inference.torch.cuda, "is_available", lambda: cuda)
    assert bert_inference.select_device() == bert_inference.torch.device(expected)


def test_model_fn_and_train_py_both_choose_the_device_with_select_device(bert_model_dir, channels, tmp_path,
                                                                          monkeypatch):
    from bert_helpers import TINY, bert_train

    chosen = []

    def select_device():
        chosen.append(True)
        return bert_inference.torch.device("cpu")

    monkeypatch.setattr(bert_inference, "select_device", select_device)
    assert bert_inference.model_fn(bert_model_dir).device.type == "cpu" and len(chosen) == 1
    argv = TINY + ["--epochs", "1", "--train", str(channels / "train"), "--validation", str(channels / "validation"),
                   "--model-dir", str(tmp_path / "model"), "--output-dir", str(tmp_path / "output")]
    assert bert_train.main(argv) == 0
    assert len(chosen) == 2


@pytest.mark.parametrize("missing", ["model.pt", "vocab.txt", "model_config.json"])
def test_model_fn_names_a_missing_file(bert_model_dir, tmp_path, missing):
    for name in ("model.pt", "vocab.txt", "model_config.json"):
        if name != missing:
            os.link(os.path.join(bert_model_dir, name), str(tmp_path / name))
    with pytest.raises(FileNotFoundError, match="%s not found in %s" % (missing, tmp_path)):
        bert_inference.model_fn(str(tmp_path))


def test_json_requests_get_the_scikit_learn_endpoints_response(bert_model):
    body, content_type = invoke(bert_model, b'{"instances": ["Love it, works great", "Broke in a day"]}')
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert len(predictions) == 2
    for item in predictions:
        assert list(item) == ["label", "scores"]
        assert list(item["scores"]) == ["negative", "neutral", "positive"]
        assert item["label"] == max(item["scores"], key=item["scores"].get)
        assert sum(item["scores"].values()) == pytest.approx(1.0, abs=1e-5)
        assert all(round(score, 6) == score for score in item["scores"].values())
    assert "," in body and ", " not in body  # compact JSON, as the scikit-learn endpoint sends


def test_csv_requests_and_accept_negotiation(bert_model):
    body, content_type = invoke(bert_model, b'"Great value, would buy again"\nTerrible. Avoid.\n', "text/csv",
                                "text/csv")
    assert content_type == "text/csv"
    assert len(body.splitlines()) == 2 and body.endswith("\n")
    assert all(line in bert_model.classes_ for line in body.splitlines())
    assert invoke(bert_model, '"A single review"', "application/json", "*/*")[1] == "application/json"
    with pytest.raises(ValueError, match="unsupported Accept"):
        invoke(bert_model, '"x"', "application/json", "image/png")
    with pytest.raises(ValueError, match="instance 0 must be a string"):
        invoke(bert_model, b'{"instances": [42]}')


def test_a_review_scores_the_same_alone_and_in_a_padded_batch_of_any_size(bert_model, monkeypatch):
    texts = review_texts(150, seed=31)
    together = bert_model.predict_proba(texts)
    monkeypatch.setattr(bert_inference, "PREDICT_BATCH", 7)
    assert bert_inference.torch.allclose(bert_model.predict_proba(texts), together, atol=1e-5)
    for index in (0, len(texts) // 2, len(texts) - 1):
        assert bert_inference.torch.allclose(bert_model.predict_proba([texts[index]])[0], together[index], atol=1e-5)


def test_serving_needs_pytorch_only(bert_model_dir):
    """The model archive's code runs with transformers and tokenizers unimportable, as in the PyTorch inference
    image, which has neither."""
    script = textwrap.dedent("""
        import json, sys
        sys.modules["transformers"] = None
        sys.modules["tokenizers"] = None
        model_dir = sys.argv[1]
        sys.path.insert(0, model_dir + "/code")  # SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code
        import inference
        model = inference.model_fn(model_dir)
        body, content_type = inference.output_fn(
            inference.predict_fn(inference.input_fn(b'["Love it", "Returned it"]', "application/json"), model),
            "application/json")
        print(json.dumps({"body": json.loads(body), "content_type": content_type}))
    """)
    result = subprocess.run([sys.executable, "-c", script, bert_model_dir], capture_output=True, text=True,
                            timeout=120, cwd=bert_model_dir)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["content_type"] == "application/json" and len(answer["body"]["predictions"]) == 2
