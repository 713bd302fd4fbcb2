"""A scriptable HTTP/1.1 server on a raw socket: the test decides every byte the bridge receives.

``RawServer(script)`` listens on 127.0.0.1 (port chosen by the OS) and serves each accepted
connection on its own thread: it reads one request at a time (head, then a ``Content-Length`` body)
and hands it to ``script(exchange)``, which writes whatever bytes the test wants with
``exchange.conn.send(...)`` (or ``send_bytewise``), closes, resets or holds the connection. The
server records every request (with the number of the connection it came on) and counts connections
open at once, so tests can see retries, reuse and connection limits from the server's side.

Python standard library only. Nothing here sleeps: a held exchange blocks on an event that
``stop()`` sets, and every thread is joined with a bounded wait.
"""

import select
import socket
import threading
import time
from dataclasses import dataclass, field

# The longest request head the bridge sends is a few hundred bytes; anything larger is a bug.
MAX_HEAD_BYTES = 64 * 1024
# Bounds each blocking read of a request, so a connection the bridge leaves idle never pins a thread
# past the test; far above any gap inside one request from a live bridge.
READ_SECONDS = 30.0
# How long stop() waits for each connection thread after shutting its socket down.
JOIN_SECONDS = 5.0


@dataclass
class Request:
    """One request as it arrived: ``target`` is the raw request-target, headers keep their order."""
    method: str
    target: str
    version: str
    headers: list
    body: bytes
    connection: int
    number: int = 0

    def header(self, name):
        """The value of the first header called ``name`` (case-insensitive), or None."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def path(self):
        return self.target.split("?", 1)[0]


class Connection:
    """One accepted socket. Methods never raise on a peer that went away: tests judge the bridge."""

    def __init__(self, server, sock, number):
        self.server = server
        self.sock = sock
        self.number = number
        self.closed = False
        self._buffer = b""

    def read_request(self):
        """The next request, or None when the peer closed (or the server is stopping)."""
        self.sock.settimeout(READ_SECONDS)
        try:
            while b"\r\n\r\n" not in self._buffer:
                if len(self._buffer) > MAX_HEAD_BYTES:
                    return None
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self._buffer += chunk
            head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers = []
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers.append((name, value.strip()))
            request = Request(method, target, version, headers, b"", self.number)
            length = int(request.header("Content-Length") or 0)
            while len(self._buffer) < length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None
                self._buffer += chunk
            request.body, self._buffer = self._buffer[:length], self._buffer[length:]
            return request
        except (OSError, ValueError):
            return None

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            pass

    def send_bytewise(self, data):
        """One byte per ``send`` with Nagle off: the bridge must assemble the answer from crumbs."""
        try:
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for index in range(len(data)):
                self.sock.send(data[index:index + 1])
        except OSError:
            pass

    def close(self):
        """FIN after everything sent."""
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()

    def hold(self):
        """Never answer: block until the server stops (the test's bound is the bridge's --timeout)."""
        self.server.stopping.wait()

    def wait_peer_closed(self, seconds):
        """Never answer; True once the peer closes the connection, False if ``seconds`` pass first."""
        deadline = time.monotonic() + seconds
        try:
            while not self.server.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                ready, _, _ = select.select([self.sock], [], [], remaining)
                if ready and not self.sock.recv(65536):
                    return True
        except OSError:
            return True
        return False


@dataclass
class Exchange:
    """What a script gets: the request, the connection it came on, and the default answer."""
    request: Request
    conn: Connection
    server: "RawServer"
    number: int

    def normal(self):
        """The bytes a well-behaved Medusa would answer (see fake_medusa)."""
        return self.server.responder(self.request)


@dataclass
class Counters:
    accepted: int = 0
    open_now: int = 0
    max_open: int = 0
    requests: list = field(default_factory=list)


class RawServer:
    """Serves connections with ``script``; ``stop()`` closes everything and joins every thread."""

    def __init__(self, script, responder):
        self.script = script
        self.responder = responder
        self.stopping = threading.Event()
        self._lock = threading.Condition()
        self._counters = Counters()
        self._connections = []
        self._threads = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self.origin = "http://127.0.0.1:%d" % self.port
        self.url = self.origin
        self._acceptor = threading.Thread(target=self._accept_loop, name="raw-http-accept", daemon=True)
        self._acceptor.start()

    # -- what the server saw ------------------------------------------------------------------

    @property
    def requests(self):
        with self._lock:
            return list(self._counters.requests)

    @property
    def accepted(self):
        with self._lock:
            return self._counters.accepted

    @property
    def max_open(self):
        with self._lock:
            return self._counters.max_open

    def wait_requests(self, count, seconds):
        """Blocks until ``count`` requests arrived; returns them (fewer if the bound passed)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._counters.requests) >= count, seconds)
            return list(self._counters.requests)

    # -- serving ------------------------------------------------------------------------------

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self.stopping.is_set():
                    sock.close()
                    return
                self._counters.accepted += 1
                self._counters.open_now += 1
                self._counters.max_open = max(self._counters.max_open, self._counters.open_now)
                conn = Connection(self, sock, self._counters.accepted)
                self._connections.append(conn)
                thread = threading.Thread(target=self._serve, args=(conn,), name="raw-http-conn", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn):
        try:
            while not conn.closed and not self.stopping.is_set():
                request = conn.read_request()
                if request is None:
                    break
                with self._lock:
                    request.number = len(self._counters.requests) + 1
                    self._counters.requests.append(request)
                    self._lock.notify_all()
                self.script(Exchange(request, conn, self, request.number))
                if (request.header("Connection") or "").lower() == "close":
                    break
        finally:
            conn.close()
            with self._lock:
                self._counters.open_now -= 1
                self._lock.notify_all()

    def stop(self):
        self.stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() on Linux
        except OSError:
            pass
        self._listener.close()
        self._acceptor.join(JOIN_SECONDS)
        with self._lock:
            connections, threads = list(self._connections), list(self._threads)
        for conn in connections:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(JOIN_SECONDS)
        for conn in connections:
            conn.close()


def serve_normally(exchange):
    """The default script: answer every request as Medusa would, keep the connection alive."""
    exchange.conn.send(exchange.normal())
