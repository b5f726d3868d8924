"""slipway_lambda/invoke.py: what a Lambda step's Python handler returns or raises reaches the result file."""
import json
import os
import subprocess
import sys

INVOKE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slipway_lambda", "invoke.py")


def _invoke(tmp_path, source, function, event):
    handler = tmp_path / "handler.py"
    handler.write_text(source)
    result = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, INVOKE, str(handler), function, str(result)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AWS_LAMBDA_FUNCTION_NAME": "fn"},
    )
    return done, json.loads(result.read_text())


def test_the_returned_dict_goes_to_the_result_file_and_prints_stay_out_of_it(tmp_path):
    source = "def handler(event, context):\n    print('noise')\n    return {'n': event['n'] + 1, 'who': context.function_name}\n"
    done, result = _invoke(tmp_path, source, "handler", {"n": 1})
    assert done.returncode == 0 and "noise" in done.stdout
    assert result == {"result": {"n": 2, "who": "fn"}}


def test_a_raised_error_is_reported_with_its_type_and_message(tmp_path):
    done, result = _invoke(tmp_path, "def handler(event, context):\n    raise KeyError('k')\n", "handler", {})
    assert done.returncode == 1 and "Traceback" in done.stderr
    assert result == {"errorType": "KeyError", "errorMessage": "'k'"}


def test_a_missing_function_is_lambdas_handler_not_found(tmp_path):
    _, result = _invoke(tmp_path, "x = 1\n", "handler", {})
    assert result["errorType"] == "Runtime.HandlerNotFound" and "has no function 'handler'" in result["errorMessage"]


def test_a_result_json_cannot_hold_is_an_error_not_a_half_written_file(tmp_path):
    _, result = _invoke(tmp_path, "def handler(event, context):\n    return {'a': 1, 'b': object()}\n", "handler", {})
    assert result["errorType"] == "ResultNotJson" and "JSON cannot hold" in result["errorMessage"]
