"""The kind of backend a test harness often is: Python's ``http.server`` with its default listen
backlog of 5 (``socketserver.TCPServer.request_queue_size``), a thread per connection, HTTP/1.1
keep-alive, answering ``GET /store/auth/{email}`` with ``{"exists": true}``.

A client that opens dozens of connections at once overflows that backlog: the kernel drops the
extra SYNs and the client waits for its SYN retransmission (1 s, then 3 s, ...). RFC 9112 §9.4 asks
clients to limit simultaneous connections; this server is how the suite checks the bridge does.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JOIN_SECONDS = 5.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.server.track(self.connection)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.startswith("/store/auth/"):
            status, body = 200, json.dumps({"exists": True}).encode()
        else:
            status, body = 404, b"Not Found"
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.count()

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        pass


class BacklogServer(ThreadingHTTPServer):
    request_queue_size = 5  # the standard library's default, stated so the test does not depend on it
    daemon_threads = True
    block_on_close = False

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.answered = 0
        self._lock = threading.Lock()
        self._sockets = []
        self._thread = threading.Thread(target=self.serve_forever, name="backlog-server", daemon=True)
        self._thread.start()

    def track(self, sock):
        with self._lock:
            self._sockets.append(sock)

    def count(self):
        with self._lock:
            self.answered += 1

    def stop(self):
        self.shutdown()
        self.server_close()
        self._thread.join(JOIN_SECONDS)
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:  # ends the handler threads still waiting on kept-alive connections
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
