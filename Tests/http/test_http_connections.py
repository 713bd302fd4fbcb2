"""Connections: reuse and retries, timeouts, refused backends, a burst against a small listen backlog,
and the connection limit, all seen from the server's side as well as in the bridge's answers.
"""

import threading
import time

import pytest

from backlog_server import BacklogServer
from checks import error_of, finish, result_of
from fake_medusa import customer
from harness import closed_port
from rawhttp import serve_normally

ALICE = "alice@test.dk"
# A server that never answers is abandoned after this many seconds (the bridge's --timeout).
SHORT_TIMEOUT = "1"
# The burst of RFC 9112 §9.4's case: far more calls at once than the backend's backlog of 5.
BURST_CALLS = 300
# The bridge's default --timeout, stated so the burst runs with the defaults a user gets.
DEFAULT_BRIDGE_TIMEOUT = "30"
# A correct bridge finishes the burst in about a second; this bounds a wrong one (30 s timeout + slack).
BURST_WAIT_SECONDS = 60
# A cancelled transfer's connection must close long before the 30 s timeout would close it.
CANCEL_CLOSE_SECONDS = 10
# How many calls the connection-limit tests keep in flight at once.
CONCURRENT_CALLS = 40


def exists(bridge, email=ALICE):
    return bridge.call("auth.exists", {"email": email})


def close_after_reading(number):
    """Request ``number`` is read whole, then the server closes the connection without answering."""
    def script(exchange):
        if exchange.number == number:
            exchange.conn.close()
        else:
            serve_normally(exchange)
    return script


@pytest.mark.parametrize("extra", [{}, {"customHeaders": {"Idempotency-Key": "the-caller-s-own"}}],
                         ids=["plain", "with the caller's own Idempotency-Key"])
def test_a_post_on_a_reused_connection_closed_after_the_server_read_it_is_sent_once_with_retries_off(
        start_bridge, raw_server, extra):
    # RFC 9112 §9.3.1: a client must not automatically retry a non-idempotent request. The POST
    # follows a GET that left its connection kept alive; a bridge may reuse it or open a fresh one for
    # the POST, and either way the server closes that connection after reading the POST. An
    # Idempotency-Key the caller sends does not make a resend safe: Medusa's auth routes ignore it.
    server = raw_server(close_after_reading(2))
    bridge = start_bridge("--base-url", server.url)
    assert result_of(exists(bridge))["exists"] is True
    code, _, data = error_of(bridge.call("auth.authenticate", {"email": ALICE, "password": "pw", **extra}))
    assert code == -32002 and int(data["attempts"]) == 1, (code, data)
    posts = [r for r in server.requests if r.method == "POST"]
    assert len(posts) == 1, "the POST reached the server %d times with retries off" % len(posts)
    assert result_of(exists(bridge))["exists"] is True
    login = bridge.call("auth.authenticate", {"email": ALICE, "password": "pw"})
    assert result_of(login)["customer"] == customer(ALICE)
    finish(bridge)


def test_with_one_retry_a_post_whose_connection_closed_after_being_read_is_sent_again_with_the_same_idempotency_key(
        start_bridge, raw_server):
    server = raw_server(close_after_reading(2))
    bridge = start_bridge("--base-url", server.url, "--max-retries", "1")
    assert result_of(exists(bridge))["exists"] is True
    login = bridge.call("auth.authenticate", {"email": ALICE, "password": "pw"})
    assert result_of(login)["customer"] == customer(ALICE)
    posts = [r for r in server.requests if r.method == "POST"]
    assert len(posts) == 2, "expected the POST and one retry, the server saw %d" % len(posts)
    keys = [post.header("Idempotency-Key") for post in posts]
    assert keys[0] and keys[0] == keys[1], keys
    assert posts[1].connection != posts[0].connection
    assert result_of(bridge.call("auth.getSession"))["customer"] == customer(ALICE)
    finish(bridge)


@pytest.mark.parametrize("reused", [False, True], ids=["new connection", "reused connection"])
def test_a_server_that_read_the_request_and_never_answers_is_a_timeout_that_does_not_say_no_connection(
        start_bridge, raw_server, reused):
    held = 2 if reused else 1

    def script(exchange):
        if exchange.number == held:
            exchange.conn.hold()
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url, "--timeout", SHORT_TIMEOUT)
    if reused:
        assert result_of(exists(bridge))["exists"] is True
    code, message, data = error_of(exists(bridge))
    assert code == -32002 and data["reason"] == "timeout" and int(data["attempts"]) == 1, (code, data)
    assert len(server.requests) == held, "the request did reach the server"
    said = (message + " " + str(data.get("detail", ""))).lower()
    assert "no connection" not in said and "not connect" not in said and "not be reached" not in said, said
    assert message == "No answer from Medusa (timeout) after 1 attempt", message
    assert "received the request" in data["detail"], data
    assert result_of(exists(bridge))["exists"] is True
    finish(bridge)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_refused_connection_names_the_origin_it_tried(start_bridge, host):
    port = closed_port()
    origin = "http://%s:%d" % (host, port)
    bridge = start_bridge("--base-url", origin)
    for _ in range(2):
        code, message, data = error_of(exists(bridge))
        assert code == -32002 and data["reason"] == "refused", (code, data)
        assert origin in message or origin in str(data.get("detail")), (message, data)
    assert result_of(bridge.call("ping")) == {}
    finish(bridge)


