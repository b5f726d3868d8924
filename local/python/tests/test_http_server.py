"""The server over real sockets: started as the TS launcher starts it, on 127.0.0.1 and port 0."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import ECHO_SCRIPT, PYTHON_ROOT

READY = "SLIPWAY_MODEL_SERVER_READY "


class Server:
    def __init__(self, model_dir, env=None):
        environ = {**os.environ, "PYTHONPATH": PYTHON_ROOT, **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "slipway_serving", "--model-dir", model_dir],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environ,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith(READY):
            self.process.wait(10)
            raise RuntimeError("server did not start: %s" % self.process.stderr.read())
        self.port = json.loads(line[len(READY) :])["port"]

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)

    def raw(self, data, read_until_close=True):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(data)
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if not read_until_close:
                    break
            return b"".join(chunks).decode("latin-1")

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture
def server(make_model_dir):
    started = Server(make_model_dir(ECHO_SCRIPT, files={"model.txt": "v1"}), {"SAGEMAKER_MAX_PAYLOAD_IN_MB": "0.01"})
    yield started
    started.stop()


def test_ping_and_invocations_over_one_keep_alive_connection(server):
    connection = server.connection()
    connection.request("GET", "/ping")
    response = connection.getresponse()
    assert response.status == 200 and json.loads(response.read()) == {"status": "Healthy"}
    sock = connection.sock
    for value in range(3):
        connection.request("POST", "/invocations", body=json.dumps(value), headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        assert json.loads(response.read()) == {"model": "v1", "echo": value}
        assert connection.sock is sock, "the connection was not kept alive"


def test_pipelined_requests_are_answered_in_order(server):
    request = "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1\r\n\r\n%d"
    data = (request % 1 + request % 2 + "GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").encode()
    text = server.raw(data)
    assert text.count("HTTP/1.1 200 OK") == 3
    assert text.index('"echo": 1') < text.index('"echo": 2') < text.index('"Healthy"')


def test_chunked_bodies_and_expect_continue(server):
    body = b'{"a": "chunked"}'
    data = (
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + b"%x\r\n" % 5 + body[:5] + b"\r\n" + b"%x\r\n" % (len(body) - 5) + body[5:] + b"\r\n0\r\n\r\n"
    )
    assert '"echo": {"a": "chunked"}' in server.raw(data)
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(b"42")
        assert b'"echo": 42' in sock.recv(1000)


@pytest.mark.parametrize(
    "request_bytes, status",
    [
        (b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404),
        (b"GET /invocations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 405),
        (b"POST /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 405),
        (b"NONSENSE\r\n\r\n", 400),
        (b"POST /invocations HTTP/1.1\r\nContent-Length: nope\r\n\r\n", 400),
        (b"POST /invocations HTTP/1.1\r\nContent-Length: 20000\r\n\r\n", 413),
        (b"GET /ping HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", 431),
    ],
    ids=["unknown path", "GET invocations", "POST ping", "bad request line", "bad length", "too large", "huge headers"],
)
def test_bad_requests_get_a_status_and_a_message_and_the_server_keeps_serving(server, request_bytes, status):
    text = server.raw(request_bytes)
    assert text.startswith("HTTP/1.1 %d " % status)
    assert '"error-message": ' in text
    connection = server.connection()
    connection.request("GET", "/ping")
    assert connection.getresponse().status == 200


@pytest.mark.parametrize(
    "head, body, status, message",
    [
        # Read as latin-1, byte 0xB2 is "\u00b2": str.isdigit() says yes, int() raised an uncaught ValueError.
        ("Content-Length: \u00b2", b"", 400, "Content-Length must be a number"),
        ("Content-Length: 1\u00b9", b"", 400, "Content-Length must be a number"),
        ("Content-Length: +2", b"42", 400, "Content-Length must be a number"),
        ("Content-Length: 2\r\nTransfer-Encoding: chunked", b"2\r\n42\r\n0\r\n\r\n", 400, "both Content-Length and Transfer-Encoding"),
        ("Transfer-Encoding: notchunked", b"2\r\n42\r\n0\r\n\r\n", 501, "the only Transfer-Encoding served is chunked"),
        ("Transfer-Encoding: gzip, chunked", b"2\r\n42\r\n0\r\n\r\n", 501, "the only Transfer-Encoding served is chunked"),
        ("Content-Length: 1\r\nContent-Length: 2", b"42", 400, "more than once, with different values"),
        ("Content-Length: 1, 2", b"42", 400, "more than once, with different values"),
        ("Transfer-Encoding: chunked", b"2\r\n42XX0\r\n\r\n", 400, "not followed by CRLF"),
        ("Transfer-Encoding: chunked", b"-2\r\n42\r\n0\r\n\r\n", 400, "malformed chunk size"),
        ("Transfer-Encoding: chunked", b"0x2\r\n42\r\n0\r\n\r\n", 400, "malformed chunk size"),
        ("Transfer-Encoding: chunked", b"+2\r\n42\r\n0\r\n\r\n", 400, "malformed chunk size"),
        ("Transfer-Encoding: chunked", b"a" * 5000, 400, "chunk-size line is longer"),
    ],
    ids=[
        "superscript two length",
        "one and superscript one length",
        "signed length",
        "length and transfer-encoding",
        "notchunked",
        "gzip then chunked",
        "two different lengths",
        "a list of different lengths",
        "no CRLF after chunk data",
        "negative chunk size",
        "0x chunk size",
        "signed chunk size",
        "endless chunk-size line",
    ],
)
def test_malformed_framing_is_refused_and_the_server_keeps_serving(server, head, body, status, message):
    request = ("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s\r\n\r\n" % head).encode("latin-1")
    text = server.raw(request + body)
    assert text.startswith("HTTP/1.1 %d " % status), text
    assert message in json.loads(text.split("\r\n\r\n", 1)[1])["error-message"]
    assert "Connection: close" in text
    connection = server.connection()
    connection.request("GET", "/ping")
    assert connection.getresponse().status == 200


def test_identical_repeated_lengths_are_one_length(server):
    text = server.raw(
        b"POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n42"
    )
    assert text.startswith("HTTP/1.1 200 ") and '"echo": 42' in text


def test_handler_errors_are_answered_and_the_server_survives(server):
    connection = server.connection()
    connection.request("POST", "/invocations", body='"explode"', headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 500 and json.loads(response.read())["error-message"] == "the model exploded"
    connection.request("POST", "/invocations", body="{oops", headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 400
    response.read()
    connection.request("POST", "/invocations", body="7", headers={"Content-Type": "application/json"})
    assert json.loads(connection.getresponse().read())["echo"] == 7


def test_http_1_0_closes_after_the_response(server):
    text = server.raw(b"GET /ping HTTP/1.0\r\n\r\n")
    assert text.startswith("HTTP/1.1 200 OK") and "Connection: close" in text


def test_sigterm_stops_it_cleanly_even_with_an_idle_keep_alive_connection(server):
    connection = server.connection()
    connection.request("GET", "/ping")
    connection.getresponse().read()
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(5) == 0
    assert time.monotonic() - started < 2


def test_a_model_that_fails_to_load_exits_non_zero_with_the_handlers_error(make_model_dir):
    model_dir = make_model_dir("def model_fn(model_dir):\n    raise FileNotFoundError('model.joblib is missing')\n")
    process = subprocess.run(
        [sys.executable, "-m", "slipway_serving", "--model-dir", model_dir],
        env={**os.environ, "PYTHONPATH": PYTHON_ROOT},
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    assert "the model failed to load: model_fn failed:" in process.stderr
    assert "FileNotFoundError: model.joblib is missing" in process.stderr


def test_a_server_whose_launcher_is_gone_stops_by_itself(make_model_dir, tmp_path):
    # A launcher process starts the server with --parent-pid and dies at once; the server must not outlive it.
    model_dir = make_model_dir(ECHO_SCRIPT, files={"model.txt": "v1"})
    pid_file = tmp_path / "server.pid"
    launcher = (
        "import os, subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'slipway_serving', '--model-dir', %r, '--parent-pid', str(os.getpid())],"
        " stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)\n"
        "open(%r, 'w').write(str(p.pid))\n" % (model_dir, str(pid_file))
    )
    subprocess.run([sys.executable, "-c", launcher], env={**os.environ, "PYTHONPATH": PYTHON_ROOT}, check=True, timeout=20)
    server_pid = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(server_pid, signal.SIGKILL)
    pytest.fail("the orphaned model server kept running")


def test_more_workers_share_the_port_and_stop_together(make_model_dir):
    script = "import os\ndef model_fn(d):\n    return None\ndef transform_fn(m, b, c, a):\n    return str(os.getpid()), 'text/plain'\n"
    server = Server(make_model_dir(script), {"SAGEMAKER_MODEL_SERVER_WORKERS": "2"})
    try:
        pids = set()
        # The server answers at once; the second worker joins the port when its model is loaded. Each new
        # connection is hashed to one of the listening processes.
        deadline = time.monotonic() + 30
        while len(pids) < 2 and time.monotonic() < deadline:
            connection = server.connection()
            connection.request("POST", "/invocations", body="x", headers={"Content-Type": "text/plain"})
            pids.add(int(connection.getresponse().read()))
            connection.close()
        assert len(pids) == 2 and server.process.pid in pids
    finally:
        server.stop()
    worker = (pids - {server.process.pid}).pop()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    pytest.fail("the second worker outlived the server")
