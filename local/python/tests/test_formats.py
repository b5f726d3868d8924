import io

import numpy
import pytest
import scipy.sparse

from slipway_serving import formats
from slipway_serving.errors import ServingError


def test_json_and_csv_become_float32_arrays_as_in_the_sklearn_container():
    array = formats.decode("[[1, 2], [3, 4]]", "application/json")
    assert array.dtype == numpy.float32 and array.tolist() == [[1, 2], [3, 4]]
    assert formats.decode("1,2\n3,4\n", "text/csv; charset=utf-8").tolist() == [[1, 2], [3, 4]]
    assert formats.decode("5,6", "text/csv").tolist() == [5, 6]


def test_npy_loads_without_pickles():
    stream = io.BytesIO()
    numpy.save(stream, numpy.arange(3))
    assert formats.decode(stream.getvalue(), "application/x-npy").tolist() == [0, 1, 2]
    pickled = io.BytesIO()
    numpy.save(pickled, numpy.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ServingError) as caught:
        formats.decode(pickled.getvalue(), "application/x-npy")
    assert caught.value.status == 400


def test_npz_is_a_sparse_matrix():
    stream = io.BytesIO()
    scipy.sparse.save_npz(stream, scipy.sparse.csr_matrix([[0, 1], [2, 0]]))
    assert formats.decode(stream.getvalue(), "application/x-npz").toarray().tolist() == [[0, 1], [2, 0]]


@pytest.mark.parametrize(
    "body, content_type",
    [("{not json", "application/json"), ('["a", "b"]', "application/json"), ('1,"x\n', "text/csv")],
)
def test_a_bad_payload_is_a_400_with_a_message(body, content_type):
    with pytest.raises(ServingError) as caught:
        formats.decode(body, content_type)
    assert caught.value.status == 400
    assert "could not decode the" in caught.value.message


def test_unsupported_content_type_is_415_and_accept_406():
    with pytest.raises(ServingError) as caught:
        formats.decode(b"x", "image/png")
    assert caught.value.status == 415 and "'image/png'" in caught.value.message
    with pytest.raises(ServingError) as caught:
        formats.encode([1], "application/xml")
    assert caught.value.status == 406 and "implement output_fn" in caught.value.message


def test_encodes_json_csv_and_npy():
    prediction = numpy.array([1, 0, 2])
    assert formats.encode(prediction, "application/json") == "[1, 0, 2]"
    assert formats.encode(prediction, "text/csv") == "1\n0\n2\n"
    assert formats.encode([[1, 2], [3, 4]], "text/csv") == "1,2\n3,4\n"
    assert numpy.load(io.BytesIO(formats.encode(prediction, "application/x-npy"))).tolist() == [1, 0, 2]
