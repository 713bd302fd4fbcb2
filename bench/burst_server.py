#!/usr/bin/env python3
"""The small-backlog backend of issue 9's burst figure: Python's own `http.server`
(ThreadingHTTPServer, HTTP/1.1 keep-alive) with the listen backlog that `socketserver` uses by
default (`request_queue_size = 5`), the kind of backend test harnesses start. It answers
GET /store/auth/{email} with {"exists":true} and anything else with 404.

    python3 bench/burst_server.py [--backlog 5]

Listens on 127.0.0.1 on a free port, prints {"port": N} on stdout, and exits when stdin closes.
"""

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        found = self.path.startswith("/store/auth/") and "/" not in self.path[len("/store/auth/"):]
        body = b'{"exists":true}' if found else b'{"message":"Not Found"}'
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backlog", type=int, default=5, help="listen backlog (default 5, socketserver's)")
    args = parser.parse_args()
    server_class = type("BurstServer", (ThreadingHTTPServer,), {"request_queue_size": args.backlog, "daemon_threads": True})
    server = server_class(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    sys.stdin.read()  # until the benchmark closes our stdin
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
