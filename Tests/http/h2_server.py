"""An HTTPS server that offers HTTP/2 (ALPN ``h2``, then ``http/1.1``): hypercorn with a tiny ASGI app.

It answers ``GET /store/auth/{email}`` with ``{"exists": true}`` and records, for every request,
the HTTP version it arrived over and the client's address (one port per TCP connection), so a test
can see that the bridge negotiated HTTP/2 and how many connections it multiplexed over.
hypercorn runs on its own asyncio loop in a thread; ``stop()`` triggers its graceful shutdown and
joins the thread with a bounded wait.
"""

import asyncio
import json
import os
import socket
import threading

# hypercorn starts in well under a second; these only bound a wedged start or stop.
START_SECONDS = 15.0
STOP_SECONDS = 10.0


class H2Server:
    def __init__(self, cert_file, key_file):
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        self.seen = []  # (http_version, client port, method, path)
        self._lock = threading.Lock()
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)  # connections queue from now on, before hypercorn's loop runs
        self.port = listener.getsockname()[1]
        self.url = "https://127.0.0.1:%d" % self.port
        config = Config()
        config.bind = ["fd://%d" % os.dup(listener.fileno())]  # hypercorn owns (and closes) the duplicate
        listener.close()
        config.certfile, config.keyfile = cert_file, key_file
        config.alpn_protocols = ["h2", "http/1.1"]
        config.accesslog = None
        config.errorlog = None
        config.graceful_timeout = 1.0
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._started = threading.Event()
        self._error = None

        async def main():
            self._started.set()
            await serve(self._app, config, shutdown_trigger=self._stop.wait)

        def run():
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(main())
            except BaseException as error:  # reported by stop() and by the start check below
                self._error = error
                self._started.set()
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="h2-server", daemon=True)
        self._thread.start()
        if not self._started.wait(START_SECONDS) or self._error:
            raise RuntimeError("hypercorn did not start: %r" % (self._error,))

    async def _app(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        with self._lock:
            self.seen.append((scope["http_version"], scope["client"][1], scope["method"], scope["path"]))
        if scope["method"] == "GET" and scope["path"].startswith("/store/auth/"):
            status, body = 200, json.dumps({"exists": True}).encode()
        else:
            status, body = 404, b"Not Found"
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def requests(self):
        with self._lock:
            return list(self.seen)

    def stop(self):
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(STOP_SECONDS)
