"""A hostile or careless backend (or proxy) echoing what the bridge sent in a spelling of its own:
every value the caller supplied as a secret stays out of error data and the trace log, a caller's
string never forges a log line, and no cut leaves part of a secret behind.
"""

import base64
import json
import re
from urllib.parse import quote

from checks import error_of, finish, strings_of
from fake_medusa import response

ALICE = "alice@test.dk"


def leaked(secrets, answer, stderr=""):
    texts = strings_of(answer) + [stderr]
    return [secret for secret in secrets if any(secret in text for text in texts)]


def echo_request(exchange, status=400):
    request = exchange.request
    head = "request was:\n%s %s\n" % (request.method, request.target)
    head += "".join("%s: %s\n" % pair for pair in request.headers)
    exchange.conn.send(response(status, head, content_type="text/plain"))


def test_header_values_the_caller_supplied_never_come_back_in_error_data_or_the_trace_log(start_bridge, raw_server):
    server = raw_server(echo_request)
    bridge = start_bridge("--base-url", server.url, "--header", "X-Store-Secret: cfgSECRETvalue", "--log-level", "trace")
    answer = bridge.call("auth.exists", {"email": ALICE, "customHeaders": {"X-Api-Key": "sk_live_CUSTOMSECRET"}})
    code, _, data = error_of(answer)
    assert code == -32001 and "request was:" in data["body"], answer
    assert "X-Store-Secret: cfgSECRETvalue" in "".join("%s: %s\n" % pair for pair in server.requests[0].headers)
    finish(bridge)
    stderr = bridge.stderr_bytes().decode("utf-8", "replace")
    assert not leaked(["cfgSECRETvalue", "sk_live_CUSTOMSECRET"], answer, stderr), (answer, stderr[-2000:])


def test_an_oauth_callback_query_never_comes_back_in_a_location_or_an_error_page(start_bridge, raw_server):
    code_value = "4/0AX4XfWh-SECRETAUTHCODE"

    def script(exchange):
        target = exchange.request.target
        if "state=" in target:
            exchange.conn.send(response(404, "<pre>Cannot GET %s</pre>" % target, content_type="text/html"))
        else:
            exchange.conn.send(response(301, b"", ["Location: https://shop.example%s" % target]))

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url, "--log-level", "trace")
    answers = [bridge.call("auth.callback", {"provider": "google", "query": query})
               for query in ({"code": code_value}, {"code": code_value, "state": "st-SECRET-state"})]
    assert error_of(answers[0])[0] == -32001 and "location" in error_of(answers[0])[2], answers[0]
    assert error_of(answers[1])[0] == -32001 and "Cannot GET" in error_of(answers[1])[2]["body"], answers[1]
    finish(bridge)
    stderr = bridge.stderr_bytes().decode("utf-8", "replace")
    secrets = [code_value, quote(code_value, safe=""), "SECRETAUTHCODE", "st-SECRET-state"]
    assert not leaked(secrets, answers, stderr), (answers, stderr[-2000:])


def test_a_client_name_with_controls_never_forges_a_log_line_or_reaches_the_terminal_raw(start_bridge, raw_server):
    server = raw_server()
    bridge = start_bridge("--base-url", server.url, "--log-level", "info")
    forged = "x initialized\nmedusa-auth-bridge [error] FORGED\r\u001b[2J\u0000\u007f\u0085 end"
    assert "result" in bridge.call("initialize", {"clientInfo": {"name": forged}})
    finish(bridge)
    stderr = bridge.stderr_bytes().decode("utf-8")
    lines = stderr.splitlines()
    assert lines and all(line.startswith("medusa-auth-bridge [") for line in lines), stderr
    assert not [line for line in lines if line.startswith("medusa-auth-bridge [error] FORGED")], stderr
    assert len([line for line in lines if "FORGED" in line]) == 1, stderr
    assert not re.search("[\u0000-\u0009\u000b-\u001f\u007f-\u009f]", stderr), repr(stderr)
    assert any("FORGED" in line and "[info]" in line for line in lines), stderr


