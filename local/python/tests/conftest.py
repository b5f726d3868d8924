"""Puts local/python on sys.path and gives tests model folders with small inference scripts."""
import os
import sys
import textwrap

import pytest
from hypothesis import settings

# Property-based tests try a reduced number of examples in `npm test` and the full number in
# `npm run test:reliability` (SLIPWAY_RELIABILITY=full); no deadline, as the machine may be busy.
settings.register_profile("reduced", max_examples=150, deadline=None)
settings.register_profile("full", max_examples=3000, deadline=None)
settings.load_profile("full" if os.environ.get("SLIPWAY_RELIABILITY") == "full" else "reduced")

PYTHON_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if PYTHON_ROOT not in sys.path:
    sys.path.insert(0, PYTHON_ROOT)


@pytest.fixture
def make_model_dir(tmp_path):
    """Writes `code/<program>` (dedented) and any extra files into a fresh model folder."""
    counter = {"n": 0}

    def make(script=None, program="inference.py", files=None):
        counter["n"] += 1
        model_dir = tmp_path / ("model-%d" % counter["n"])
        (model_dir / "code").mkdir(parents=True)
        if script is not None:
            (model_dir / "code" / program).write_text(textwrap.dedent(script))
        for name, text in (files or {}).items():
            path = model_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return str(model_dir)

    return make


# A model that echoes its input, for tests that exercise the plumbing rather than a real estimator.
ECHO_SCRIPT = """
    import json
    import os

    def model_fn(model_dir):
        with open(os.path.join(model_dir, "model.txt")) as handle:
            return handle.read().strip()

    def input_fn(body, content_type):
        if content_type != "application/json":
            raise ValueError("only JSON, got %s" % content_type)
        return json.loads(body)

    def predict_fn(data, model):
        if data == "explode":
            raise RuntimeError("the model exploded")
        return {"model": model, "echo": data}

    def output_fn(prediction, accept):
        return json.dumps(prediction), accept
"""
