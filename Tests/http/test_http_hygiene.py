"""Hygiene of the HTTP layer: path parameters that would change the route, cookies with control
characters, header fields sent once, and secrets echoed back by a backend, which must never reach
stdout or stderr.
"""

import json
from urllib.parse import unquote

import pytest

from checks import error_of, finish, offered_codings, result_of, strings_of
from fake_medusa import customer, head_only, response
from rawhttp import serve_normally

ALICE = "alice@test.dk"
LOG_LEVELS = ["error", "warn", "info", "debug", "trace"]


def test_exists_with_an_empty_email_is_invalid_params_and_sends_nothing(start_bridge, raw_server):
    # Without the check, GET /store/auth/ is getSession's route: the logged-in customer would come back.
    server = raw_server()
    bridge = start_bridge("--base-url", server.url)
    for params in ({"email": ""}, [""], {"email": "", "session": "other"}):
        code, message, data = error_of(bridge.call("auth.exists", params))
        assert code == -32602 and data.get("field") == "email", (code, message, data)
    assert server.requests == []
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    assert [(r.method, r.target) for r in server.requests] == [("GET", "/store/auth/alice@test.dk")]
    finish(bridge)


ROUTE_CHANGING = [".", "..", "a/b@test.dk", "../token", "x?y=1", "x#frag", "%2E%2E", "a\\b@test.dk"]


@pytest.mark.parametrize("email", ROUTE_CHANGING)
def test_exists_never_reaches_another_route_whatever_the_email(start_bridge, raw_server, email):
    server = raw_server()
    bridge = start_bridge("--base-url", server.url)
    answer = bridge.call("auth.exists", {"email": email})
    if "error" in answer:
        code, _, data = error_of(answer)
        assert code == -32602 and data.get("field") == "email", answer
        assert server.requests == []
    else:
        (request,) = server.requests
        segment = request.target[len("/store/auth/"):]
        assert request.method == "GET" and request.target.startswith("/store/auth/"), request.target
        assert segment not in ("", ".", "..") and not any(c in segment for c in "/?#\\"), request.target
        assert unquote(segment) == email, (segment, email)
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    finish(bridge)


def test_a_cookie_whose_name_or_value_holds_control_characters_is_never_sent_back(start_bridge, raw_server):
    # RFC 6265 §4.1.1: cookie-name is a token and cookie-octet excludes CTLs (RFC 6265's successor draft,
    # rfc6265bis, ignores such a cookie entirely, HTAB aside); a CTL sent back could split or smuggle a header.
    bad = ["ctl\x01name=v1; Path=/", "ctlvalue=a\x01b; Path=/", "del=a\x7fb; Path=/", "esc=\x1b[31m; Path=/",
           "bell\x07=v2; Path=/"]

    def script(exchange):
        if exchange.number == 1:
            body = json.dumps({"customer": customer(ALICE)}).encode()
            headers = ["Set-Cookie: good=g1; Path=/"] + ["Set-Cookie: " + line for line in bad]
            exchange.conn.send(response(200, body, headers))
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    login = bridge.call("auth.authenticate", {"email": ALICE, "password": "pw"})
    assert result_of(login)["customer"] == customer(ALICE)
    bridge.call("auth.getSession")
    bridge.call("auth.exists", {"email": ALICE})
    for request in server.requests[1:]:
        sent = request.header_values("Cookie")
        assert sent == ["good=g1"], "Cookie header(s) sent: %r" % sent
    finish(bridge)


