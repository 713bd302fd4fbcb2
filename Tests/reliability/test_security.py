"""Security (issue 5, "Security"): cookie scoping observed through the emulator's request log, TLS
verification against a self-signed HTTPS emulator, no credential on stderr or in any error at
``--log-level trace``, and sessions that never leak into each other under concurrency.

All real processes: the bridge binary and one or more emulators.
"""

import json
import subprocess
from urllib.parse import unquote

import pytest

from harness import CLOSE_WAIT_SECONDS

EXISTS_PATH = "/store/auth/oli@test.dk"
# openssl makes a key and a certificate in well under a second; bounded all the same.
OPENSSL_SECONDS = 60


def finish(bridge):
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output, bridge.bad_output[:3]


def customer_body(email):
    return json.dumps({"customer": {"id": "cus_cookie_test", "email": email}})


def cookie_header(request):
    return request["headers"].get("cookie")


def set_cookies_of_test(request):
    """The cookies a request carried, in order, without the emulator's own connect.sid (which a 401
    answer of the real routes may set)."""
    header = cookie_header(request) or ""
    return "; ".join(c for c in header.split("; ") if c and not c.startswith("connect.sid="))


def test_cookies_go_back_only_where_their_path_domain_and_secure_attributes_allow(start_bridge, emulator):
    set_cookies = ["everywhere=e1; Path=/", "tokenonly=t1; Path=/store/auth/token", "auth=a1; Path=/store/auth",
                   "elsewhere=x1; Domain=example.com; Path=/", "secureonly=s1; Path=/; Secure",
                   "expired=z1; Path=/; Max-Age=0", "prefix=p1; Path=/store/au"]
    for header in set_cookies:
        emulator.control.add_fault(method="POST", path="/store/auth", status=200, body=customer_body("a@b.c"),
                                   headers={"Set-Cookie": header}, times=1)
    bridge = start_bridge("--base-url", emulator.url)
    for _ in set_cookies:
        assert "result" in bridge.call("auth.authenticate", {"email": "a@b.c", "password": "pw"})
    emulator.control.clear_requests()
    bridge.call("auth.getSession")
    bridge.call("auth.getToken", {"email": "oli@test.dk", "password": "test"})
    bridge.call("auth.exists", {"email": "oli@test.dk"})
    get_session, get_token, exists = emulator.requests()
    assert (get_session["method"], get_session["path"]) == ("GET", "/store/auth")
    # RFC 6265 §5.4: longer paths first; Domain never widens a cookie to another host; a Secure cookie
    # set over plain HTTP is refused; Max-Age=0 deletes; "/store/au" is not a path-prefix of "/store/auth".
    assert set_cookies_of_test(get_session) == "auth=a1; everywhere=e1"
    assert set_cookies_of_test(get_token) == "tokenonly=t1; auth=a1; everywhere=e1"
    assert set_cookies_of_test(exists) == "auth=a1; everywhere=e1"
    finish(bridge)


def test_a_secure_session_cookie_set_over_plain_http_is_never_sent_back(start_bridge, start_emulator):
    production = start_emulator("--production")
    # The emulator sets its Secure connect.sid over plain HTTP only behind a TLS-terminating proxy.
    bridge = start_bridge("--base-url", production.url, "--header", "X-Forwarded-Proto: https")
    login = bridge.call("auth.authenticate", {"email": "oli@test.dk", "password": "test"})
    assert login["result"]["customer"]["email"] == "oli@test.dk"
    (set_cookie_request,) = production.requests()
    answer = bridge.call("auth.getSession")
    assert int(answer["error"]["code"]) == -32001 and int(answer["error"]["data"]["status"]) == 401
    assert [cookie_header(r) for r in production.requests()] == [None, None]
    (session,) = bridge.call("session.list")["result"]["sessions"]
    assert session["hasCookie"] is False
    finish(bridge)


@pytest.fixture
def self_signed(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=OPENSSL_SECONDS)
    return str(cert), str(key)


def test_a_self_signed_https_backend_is_refused_before_any_request_reaches_it(start_bridge, start_emulator, self_signed):
    cert, key = self_signed
    tls = start_emulator("--tls-cert", cert, "--tls-key", key)
    bridge = start_bridge("--base-url", tls.url, "--max-retries", "1", "--publishable-api-key", "pk_tls_secret")
    answer = bridge.call("auth.authenticate", {"email": "oli@test.dk", "password": "test"})
    assert int(answer["error"]["code"]) == -32002 and int(answer["error"]["data"]["attempts"]) == 2
    assert tls.requests(path_prefix="/") == [], "a request got through an unverified TLS connection"
    finish(bridge)


def test_a_self_signed_https_backend_is_unreachable_with_reason_tls(start_bridge, start_emulator, self_signed):
    cert, key = self_signed
    tls = start_emulator("--tls-cert", cert, "--tls-key", key)
    bridge = start_bridge("--base-url", tls.url)
    answer = bridge.call("auth.exists", {"email": "oli@test.dk"})
    assert int(answer["error"]["code"]) == -32002
    assert answer["error"]["data"]["reason"] == "tls"


