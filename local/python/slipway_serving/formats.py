"""The scikit-learn container's default decoders and encoders (sagemaker-definition.md §4.3).

JSON and CSV requests become numpy arrays (float32, as the sklearn container's default input_fn casts UTF-8
types), NPY is loaded without pickles, NPZ as a scipy sparse matrix; predictions are encoded as JSON, CSV or
NPY according to Accept.
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


def media_type(header):
    """`application/json; charset=utf-8` → `application/json`."""
    return (header or "").split(";", 1)[0].strip().lower()


def _need_numpy():
    if numpy is None:
        raise ServingError(500, "the default handlers need numpy, which this runtime does not have")


def decode(body, content_type):
    """The default input_fn: the request body as a numpy array (or sparse matrix for NPZ)."""
    media = media_type(content_type)
    _need_numpy()
    try:
        if media == JSON:
            return numpy.array(json.loads(body)).astype(numpy.float32)
        if media == CSV:
            rows = list(csv.reader(io.StringIO(body), delimiter=",", quotechar='"', doublequote=True, strict=True))
            return numpy.array(rows).squeeze().astype(numpy.float32)
        if media == NPY:
            # Unlike the container, never unpickle a request body: allow_pickle stays off.
            return numpy.load(io.BytesIO(body), allow_pickle=False)
        if media == NPZ:
            import scipy.sparse  # noqa: PLC0415 - only for the rare sparse request; scipy comes with sklearn

            return scipy.sparse.load_npz(io.BytesIO(body))
    except (ValueError, TypeError, csv.Error, OSError) as error:
        raise ServingError(400, "could not decode the %s request body: %s" % (media, error), "BadRequest") from error
    raise UnsupportedFormatError(415, content_type, "input_fn")


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def encode(prediction, accept):
    """The default output_fn: the prediction as JSON, CSV or NPY."""
    media = media_type(accept)
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
    raise UnsupportedFormatError(406, accept, "output_fn")
