"""A small forward proxy for the tests: HTTP absolute-form requests and CONNECT tunnels.

It records what it was asked for (``seen``: method and request-target), so a test can tell whether
the bridge went through it. Absolute-form requests (RFC 9112 §3.2.2) are sent on to the origin with
``Connection: close`` and the answer is relayed with ``Connection: close`` too, one request per
client connection. CONNECT (RFC 9110 §9.3.6) opens a tunnel and relays bytes both ways until either
side closes, so TLS runs end to end between the bridge and the origin.

Python standard library only; one thread per client connection (two per tunnel), all joined by
``stop()`` with bounded waits.
"""

import select
import socket
import threading
from urllib.parse import urlsplit

from rawhttp import Connection

# Bounds one relay's idle wait; the bridge and the origin are both on loopback and prompt.
RELAY_IDLE_SECONDS = 30.0
JOIN_SECONDS = 5.0


class ForwardProxy:
    def __init__(self):
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._seen = []
        self._sockets = []
        self._threads = []
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._start(self._accept_loop)

    @property
    def seen(self):
        """Every request the proxy was asked for: ``(method, request-target)`` in arrival order."""
        with self._lock:
            return list(self._seen)

    def _start(self, target, *args):
        thread = threading.Thread(target=target, args=args, name="forward-proxy", daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _track(self, sock):
        with self._lock:
            self._sockets.append(sock)
        return sock

    def _accept_loop(self):
        while not self.stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._track(client)
            self._start(self._serve, client)

    def _serve(self, client):
        conn = Connection(self, client, 0)
        request = conn.read_request()
        if request is None:
            conn.close()
            return
        with self._lock:
            self._seen.append((request.method, request.target))
        if request.method == "CONNECT":
            self._tunnel(client, request.target)
        else:
            self._forward(client, request)

    def _tunnel(self, client, authority):
        host, _, port = authority.rpartition(":")
        try:
            upstream = self._track(socket.create_connection((host.strip("[]"), int(port)), timeout=RELAY_IDLE_SECONDS))
        except (OSError, ValueError):
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        _relay(client, upstream, self.stopping)

    def _forward(self, client, request):
        url = urlsplit(request.target)
        if url.scheme != "http" or not url.hostname:
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()
            return
        origin_form = (url.path or "/") + ("?" + url.query if url.query else "")
        headers = [(name, value) for name, value in request.headers
                   if name.lower() not in ("connection", "proxy-connection", "keep-alive", "proxy-authorization")]
        head = ["%s %s HTTP/1.1" % (request.method, origin_form)] + ["%s: %s" % pair for pair in headers]
        head.append("Connection: close")
        try:
            upstream = self._track(socket.create_connection((url.hostname, url.port or 80), timeout=RELAY_IDLE_SECONDS))
            upstream.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
            answer = b""
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    break
                answer += chunk
            upstream.close()
        except OSError:
            answer = b""
        if b"\r\n\r\n" not in answer:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        else:
            head_bytes, body = answer.split(b"\r\n\r\n", 1)
            lines = [line for line in head_bytes.split(b"\r\n")
                     if not line.lower().startswith((b"connection:", b"keep-alive:"))]
            client.sendall(b"\r\n".join(lines + [b"Connection: close"]) + b"\r\n\r\n" + body)
        try:
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        client.close()

    def stop(self):
        self.stopping.set()
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            sockets, threads = list(self._sockets), list(self._threads)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in threads:
            thread.join(JOIN_SECONDS)
        for sock in sockets:
            sock.close()


def _relay(a, b, stopping):
    """Copies bytes both ways until either side closes (or the proxy stops)."""
    peers = {a: b, b: a}
    try:
        while not stopping.is_set():
            ready, _, _ = select.select(list(peers), [], [], RELAY_IDLE_SECONDS)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(65536)
                if not data:
                    return
                peers[sock].sendall(data)
    except OSError:
        return
    finally:
        for sock in (a, b):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
