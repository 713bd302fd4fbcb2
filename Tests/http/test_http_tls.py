"""HTTPS: certificates from a private CA given by --ca-file, MEDUSA_CA_FILE or SSL_CERT_FILE, a wrong
CA refused as `tls`, a stale SSL_CERT_FILE warned about and failing https only, Secure cookies kept to
TLS, and HTTP/2 when the server offers it.

The CA and the server certificate (for 127.0.0.1 and localhost) come from trustme; the HTTPS
backend is the repository's emulator with --tls-cert/--tls-key, and for HTTP/2 a hypercorn server.
"""

import importlib.util

import pytest

from checks import error_of, finish, result_of

OLI = {"email": "oli@test.dk", "password": "test"}
OLI_ID = "cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"
# Calls in flight at once over HTTP/2: enough that one connection per call would show.
MULTIPLEXED_CALLS = 20
# HTTP/2 multiplexes over few connections (RFC 9113 §9.1: clients should not open more than one).
MOST_H2_CONNECTIONS = 2
# An SSL_CERT_FILE left behind by another tool, naming a file that is gone.
STALE_CA_FILE = "/nonexistent/ca.pem"


def tls_emulator(start_emulator, tls_files, *flags):
    return start_emulator("--tls-cert", tls_files.cert, "--tls-key", tls_files.key, *flags)


def ca_configuration(how, ca_file):
    """Bridge arguments and environment that hand it ``ca_file`` the way ``how`` names."""
    if how == "--ca-file":
        return ["--ca-file", ca_file], None
    return [], {how: ca_file}


@pytest.mark.parametrize("how", ["--ca-file", "MEDUSA_CA_FILE", "SSL_CERT_FILE"])
def test_a_backend_certified_by_a_private_ca_is_verified_with_the_ca_given(
        start_bridge, start_emulator, tls_files, how):
    emulator = tls_emulator(start_emulator, tls_files)
    assert emulator.url.startswith("https://")
    args, env = ca_configuration(how, tls_files.ca)
    bridge = start_bridge("--base-url", emulator.url, *args, env=env)
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    assert result_of(bridge.call("auth.getSession"))["customer"]["id"] == OLI_ID
    assert [r["method"] for r in emulator.requests()] == ["POST", "GET"]
    finish(bridge)


@pytest.mark.parametrize("how", ["--ca-file", "MEDUSA_CA_FILE", "SSL_CERT_FILE"])
def test_a_backend_certified_by_another_ca_is_unreachable_with_reason_tls_and_gets_no_request(
        start_bridge, start_emulator, tls_files, how):
    emulator = tls_emulator(start_emulator, tls_files)
    args, env = ca_configuration(how, tls_files.other_ca)
    bridge = start_bridge("--base-url", emulator.url, *args, env=env)
    for _ in range(2):
        code, _, data = error_of(bridge.call("auth.authenticate", OLI))
        assert code == -32002 and data["reason"] == "tls", (code, data)
    assert emulator.requests(path_prefix="/") == [], "a request went over an unverified connection"
    assert result_of(bridge.call("ping")) == {}
    finish(bridge)


def test_a_ca_file_that_does_not_exist_is_a_usage_error_naming_the_option(start_bridge, tmp_path):
    missing = str(tmp_path / "no-such-ca.pem")
    bridge = start_bridge("--base-url", "https://127.0.0.1:9", "--ca-file", missing)
    assert bridge.wait_exit(10) == 64
    stderr = bridge.stderr_bytes().decode("utf-8", "replace")
    assert "--ca-file" in stderr and missing in stderr and stderr.count("\n") == 1, stderr


def test_a_stale_ssl_cert_file_warns_at_start_and_fails_https_calls_as_curl_does_while_http_works(
        start_bridge, start_emulator, tls_files):
    # Other tools set SSL_CERT_FILE and it often outlives its file: unlike the bridge's own settings it
    # does not stop the bridge. The path is passed on as curl uses it, so https fails as curl's does.
    stale = {"SSL_CERT_FILE": STALE_CA_FILE}
    plain = start_emulator()
    bridge = start_bridge("--base-url", plain.url, env=stale)
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    finish(bridge)
    warning = bridge.stderr_bytes().decode("utf-8", "replace")
    assert warning.count("\n") == 1 and "[warn]" in warning, warning
    assert "SSL_CERT_FILE" in warning and STALE_CA_FILE in warning, warning

    secure = tls_emulator(start_emulator, tls_files)
    bridge = start_bridge("--base-url", secure.url, env=stale)
    code, _, data = error_of(bridge.call("auth.authenticate", OLI))
    assert code == -32002 and data["reason"] == "tls", (code, data)
    assert STALE_CA_FILE in data["detail"], data  # libcurl's text names the file it could not use
    assert secure.requests(path_prefix="/") == []
    finish(bridge)


