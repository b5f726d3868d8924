"""Property-based fuzzing (Hypothesis) of the model server's HTTP/1.1 parser.

In-process: bytes fed to the protocol in any split never raise out of it and are answered only with the
statuses the parser and app use; well-formed requests, pipelined and split anywhere, are parsed back exactly.
Over a socket: a real server process survives any request bytes. Part of the reliability suite: `npm test`
runs a reduced number of examples, `npm run test:reliability` the full number (see conftest.py).
"""
import json
import os
import re
import socket
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ECHO_SCRIPT
from slipway_serving.http_server import HttpProtocol
from test_http_server import Server

pytestmark = pytest.mark.reliability

FIGURES = {"inputs": 0, "refused": 0, "crashes": 0}


@pytest.fixture(scope="module", autouse=True)
def record_figures():
    """Writes this module's figures where `npm run test:reliability` prints them from."""
    yield
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    folder = os.path.join(root, ".cache", "reliability")
    os.makedirs(folder, exist_ok=True)
    record = {
        "name": "python-http-parser-fuzz",
        "mode": "full" if os.environ.get("SLIPWAY_RELIABILITY") == "full" else "reduced",
        "inputs": FIGURES["inputs"],
        "crashes": FIGURES["crashes"],
        "dataLost": 0,
        "faultsSurvived": FIGURES["refused"],
        "notes": "request byte streams, in-process and against a model server process; data lost: not applicable",
    }
    with open(os.path.join(folder, "python-http-parser-fuzz.json"), "w") as handle:
        json.dump(record, handle, indent=2)


def count(output):
    FIGURES["inputs"] += 1
    FIGURES["refused"] += sum(1 for status in statuses(output) if status >= 400)

# Statuses the parser (400, 413, 431, 501) and the app (200, 404, 405) give; 500 would be the parser's safety net.
EXPECTED_STATUSES = {100, 200, 400, 404, 405, 413, 431, 501}
LIMIT = 4096


class Transport:
    def __init__(self):
        self.out = bytearray()
        self.closed = False

    def write(self, data):
        assert not self.closed, "wrote after closing"
        self.out += data

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True


def make_app(seen):
    def app(method, path, headers, body):
        seen.append((method, path, body))
        return (200 if path == "/invocations" else 404), b"{}", "application/json"

    return app


def feed(pieces, seen=None):
    transport = Transport()
    protocol = HttpProtocol(make_app([] if seen is None else seen), LIMIT, set())
    protocol.connection_made(transport)
    for piece in pieces:
        if transport.closed:
            break
        protocol.data_received(piece)
    return transport


def statuses(output):
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", bytes(output))]


def split(data, cuts):
    points = sorted({cut % (len(data) + 1) for cut in cuts})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


TOKEN = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-ABCXYZ0123456789", min_size=1, max_size=12)
header_value = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\r\n"), max_size=20),
    st.sampled_from(["chunked", "notchunked", "gzip, chunked", "chunked, chunked", "0", "-1", "1, 2", "\u00b2", " 5 ", "05"]),
)
near_valid = st.builds(
    lambda method, path, headers, framing, body, tail: (
        ("%s %s HTTP/1.1\r\n" % (method, path)).encode("latin-1")
        + b"".join(("%s: %s\r\n" % (name, value)).encode("latin-1") for name, value in headers)
        + framing
        + b"\r\n"
        + body
        + tail
    ),
    st.sampled_from(["GET", "POST", "PUT", "", "POST POST"]),
    st.sampled_from(["/invocations", "/ping", "/x", "*", "/invocations?x=1"]),
    st.lists(st.tuples(st.one_of(TOKEN, st.sampled_from(["Content-Length", "Transfer-Encoding", "Expect"])), header_value), max_size=4),
    st.sampled_from([b"", b"Content-Length: 3\r\n", b"Transfer-Encoding: chunked\r\n", b"Content-Length: 99999\r\n"]),
    st.binary(max_size=64),
    st.sampled_from([b"", b"0\r\n\r\n", b"3\r\nabc\r\n0\r\n\r\n", b"GET /ping HTTP/1.1\r\n\r\n"]),
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=600), near_valid), cuts=st.lists(st.integers(min_value=0), max_size=6))
def test_no_bytes_raise_out_of_the_parser_and_every_answer_is_a_known_status(data, cuts):
    transport = feed(split(data, cuts))
    count(transport.out)
    for status in statuses(transport.out):
        assert status in EXPECTED_STATUSES, bytes(transport.out)[:300]


FRAMING_NAMES = ["Content-Length", "content-length", "Transfer-Encoding", "TRANSFER-ENCODING"]
FRAMING_VALUES = [
    "3", "03", " 3 ", "3, 3", "3,4", "\u00b2", "1\u00b9", "+3", "-3", "", "3 3", "0x3",
    "chunked", "Chunked", " chunked", "notchunked", "gzip, chunked", "chunked, chunked", "identity", "chunked;q=1",
]


