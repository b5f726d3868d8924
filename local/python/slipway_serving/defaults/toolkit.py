"""The plain SageMaker inference toolkit's defaults: its decoder and encoder, and no model_fn or predict_fn.

Requests are decoded to numpy arrays (JSON and CSV without a forced dtype, NPY without pickles, NPZ sparse);
predictions are encoded as JSON, CSV or NPY for the first type of Accept it supports. An unsupported type is the
toolkit's UnsupportedFormatError, which it answers with a 500.
"""
from .. import formats
from ..errors import ServingError, UnsupportedFormatError

UNSUPPORTED_CONTENT_TYPE_STATUS = 500
UNSUPPORTED_ACCEPT_STATUS = 500
HANDLER_ERROR_STATUS = None


def model_fn(_model_dir):
    raise NotImplementedError(
        "Please provide a model_fn implementation: this runtime's container has no default model loader "
        "(set servingDefaults in local/runtimes.json for a container that has one)."
    )


def input_fn(body, content_type):
    return formats.decode_array(body, content_type, dtype=None, unsupported_status=UNSUPPORTED_CONTENT_TYPE_STATUS)


def predict_fn(_data, _model):
    raise NotImplementedError("Please provide a predict_fn implementation: this runtime's container has no default.")


def output_fn(prediction, accept):
    for media in formats.parse_accept(accept):
        if media in formats.ENCODABLE:
            return formats.encode_array(prediction, media), media
    raise UnsupportedFormatError(UNSUPPORTED_ACCEPT_STATUS, accept, "output_fn")


__all__ = ["model_fn", "input_fn", "predict_fn", "output_fn", "ServingError"]
