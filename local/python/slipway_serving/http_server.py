"""A lean HTTP/1.1 server for the serving contract: GET /ping, POST /invocations, keep-alive, pipelining.

One asyncio protocol per connection; requests are parsed from the connection's buffer and answered inline
(prediction holds the GIL anyway, so threads would only add switching). Bodies may come with Content-Length
or chunked; `Expect: 100-continue` is honoured; bodies over the payload limit get 413.

Framing follows RFC 9112 strictly, because a lenient parser behind a proxy is how requests get smuggled:
Content-Length is ASCII digits only, and repeated values must agree; Content-Length together with
Transfer-Encoding is refused; the only transfer coding is exactly `chunked` (anything else is 501); chunk
sizes are hex digits only; the CRLF after each chunk's data is checked. Every malformed request gets a 4xx
and its connection is closed; nothing in a request can raise out of the parser.
"""
import asyncio
import json
import re
import traceback
from http import HTTPStatus

MAX_HEADER_BYTES = 64 * 1024
# A chunk-size line (size and extensions) longer than this is refused rather than buffered.
MAX_CHUNK_LINE_BYTES = 4096
_DIGITS = re.compile(r"[0-9]{1,18}\Z")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}\Z")
HEALTHY = json.dumps({"status": "Healthy"}).encode("utf-8") + b"\n"
JSON = "application/json"


def _reason(status):
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _message(status, message):
    return json.dumps({"error": _reason(status), "error-message": message}).encode("utf-8")


class _Incomplete(Exception):
    """The buffer does not yet hold a whole request."""


