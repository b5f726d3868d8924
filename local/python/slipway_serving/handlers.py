"""Loads the user's inference script and turns a request into a response, as the inference toolkit does.

`model_fn` runs once at load; each request runs `transform_fn`, or `input_fn` → `predict_fn` → `output_fn`
with the defaults of the image's container for whichever is missing (SLIPWAY_SERVING_DEFAULTS: sklearn,
pytorch, huggingface, xgboost, or the plain toolkit's; see defaults/). Handlers may take an optional trailing
`context` argument. A handler's ValueError is the client's fault (400) and any other exception a 500, unless
the container answers all handler errors with one status (the Hugging Face toolkit: 400).
"""
import importlib.util
import inspect
import json
import os
import sys
import traceback

from . import defaults, formats
from .errors import ModelLoadError, ServingError

CONTAINER_MODEL_DIR = "/opt/ml/model"


class Context:
    """What handlers that accept `context` receive: the model folder and the request's headers."""

    def __init__(self, model_dir):
        self.system_properties = {"model_dir": model_dir, "gpu_id": None}
        self.request_headers = {}


def _arity(function):
    try:
        return len(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return None


def _with_context(function, base_arity, context):
    """Calls `function` with `context` appended when it takes one more argument than the contract's base."""
    if _arity(function) == base_arity + 1:
        return lambda *args: function(*args, context)
    return function


def code_dir(model_dir, environ):
    """Where the inference script lives: SAGEMAKER_SUBMIT_DIRECTORY (container paths mapped), else model/code."""
    submit = environ.get("SAGEMAKER_SUBMIT_DIRECTORY") or os.path.join(CONTAINER_MODEL_DIR, "code")
    if submit == CONTAINER_MODEL_DIR or submit.startswith(CONTAINER_MODEL_DIR + "/"):
        submit = os.path.join(model_dir, submit[len(CONTAINER_MODEL_DIR) :].lstrip("/"))
    return submit


def load_user_module(model_dir, environ):
    """Imports code/<SAGEMAKER_PROGRAM or inference.py>; None when there is no script and none was named."""
    program = environ.get("SAGEMAKER_PROGRAM") or "inference.py"
    folder = code_dir(model_dir, environ)
    path = os.path.join(folder, program)
    if not os.path.isfile(path):
        if environ.get("SAGEMAKER_PROGRAM"):
            raise ModelLoadError("SAGEMAKER_PROGRAM %r was not found in %s" % (program, folder))
        return None
    # As in the containers, the script's folder (and its lib/ of repacked dependencies) is importable.
    for entry in (os.path.join(folder, "lib"), folder):
        if os.path.isdir(entry) and entry not in sys.path:
            sys.path.insert(0, entry)
    name = os.path.splitext(os.path.basename(program))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        raise ModelLoadError("importing %s failed:\n%s" % (path, traceback.format_exc().rstrip())) from error
    return module


class InferenceHandler:
    """The loaded model and the handlers that serve it."""

    def __init__(self, model_dir, environ=None):
        environ = os.environ if environ is None else environ
        self.model_dir = model_dir
        self.context = Context(model_dir)
        try:
            family = defaults.load(environ.get("SLIPWAY_SERVING_DEFAULTS"))
        except ValueError as error:
            raise ModelLoadError(str(error)) from error
        self.error_status = getattr(family, "HANDLER_ERROR_STATUS", None)
        self.default_accept = environ.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or getattr(
            family, "DEFAULT_ACCEPT", formats.JSON
        )
        self.default_content_type = getattr(family, "DEFAULT_CONTENT_TYPE", formats.JSON)
        module = load_user_module(model_dir, environ)
        get = (lambda name: getattr(module, name, None)) if module else (lambda _name: None)
        transform_fn = get("transform_fn")
        if transform_fn and (get("input_fn") or get("predict_fn") or get("output_fn")):
            raise ModelLoadError("transform_fn cannot be combined with input_fn, predict_fn or output_fn")
        model_fn = _with_context(get("model_fn") or family.model_fn, 1, self.context)
        self.transform_fn = _with_context(transform_fn, 4, self.context) if transform_fn else None
        self.input_fn = _with_context(get("input_fn") or family.input_fn, 2, self.context)
        self.predict_fn = _with_context(get("predict_fn") or family.predict_fn, 2, self.context)
        self.output_fn = _with_context(get("output_fn") or family.output_fn, 2, self.context)
        try:
            self.model = model_fn(model_dir)
        except Exception as error:
            raise ModelLoadError("model_fn failed:\n%s" % traceback.format_exc().rstrip()) from error

    def invoke(self, body, content_type, accept):
        """Runs one request; returns (status, body bytes, content type). Never raises."""
        content_type = content_type or self.default_content_type
        if not accept or accept.strip() == "*/*":
            accept = self.default_accept
        try:
            if formats.media_type(content_type) in formats.UTF8_TYPES:
                try:
                    body = body.decode("utf-8")
                except UnicodeDecodeError as error:
                    raise ServingError(400, "the request body is not valid UTF-8: %s" % error, "BadRequest") from error
            if self.transform_fn:
                result = self.transform_fn(self.model, body, content_type, accept)
            else:
                data = self.input_fn(body, content_type)
                prediction = self.predict_fn(data, self.model)
                result = self.output_fn(prediction, accept)
            return _response(result, accept)
        except ServingError as error:
            return _error(error.status, error.kind, error.message)
        except ValueError as error:
            return _error(self.error_status or 400, type(error).__name__, str(error))
        except Exception as error:  # noqa: BLE001 - a handler bug answers 500 and the server keeps serving
            traceback.print_exc(file=sys.stderr)
            return _error(self.error_status or 500, type(error).__name__, str(error) or repr(error))


def _response(result, accept):
    content_type = accept
    if isinstance(result, tuple):
        result, content_type = result[0], result[1]
    if isinstance(result, str):
        result = result.encode("utf-8")
    elif isinstance(result, bytearray):
        result = bytes(result)
    elif not isinstance(result, bytes):
        result = str(result).encode("utf-8")
    return 200, result, content_type


def _error(status, kind, message):
    return status, json.dumps({"error": kind, "error-message": message}).encode("utf-8"), formats.JSON