def expected_framing(headers):
    """RFC 9112 section 6, written out independently of the parser: what a request's framing must lead to."""
    lengths = [v.strip(" \t") for n, value in headers if n.lower() == "content-length" for v in value.split(",")]
    codings = [v.strip(" \t").lower() for n, value in headers if n.lower() == "transfer-encoding" for v in value.split(",")]
    if codings and lengths:
        return 400
    if codings:
        return "chunked" if codings == ["chunked"] else 501
    if any(not re.fullmatch(r"[0-9]+", value, re.ASCII) for value in lengths) or len({int(v) for v in lengths}) > 1:
        return 400
    return "length"


@given(headers=st.lists(st.tuples(st.sampled_from(FRAMING_NAMES), st.sampled_from(FRAMING_VALUES)), max_size=3))
def test_framing_follows_rfc_9112_never_guessing(headers):
    expected = expected_framing(headers)
    body = b"3\r\nabc\r\n0\r\n\r\n" if expected == "chunked" else b"abc"
    head = "POST /invocations HTTP/1.1\r\nHost: x\r\n" + "".join("%s: %s\r\n" % header for header in headers)
    seen = []
    transport = feed([head.encode("latin-1") + b"\r\n" + body], seen)
    count(transport.out)
    answered = statuses(transport.out)
    if expected in (400, 501):
        assert answered == [expected] and transport.closed and seen == [], (headers, bytes(transport.out))
    else:
        length = 0 if not any(n.lower() == "content-length" for n, _ in headers) or expected == "chunked" else 3
        assert answered[:1] == [200], (headers, bytes(transport.out))
        assert seen[0] == ("POST", "/invocations", b"abc" if expected == "chunked" else b"abc"[:length])


@st.composite
def request(draw):
    method = draw(st.sampled_from(["POST", "GET"]))
    body = draw(st.binary(max_size=300)) if method == "POST" else b""
    headers = [("Host", "x")] + draw(st.lists(st.tuples(TOKEN.map(lambda t: "X-" + t), TOKEN), max_size=3))
    if method == "POST" and draw(st.booleans()):
        sizes = draw(st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=6))
        chunks, offset, index = [], 0, 0
        while offset < len(body):
            size = min(sizes[index % len(sizes)], len(body) - offset)
            extension = draw(st.sampled_from(["", ";a=b", ";chunk-signature=abc"]))
            chunks.append(b"%x%s\r\n" % (size, extension.encode()) + body[offset : offset + size] + b"\r\n")
            offset += size
            index += 1
        framing = b"Transfer-Encoding: chunked\r\n"
        payload = b"".join(chunks) + b"0\r\n" + draw(st.sampled_from([b"", b"X-Trailer: 1\r\n"])) + b"\r\n"
    else:
        framing = b"Content-Length: %d\r\n" % len(body) if (body or draw(st.booleans())) else b""
        payload = body
    head = "%s /invocations HTTP/1.1\r\n" % method + "".join("%s: %s\r\n" % header for header in headers)
    return head.encode("latin-1") + framing + b"\r\n" + payload, method, body


@given(requests=st.lists(request(), min_size=1, max_size=4), cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_well_formed_requests_pipelined_and_split_anywhere_are_parsed_exactly(requests, cuts):
    data = b"".join(raw for raw, _, _ in requests)
    seen = []
    transport = feed(split(data, cuts), seen)
    count(transport.out)
    assert statuses(transport.out) == [200] * len(requests)
    assert seen == [(method, "/invocations", body) for _, method, body in requests]
    assert not transport.closed


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    model_dir = tmp_path_factory.mktemp("fuzz-model")
    (model_dir / "code").mkdir()
    (model_dir / "code" / "inference.py").write_text(textwrap.dedent(ECHO_SCRIPT))
    (model_dir / "model.txt").write_text("v1")
    started = Server(str(model_dir), {"SAGEMAKER_MAX_PAYLOAD_IN_MB": "0.01"})
    yield started
    started.stop()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400), near_valid))
def test_a_server_process_survives_any_request_bytes(fuzz_server, data):
    with socket.create_connection(("127.0.0.1", fuzz_server.port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            answer += chunk
    count(answer)
    for status in statuses(answer):
        assert status in EXPECTED_STATUSES | {415, 406}, answer[:300]
    if fuzz_server.process.poll() is not None:
        FIGURES["crashes"] += 1
    assert fuzz_server.process.poll() is None, "the model server process ended"
    connection = fuzz_server.connection()
    connection.request("GET", "/ping")
    assert connection.getresponse().status == 200
