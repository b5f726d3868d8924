import json
import pickle

import pytest
from sklearn.linear_model import LogisticRegression

from conftest import ECHO_SCRIPT
from slipway_serving.errors import ModelLoadError
from slipway_serving.handlers import InferenceHandler


def invoke(handler, body, content_type="application/json", accept="application/json"):
    status, payload, response_type = handler.invoke(body.encode() if isinstance(body, str) else body, content_type, accept)
    return status, payload.decode(), response_type


def test_runs_input_predict_output_and_keeps_output_fns_content_type(make_model_dir):
    handler = InferenceHandler(make_model_dir(ECHO_SCRIPT, files={"model.txt": "v1"}), environ={})
    assert invoke(handler, '{"x": 1}') == (200, '{"model": "v1", "echo": {"x": 1}}', "application/json")


def test_a_value_error_is_400_and_any_other_exception_500_and_it_keeps_serving(make_model_dir):
    handler = InferenceHandler(make_model_dir(ECHO_SCRIPT, files={"model.txt": "v1"}), environ={})
    status, payload, _ = invoke(handler, "x", content_type="text/plain")
    assert status == 400 and json.loads(payload) == {"error": "ValueError", "error-message": "only JSON, got text/plain"}
    status, payload, _ = invoke(handler, '"explode"')
    assert status == 500 and json.loads(payload)["error-message"] == "the model exploded"
    status, payload, _ = invoke(handler, "{broken")
    assert status == 400 and json.loads(payload)["error"] == "JSONDecodeError"
    assert invoke(handler, "1")[0] == 200


def test_invalid_utf8_in_a_utf8_type_is_400(make_model_dir):
    handler = InferenceHandler(make_model_dir(ECHO_SCRIPT, files={"model.txt": "v1"}), environ={})
    status, payload, _ = invoke(handler, b"\xff\xfe")
    assert status == 400 and "not valid UTF-8" in payload


def test_accept_defaults_to_the_environment_then_json(make_model_dir):
    script = """
        def model_fn(model_dir):
            return None
        def transform_fn(model, body, content_type, accept):
            return accept, "text/plain"
    """
    model_dir = make_model_dir(script)
    assert invoke(InferenceHandler(model_dir, environ={}), "", accept="*/*")[1] == "application/json"
    handler = InferenceHandler(model_dir, environ={"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv"})
    assert invoke(handler, "", accept="") == (200, "text/csv", "text/plain")


def test_handlers_may_take_a_context(make_model_dir):
    script = """
        def model_fn(model_dir, context):
            return context.system_properties["model_dir"]
        def predict_fn(data, model, context):
            return [model == context.system_properties["model_dir"]]
    """
    handler = InferenceHandler(make_model_dir(script), environ={})
    assert invoke(handler, "[1]") == (200, "[true]", "application/json")


def test_the_sklearn_defaults_predict_with_the_model_model_fn_loads(make_model_dir, tmp_path):
    model = LogisticRegression().fit([[0.0, 0], [1.0, 0], [2.0, 0], [3.0, 0]], [0, 0, 1, 1])
    with open(tmp_path / "model.pkl", "wb") as handle:
        pickle.dump(model, handle)
    script = """
        import os, pickle
        def model_fn(model_dir):
            with open(os.path.join(model_dir, "..", "model.pkl"), "rb") as handle:
                return pickle.load(handle)
    """
    handler = InferenceHandler(make_model_dir(script), environ={"SLIPWAY_SERVING_DEFAULTS": "sklearn"})
    assert invoke(handler, "[[0.1, 0], [2.9, 0]]") == (200, "[0, 1]", "application/json")
    assert invoke(handler, "0.1,0\n2.9,0\n", content_type="text/csv", accept="text/csv")[1] == "0\n1\n"
    assert invoke(handler, "[[1, 0]]", accept="application/xml")[0] == 406
    assert invoke(handler, "x", content_type="image/png")[0] == 415


def test_program_and_submit_directory_come_from_the_environment(make_model_dir):
    model_dir = make_model_dir(
        "from helper import VALUE\ndef model_fn(d):\n    return VALUE\ndef transform_fn(m, b, c, a):\n    return m\n",
        program="serve.py",
        files={"code/lib/helper.py": "VALUE = 'from code/lib'\n"},
    )
    environ = {"SAGEMAKER_PROGRAM": "serve.py", "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code"}
    assert invoke(InferenceHandler(model_dir, environ=environ), "") == (200, "from code/lib", "application/json")


def test_without_a_family_the_plain_toolkit_defaults_apply_and_assume_no_estimator(make_model_dir):
    script = """
        def model_fn(model_dir):
            return "m"
    """
    handler = InferenceHandler(make_model_dir(script), environ={})
    status, payload, _ = invoke(handler, "[1, 2]")
    assert status == 500 and "Please provide a predict_fn implementation" in payload
    script = """
        def model_fn(model_dir):
            return "m"
        def predict_fn(data, model):
            return data * 2
    """
    handler = InferenceHandler(make_model_dir(script), environ={})
    # The toolkit's decoder keeps the numbers' own type, and Accept may list several types.
    assert invoke(handler, "[1, 2]", accept="application/xml, text/csv") == (200, "2\n4\n", "text/csv")
    # An unsupported type is the toolkit's UnsupportedFormatError: a 500, unlike the scikit-learn container's 415.
    assert invoke(handler, "x", content_type="image/png")[0] == 500
    assert invoke(handler, "[1]", accept="application/xml")[0] == 500


def test_the_family_comes_from_the_environment_and_a_wrong_one_is_refused(make_model_dir):
    with pytest.raises(ModelLoadError) as caught:
        InferenceHandler(make_model_dir("def model_fn(d):\n    return 1\n"), environ={"SLIPWAY_SERVING_DEFAULTS": "keras"})
    assert "SLIPWAY_SERVING_DEFAULTS must be one of sklearn, pytorch, huggingface, xgboost, toolkit" in str(caught.value)


@pytest.mark.parametrize(
    "script, environ, message",
    [
        (None, {}, "Please provide a model_fn implementation"),
        (None, {"SLIPWAY_SERVING_DEFAULTS": "sklearn"}, "the scikit-learn container has no default model loader"),
        (None, {"SAGEMAKER_PROGRAM": "missing.py"}, "SAGEMAKER_PROGRAM 'missing.py' was not found"),
        ("def model_fn(d):\n    raise FileNotFoundError('model.joblib is missing')\n", {}, "model.joblib is missing"),
        ("import not_a_module\n", {}, "No module named 'not_a_module'"),
        ("def transform_fn(m, b, c, a): pass\ndef input_fn(b, c): pass\n", {}, "transform_fn cannot be combined"),
    ],
)
def test_a_model_that_cannot_load_says_why(make_model_dir, script, environ, message):
    with pytest.raises(ModelLoadError) as caught:
        InferenceHandler(make_model_dir(script), environ=environ)
    assert message in str(caught.value)
