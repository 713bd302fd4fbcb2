"""Fixtures of the HTTP suite: the bridge binary, the servers it talks to, and a test CA.

Every server and bridge a test starts is stopped by that test's teardown: bridges first (stdin
closed, then SIGTERM, then SIGKILL, each bounded; see Tests/reliability/harness.py, reused here),
then the servers, so a bridge never outlives the backend it was talking to.

The binary comes from $MEDUSA_AUTH_BRIDGE (scripts/test sets it); outside CI a missing variable
falls back as Tests/reliability does, and with CI=true it fails the run.
"""

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "reliability"))

import fake_medusa  # noqa: E402
from harness import Bridge, Emulator, bridge_binary  # noqa: E402
from rawhttp import RawServer, serve_normally  # noqa: E402

# Every bridge in this suite gets a short per-attempt timeout unless a test sets its own: the raw
# servers answer at once or never, so 5 s only bounds how long a wrong bridge can hang a test.
DEFAULT_TIMEOUT_SECONDS = "5"


@pytest.fixture(scope="session")
def binary():
    try:
        return bridge_binary()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def stop_later():
    """Callables run at teardown, last registered first: servers a test starts register here."""
    stoppers = []
    yield stoppers.append
    for stop in reversed(stoppers):
        stop()


@pytest.fixture
def start_bridge(binary, stop_later):
    """Starts bridges (torn down before every server, since this fixture depends on stop_later).

    ``--timeout`` defaults to DEFAULT_TIMEOUT_SECONDS; ``env`` is added to the harness's allow-list
    (PATH, HOME, LANG, LC_ALL, TMPDIR), so no proxy or CA variable leaks in from the outside.
    """
    started = []

    def start(*args, env=None):
        args = list(args)
        if "--timeout" not in args:
            args += ["--timeout", DEFAULT_TIMEOUT_SECONDS]
        bridge = Bridge(args, env=env, binary=binary)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.stop()


@pytest.fixture
def raw_server(stop_later):
    """``raw_server(script)`` starts a RawServer answering as fake_medusa unless the script says
    otherwise; see rawhttp.py."""

    def start(script=serve_normally, responder=fake_medusa.answer):
        server = RawServer(script, responder)
        stop_later(server.stop)
        return server

    return start


@pytest.fixture
def start_emulator(stop_later):
    """Starts the repository's Medusa emulator (scripts/emulator) with the given flags."""

    def start(*args):
        emulator = Emulator(*args)
        stop_later(emulator.stop)
        return emulator

    return start


@dataclass(frozen=True)
class TLSFiles:
    ca: str          # the test CA that signed ``cert``
    other_ca: str    # a CA that signed nothing this suite serves
    cert: str        # leaf for 127.0.0.1 and localhost, then its chain
    key: str


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A private CA (as mkcert would make) and a server certificate it signed, made by trustme."""
    import trustme

    folder = tmp_path_factory.mktemp("tls")
    ca, other = trustme.CA(), trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    files = TLSFiles(str(folder / "ca.pem"), str(folder / "other-ca.pem"), str(folder / "server.pem"),
                     str(folder / "server.key"))
    ca.cert_pem.write_to_path(files.ca)
    other.cert_pem.write_to_path(files.other_ca)
    for index, blob in enumerate(leaf.cert_chain_pems):
        blob.write_to_path(files.cert, append=index > 0)
    leaf.private_key_pem.write_to_path(files.key)
    return files


@pytest.fixture
def start_proxy(stop_later):
    from forward_proxy import ForwardProxy

    def start():
        proxy = ForwardProxy()
        stop_later(proxy.stop)
        return proxy

    return start
