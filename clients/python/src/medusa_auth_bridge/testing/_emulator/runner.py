"""Starting the emulator: in-process (``start_emulator``) or as a command (``main``).

As a command (``medusa-emulator``, ``python -m medusa_auth_bridge.testing`` or, in a checkout,
``python3 scripts/emulator/medusa_emulator.py``):
    medusa-emulator [--medusa-version 1|2] [--host 127.0.0.1] [--port 0] [--production]
        [--cookie-secret S] [--jwt-secret S] [--tls-cert FILE --tls-key FILE | --tls-self-signed]
        [--exit-on-stdin-eof] [--quiet | --verbose]
It prints exactly one line on stdout, {"url": "http://127.0.0.1:PORT", "port": PORT} (v2 adds
"medusa_version" and "publishable_key"), and nothing else ever goes to stdout. Exits 0 on
SIGTERM, SIGINT and (with --exit-on-stdin-eof) EOF of stdin.

In-process:
    from medusa_auth_bridge.testing import start_emulator
    emulator = start_emulator()          # emulator.url, emulator.port, emulator.stop()
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading
from typing import Any, List, Optional

from .app import DEFAULT_STORE_CORS, Config, MedusaApp
from .control import ControlAPI
from .faults import DEFAULT_RECORD_LIMIT, FaultQueue, RequestLog
from .server import DEFAULT_KEEP_ALIVE_TIMEOUT, EmulatorServer
from .testkit import Control
from .tls import self_signed_context, server_context
from .v2_app import DEFAULT_AUTH_CORS, MedusaV2App
from .v2_data import SEED_PUBLISHABLE_KEY
from .v2_tokens import TOKEN_LIFETIME_SECONDS as V2_TOKEN_LIFETIME

# serve_forever checks for shutdown this often; it bounds how long stop() takes.
_POLL_INTERVAL = 0.05


class Emulator:
    """A running emulator: ``url``, ``port``, ``control``, ``stop()``; also a context manager.

    ``medusa_version`` is 1 or 2; ``publishable_key`` is the key v2's ``/store`` routes require
    (None in v1). ``app`` (sessions, customers), ``faults`` and ``request_log`` are exposed for
    tests that prefer direct access to the HTTP control API.
    """

    url: str
    port: int
    medusa_version: int
    publishable_key: Optional[str]

    def __init__(self, server: Any, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread
        self._stopped = False
        self.app = server.app
        self.medusa_version = server.app.medusa_version
        # v2 only: the seeded key every /store request must carry (None in v1 mode).
        self.publishable_key = server.app.config.publishable_key
        self.faults = server.faults
        self.request_log = server.request_log
        host, self.port = server.server_address[:2]
        scheme = "https" if server.tls else "http"
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        self.url = "%s://%s:%d" % (scheme, "[%s]" % host if ":" in host else host, self.port)
        server.control.url = self.url
        self.control = Control(self.url)
        """The control API (``/__emulator/...``): faults, recorded requests, clock, reset."""

    def stop(self) -> None:
        """Stop accepting, close every open connection, wait for the accept loop to end."""
        if self._stopped:
            return
        self._stopped = True
        self._server.close_all_connections()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return "Emulator(%r, medusa_version=%d)" % (self.url, self.medusa_version)


def start_emulator(host: str = "127.0.0.1", port: int = 0, production: bool = False,
                   cookie_secret: str = "supersecret", jwt_secret: str = "supersecret",
                   tls_cert: Optional[str] = None, tls_key: Optional[str] = None,
                   verbose: bool = False, keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT,
                   record_limit: int = DEFAULT_RECORD_LIMIT, store_cors: str = DEFAULT_STORE_CORS,
                   tls_self_signed: bool = False, medusa_version: int = 1,
                   auth_cors: str = DEFAULT_AUTH_CORS, jwt_expires_in: int = V2_TOKEN_LIFETIME,
                   publishable_key: str = SEED_PUBLISHABLE_KEY) -> Emulator:
    """Bind, start serving in a background daemon thread, and return an Emulator.

    ``medusa_version`` 2 serves Medusa v2's routes; ``auth_cors``, ``jwt_expires_in`` (seconds)
    and ``publishable_key`` apply to v2 only.
    """
    if medusa_version not in (1, 2):
        raise ValueError("medusa_version must be 1 or 2")
    if medusa_version == 2:
        if not isinstance(jwt_expires_in, int) or jwt_expires_in <= 0:
            raise ValueError("jwt_expires_in must be a positive number of seconds")
        if not publishable_key:
            raise ValueError("publishable_key must be a non-empty string")
        config = Config(production, cookie_secret, jwt_secret, store_cors, 2, auth_cors,
                        jwt_expires_in, publishable_key)
        app = MedusaV2App(config)
    else:
        config = Config(production, cookie_secret, jwt_secret, store_cors)
        app = MedusaApp(config)
    faults = FaultQueue(app.api_prefixes)
    request_log = RequestLog(record_limit)
    control = ControlAPI(app, faults, request_log)
    tls_context = None
    if tls_cert or tls_key:
        if not (tls_cert and tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        tls_context = server_context(tls_cert, tls_key)
    elif tls_self_signed:
        tls_context = self_signed_context()
    server = EmulatorServer((host, port), app, control, faults, request_log, keep_alive_timeout,
                            tls_context, verbose)
    thread = threading.Thread(target=server.serve_forever, args=(_POLL_INTERVAL,),
                              name="medusa-emulator", daemon=True)
    thread.start()
    return Emulator(server, thread)


def _parse_args(argv: List[str], prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Emulates Medusa's customer auth routes, v1 (/store/auth) or v2 (/auth/*, "
                    "/store/customers*), for tests and demos. Prints one JSON line with its URL.")
    parser.add_argument("--medusa-version", type=int, choices=(1, 2), default=1,
                        help="1 (default): /store/auth of Medusa v1; 2: /auth/* and "
                             "/store/customers* of Medusa v2")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default): the OS picks one")
    parser.add_argument("--production", action="store_true",
                        help="Secure; SameSite=None cookies (sent only over HTTPS or with "
                             "X-Forwarded-Proto: https), terse error pages")
    parser.add_argument("--cookie-secret", default="supersecret")
    parser.add_argument("--jwt-secret", default="supersecret",
                        help='"" makes POST /store/auth/token answer 404 as Medusa does')
    parser.add_argument("--store-cors", default=DEFAULT_STORE_CORS)
    parser.add_argument("--auth-cors", default=DEFAULT_AUTH_CORS, help="v2: origins for /auth")
    parser.add_argument("--jwt-expires-in", type=int, default=V2_TOKEN_LIFETIME,
                        help="v2: token lifetime in seconds (Medusa's default 1d = 86400)")
    parser.add_argument("--publishable-key", default=SEED_PUBLISHABLE_KEY,
                        help="v2: the seeded publishable API key /store requests must send")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-self-signed", action="store_true",
                        help="serve HTTPS with a throwaway self-signed certificate (needs openssl)")
    parser.add_argument("--keep-alive-timeout", type=float, default=DEFAULT_KEEP_ALIVE_TIMEOUT,
                        help="idle seconds before a keep-alive connection is closed (Node: 5; "
                             "0 = never)")
    parser.add_argument("--record-limit", type=int, default=DEFAULT_RECORD_LIMIT,
                        help="requests kept for GET /__emulator/requests (0 = unbounded)")
    parser.add_argument("--exit-on-stdin-eof", action="store_true")
    logging = parser.add_mutually_exclusive_group()
    logging.add_argument("--quiet", action="store_true", help="nothing on stderr")
    logging.add_argument("--verbose", action="store_true", help="one stderr line per request")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    if args.tls_self_signed and args.tls_cert:
        parser.error("--tls-self-signed replaces --tls-cert/--tls-key")
    if args.jwt_expires_in <= 0:
        parser.error("--jwt-expires-in must be a positive number of seconds")
    if not args.publishable_key:
        parser.error("--publishable-key must not be empty")
    return args


def main(argv: Optional[List[str]] = None, prog: str = "medusa-emulator") -> int:
    """Run until SIGTERM, SIGINT or (with --exit-on-stdin-eof) stdin EOF; the exit status."""
    args = _parse_args(sys.argv[1:] if argv is None else argv, prog)
    done = threading.Event()

    def on_signal(_signum, _frame):
        done.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        emulator = start_emulator(args.host, args.port, args.production, args.cookie_secret,
                                  args.jwt_secret, args.tls_cert, args.tls_key, args.verbose,
                                  args.keep_alive_timeout, args.record_limit, args.store_cors,
                                  args.tls_self_signed, args.medusa_version, args.auth_cors,
                                  args.jwt_expires_in, args.publishable_key)
    except (OSError, ValueError, ssl.SSLError) as exc:
        sys.stderr.write("%s: cannot start: %s\n" % (prog, exc))
        return 1
    announcement = {"url": emulator.url, "port": emulator.port}
    if emulator.medusa_version == 2:
        announcement.update(medusa_version=2, publishable_key=emulator.publishable_key)
    sys.stdout.write(json.dumps(announcement) + "\n")
    sys.stdout.flush()
    # From here on a stray print can only reach stderr: stdout carries the one line above.
    sys.stdout = sys.stderr
    if not args.quiet:
        sys.stderr.write("%s: serving Medusa v%d store auth on %s%s\n"
                         % (prog, args.medusa_version, emulator.url,
                            " (production)" if args.production else ""))
    if args.exit_on_stdin_eof:
        threading.Thread(target=_wait_for_stdin_eof, args=(done,), daemon=True).start()
    # Event.wait with a timeout keeps the main thread responsive to signals.
    while not done.wait(0.5):
        pass
    emulator.stop()
    if not args.quiet:
        sys.stderr.write("%s: stopped\n" % prog)
    return 0


def _wait_for_stdin_eof(done: threading.Event) -> None:
    try:
        while os.read(sys.stdin.fileno(), 65536):
            pass
    except OSError:
        pass
    done.set()