INJECTING_TOKENS = ["abc\r\nX-Injected: yes", "x\r\nContent-Length: 0\r\n\r\nDELETE /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                    "abc\nX-Injected: yes"]


@pytest.mark.parametrize("token", INJECTING_TOKENS)
@pytest.mark.parametrize("method,params,member", [
    ("auth.getToken", {"email": ALICE, "password": "pw"}, "access_token"),
    ("auth.login", {"email": ALICE, "password": "pw"}, "token"),
    ("auth.register", {"email": ALICE, "password": "pw"}, "token"),
])
def test_a_token_holding_cr_or_lf_is_a_bad_answer_and_never_reaches_a_request(start_bridge, raw_server, method, params,
                                                                               member, token):
    # Sent back as `Authorization: Bearer <token>`, CR LF would end the field and add lines, or a whole
    # request, of the backend's choosing to every later call of the session.
    def script(exchange):
        if exchange.number == 1:
            exchange.conn.send(response(200, json.dumps({member: token}).encode()))
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    code, message, data = error_of(bridge.call(method, params))
    assert code == -32003 and data.get("status") == 200, (code, message, data)
    bridge.call("auth.getSession")
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    for request in server.requests[1:]:
        assert request.header("Authorization") is None, request.headers
        assert request.header("X-Injected") is None, request.headers
    assert [r.path for r in server.requests][1:] == ["/store/auth", "/store/auth/" + ALICE]
    sessions = result_of(bridge.call("session.list"))["sessions"]
    assert [s["hasToken"] for s in sessions] == [False], sessions
    finish(bridge)


# -- secrets echoed by the backend ---------------------------------------------------------------

# The second password holds a quote and a backslash: the JSON body carries it escaped, and a JSON
# error page quoting that body escapes it again, so it must be recognised in all three spellings.
PASSWORD, SECOND_PASSWORD = "pw-Zq9-first-secret", 'pw-Zq9-"second\\secret'
SHORT_PASSWORD = "Zq9"
COOKIE_VALUE, TOKEN, PUBLISHABLE_KEY = "ck-Zq9-cookie-secret", "tok-Zq9-bearer-secret", "pk_Zq9_publishable_secret"
SECRETS = [PASSWORD, SECOND_PASSWORD, COOKIE_VALUE, TOKEN, PUBLISHABLE_KEY]
SENTINEL = "echo-sentinel"


def echo_text(request):
    """The request as a careless error page shows it, head and body, after a marker that must survive."""
    head = SENTINEL + "\n%s %s %s\n" % (request.method, request.target, request.version)
    head += "".join("%s: %s\n" % pair for pair in request.headers)
    return head + "\n" + request.body.decode("utf-8", "replace")


def echoing_backend(exchange):
    """Logs in and hands out a token once; afterwards every answer echoes the request back."""
    request = exchange.request
    key = (request.method, request.path)
    if exchange.number == 1 and key == ("POST", "/store/auth"):
        exchange.conn.send(response(200, json.dumps({"customer": customer(ALICE)}),
                                    ["Set-Cookie: sid=%s; Path=/; HttpOnly" % COOKIE_VALUE]))
    elif exchange.number == 2 and key == ("POST", "/store/auth/token"):
        exchange.conn.send(response(200, json.dumps({"access_token": TOKEN})))
    elif key in (("GET", "/store/auth"), ("POST", "/store/auth")):  # a 2xx of the wrong shape: -32003
        exchange.conn.send(response(200, json.dumps({"echo": echo_text(request)})))
    elif key == ("DELETE", "/store/auth"):  # Medusa's JSON error shape, echoing in every field
        echo = echo_text(request)
        exchange.conn.send(response(400, json.dumps({"type": "invalid_data " + echo, "message": echo, "code": echo})))
    elif request.method == "POST":  # a plain-text 401 that echoes
        exchange.conn.send(response(401, echo_text(request), content_type="text/plain; charset=utf-8"))
    else:  # an HTML error page that echoes
        page = "<html><body><pre>%s</pre></body></html>" % echo_text(request)
        page = page.encode()
        exchange.conn.send(head_only(400, ["Content-Type: text/html", "Content-Length: %d" % len(page)]) + page)


@pytest.mark.parametrize("level", LOG_LEVELS)
def test_no_secret_comes_back_in_error_data_when_the_backend_echoes_the_request(start_bridge, raw_server, level):
    server = raw_server(echoing_backend)
    bridge = start_bridge("--base-url", server.url, "--publishable-api-key", PUBLISHABLE_KEY, "--log-level", level)
    assert result_of(bridge.call("auth.authenticate", {"email": ALICE, "password": PASSWORD}))["customer"]["id"]
    assert result_of(bridge.call("auth.getToken", {"email": ALICE, "password": PASSWORD})) == {"access_token": TOKEN}
    calls = [("auth.getSession", None, -32003), ("auth.exists", {"email": ALICE}, -32001),
             ("auth.authenticate", {"email": ALICE, "password": SECOND_PASSWORD}, -32003),
             ("auth.getToken", {"email": ALICE, "password": SECOND_PASSWORD}, -32001),
             ("auth.deleteSession", None, -32001)]
    for method, params, expected in calls:
        answer = bridge.call(method, params)
        code, _, data = error_of(answer)
        assert code == expected, (method, answer)
        echoed = data.get("body") if "body" in data else data.get("message")
        assert isinstance(echoed, str) and SENTINEL in echoed, "the echoed page is gone, not redacted: %r" % answer
        leaked = [secret for secret in SECRETS if any(spelled_in(secret, text) for text in strings_of(answer))]
        assert not leaked, "%s answered with %s in its error: %s" % (method, leaked, answer)
    # Every secret did reach the backend, so an echo could have carried each one.
    wire = "".join(echo_text(r) for r in server.requests)
    assert all(spelled_in(secret, wire) for secret in SECRETS)
    finish(bridge)
    stderr = bridge.stderr_bytes().decode("utf-8", "replace")
    assert not [secret for secret in SECRETS if secret in stderr], stderr[-3000:]


def spelled_in(secret, text):
    """Whether ``text`` holds ``secret`` as it is, or as the inside of a JSON string once or twice."""
    once = json.dumps(secret)[1:-1]
    return any(form in text for form in (secret, once, json.dumps(once)[1:-1]))


@pytest.mark.parametrize("level", LOG_LEVELS)
def test_a_password_too_short_to_replace_withholds_the_whole_echo(start_bridge, raw_server, level):
    # Replacing every "Zq9" could garble any text and still not hide a password that short, so an echo
    # holding it is withheld whole, and the error still says what Medusa answered.
    server = raw_server(echoing_backend)
    bridge = start_bridge("--base-url", server.url, "--log-level", level)
    assert result_of(bridge.call("auth.authenticate", {"email": ALICE, "password": PASSWORD}))["customer"]["id"]
    assert result_of(bridge.call("auth.getToken", {"email": ALICE, "password": PASSWORD})) == {"access_token": TOKEN}
    answer = bridge.call("auth.getToken", {"email": ALICE, "password": SHORT_PASSWORD})
    code, message, data = error_of(answer)
    assert code == -32001 and int(data["status"]) == 401, answer
    assert data["body"] == "[redacted: the text held a secret of the call]", data
    assert not any(SHORT_PASSWORD in text for text in strings_of(answer)), answer
    assert SHORT_PASSWORD in server.requests[-1].body.decode()
    finish(bridge)
    assert SHORT_PASSWORD not in bridge.stderr_bytes().decode("utf-8", "replace")


def test_sessions_never_send_each_others_cookies_even_over_shared_connections(start_bridge, raw_server):
    # Each call names its session in a custom header, so the server can tell whose Cookie it got.
    names = ["alice", "bob", "mallory"]
    server = raw_server()
    bridge = start_bridge("--base-url", server.url)
    for name in names:
        login = bridge.call("auth.authenticate", {"email": name + "@test.dk", "password": "pw", "session": name,
                                                  "customHeaders": {"X-Test-Session": name}})
        assert result_of(login)["customer"] == customer(name + "@test.dk")
    for index in range(30):
        name = names[index % len(names)]
        bridge.request("auth.getSession", {"session": name, "customHeaders": {"X-Test-Session": name}}, id=index)
    bridge.wait_for(lambda b: len(b.responses) >= len(names) + 30, what="every getSession answer")
    for index in range(30):
        assert result_of(bridge.answer(index))["customer"] == customer(names[index % len(names)] + "@test.dk")
    for request in server.requests[len(names):]:
        name = request.header("X-Test-Session")
        assert request.header_values("Cookie") == ["sid=%s-session" % name], (name, request.header_values("Cookie"))
    finish(bridge)


def test_a_redirect_is_an_error_naming_where_it_points_and_is_never_followed(start_bridge, raw_server):
    # A store that moved to https answers 301: the user needs the new address, and the bridge must not
    # carry the session's cookie there on its own.
    def script(exchange):
        if exchange.number == 1:
            exchange.conn.send(b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://shop.example/store/auth/alice%40test.dk\r\n"
                               b"Content-Length: 0\r\n\r\n")
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    code, _, data = error_of(bridge.call("auth.exists", {"email": ALICE}))
    assert (code, int(data["status"])) == (-32001, 301), data
    assert data["location"] == "https://shop.example/store/auth/alice%40test.dk", data
    assert len(server.requests) == 1
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    finish(bridge)


def test_the_offered_codings_are_one_field_and_a_callers_own_accept_encoding_replaces_them(start_bridge, raw_server):
    # The bridge writes the Accept-Encoding field itself (Sources/CurlEngine/HeaderList.swift); a caller's
    # own, from customHeaders or --header, must be the only one sent, never a second field beside it.
    server = raw_server(serve_normally)
    bridge = start_bridge("--base-url", server.url, "--header", "X-Test: 1")
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    assert len(server.requests[0].header_values("Accept-Encoding")) == 1
    assert offered_codings(server.requests[0])
    own = bridge.call("auth.exists", {"email": ALICE, "customHeaders": {"accept-encoding": "identity"}})
    assert result_of(own)["exists"] is True
    assert server.requests[1].header_values("Accept-Encoding") == ["identity"]
    finish(bridge)
    bridge = start_bridge("--base-url", server.url, "--header", "Accept-Encoding: gzip;q=0")
    assert result_of(bridge.call("auth.exists", {"email": ALICE}))["exists"] is True
    assert server.requests[2].header_values("Accept-Encoding") == ["gzip;q=0"]
    finish(bridge)