def test_a_secure_session_cookie_set_over_https_is_sent_back_over_https(start_bridge, start_emulator, tls_files):
    emulator = tls_emulator(start_emulator, tls_files, "--production")
    bridge = start_bridge("--base-url", emulator.url, "--ca-file", tls_files.ca)
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    login, = emulator.requests()
    assert result_of(bridge.call("auth.getSession"))["customer"]["id"] == OLI_ID
    _, session = emulator.requests()
    assert "connect.sid=" in (session["headers"].get("cookie") or ""), session["headers"]
    (listed,) = result_of(bridge.call("session.list"))["sessions"]
    assert listed["hasCookie"] is True
    finish(bridge)


def test_a_secure_session_cookie_is_never_sent_over_plain_http(start_bridge, start_emulator):
    # The production emulator sets its Secure cookie over plain HTTP only behind a TLS-terminating
    # proxy (X-Forwarded-Proto); RFC 6265 §5.4 keeps such a cookie off plain HTTP.
    emulator = start_emulator("--production")
    bridge = start_bridge("--base-url", emulator.url, "--header", "X-Forwarded-Proto: https")
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    code, _, data = error_of(bridge.call("auth.getSession"))
    assert (code, int(data["status"])) == (-32001, 401)
    assert [r["headers"].get("cookie") for r in emulator.requests()] == [None, None]
    finish(bridge)


def test_http2_is_negotiated_over_tls_and_concurrent_calls_share_few_connections(start_bridge, stop_later, tls_files):
    if importlib.util.find_spec("hypercorn") is None:  # Tests/requirements.txt installs it on Python 3.10+
        pytest.skip("no HTTP/2 server here: hypercorn is not installed (it needs Python 3.10+)")
    from h2_server import H2Server
    server = H2Server(tls_files.cert, tls_files.key)
    stop_later(server.stop)
    bridge = start_bridge("--base-url", server.url, "--ca-file", tls_files.ca)
    assert result_of(bridge.call("auth.exists", {"email": "oli@test.dk"})) == {"exists": True}
    for index in range(MULTIPLEXED_CALLS):
        bridge.request("auth.exists", {"email": "user%d@test.dk" % index}, id=index)
    bridge.wait_for(lambda b: len(b.responses) >= MULTIPLEXED_CALLS + 1, what="every answer")
    assert all(r.get("result") == {"exists": True} for r in bridge.responses), bridge.responses[:2]
    seen = server.requests()
    assert len(seen) == MULTIPLEXED_CALLS + 1
    assert {version for version, _, _, _ in seen} == {"2"}, "HTTP versions used: %r" % sorted({v for v, *_ in seen})
    connections = {port for _, port, _, _ in seen}
    assert len(connections) <= MOST_H2_CONNECTIONS, "%d connections for %d calls" % (len(connections), len(seen))
    finish(bridge)


def test_a_backend_named_localhost_is_verified_against_the_name_in_its_certificate(
        start_bridge, start_emulator, tls_files):
    emulator = tls_emulator(start_emulator, tls_files)
    url = emulator.url.replace("127.0.0.1", "localhost")
    bridge = start_bridge("--base-url", url, "--ca-file", tls_files.ca)
    assert result_of(bridge.call("auth.exists", {"email": "oli@test.dk"})) == {"exists": True}
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    finish(bridge)


def test_a_stream_the_server_resets_is_a_lost_answer_retried_when_retries_are_on(start_bridge, stop_later, tls_files):
    # RFC 9113 §6.4: RST_STREAM abandons one request, as a connection lost mid-answer abandons all of
    # its requests: -32002, retried like one, never -32003 (the framing was fine).
    if importlib.util.find_spec("h2") is None:  # hypercorn brings it, on Python 3.10+
        pytest.skip("no HTTP/2 library here: h2 comes with hypercorn (Python 3.10+)")
    from h2_reset_server import H2ResetServer
    server = H2ResetServer(tls_files.cert, tls_files.key, reset_first=2)
    stop_later(server.stop)
    once = start_bridge("--base-url", server.url, "--ca-file", tls_files.ca)
    code, _, data = error_of(once.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32002 and data["reason"] == "other", (code, data)
    assert "reset the request's HTTP/2 stream" in data["detail"], data
    finish(once)
    retrying = start_bridge("--base-url", server.url, "--ca-file", tls_files.ca, "--max-retries", "1")
    assert result_of(retrying.call("auth.exists", {"email": "oli@test.dk"})) == {"exists": True}
    assert server.requests == 3
    finish(retrying)
