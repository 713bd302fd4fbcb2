"""HTTP/1.1 server plumbing: keep-alive connections, request parsing, faults, response writing.

Node's http server is the model: keep-alive with a 5 s idle timeout (``Keep-Alive: timeout=5``),
``100 Continue`` for ``Expect``, duplicate headers merged the way Node merges them, every response
written with one ``send`` and always with a Content-Length.
"""

import itertools
import socket
import ssl
import struct
import sys
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .app import Request
from .express import Response, reason_phrase
from .faults import canned_response

# Node's server.keepAliveTimeout: an idle keep-alive connection is closed after 5 s.
DEFAULT_KEEP_ALIVE_TIMEOUT = 5.0
# Node's headersTimeout (60 s): the rest of a request must arrive within this once it started.
REQUEST_READ_TIMEOUT = 60.0
# A TLS client that connects and never finishes its handshake is dropped after this long.
TLS_HANDSHAKE_TIMEOUT = 10.0
# Node's default maximum header size is 16 KiB; request line and each header line are bounded.
MAX_LINE = 16 * 1024
MAX_HEADERS = 200
# Bodies are kept (for parsing and the request log) up to this size; beyond it they are read
# and discarded so the connection stays usable.
MAX_KEPT_BODY = 16 * 1024 * 1024
RECORDED_BODY_LIMIT = 1024 * 1024
_CHUNK = 64 * 1024
CONTROL_PREFIX = "/__emulator"

# Node keeps only the first of these when a request repeats them (IncomingMessage._addHeaderLine).
_SINGLE_HEADERS = frozenset((
    "age", "authorization", "content-length", "content-type", "etag", "expires", "from", "host",
    "if-modified-since", "if-unmodified-since", "last-modified", "location", "max-forwards",
    "proxy-authorization", "referer", "retry-after", "server", "user-agent"))


class _BadRequest(Exception):
    """The request cannot be parsed; answered like Node (400 and close)."""

    def __init__(self, status=400):
        super().__init__(status)
        self.status = status


class _Close(Exception):
    """Stop serving this connection now (a fault dropped it, or the server is stopping)."""


class EmulatorServer(ThreadingHTTPServer):
    """One thread per connection; tracks live connections so ``stop`` can close them."""

    daemon_threads = True
    block_on_close = False
    # Node listens with a backlog of 511; the stdlib default of 5 drops bursts of connects.
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address, app, control, faults, request_log, keep_alive_timeout,
                 tls_context=None, verbose=False):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.control = control
        self.faults = faults
        self.request_log = request_log
        self.keep_alive_timeout = keep_alive_timeout or None
        self.keep_alive_header = "Connection: keep-alive" + (
            "\r\nKeep-Alive: timeout=%d" % keep_alive_timeout if keep_alive_timeout else "")
        self.tls = tls_context is not None
        self.verbose = verbose
        self.stopping = threading.Event()
        self._connections = set()
        self._connections_lock = threading.Lock()
        self._ids = itertools.count(1)
        super().__init__(address, EmulatorHandler)
        if tls_context is not None:
            # The handshake runs in the connection's thread, not in the accept loop.
            self.socket = tls_context.wrap_socket(self.socket, server_side=True,
                                                  do_handshake_on_connect=False)

    def track(self, sock):
        with self._connections_lock:
            self._connections.add(sock)
            return next(self._ids)

    def untrack(self, sock):
        with self._connections_lock:
            self._connections.discard(sock)

    def close_all_connections(self):
        self.stopping.set()
        with self._connections_lock:
            live = list(self._connections)
        for sock in live:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # Clients vanishing mid-request is normal here (faults, killed tests); stay quiet.
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ssl.SSLError)) or not self.verbose:
            return
        super().handle_error(request, client_address)


