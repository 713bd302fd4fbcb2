#!/usr/bin/env python3
"""A fake medusa-auth-bridge for the client's unit tests: the protocol, none of Medusa.

Speaks newline-delimited JSON-RPC like the real bridge and accepts (and ignores) its flags.
Behaviour is chosen per call, so one process can serve a whole test:

- ``initialize``: answers ``--fake-version`` (default 1.0), or -32602 with ``--fake-reject-version``.
- ``hold``: no answer until ``$/cancelRequest`` names it (then -32800) or ``release`` answers it.
- ``release {"order": "reverse"|"forward"}``: answers every held call in that order, then itself.
- ``late {"ms", "result"}``: answers after ``ms`` milliseconds.
- ``die {"status", "stderr"?}``: exits at once (after writing ``stderr``), leaving every pending call unanswered.
- ``log``: every message received so far.  ``argv``: this process's argv and environment.
- ``big {"bytes"}``: a result of that many bytes on one line.
- ``unicode``: a result with raw U+2028, U+2029 and U+0085 inside a string.
- ``split {"text"}``: the answer written in two pieces, the line break only in the second.
- ``error {"code", "message", "data"}``: that error.
- ``session.list``: one empty default session.
- anything else: ``{"method", "params"}`` echoed back.

Process flags: ``--fake-garbage-first`` (a non-JSON line on stdout first),
``--fake-deep-garbage-first`` (a line of JSON nested too deeply to read, first), ``--fake-ignore-eof``
(keep running after stdin closes), ``--fake-ignore-sigterm``, ``--fake-events FILE`` (appends
``eof``, ``sigterm`` as they happen), ``--fake-no-handshake`` (never answer ``initialize``),
``--fake-usage-error TEXT`` (write TEXT on stderr and exit 64 at once, as the bridge does for a
bad flag), ``--fake-exists true|false`` (answer ``auth.exists`` with that), ``--fake-stderr TEXT``
(write TEXT on stderr before serving), ``--fake-hold-method NAME`` (hold that method as ``hold``).
"""

import json
import os
import signal
import sys
import threading
import time

FLAGS = sys.argv[1:]
VERSION = FLAGS[FLAGS.index("--fake-version") + 1] if "--fake-version" in FLAGS else "1.0"
EVENTS = FLAGS[FLAGS.index("--fake-events") + 1] if "--fake-events" in FLAGS else None

out = sys.stdout.buffer
write_lock = threading.Lock()
held = {}
received = []


def event(name):
    if EVENTS:
        with open(EVENTS, "a") as f:
            f.write(name + "\n")


def send(message, ensure_ascii=True):
    data = json.dumps(message, ensure_ascii=ensure_ascii, separators=(",", ":")).encode() + b"\n"
    with write_lock:
        out.write(data)
        out.flush()


def answer(request_id, result):
    send({"jsonrpc": "2.0", "id": request_id, "result": result})


def fail(request_id, code, message, data=None):
    error = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    send({"jsonrpc": "2.0", "id": request_id, "error": error})


def handle(message):
    received.append(message)
    method = message.get("method")
    params = message.get("params") or {}
    request_id = message.get("id")
    if "id" not in message:
        if method == "$/cancelRequest" and params.get("id") in held:
            held.pop(params["id"])
            fail(params["id"], -32800, "Request cancelled")
        return
    if method == "initialize":
        if "--fake-no-handshake" in FLAGS:
            return
        if "--fake-reject-version" in FLAGS:
            fail(request_id, -32602, "Unsupported protocol version",
                 {"supported": [VERSION], "requested": params.get("protocolVersion")})
        else:
            answer(request_id, {"protocolVersion": VERSION,
                                "serverInfo": {"name": "fake-bridge", "version": "0.0.1"}})
    elif method == "hold" or ("--fake-hold-method" in FLAGS and method == FLAGS[FLAGS.index("--fake-hold-method") + 1]):
        held[request_id] = message
    elif method == "release":
        ids = list(held)
        if params.get("order") == "reverse":
            ids.reverse()
        for held_id in ids:
            answer(held_id, {"held": held_id, "params": held.pop(held_id).get("params")})
        answer(request_id, {"released": ids})
    elif method == "late":
        timer = threading.Timer(params.get("ms", 100) / 1000, answer, (request_id, params.get("result")))
        timer.daemon = True
        timer.start()
    elif method == "die":
        if "stderr" in params:
            sys.stderr.write(params["stderr"] + "\n")
            sys.stderr.flush()
        os._exit(params.get("status", 3))
    elif method == "log":
        answer(request_id, {"received": received[:-1]})
    elif method == "argv":
        answer(request_id, {"argv": sys.argv[1:], "env": dict(os.environ), "sid": os.getsid(0), "pgid": os.getpgid(0)})
    elif method == "big":
        answer(request_id, {"data": "x" * params["bytes"]})
    elif method == "unicode":
        send({"jsonrpc": "2.0", "id": request_id, "result": {"text": "a\u2028b\u2029c\u0085d"}},
             ensure_ascii=False)
    elif method == "split":
        data = json.dumps({"jsonrpc": "2.0", "id": request_id, "result": {"text": params["text"]}}).encode()
        with write_lock:
            out.write(data[:-3])
            out.flush()
            time.sleep(0.05)  # lets the client's reader see a partial line first
            out.write(data[-3:] + b"\n")
            out.flush()
    elif method == "auth.exists" and "--fake-exists" in FLAGS:
        answer(request_id, {"exists": FLAGS[FLAGS.index("--fake-exists") + 1] == "true"})
    elif method == "session.list":
        answer(request_id, {"sessions": [{"name": "default", "hasCookie": False, "hasToken": False, "customerId": None}]})
    elif method == "error":
        fail(request_id, params["code"], params.get("message", "error"), params.get("data"))
    else:
        answer(request_id, {"method": method, "params": params})


def on_sigterm(signum, frame):
    event("sigterm")
    if "--fake-ignore-sigterm" not in FLAGS:
        os._exit(0)


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    if "--fake-usage-error" in FLAGS:
        sys.stderr.write(FLAGS[FLAGS.index("--fake-usage-error") + 1] + "\n")
        sys.stderr.flush()
        os._exit(64)
    if "--fake-stderr" in FLAGS:
        sys.stderr.write(FLAGS[FLAGS.index("--fake-stderr") + 1] + "\n")
        sys.stderr.flush()
    if "--fake-garbage-first" in FLAGS:
        with write_lock:
            out.write(b"this is not json\n")
            out.flush()
    if "--fake-deep-garbage-first" in FLAGS:
        with write_lock:
            out.write(b"[" * 100_000 + b"\n")  # deeper than Python's json can read
            out.flush()
    for line in sys.stdin.buffer:  # a binary stream splits on b"\n" only
        if line.strip():
            handle(json.loads(line))
    event("eof")
    if "--fake-ignore-eof" in FLAGS:
        while True:
            signal.pause()


if __name__ == "__main__":
    main()
