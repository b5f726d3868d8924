"""Calls `function(event, context)` in a handler file, as Lambda's Python runtime would, for one Lambda step.

Usage: python invoke.py FILE FUNCTION RESULT_FILE, with the event as JSON on stdin. The handler's own output
goes to stdout/stderr (the step's log); its returned value, or the error it raised, goes to RESULT_FILE as JSON,
so nothing the handler prints can be mistaken for its result.
"""
import importlib.util
import json
import os
import sys
import time
import traceback
import uuid

# Lambda's own error type for a handler that is not in its module.
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"


class LambdaContext:
    """The members of Lambda's context object a handler commonly reads."""

    def __init__(self, deadline_ms):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = "$LATEST"
        self.invoked_function_arn = os.environ.get("SLIPWAY_LAMBDA_FUNCTION_ARN", "")
        self.memory_limit_in_mb = 128
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _write(path, document):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle)


def main(argv):
    path, function_name, result_file = argv[1], argv[2], argv[3]
    deadline_ms = float(os.environ.get("SLIPWAY_LAMBDA_DEADLINE_MS", "0")) or time.time() * 1000 + 600_000
    try:
        event = json.load(sys.stdin)
        directory = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, directory)
        spec = importlib.util.spec_from_file_location(os.path.splitext(os.path.basename(path))[0], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler = getattr(module, function_name, None)
        if not callable(handler):
            _write(result_file, {"errorType": HANDLER_NOT_FOUND, "errorMessage": "%s has no function %r" % (path, function_name)})
            return 1
        result = handler(event, LambdaContext(deadline_ms))
    except Exception as error:  # the handler's failure is the step's: report it, do not crash
        traceback.print_exc()
        _write(result_file, {"errorType": type(error).__name__, "errorMessage": str(error)})
        return 1
    try:
        _write(result_file, {"result": result})
    except (TypeError, ValueError) as error:
        _write(result_file, {"errorType": "ResultNotJson", "errorMessage": "the handler returned a value JSON cannot hold: %s" % error})
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