class EmulatorHandler(BaseHTTPRequestHandler):
    """Serves one connection: parse a request, run faults and the app, write the answer."""

    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY every small response waits ~40 ms for the peer's delayed ACK.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.connection_id = self.server.track(self.connection)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        self.server.untrack(self.connection)

    def handle(self):
        try:
            if self.server.tls:
                self.connection.settimeout(TLS_HANDSHAKE_TIMEOUT)
                self.connection.do_handshake()
            while not self.server.stopping.is_set() and self._serve_one():
                pass
        except (_Close, OSError, ssl.SSLError, ValueError):
            pass  # ValueError: "cannot read from timed out object" after a timeout

    # -- reading ------------------------------------------------------------------------------

    def _serve_one(self):
        """Serve one request; False when the connection must close."""
        self.connection.settimeout(self.server.keep_alive_timeout)
        try:
            line = self.rfile.readline(MAX_LINE + 1)
            if line in (b"\r\n", b"\n"):  # RFC 9112 §2.2: ignore a stray CRLF before a request
                line = self.rfile.readline(MAX_LINE + 1)
        except socket.timeout:
            return False
        if not line:
            return False
        self.connection.settimeout(REQUEST_READ_TIMEOUT)
        try:
            req, keep_alive = self._read_request(line)
        except _BadRequest as bad:
            self._write(Response(bad.status, [("Content-Length", "0")]), False)
            return False
        if req.path == CONTROL_PREFIX or req.path.startswith(CONTROL_PREFIX + "/"):
            self._write(self.server.control.handle(req), keep_alive)
            return keep_alive
        self.server.request_log.record(req.method, req.target, req.header_pairs,
                                       req.body[:RECORDED_BODY_LIMIT], self.connection_id)
        fault = self.server.faults.take(req.method, req.path)
        if fault is not None:
            return self._serve_fault(fault, req, keep_alive)
        res = self.server.app.handle(req)
        self._write(res, keep_alive)
        if self.server.verbose:
            self._log(req, res.status)
        return keep_alive

    def _read_request(self, line):
        if not line.endswith(b"\n"):
            raise _BadRequest(431)  # request line longer than Node's 16 KiB header limit
        try:
            method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ")
        except ValueError:
            raise _BadRequest() from None
        if version not in ("HTTP/1.1", "HTTP/1.0") or not method.isalpha() or not target:
            raise _BadRequest()
        pairs = []
        size = len(line)
        while True:
            raw = self.rfile.readline(MAX_LINE + 1)
            size += len(raw)
            if size > MAX_LINE or len(pairs) > MAX_HEADERS:
                raise _BadRequest(431)
            if raw in (b"\r\n", b"\n"):
                break
            if not raw or raw[:1] in (b" ", b"\t"):
                raise _BadRequest()
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest()
            pairs.append((name, value.strip(" \t\r\n")))
        headers = _node_headers(pairs)
        connection = headers.get("connection", "").lower()
        if version == "HTTP/1.1":
            keep_alive = "close" not in connection
        else:
            keep_alive = "keep-alive" in connection
        body, has_body = self._read_body(headers, version)
        path = _pathname(target)
        return Request(method.upper(), target, path, headers, pairs, body, has_body,
                       self.server.tls), keep_alive

    def _read_body(self, headers, version):
        encoding = headers.get("transfer-encoding")
        length = headers.get("content-length")
        if encoding is not None and length is not None:
            raise _BadRequest()
        if encoding is None and length is None:
            return b"", False
        if version == "HTTP/1.1" and headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if encoding is not None:
            if encoding.lower().rsplit(",", 1)[-1].strip() != "chunked":
                raise _BadRequest()
            return self._read_chunked(), True
        if not length.isdigit():
            raise _BadRequest()
        return self._read_exact(int(length)), True

    def _read_exact(self, remaining):
        parts = []
        kept = 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, _CHUNK))
            if not chunk:
                raise _Close()
            remaining -= len(chunk)
            if kept < MAX_KEPT_BODY:
                parts.append(chunk)
                kept += len(chunk)
        return b"".join(parts)

    def _read_chunked(self):
        parts = []
        while True:
            size_line = self.rfile.readline(MAX_LINE + 1)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequest() from None
            if size == 0:
                while self.rfile.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self._read_exact(size))
            self.rfile.readline(MAX_LINE + 1)

    # -- faults -------------------------------------------------------------------------------

    def _serve_fault(self, fault, req, keep_alive):
        spec = fault.spec
        if fault.delay and self.server.stopping.wait(fault.delay):
            raise _Close()
        action = fault.action
        if action is None:
            self._write(self.server.app.handle(req), keep_alive)
        elif action == "drop":
            self._close_now(reset=spec["drop"] == "reset")
        elif action == "reset_mid_body":
            self._reset_mid_body(self.server.app.handle(req))
        elif action == "huge_bytes":
            self._stream_huge(spec["huge_bytes"], spec.get("content_type"))
        else:
            self._write(canned_response(action, spec), keep_alive)
        return keep_alive and action not in ("drop", "reset_mid_body", "huge_bytes")

    def _close_now(self, reset):
        """Close the connection with no (more) bytes: FIN, or RST when ``reset``."""
        try:
            self.wfile.flush()
        except OSError:
            pass
        if reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.wfile.close()
        self.connection.close()
        raise _Close()

    def _reset_mid_body(self, res):
        """Headers with the full Content-Length, half of the body, then a TCP reset."""
        body = res.body or b'{"customer":{"id":"cus_reset_mid_body"}}'
        head = _head(res.status, [(k, v) for k, v in res.headers if k.lower() != "content-length"]
                     + [("Content-Length", str(len(body)))], self.server.keep_alive_header)
        self.wfile.write(head + body[:max(1, len(body) // 2)])
        self._close_now(reset=True)

    def _stream_huge(self, size, content_type):
        """A 200 JSON body of ``size`` bytes, written in chunks (never built in memory)."""
        prefix, suffix = b'{"customer":{"id":"cus_huge","padding":"', b'"}}'
        if size < len(prefix) + len(suffix):
            prefix, suffix = b"", b""
        headers = [("Content-Type", content_type or "application/json; charset=utf-8"),
                   ("Content-Length", str(size))]
        self.wfile.write(_head(200, headers, "Connection: close") + prefix)
        remaining = size - len(prefix) - len(suffix)
        block = b"x" * _CHUNK
        while remaining > 0 and not self.server.stopping.is_set():
            n = min(remaining, _CHUNK)
            self.wfile.write(block if n == _CHUNK else block[:n])
            remaining -= n
        self.wfile.write(suffix)

    # -- writing ------------------------------------------------------------------------------

    def _write(self, res, keep_alive):
        body = res.body if res.send_body and res.status not in (204, 304) else b""
        connection = self.server.keep_alive_header if keep_alive else "Connection: close"
        self.wfile.write(_head(res.status, res.headers, connection, len(res.body)) + body)

    def _log(self, req, status):
        sys.stderr.write("emulator: %s %s -> %d\n" % (req.method, req.target, status))


_date_cache = [0, ""]


def _http_date():
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[1] = formatdate(now, usegmt=True)
        _date_cache[0] = now
    return _date_cache[1]


def _head(status, headers, connection, body_length=None):
    """Status line and headers as Node writes them: Date, Connection, then Content-Length.

    ``connection`` is the Connection (and Keep-Alive) header text for this response.
    """
    lines = ["HTTP/1.1 %d %s" % (status, reason_phrase(status))]
    has_length = False
    for name, value in headers:
        if name.lower() == "content-length":
            has_length = True
        lines.append("%s: %s" % (name, value))
    lines.append("Date: " + _http_date())
    lines.append(connection)
    if not has_length and body_length is not None and status not in (204, 304):
        lines.append("Content-Length: %d" % body_length)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")


def _node_headers(pairs):
    """The ``req.headers`` object Node builds: lowercased names, duplicates merged."""
    headers = {}
    for name, value in pairs:
        key = name.lower()
        if key not in headers:
            headers[key] = value
        elif key == "cookie":
            headers[key] += "; " + value
        elif key not in _SINGLE_HEADERS:
            headers[key] += ", " + value
    return headers


def _pathname(target):
    """parseurl's pathname: the target without its query (absolute-form URLs reduced)."""
    if target.startswith(("http://", "https://")):
        slash = target.find("/", target.find("//") + 2)
        target = target[slash:] if slash >= 0 else "/"
    for sep in ("?", "#"):
        cut = target.find(sep)
        if cut >= 0:
            target = target[:cut]
    return target