def test_no_password_token_cookie_value_or_publishable_key_appears_on_stderr_or_in_any_error_at_trace_level(
        start_bridge, emulator, start_emulator):
    password, wrong_password = "pw-Zq9-unique-secret", "wrong-Zq9-pass"
    publishable_key = "pk_01Zq9PUBLISHABLESECRET"
    header_token = "hdr-token-Zq9"
    emulator.control.create_customer("leak@test.dk", password)
    other = start_emulator()
    bridge = start_bridge("--base-url", emulator.url, "--log-level", "trace", "--max-retries", "1",
                          env={"MEDUSA_PUBLISHABLE_API_KEY": publishable_key})
    login = {"email": "leak@test.dk", "password": password}
    assert "result" in bridge.call("auth.authenticate", login)
    token = bridge.call("auth.getToken", login)["result"]["access_token"]
    assert bridge.call("auth.getSession")["result"]["customer"]["email"] == "leak@test.dk"
    # Errors of every kind, each with the credentials in play.
    bridge.call("auth.authenticate", {"email": "leak@test.dk", "password": wrong_password, "session": "w"})
    bridge.call("auth.authenticate", [login, {"Authorization": "Bearer " + header_token}])
    bridge.call("auth.getToken", {"email": "leak@test.dk", "password": [password]})
    bridge.call("auth.getSession", {"customHeaders": {"Authorization": "Bearer " + header_token, "X-Bad": "a\nb"}})
    bridge.send(b'{"jsonrpc":"2.0","id":"broken","method":"auth.authenticate","params":{"password":"' + password.encode() + b'"\n')
    # (times: how many attempts each fault gets with --max-retries 1: 409 and resets are retried.)
    for times, fault in ((1, {"status": 500, "body": "boom"}), (1, {"garbage": True}),
                         (1, {"redirect": other.url + "/store/auth"}), (2, {"status": 409, "headers": {"Retry-After": "1"}})):
        emulator.control.add_fault(method="GET", path="/store/auth", times=times, **fault)
        assert "error" in bridge.call("auth.getSession")
    emulator.control.add_fault(method="POST", path="/store/auth/token", reset_mid_body=True, times=2)
    assert "error" in bridge.call("auth.getToken", login)
    assert emulator.control.faults() == [], "every fault was used"
    cookies = {cookie_header(r) for r in emulator.requests() if cookie_header(r)}
    assert cookies, "the session cookie was sent at least once"
    cookie_values = {c.split("=", 1)[1] for header in cookies for c in header.split("; ")}
    bridge.call("auth.deleteSession")
    finish(bridge)

    stderr = bridge.stderr_bytes().decode("utf-8", "replace")
    assert "<- " in stderr and "-> " in stderr and "[redacted]" in stderr, "trace logging was on and redacting"
    errors = json.dumps([r["error"] for r in bridge.responses if "error" in r], default=str)
    assert errors.count('"code"') >= 8, "the errors above were all answered"
    secrets = {"password": password, "wrong password": wrong_password, "token": token,
               "publishable key": publishable_key, "bearer in a custom header": header_token}
    for value in cookie_values:
        secrets["cookie value " + value[:12]] = value
        secrets["decoded cookie value " + value[:12]] = unquote(value)
    for name, secret in secrets.items():
        assert secret not in stderr, "the %s appears on stderr" % name
        assert secret not in errors, "the %s appears in an error" % name
        # JWTs are three base64url parts: their signature alone is a secret too.
        if name == "token":
            assert secret.rsplit(".", 1)[1] not in stderr + errors


def test_two_customers_logged_in_side_by_side_each_see_only_their_own_customer_in_1000_interleaved_calls(start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url)
    people = {"alice": ("alice@example.com", "alice-password"), "bob": ("bob@example.com", "bob-password")}
    sessions = {}
    for name, (email, password) in people.items():
        sessions[name] = email
        sessions[name + "-jwt"] = email
        assert "result" in bridge.call("auth.authenticate", {"email": email, "password": password, "session": name})
        assert "result" in bridge.call("auth.getToken", {"email": email, "password": password, "session": name + "-jwt"})
    # The -jwt sessions hold a token and no cookie: getToken sets none (medusajs/medusa v1 packages/medusa/src/api/routes/store/auth/get-token.ts).
    names = sorted(sessions)
    sent = []
    for i in range(1000):
        session = names[i % len(names)]
        if i % 97 == 0:  # re-login mid-stream: ordered before the calls behind it in its session
            email, password = people[session.replace("-jwt", "")]
            method = "auth.getToken" if session.endswith("-jwt") else "auth.authenticate"
            bridge.request(method, {"email": email, "password": password, "session": session}, id="relogin-%d" % i)
        bridge.request("auth.getSession", {"session": session}, id=i)
        sent.append(session)
    bridge.wait_for(lambda b: b.response_count() >= 4 + 1000 + 11, what="1000 getSession answers")
    for i, session in enumerate(sent):
        (answer,) = bridge.answers_for(i)
        assert answer["result"]["customer"]["email"] == sessions[session], (i, session, answer)
    listed = {s["name"]: s for s in bridge.call("session.list")["result"]["sessions"]}
    assert listed["alice"]["customerId"] != listed["bob"]["customerId"]
    assert listed["alice"]["customerId"] == listed["alice-jwt"]["customerId"]
    assert (listed["alice-jwt"]["hasToken"], listed["alice"]["hasToken"]) == (True, False)
    finish(bridge)