def test_a_secret_straddling_the_cut_of_a_long_error_page_leaves_no_part_behind(start_bridge, raw_server):
    # One grapheme cluster of thousands of combining marks: cutting by Characters kept it whole, and with
    # it the start of a password the byte cut before redaction had split.
    password = "CorrectHorseBattery9"

    def script(exchange):
        body = b"x" + "\u0301".encode() * ((8192 - len(password)) // 2) + password.encode() + b" was wrong"
        exchange.conn.send(response(400, body, content_type="text/plain"))

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    answer = bridge.call("auth.authenticate", {"email": ALICE, "password": password})
    code, message, data = error_of(answer)
    assert code == -32001 and data["body"].startswith("x\u0301"), answer
    assert not leaked(["Correct", "CorrectHorse", password], answer), answer
    assert len(data["body"]) <= 1025
    finish(bridge)


def test_proxy_credentials_a_refusing_proxy_echoes_are_redacted(start_bridge, raw_server):
    basic = base64.b64encode(b"proxyuser:proxyPa55word").decode()
    for via_environment in (False, True):
        server = raw_server(lambda exchange: echo_request(exchange, status=407))
        proxy = "http://proxyuser:proxyPa55word@127.0.0.1:%d" % server.port
        if via_environment:
            bridge = start_bridge("--base-url", "http://shop.invalid", env={"http_proxy": proxy})
        else:
            bridge = start_bridge("--base-url", "http://shop.invalid", "--proxy", proxy)
        answer = bridge.call("auth.exists", {"email": ALICE})
        code, _, data = error_of(answer)
        assert code == -32001 and data["status"] == 407 and "Proxy-Authorization" in data["body"], answer
        assert any(basic in value for _, value in server.requests[0].headers)
        assert not leaked([basic, "proxyPa55word"], answer), answer
        finish(bridge)


def test_a_password_echoed_percent_encoded_or_json_escaped_the_go_way_is_redacted(start_bridge, raw_server):
    password = "hunter2&<go> secret"

    def script(exchange):
        request = exchange.request
        if request.path == "/store/auth/token":
            body = json.dumps({"error": "bad login for " + password})
            body = body.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            exchange.conn.send(response(400, body))
        else:
            location = "/login?pw=" + quote(password, safe="")
            if exchange.number % 2 == 0:  # the other hex case
                location = re.sub("%[0-9A-F]{2}", lambda match: match.group(0).lower(), location)
            exchange.conn.send(response(302, b"moved", ["Location: " + location], content_type="text/plain"))

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    answers = [bridge.call("auth.getToken", {"email": ALICE, "password": password})]
    answers += [bridge.call("auth.authenticate", {"email": ALICE, "password": password}) for _ in range(2)]
    for answer in answers:
        assert error_of(answer)[0] == -32001, answer
    for answer in answers[1:]:
        assert error_of(answer)[2]["location"].startswith("/login?pw="), answer
    assert not leaked(["hunter2", "go> secret", "%3Cgo%3E", "%3cgo%3e"], answers), answers
    finish(bridge)


def test_an_opaque_token_in_a_rejected_2xx_answer_is_masked_in_its_body(start_bridge, raw_server):
    def script(exchange):
        if exchange.request.path == "/auth/customer/emailpass":
            exchange.conn.send(response(200, '{"token":"opaque-refresh-SECRET-abcdef\\u0000","note":"kept"}'))
        else:
            pad = "x" * (17 * 1024 * 1024)
            exchange.conn.send(response(200, '{"access_token":"opaque-SECRET-xyz","pad":"%s"}' % pad))

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url)
    answers = [bridge.call("auth.login", {"provider": "emailpass", "payload": {"email": ALICE, "password": "pw-long-enough"}}),
               bridge.call("auth.getToken", {"email": ALICE, "password": "pw-long-enough"})]
    for answer in answers:
        assert error_of(answer)[0] == -32003, answer
    assert '"note":"kept"' in error_of(answers[0])[2]["body"], answers[0]
    assert error_of(answers[1])[2]["body"].startswith('{"access_token":"[redacted]"'), answers[1]
    assert not leaked(["opaque-refresh-SECRET", "opaque-SECRET-xyz"], answers), answers
    finish(bridge)