def test_a_burst_of_300_calls_against_a_backend_with_a_listen_backlog_of_5_is_answered_without_an_error(
        start_bridge, stop_later):
    server = BacklogServer()
    stop_later(server.stop)
    bridge = start_bridge("--base-url", server.url, "--timeout", DEFAULT_BRIDGE_TIMEOUT)
    for index in range(BURST_CALLS):
        bridge.request("auth.exists", {"email": "user%d@test.dk" % index}, id=index)
    bridge.wait_for(lambda b: len(b.responses) >= BURST_CALLS, BURST_WAIT_SECONDS, "every answer of the burst")
    errors = [r for r in bridge.responses if "error" in r]
    assert not errors, "%d of %d calls failed, first: %r" % (len(errors), BURST_CALLS, errors[:1])
    assert sorted(int(r["id"]) for r in bridge.responses) == list(range(BURST_CALLS))
    assert all(r["result"] == {"exists": True} for r in bridge.responses)
    assert result_of(exists(bridge))["exists"] is True
    finish(bridge)


@pytest.mark.parametrize("limit,how", [(2, "flag"), (3, "environment")])
def test_the_bridge_never_holds_more_connections_to_the_backend_than_max_connections(
        start_bridge, raw_server, limit, how):
    server = raw_server()
    if how == "flag":
        bridge = start_bridge("--base-url", server.url, "--max-connections", str(limit))
    else:
        bridge = start_bridge("--base-url", server.url, env={"MEDUSA_MAX_CONNECTIONS": str(limit)})
    for index in range(CONCURRENT_CALLS):
        bridge.request("auth.exists", {"email": ALICE}, id=index)
    bridge.wait_for(lambda b: len(b.responses) >= CONCURRENT_CALLS, what="every answer")
    assert all(r.get("result") == {"exists": True} for r in bridge.responses), \
        [r for r in bridge.responses if "error" in r][:1]
    assert 1 <= server.max_open <= limit, "%d connections open at once with a limit of %d" % (server.max_open, limit)
    assert result_of(exists(bridge))["exists"] is True
    finish(bridge)


def test_cancelling_a_call_aborts_its_transfer_at_once_and_later_calls_are_unaffected(start_bridge, raw_server):
    # The server never answers the first request and watches its connection: only an aborted transfer
    # closes it before the bridge's 30 s timeout, well beyond CANCEL_CLOSE_SECONDS.
    closed, watched = [], threading.Event()

    def script(exchange):
        if exchange.number == 1:
            closed.append(exchange.conn.wait_peer_closed(CANCEL_CLOSE_SECONDS))
            watched.set()
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url, "--timeout", DEFAULT_BRIDGE_TIMEOUT)
    bridge.request("auth.exists", {"email": ALICE}, id="slow")
    assert len(server.wait_requests(1, CANCEL_CLOSE_SECONDS)) == 1, "the request never reached the server"
    bridge.send({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "slow"}})
    code, _, _ = error_of(bridge.answer("slow"))
    assert code == -32800
    assert result_of(exists(bridge))["exists"] is True
    assert watched.wait(CANCEL_CLOSE_SECONDS + 5)
    assert closed == [True], "the cancelled transfer's connection stayed open %.0f s" % CANCEL_CLOSE_SECONDS
    finish(bridge)


def test_time_spent_waiting_for_a_free_connection_does_not_count_against_the_timeout(start_bridge, raw_server):
    # With one connection allowed, two calls the server never answers hold it for a timeout each
    # (2 x 1 s) while a third call waits its turn; --timeout bounds each attempt, not the queue.
    held = "held@test.dk"

    def script(exchange):
        if exchange.request.path.endswith("/" + held):
            exchange.conn.hold()
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = start_bridge("--base-url", server.url, "--max-connections", "1", "--timeout", SHORT_TIMEOUT)
    bridge.request("auth.exists", {"email": held}, id="held-1")
    bridge.request("auth.exists", {"email": held}, id="held-2")
    bridge.request("auth.exists", {"email": ALICE}, id="queued")
    for held_id in ("held-1", "held-2"):
        code, message, data = error_of(bridge.answer(held_id))
        assert code == -32002 and data["reason"] == "timeout", (code, message, data)
    assert result_of(bridge.answer("queued")) == {"exists": True}
    # It waited its turn behind both held calls (a connection of its own would have answered first),
    # and still had its whole --timeout once it got the connection.
    order = [response["id"] for response in bridge.responses]
    assert order.index("queued") > max(order.index("held-1"), order.index("held-2")), order
    assert result_of(exists(bridge))["exists"] is True
    finish(bridge)


def test_at_end_of_input_calls_waiting_their_turn_are_answered_for_real_while_the_backend_answers(
        start_bridge, raw_server):
    # Logins of one session run one after another. Each takes the backend 0.5 s, so the file of 14 takes
    # 7 s, longer than the end-of-input drain limit (--timeout 1 s + 5 s): the bridge keeps waiting
    # while calls are being answered, and cancels only after that long without an answer.
    logins = 14

    def slow(exchange):
        time.sleep(0.5)
        serve_normally(exchange)

    server = raw_server(slow)
    bridge = start_bridge("--base-url", server.url, "--timeout", "1")
    for index in range(logins):
        bridge.request("auth.authenticate", {"email": ALICE, "password": "pw"}, id=index)
    bridge.close_stdin()
    assert bridge.wait_exit(logins * 0.5 + 60) == 0, bridge.stderr_bytes()[-2000:]
    bridge.wait_stdout_closed()
    assert sorted(int(r["id"]) for r in bridge.responses) == list(range(logins))
    assert all(r.get("result", {}).get("customer") == customer(ALICE) for r in bridge.responses), [
        r for r in bridge.responses if "error" in r][:2]
    assert len([r for r in server.requests if r.method == "POST"]) == logins
