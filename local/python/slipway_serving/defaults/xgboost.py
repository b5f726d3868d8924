"""The SageMaker XGBoost container's defaults (its algorithm mode's serving, also used in script mode).

- model_fn: the booster in the model folder (`xgboost-model`, else the only file there), saved with save_model or
  pickled, as the container loads either;
- input_fn: `text/csv` (features only, no label), `text/libsvm` (`label i:v ...`, the label ignored) and
  `application/json` (SageMaker's common format `{"instances": [{"features": [...]}, ...]}`, `{"features": [...]}`
  or a list of rows) to a DMatrix;
- predict_fn: `booster.predict`, up to the best iteration when training stopped early;
- output_fn: `text/csv` (one prediction per line, comma-separated for vectors), `application/json`
  (`{"predictions": [{"score": ...}, ...]}`) or `application/jsonlines`.
An unsupported content type is a 415 and an unsupported Accept a 406.
"""
import csv
import io
import json
import os
import pickle

from .. import formats
from ..errors import ServingError, UnsupportedFormatError

UNSUPPORTED_CONTENT_TYPE_STATUS = 415
UNSUPPORTED_ACCEPT_STATUS = 406
HANDLER_ERROR_STATUS = None
DEFAULT_ACCEPT = "text/csv"
DEFAULT_CONTENT_TYPE = "text/csv"
MODEL_FILE = "xgboost-model"
LIBSVM = ("text/libsvm", "text/x-libsvm")
JSONLINES = "application/jsonlines"


def _xgb():
    import xgboost  # noqa: PLC0415 - the XGBoost runtime has it

    return xgboost


def model_fn(model_dir):
    xgb = _xgb()
    path = os.path.join(model_dir, MODEL_FILE)
    if not os.path.isfile(path):
        files = sorted(
            name for name in os.listdir(model_dir) if os.path.isfile(os.path.join(model_dir, name)) and name != "code"
        )
        if len(files) != 1:
            raise FileNotFoundError(
                "no %s in the model folder (found %s): the XGBoost container loads the booster the algorithm saved"
                % (MODEL_FILE, ", ".join(files) or "nothing")
            )
        path = os.path.join(model_dir, files[0])
    try:
        with open(path, "rb") as handle:
            booster = pickle.load(handle)
        if isinstance(booster, xgb.Booster):
            return booster
    except Exception:  # noqa: BLE001 - not a pickle: a save_model file, as the container tries next
        pass
    booster = xgb.Booster()
    booster.load_model(path)
    return booster


def _rows_from_json(body):
    data = json.loads(body)
    if isinstance(data, dict) and "instances" in data:
        data = [instance["features"] if isinstance(instance, dict) else instance for instance in data["instances"]]
    elif isinstance(data, dict) and "features" in data:
        data = [data["features"]]
    if data and not isinstance(data[0], list):
        data = [data]
    return data


def _libsvm_matrix(body):
    import numpy  # noqa: PLC0415
    import scipy.sparse  # noqa: PLC0415

    values, columns, pointers = [], [], [0]
    width = 0
    for line in body.splitlines():
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        if ":" not in tokens[0]:
            tokens = tokens[1:]  # the label (or label:weight is not a feature)
        for token in tokens:
            index, value = token.split(":", 1)
            columns.append(int(index))
            values.append(float(value))
            width = max(width, int(index) + 1)
        pointers.append(len(values))
    return scipy.sparse.csr_matrix(
        (numpy.array(values, dtype=numpy.float32), numpy.array(columns), numpy.array(pointers)),
        shape=(len(pointers) - 1, width),
    )


def input_fn(body, content_type):
    xgb = _xgb()
    media = formats.media_type(content_type) or formats.CSV
    try:
        if media == formats.CSV:
            import numpy  # noqa: PLC0415

            rows = [[float(value) if value.strip() else numpy.nan for value in row] for row in csv.reader(io.StringIO(body)) if row]
            return xgb.DMatrix(numpy.array(rows, dtype=numpy.float32))
        if media in LIBSVM:
            if isinstance(body, bytes):
                body = body.decode("utf-8")
            return xgb.DMatrix(_libsvm_matrix(body))
        if media == formats.JSON:
            import numpy  # noqa: PLC0415

            return xgb.DMatrix(numpy.array(_rows_from_json(body), dtype=numpy.float32))
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise ServingError(400, "could not decode the %s request body: %s" % (media, error), "BadRequest") from error
    raise UnsupportedFormatError(UNSUPPORTED_CONTENT_TYPE_STATUS, content_type, "input_fn")


def predict_fn(data, model):
    best = model.attr("best_iteration")  # set by early stopping, and saved with the model
    if best is not None:
        return model.predict(data, iteration_range=(0, int(best) + 1))
    return model.predict(data)


def output_fn(prediction, accept):
    rows = prediction.tolist() if hasattr(prediction, "tolist") else list(prediction)
    for media in formats.parse_accept(accept or formats.CSV):
        if media == formats.CSV:
            lines = [",".join(map(str, row)) if isinstance(row, list) else str(row) for row in rows]
            return "\n".join(lines) + "\n", media
        if media == formats.JSON:
            return json.dumps({"predictions": [{"score": row} for row in rows]}), media
        if media == JSONLINES:
            return "".join(json.dumps({"score": row}) + "\n" for row in rows), media
    raise UnsupportedFormatError(UNSUPPORTED_ACCEPT_STATUS, accept, "output_fn")
