"""The SageMaker PyTorch inference toolkit's defaults.

- model_fn: loads TorchScript `model.pt` (else the only `*.pt`/`*.pth`) with torch.jit.load, on CUDA when there
  is a GPU, else the CPU;
- input_fn: the toolkit's decoder (JSON, CSV, NPY, NPZ) to a tensor: float32 for the UTF-8 types, as stored for
  NPY; on the model's device;
- predict_fn: `model(data)` in eval mode under torch.no_grad;
- output_fn: a tensor becomes a list, encoded as JSON, CSV or NPY for the first type of Accept that is supported.
An unsupported type is the toolkit's UnsupportedFormatError, a 500.
"""
import os

from .. import formats
from ..errors import UnsupportedFormatError
from . import toolkit

UNSUPPORTED_CONTENT_TYPE_STATUS = 500
UNSUPPORTED_ACCEPT_STATUS = 500
HANDLER_ERROR_STATUS = None
DEFAULT_MODEL_FILENAME = "model.pt"


def _torch():
    import torch  # noqa: PLC0415 - only the PyTorch runtimes have it, and only this family needs it

    return torch


def device():
    torch = _torch()
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def model_fn(model_dir):
    torch = _torch()
    path = os.path.join(model_dir, DEFAULT_MODEL_FILENAME)
    if not os.path.isfile(path):
        candidates = sorted(name for name in os.listdir(model_dir) if name.endswith((".pt", ".pth")))
        if len(candidates) != 1:
            raise FileNotFoundError(
                "Failed to load model with the default model_fn: missing file %s (found %s); save a TorchScript "
                "model as model.pt or provide model_fn in code/inference.py"
                % (DEFAULT_MODEL_FILENAME, ", ".join(candidates) or "no .pt/.pth file")
            )
        path = os.path.join(model_dir, candidates[0])
    return torch.jit.load(path, map_location=device())


def input_fn(body, content_type):
    torch = _torch()
    array = formats.decode_array(body, content_type, dtype=None, unsupported_status=UNSUPPORTED_CONTENT_TYPE_STATUS)
    if formats.media_type(content_type) in formats.UTF8_TYPES:
        tensor = torch.FloatTensor(array)
    elif hasattr(array, "toarray"):  # NPZ: a sparse matrix
        tensor = torch.from_numpy(array.toarray())
    else:
        tensor = torch.from_numpy(array)
    return tensor.to(device())


def predict_fn(data, model):
    torch = _torch()
    with torch.no_grad():
        where = device()
        model = model.to(where)
        model.eval()
        return model(data.to(where))


def output_fn(prediction, accept):
    torch = _torch()
    if isinstance(prediction, torch.Tensor):
        prediction = prediction.detach().cpu().numpy().tolist()
    for media in formats.parse_accept(accept):
        if media in formats.ENCODABLE:
            return formats.encode_array(prediction, media), media
    raise UnsupportedFormatError(UNSUPPORTED_ACCEPT_STATUS, accept, "output_fn")


__all__ = ["model_fn", "input_fn", "predict_fn", "output_fn", "toolkit"]