class _BadRequest(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class HttpProtocol(asyncio.Protocol):
    def __init__(self, app, max_body_bytes, connections):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.connections = connections
        self.transport = None
        self.buffer = bytearray()
        self.sent_continue = False

    def connection_made(self, transport):
        self.transport = transport
        self.connections.add(self)

    def data_received(self, data):
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            try:
                request = self._parse()
            except _Incomplete:
                if len(self.buffer) > MAX_HEADER_BYTES + self.max_body_bytes + 65536:
                    self._send(413, _message(413, "request too large"), JSON, close=True)
                return
            except _BadRequest as error:
                self._send(error.status, _message(error.status, str(error)), JSON, close=True)
                return
            except Exception:  # a bug in the parser: answer and close rather than leave the client hanging
                traceback.print_exc()
                self._send(500, _message(500, "the request could not be parsed"), JSON, close=True)
                return
            method, path, headers, body, keep_alive = request
            status, payload, content_type = self.app(method, path, headers, body)
            self._send(status, payload, content_type, close=not keep_alive)

    def _parse(self):
        end = self.buffer.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES + 4)
        if end < 0:
            if len(self.buffer) > MAX_HEADER_BYTES:
                raise _BadRequest(431, "request headers are larger than %d bytes" % MAX_HEADER_BYTES)
            raise _Incomplete()
        try:
            head = self.buffer[:end].decode("latin-1")
        except UnicodeDecodeError as error:  # pragma: no cover - latin-1 decodes every byte
            raise _BadRequest(400, str(error)) from error
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[0] or not parts[1]:
            raise _BadRequest(400, "malformed request line %r" % lines[0][:100])
        method, target, version = parts
        headers = {}
        lengths = []
        codings = []
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest(400, "malformed header line %r" % line[:100])
            name = name.lower()
            value = value.strip(" \t")
            if name == "content-length":
                lengths.extend(part.strip(" \t") for part in value.split(","))
            elif name == "transfer-encoding":
                codings.extend(part.strip(" \t").lower() for part in value.split(","))
            headers[name] = value
        start = end + 4
        if codings:
            if lengths:
                raise _BadRequest(400, "a request must not have both Content-Length and Transfer-Encoding")
            if version != "HTTP/1.1":
                raise _BadRequest(400, "Transfer-Encoding needs HTTP/1.1")
            if codings != ["chunked"]:
                raise _BadRequest(
                    501, "the only Transfer-Encoding served is chunked, got %r" % headers["transfer-encoding"][:100]
                )
            body, consumed = self._chunked(start, headers)
        else:
            if any(not _DIGITS.match(text) for text in lengths):
                raise _BadRequest(400, "Content-Length must be a number, got %r" % ", ".join(lengths)[:100])
            if len(set(int(text) for text in lengths)) > 1:
                raise _BadRequest(400, "Content-Length is given more than once, with different values")
            length = int(lengths[0]) if lengths else 0
            if length > self.max_body_bytes:
                raise _BadRequest(413, "the body has %d bytes, more than the limit of %d" % (length, self.max_body_bytes))
            if len(self.buffer) - start < length:
                self._maybe_continue(headers)
                raise _Incomplete()
            body, consumed = bytes(self.buffer[start : start + length]), start + length
        del self.buffer[:consumed]
        self.sent_continue = False
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        return method, target.split("?", 1)[0], headers, body, keep_alive

    def _chunked(self, position, headers):
        body = bytearray()
        while True:
            line_end = self.buffer.find(b"\r\n", position, position + MAX_CHUNK_LINE_BYTES)
            if line_end < 0:
                if len(self.buffer) - position >= MAX_CHUNK_LINE_BYTES:
                    raise _BadRequest(400, "a chunk-size line is longer than %d bytes" % MAX_CHUNK_LINE_BYTES)
                self._maybe_continue(headers)
                raise _Incomplete()
            size_text = bytes(self.buffer[position:line_end].split(b";", 1)[0]).rstrip(b" \t")
            if not _HEX.match(size_text):
                raise _BadRequest(400, "malformed chunk size %r: it must be hex digits" % size_text[:20])
            size = int(size_text, 16)
            if len(body) + size > self.max_body_bytes:
                raise _BadRequest(413, "the body is larger than the limit of %d bytes" % self.max_body_bytes)
            data_start = line_end + 2
            if size == 0:
                trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                if trailer_end < 0:
                    if len(self.buffer) - line_end > MAX_HEADER_BYTES:
                        raise _BadRequest(431, "the trailer is larger than %d bytes" % MAX_HEADER_BYTES)
                    raise _Incomplete()
                return bytes(body), trailer_end + 4
            data_end = data_start + size
            if len(self.buffer) < data_end + 2:
                self._maybe_continue(headers)
                raise _Incomplete()
            if self.buffer[data_end : data_end + 2] != b"\r\n":
                raise _BadRequest(400, "a chunk's data is not followed by CRLF")
            body += self.buffer[data_start:data_end]
            position = data_end + 2

    def _maybe_continue(self, headers):
        if not self.sent_continue and headers.get("expect", "").lower() == "100-continue":
            self.sent_continue = True
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _send(self, status, payload, content_type, close):
        head = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
            status,
            _reason(status),
            content_type,
            len(payload),
            "Connection: close\r\n" if close else "",
        )
        self.transport.write(head.encode("latin-1") + payload)
        if close:
            self.transport.close()
            self.transport = None

    def connection_lost(self, exc):
        self.transport = None
        self.connections.discard(self)

    def close(self):
        if self.transport is not None:
            self.transport.close()


def make_app(handler):
    """Routes a parsed request to the model: the serving contract's two paths and nothing else."""

    def app(method, path, headers, body):
        if path == "/ping":
            if method != "GET":
                return 405, _message(405, "use GET /ping"), JSON
            return 200, HEALTHY, JSON
        if path == "/invocations":
            if method != "POST":
                return 405, _message(405, "use POST /invocations"), JSON
            return handler.invoke(body, headers.get("content-type"), headers.get("accept"))
        return 404, _message(404, "no route %s %s: the model server answers GET /ping and POST /invocations" % (method, path)), JSON

    return app


async def serve(handler, host, port, max_body_bytes, on_ready, reuse_port=False):
    """Serves until cancelled; calls `on_ready(port)` once listening. With `reuse_port`, several worker
    processes can listen on the same port and the kernel spreads connections across them."""
    loop = asyncio.get_running_loop()
    app = make_app(handler)
    connections = set()
    server = await loop.create_server(
        lambda: HttpProtocol(app, max_body_bytes, connections), host, port, backlog=1024, reuse_port=reuse_port or None
    )
    on_ready(server.sockets[0].getsockname()[1])
    try:
        await server.serve_forever()
    finally:
        # Requests are answered inline, so none is half-done here: close idle keep-alive connections and go.
        server.close()
        for connection in list(connections):
            connection.close()
        await server.wait_closed()
