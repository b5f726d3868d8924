"""Request decoders and prediction encoders of the SageMaker containers (sagemaker-definition.md §4.3).

`decode`/`encode` are the scikit-learn container's (JSON and CSV to float32 arrays, 415/406 for unsupported
types); `decode_array`/`encode_array` the inference toolkit's decoder and encoder, which the PyTorch and plain
toolkit defaults use (no forced dtype; the caller says which status an unsupported type gets). NPY is never
unpickled; NPZ is a scipy sparse matrix.
"""
import csv
import io
import json

from .errors import ServingError, UnsupportedFormatError

try:  # The runtime's packages; absent only when the server runs without a scientific runtime.
    import numpy
except ImportError:  # pragma: no cover - every Slipway runtime that serves models has numpy
    numpy = None

JSON = "application/json"
CSV = "text/csv"
NPY = "application/x-npy"
NPZ = "application/x-npz"
UTF8_TYPES = (JSON, CSV)
ENCODABLE = (JSON, CSV, NPY)


def media_type(header):
    """`application/json; charset=utf-8` → `application/json`."""
    return (header or "").split(";", 1)[0].strip().lower()


def _need_numpy():
    if numpy is None:
        raise ServingError(500, "the default handlers need numpy, which this runtime does not have")


def parse_accept(accept):
    """`application/json, text/csv;q=0.9` → ['application/json', 'text/csv'] (the toolkit tries them in order)."""
    return [media_type(part) for part in (accept or "").split(",") if media_type(part)]


def decode(body, content_type):
    """The scikit-learn container's input_fn: the request body as a float32 numpy array (sparse matrix for NPZ)."""
    return decode_array(body, content_type, dtype=numpy.float32 if numpy is not None else None, unsupported_status=415)


def decode_array(body, content_type, dtype=None, unsupported_status=415):
    """The request body as a numpy array (a sparse matrix for NPZ), cast to `dtype` for JSON and CSV if given."""
    media = media_type(content_type)
    _need_numpy()
    cast = (lambda array: array.astype(dtype)) if dtype is not None else (lambda array: array)
    try:
        if media == JSON:
            return cast(numpy.array(json.loads(body)))
        if media == CSV:
            rows = list(csv.reader(io.StringIO(body), delimiter=",", quotechar='"', doublequote=True, strict=True))
            array = numpy.array(rows).squeeze()
            return cast(array) if dtype is not None else array.astype(numpy.float64)
        if media == NPY:
            # Unlike the container, never unpickle a request body: allow_pickle stays off.
            return numpy.load(io.BytesIO(body), allow_pickle=False)
        if media == NPZ:
            import scipy.sparse  # noqa: PLC0415 - only for the rare sparse request; scipy comes with sklearn

            return scipy.sparse.load_npz(io.BytesIO(body))
    except (ValueError, TypeError, csv.Error, OSError) as error:
        raise ServingError(400, "could not decode the %s request body: %s" % (media, error), "BadRequest") from error
    raise UnsupportedFormatError(unsupported_status, content_type, "input_fn")


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def encode(prediction, accept):
    """The scikit-learn container's output_fn: the prediction as JSON, CSV or NPY (406 for anything else)."""
    media = media_type(accept)
    if media not in ENCODABLE:
        raise UnsupportedFormatError(406, accept, "output_fn")
    return encode_array(prediction, media)


def encode_array(prediction, media):
    """The prediction as JSON, CSV or NPY text or bytes; `media` must be one of ENCODABLE."""
    if media == JSON:
        return json.dumps(prediction, default=_plain)
    if media == CSV:
        _need_numpy()
        array = numpy.array(prediction)
        if array.ndim == 1:
            array = array.reshape(array.shape[0], 1)
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\n").writerows(array.tolist() if array.ndim else [[array.item()]])
        return stream.getvalue()
    if media == NPY:
        _need_numpy()
        stream = io.BytesIO()
        numpy.save(stream, numpy.asarray(prediction), allow_pickle=False)
        return stream.getvalue()
    raise ValueError("encode_array cannot encode %s" % media)
