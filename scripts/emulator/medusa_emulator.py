#!/usr/bin/env python3
"""Medusa store auth emulator (v1 ``/store/auth``, or v2 ``/auth`` + ``/store/customers``):
the test double and demo backend of medusa-auth-bridge.

Run by path from anywhere:
    python3 scripts/emulator/medusa_emulator.py [--medusa-version 1|2] [--host 127.0.0.1]
        [--port 0] [--production] [--cookie-secret S] [--jwt-secret S]
        [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--exit-on-stdin-eof]
        [--quiet | --verbose]
It prints exactly one line on stdout, {"url": "http://127.0.0.1:PORT", "port": PORT} (v2 adds
"medusa_version" and "publishable_key"), and nothing else ever goes to stdout. Exits 0 on SIGTERM, SIGINT and (with --exit-on-stdin-eof) EOF
of stdin.

In-process (Python tests), with this folder on sys.path:
    from medusa_emulator import start_emulator
    emulator = start_emulator()          # emulator.url, emulator.port, emulator.stop()
"""

import argparse
import json
import os
import signal
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator_app import DEFAULT_STORE_CORS, Config, MedusaApp  # noqa: E402
from emulator_control import ControlAPI  # noqa: E402
from emulator_faults import DEFAULT_RECORD_LIMIT, FaultQueue, RequestLog  # noqa: E402
from emulator_server import DEFAULT_KEEP_ALIVE_TIMEOUT, EmulatorServer  # noqa: E402
from emulator_tls import self_signed_context, server_context  # noqa: E402
from emulator_v2_app import DEFAULT_AUTH_CORS, MedusaV2App  # noqa: E402
from emulator_v2_data import SEED_PUBLISHABLE_KEY  # noqa: E402
from emulator_v2_tokens import TOKEN_LIFETIME_SECONDS as V2_TOKEN_LIFETIME  # noqa: E402

# serve_forever checks for shutdown this often; it bounds how long stop() takes.
_POLL_INTERVAL = 0.05


class Emulator:
    """A running emulator: ``url``, ``port``, ``stop()``; also a context manager.

    ``app`` (sessions, customers), ``faults`` and ``request_log`` are exposed for tests that
    prefer direct access to the HTTP control API.
    """

    def __init__(self, server, thread):
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

    def stop(self):
        """Stop accepting, close every open connection, wait for the accept loop to end."""
        if self._stopped:
            return
        self._stopped = True
        self._server.close_all_connections()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def start_emulator(host="127.0.0.1", port=0, production=False, cookie_secret="supersecret",
                   jwt_secret="supersecret", tls_cert=None, tls_key=None, verbose=False,
                   keep_alive_timeout=DEFAULT_KEEP_ALIVE_TIMEOUT, record_limit=DEFAULT_RECORD_LIMIT,
                   store_cors=DEFAULT_STORE_CORS, tls_self_signed=False, medusa_version=1,
                   auth_cors=DEFAULT_AUTH_CORS, jwt_expires_in=V2_TOKEN_LIFETIME,
                   publishable_key=SEED_PUBLISHABLE_KEY):
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


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="medusa_emulator.py",
        description="Emulates Medusa's store auth routes, v1 or v2 (see README.md next to this "
                    "file).")
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


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
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
        sys.stderr.write("medusa_emulator: cannot start: %s\n" % exc)
        return 1
    announcement = {"url": emulator.url, "port": emulator.port}
    if emulator.medusa_version == 2:
        announcement.update(medusa_version=2, publishable_key=emulator.publishable_key)
    sys.stdout.write(json.dumps(announcement) + "\n")
    sys.stdout.flush()
    # From here on a stray print can only reach stderr: stdout carries the one line above.
    sys.stdout = sys.stderr
    if not args.quiet:
        sys.stderr.write("medusa_emulator: serving Medusa v%d store auth on %s%s\n"
                         % (args.medusa_version, emulator.url,
                            " (production)" if args.production else ""))
    if args.exit_on_stdin_eof:
        threading.Thread(target=_wait_for_stdin_eof, args=(done,), daemon=True).start()
    # Event.wait with a timeout keeps the main thread responsive to signals.
    while not done.wait(0.5):
        pass
    emulator.stop()
    if not args.quiet:
        sys.stderr.write("medusa_emulator: stopped\n")
    return 0


def _wait_for_stdin_eof(done):
    try:
        while os.read(sys.stdin.fileno(), 65536):
            pass
    except OSError:
        pass
    done.set()


if __name__ == "__main__":
    sys.exit(main())
