"""An HTTPS server speaking HTTP/2 frame by frame (the sans-io ``h2`` library, which hypercorn uses):
it resets the stream of its first ``reset_first`` requests with RST_STREAM INTERNAL_ERROR (RFC 9113
§6.4), as a server that gave up on a request does, and answers the rest ``{"exists": true}``.

One thread per connection; ``stop()`` closes the listener and every connection and joins the threads
with a bounded wait. ``requests`` counts the requests that arrived.
"""

import json
import socket
import ssl
import threading

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

JOIN_SECONDS = 5.0
ANSWER = json.dumps({"exists": True}).encode()


class H2ResetServer:
    def __init__(self, cert_file, key_file, reset_first=1):
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert_file, key_file)
        self._context.set_alpn_protocols(["h2"])
        self._reset_left = reset_first
        self._lock = threading.Lock()
        self._sockets, self._threads = [], []
        self.requests = 0
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = "https://127.0.0.1:%d" % self._listener.getsockname()[1]
        self._start(self._accept_loop)

    def _start(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stop() closed the listener
            with self._lock:
                self._sockets.append(client)
            self._start(self._serve, client)

    def _serve(self, client):
        try:
            tls = self._context.wrap_socket(client, server_side=True)
        except (OSError, ssl.SSLError):
            return
        connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        connection.initiate_connection()
        try:
            tls.sendall(connection.data_to_send())
            while True:
                data = tls.recv(65536)
                if not data:
                    return
                for event in connection.receive_data(data):
                    if isinstance(event, h2.events.StreamEnded):
                        self._answer(connection, event.stream_id)
                tls.sendall(connection.data_to_send())
        except (OSError, ssl.SSLError, h2.exceptions.ProtocolError):
            return
        finally:
            tls.close()

    def _answer(self, connection, stream_id):
        with self._lock:
            self.requests += 1
            reset = self._reset_left > 0
            self._reset_left -= 1
        if reset:
            connection.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        else:
            connection.send_headers(stream_id, [(":status", "200"), ("content-type", "application/json"),
                                                ("content-length", str(len(ANSWER)))])
            connection.send_data(stream_id, ANSWER, end_stream=True)

    def stop(self):
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
