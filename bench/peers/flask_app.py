"""The seed model behind Flask, the peer of Slipway's model server in bench/endpoint-throughput.mjs: the same
handlers (the model's code/inference.py: model_fn, input_fn, predict_fn, output_fn) on POST /invocations, run by
gunicorn with gevent workers, as a team would serve it by hand.

SLIPWAY_PEER_MODEL_DIR=<unpacked model.tar.gz> gunicorn -k gevent -w 2 -b 127.0.0.1:PORT flask_app:app
"""
import importlib.util
import os
import sys

from flask import Flask, Response, request

MODEL_DIR = os.environ["SLIPWAY_PEER_MODEL_DIR"]
CODE_DIR = os.path.join(MODEL_DIR, "code")
sys.path.insert(0, CODE_DIR)
spec = importlib.util.spec_from_file_location("inference", os.path.join(CODE_DIR, "inference.py"))
inference = importlib.util.module_from_spec(spec)
spec.loader.exec_module(inference)
model = inference.model_fn(MODEL_DIR)

app = Flask(__name__)


@app.get("/ping")
def ping():
    return Response(status=200)


@app.post("/invocations")
def invocations():
    content_type = request.headers.get("Content-Type", "application/json")
    data = inference.input_fn(request.get_data(as_text=True), content_type)
    body, accept = inference.output_fn(inference.predict_fn(data, model), request.headers.get("Accept", "application/json"))
    return Response(body, status=200, mimetype=accept)
