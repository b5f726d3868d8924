"""The SageMaker Hugging Face inference toolkit's defaults.

- model_fn: a transformers pipeline for HF_TASK over the model folder (the task is inferred from config.json's
  architecture when HF_TASK is unset), on the GPU when there is one. There is no model hub here: HF_MODEL_ID
  is refused with a message;
- input_fn: JSON (`{"inputs": ..., "parameters": {...}}`, or bare inputs) and CSV (a column of inputs);
- predict_fn: `pipeline(inputs, **parameters)`;
- output_fn: JSON (or CSV) of the prediction.
Like that toolkit, any handler error answers 400.
"""
import csv
import io
import json
import os

from .. import formats
from ..errors import ServingError, UnsupportedFormatError

UNSUPPORTED_CONTENT_TYPE_STATUS = 400
UNSUPPORTED_ACCEPT_STATUS = 400
HANDLER_ERROR_STATUS = 400

# config.json architectures → pipeline task (the suffixes transformers uses).
ARCHITECTURE_TASKS = (
    ("ForSequenceClassification", "text-classification"),
    ("ForTokenClassification", "token-classification"),
    ("ForQuestionAnswering", "question-answering"),
    ("ForMaskedLM", "fill-mask"),
    ("ForCausalLM", "text-generation"),
    ("ForConditionalGeneration", "text2text-generation"),
    ("ForImageClassification", "image-classification"),
    ("Model", "feature-extraction"),
)


def infer_task(model_dir):
    try:
        with open(os.path.join(model_dir, "config.json")) as handle:
            architectures = json.load(handle).get("architectures") or []
    except (OSError, ValueError):
        architectures = []
    for architecture in architectures:
        for suffix, task in ARCHITECTURE_TASKS:
            if architecture.endswith(suffix):
                return task
    return None


def model_fn(model_dir):
    if os.environ.get("HF_MODEL_ID"):
        raise ValueError(
            "HF_MODEL_ID=%s asks for a model from the Hugging Face Hub, which the local runtime cannot reach: put "
            "the model in model.tar.gz (save_pretrained) and leave HF_MODEL_ID unset" % os.environ["HF_MODEL_ID"]
        )
    task = os.environ.get("HF_TASK") or infer_task(model_dir)
    if not task:
        raise ValueError(
            "set HF_TASK (e.g. text-classification) in the model's Environment: it could not be inferred from "
            "%s/config.json" % model_dir
        )
    import torch  # noqa: PLC0415 - the Hugging Face runtime has it
    from transformers import pipeline  # noqa: PLC0415

    return pipeline(task=task, model=model_dir, device=0 if torch.cuda.is_available() else -1)


def input_fn(body, content_type):
    media = formats.media_type(content_type)
    if media == formats.JSON:
        try:
            data = json.loads(body)
        except ValueError as error:
            raise ServingError(400, "could not decode the application/json request body: %s" % error, "BadRequest")
        return data if isinstance(data, dict) else {"inputs": data}
    if media == formats.CSV:
        rows = [row[0] if len(row) == 1 else row for row in csv.reader(io.StringIO(body)) if row]
        return {"inputs": rows}
    raise UnsupportedFormatError(UNSUPPORTED_CONTENT_TYPE_STATUS, content_type, "input_fn")


def predict_fn(data, model):
    inputs = data.pop("inputs", data)
    parameters = data.pop("parameters", None)
    return model(inputs, **parameters) if parameters else model(inputs)


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def output_fn(prediction, accept):
    for media in formats.parse_accept(accept):
        if media == formats.JSON:
            return json.dumps(prediction, default=_plain), media
        if media == formats.CSV:
            stream = io.StringIO()
            rows = prediction if isinstance(prediction, list) else [prediction]
            writer = csv.writer(stream, lineterminator="\n")
            for row in rows:
                writer.writerow(list(row.values()) if isinstance(row, dict) else [row])
            return stream.getvalue(), media
    raise UnsupportedFormatError(UNSUPPORTED_ACCEPT_STATUS, accept, "output_fn")
