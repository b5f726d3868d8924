"""The defaults each SageMaker container family uses for the handlers an inference script leaves out.

The model server picks one module by SLIPWAY_SERVING_DEFAULTS, which the local runtime of the image sets
(sklearn, pytorch, huggingface, xgboost, or toolkit: the plain inference toolkit). Each module has `model_fn`,
`input_fn`, `predict_fn` and `output_fn` with the contract's signatures, and may say how its container answers
errors: UNSUPPORTED_CONTENT_TYPE_STATUS, UNSUPPORTED_ACCEPT_STATUS and HANDLER_ERROR_STATUS (a status for any
handler exception, where the container wraps them all; None keeps ValueError → 400, anything else → 500).
"""
import importlib

FAMILIES = ("sklearn", "pytorch", "huggingface", "xgboost", "toolkit")
DEFAULT_FAMILY = "toolkit"


def load(family):
    """The defaults module of `family` (None or empty: the plain toolkit's)."""
    family = family or DEFAULT_FAMILY
    if family not in FAMILIES:
        raise ValueError("SLIPWAY_SERVING_DEFAULTS must be one of %s, got %r" % (", ".join(FAMILIES), family))
    return importlib.import_module("%s.%s" % (__name__, family))
