"""The emulator as a command: one JSON line on stdout, clean exits, TLS, logging switches.

Needs a real process (spawned with subprocess); every wait is bounded by PROCESS_WAIT_SECONDS.
"""

import json
import os
import selectors
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRY = os.path.join(HERE, "medusa_emulator.py")
sys.path.insert(0, HERE)

from emulator_testkit import call  # noqa: E402

# Start-up and shutdown take well under a second; this only bounds a broken run.
PROCESS_WAIT_SECONDS = 15


def spawn(*args, cwd="/", stdin=subprocess.DEVNULL):
    return subprocess.Popen([sys.executable, ENTRY, *args], cwd=cwd, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def first_line(proc):
    """The announcement line, read with a bounded wait."""
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        assert selector.select(PROCESS_WAIT_SECONDS), "no announcement line within the wait"
    return proc.stdout.readline()


def finish(proc):
    """Wait for exit; return (status, rest of stdout, stderr)."""
    out, err = proc.communicate(timeout=PROCESS_WAIT_SECONDS)
    return proc.returncode, out, err


@pytest.fixture
def running():
    procs = []

    def start(*args, **kwargs):
        proc = spawn(*args, **kwargs)
        procs.append(proc)
        return proc
    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(PROCESS_WAIT_SECONDS)


def test_it_announces_its_url_in_one_json_line_and_exits_0_on_sigterm(running):
    proc = running(cwd="/tmp")
    line = first_line(proc)
    announced = json.loads(line)
    assert list(announced) == ["url", "port"]
    assert announced["url"] == "http://127.0.0.1:%d" % announced["port"] and announced["port"] > 0
    assert call(announced["url"], "GET", "/store/auth/oli@test.dk").json() == {"exists": True}
    proc.send_signal(signal.SIGTERM)
    status, rest, err = finish(proc)
    assert status == 0 and rest == b""
    assert b"Traceback" not in err


def test_sigint_also_exits_0(running):
    proc = running()
    first_line(proc)
    proc.send_signal(signal.SIGINT)
    status, rest, _ = finish(proc)
    assert (status, rest) == (0, b"")


def test_with_exit_on_stdin_eof_it_exits_0_when_stdin_closes(running):
    proc = running("--exit-on-stdin-eof", stdin=subprocess.PIPE)
    first_line(proc)
    proc.stdin.close()
    assert proc.wait(PROCESS_WAIT_SECONDS) == 0


def test_quiet_writes_nothing_to_stderr_and_verbose_logs_requests_to_stderr_only(running):
    quiet = running("--quiet")
    url = json.loads(first_line(quiet))["url"]
    call(url, "GET", "/store/auth")
    quiet.terminate()
    assert finish(quiet) == (0, b"", b"")

    verbose = running("--verbose")
    url = json.loads(first_line(verbose))["url"]
    call(url, "DELETE", "/store/auth")
    verbose.terminate()
    status, rest, err = finish(verbose)
    assert status == 0 and rest == b""
    assert b"DELETE /store/auth -> 200" in err


def test_it_listens_on_the_requested_port_and_reports_a_busy_port(running):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = running("--port", str(port), "--quiet")
    assert json.loads(first_line(proc))["port"] == port
    clash = running("--port", str(port))
    status, out, err = finish(clash)
    assert status == 1 and out == b"" and b"cannot start" in err


def test_a_bad_flag_is_a_usage_error_with_nothing_on_stdout(running):
    status, out, err = finish(running("--no-such-flag"))
    assert status == 2 and out == b"" and b"usage:" in err
    status, out, err = finish(running("--tls-cert", "x.pem"))
    assert status == 2 and b"go together" in err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a certificate")
def test_with_a_certificate_it_serves_https_and_production_cookies(running, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    proc = running("--tls-cert", str(cert), "--tls-key", str(key), "--production", "--quiet")
    url = json.loads(first_line(proc))["url"]
    assert url.startswith("https://127.0.0.1:")
    login = call(url, "POST", "/store/auth", json_body={"email": "oli@test.dk", "password": "test"})
    assert login.status == 200
    assert login.header("Set-Cookie").endswith("; HttpOnly; Secure; SameSite=None")
    # A client that refuses the self-signed certificate does not disturb the server.
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(url + "/health", timeout=PROCESS_WAIT_SECONDS)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    assert call(url, "GET", "/health").status == 200
    proc.terminate()
    assert finish(proc)[0] == 0


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a certificate")
def test_tls_self_signed_serves_https_that_a_verifying_client_refuses(running):
    proc = running("--tls-self-signed", "--quiet")
    url = json.loads(first_line(proc))["url"]
    assert url.startswith("https://127.0.0.1:")
    with pytest.raises(urllib.error.URLError) as refused:
        urllib.request.urlopen(url + "/health", timeout=PROCESS_WAIT_SECONDS)
    assert isinstance(refused.value.reason, ssl.SSLCertVerificationError)
    assert call(url, "GET", "/store/auth/oli@test.dk").json() == {"exists": True}
