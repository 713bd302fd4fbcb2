"""Forward proxies: http_proxy/HTTP_PROXY, HTTPS_PROXY (a CONNECT tunnel), NO_PROXY and --proxy.

The proxy is forward_proxy.py, written for these tests; it records what it was asked for, so each
test checks both that the calls succeeded and which of them went through the proxy.
"""

import pytest

from checks import error_of, finish, result_of
from harness import closed_port

OLI = {"email": "oli@test.dk", "password": "test"}
OLI_ID = "cus_01HG3WQ4Q9ZJ6A8S1V0M3K7N2B"


def login_and_read_session(bridge):
    assert result_of(bridge.call("auth.authenticate", OLI))["customer"]["id"] == OLI_ID
    assert result_of(bridge.call("auth.getSession"))["customer"]["id"] == OLI_ID


# curl reads only the lower-case http_proxy (upper-case HTTP_PROXY can be set by a CGI request's
# "Proxy:" header); the bridge is no CGI program, and users set either, as Python and Go honour both.
@pytest.mark.parametrize("variable", ["http_proxy", "HTTP_PROXY"])
def test_plain_http_calls_go_through_the_proxy_named_by_the_environment(
        start_bridge, start_emulator, start_proxy, variable):
    emulator, proxy = start_emulator(), start_proxy()
    bridge = start_bridge("--base-url", emulator.url, env={variable: proxy.url})
    login_and_read_session(bridge)
    assert proxy.seen == [("POST", emulator.url + "/store/auth"), ("GET", emulator.url + "/store/auth")]
    assert len(emulator.requests()) == 2
    finish(bridge)


@pytest.mark.parametrize("variable", ["https_proxy", "HTTPS_PROXY"])
def test_https_calls_tunnel_through_the_proxy_and_its_secure_cookie_never_crosses_the_proxy_in_clear(
        start_bridge, start_emulator, start_proxy, tls_files, variable):
    emulator = start_emulator("--tls-cert", tls_files.cert, "--tls-key", tls_files.key, "--production")
    proxy = start_proxy()
    bridge = start_bridge("--base-url", emulator.url, "--ca-file", tls_files.ca, env={variable: proxy.url})
    login_and_read_session(bridge)
    authority = emulator.url[len("https://"):]
    assert proxy.seen and all(seen == ("CONNECT", authority) for seen in proxy.seen), proxy.seen
    _, session = emulator.requests()
    assert "connect.sid=" in (session["headers"].get("cookie") or "")
    finish(bridge)


@pytest.mark.parametrize("variable,value", [("NO_PROXY", "127.0.0.1"), ("no_proxy", "example.com, 127.0.0.1")])
def test_hosts_listed_in_no_proxy_are_reached_directly(start_bridge, start_emulator, start_proxy, variable, value):
    emulator, proxy = start_emulator(), start_proxy()
    bridge = start_bridge("--base-url", emulator.url, env={"http_proxy": proxy.url, "HTTP_PROXY": proxy.url,
                                                          variable: value})
    login_and_read_session(bridge)
    assert proxy.seen == []
    assert len(emulator.requests()) == 2
    finish(bridge)


def test_the_proxy_option_sends_calls_through_the_proxy_and_wins_over_the_environment(
        start_bridge, start_emulator, start_proxy):
    emulator, proxy = start_emulator(), start_proxy()
    dead_proxy = "http://127.0.0.1:%d" % closed_port()
    bridge = start_bridge("--base-url", emulator.url, "--proxy", proxy.url,
                          env={"http_proxy": dead_proxy, "HTTP_PROXY": dead_proxy})
    login_and_read_session(bridge)
    assert [method for method, _ in proxy.seen] == ["POST", "GET"]
    finish(bridge)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_proxy_that_refuses_is_named_as_the_one_that_refused_and_its_credentials_are_not(
        start_bridge, start_emulator, scheme):
    # The store is never contacted, so an error saying the store refused would send the user looking
    # in the wrong place.
    emulator = start_emulator()
    store = emulator.url.replace("http://", scheme + "://", 1)
    dead_port = closed_port()
    bridge = start_bridge("--base-url", store, "--proxy", "http://user:s3cret-proxy-pass@127.0.0.1:%d" % dead_port)
    code, message, data = error_of(bridge.call("auth.exists", {"email": OLI["email"]}))
    assert code == -32002 and data["reason"] == "refused", (code, data)
    assert data["detail"] == "the proxy http://127.0.0.1:%d refused the connection (the request was for %s)" % (
        dead_port, store), data
    assert "s3cret-proxy-pass" not in message + str(data)
    assert emulator.requests() == []
    finish(bridge)


def demand_proxy_authentication(exchange):
    exchange.conn.send(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"proxy\"\r\n"
                       b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    exchange.conn.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_proxy_demanding_authentication_is_named_as_the_one_that_answered_not_the_store(
        start_bridge, start_emulator, raw_server, scheme):
    # RFC 9110 §15.5.8: a 407 comes from a proxy. Over https it refuses the CONNECT, so the store's
    # request was never sent; over http it answers in the store's place.
    emulator, proxy = start_emulator(), raw_server(demand_proxy_authentication)
    store = emulator.url.replace("http://", scheme + "://", 1)
    bridge = start_bridge("--base-url", store, "--proxy", proxy.url)
    code, message, data = error_of(bridge.call("auth.exists", {"email": OLI["email"]}))
    if scheme == "https":
        assert code == -32002 and data["reason"] == "other", (code, data)
        assert data["detail"].startswith("the proxy %s refused the tunnel to %s (" % (proxy.url, store)), data
        assert data["detail"].endswith("407); the request was not sent"), data
    else:
        assert code == -32001 and int(data["status"]) == 407, (code, data)
        assert message == "A proxy between the bridge and Medusa answered 407", message
    assert emulator.requests() == []
    finish(bridge)
