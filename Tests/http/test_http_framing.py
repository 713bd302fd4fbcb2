"""HTTP/1.1 response framing (RFC 9112 §6, §7), driven through the real bridge against raw-socket servers.

Each test logs two customers in on two sessions (alice, bob), then makes one call whose answer the
server frames in an unusual or broken way, and then checks that both sessions' next calls get their
own answers: a bridge that kept stray bytes on a pooled connection would hand one session another
customer's record (the stray bytes here are always a complete answer naming a third customer,
mallory, so such cross-talk cannot go unnoticed).
"""

import gzip
import json
import zlib

import pytest

import fake_medusa
from checks import error_of, finish, offered_codings, result_of
from fake_medusa import customer, customer_body, head_only, response, session_email
from rawhttp import serve_normally

ALICE, BOB, MALLORY = "alice@test.dk", "bob@test.dk", "mallory@test.dk"
# Requests 1 and 2 are the two logins; the call under test is request 3.
UNDER_TEST = 3
# A complete, valid answer that belongs to nobody in the test: if any call returns it, bytes left
# on a connection were read as that call's answer.
STRAY_ANSWER = response(200, customer_body(MALLORY))


def on_request(number, special):
    """A script that frames request ``number`` with ``special`` and answers every other normally."""
    def script(exchange):
        if exchange.number == number:
            special(exchange)
        else:
            serve_normally(exchange)
    return script


def logged_in_bridge(start_bridge, server, *args):
    bridge = start_bridge("--base-url", server.url, *args)
    for email in (ALICE, BOB):
        name = email.split("@")[0]
        login = bridge.call("auth.authenticate", {"email": email, "password": "pw", "session": name})
        assert result_of(login)["customer"] == customer(email)
    return bridge


def get_session(bridge, name):
    return bridge.call("auth.getSession", {"session": name})


def assert_later_calls_unaffected(bridge):
    """Both sessions' following calls get their own customer, then an exists call its own answer."""
    assert result_of(get_session(bridge, "bob"))["customer"] == customer(BOB)
    assert result_of(get_session(bridge, "alice"))["customer"] == customer(ALICE)
    assert result_of(bridge.call("auth.exists", {"email": BOB}))["exists"] is True
    finish(bridge)


def alice_body():
    return customer_body(ALICE)


def chunked(body, pieces=3):
    """``body`` as chunks with extensions, a last-chunk with one too, and two trailer fields."""
    size = max(1, len(body) // pieces)
    out = b""
    for start in range(0, len(body), size):
        piece = body[start:start + size]
        out += b"%x;name=value;flag\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0;last=\"yes\"\r\nX-Checksum: 1a2b\r\nServer-Timing: db;dur=3\r\n\r\n"


# -- answers that are unusual but valid: accepted ---------------------------------------------

def send_chunked_with_extensions_and_trailers(exchange):
    exchange.conn.send(head_only(200, ["Content-Type: application/json", "Transfer-Encoding: chunked",
                                       "Trailer: X-Checksum, Server-Timing"]) + chunked(alice_body()))


def send_with_obs_fold(exchange):
    # RFC 9112 §5.2: a user agent that receives obs-fold replaces each with SP before interpreting.
    body = alice_body()
    exchange.conn.send(head_only(200, ["Content-Type: application/json", "X-Folded: first part",
                                       " second part", "\tthird part", "Content-Length: %d" % len(body)]) + body)


def send_1xx_then_200(exchange):
    # RFC 9110 §15.2: a client must be able to parse one or more 1xx responses before the final one.
    exchange.conn.send(head_only(100) + head_only(103, ["Link: </style.css>; rel=preload; as=style"])
                       + response(200, alice_body()))


def send_close_delimited_http11(exchange):
    # RFC 9112 §6.3 rule 8: no Content-Length and no chunked: the body ends when the server closes.
    exchange.conn.send(head_only(200, ["Content-Type: application/json", "Connection: close"]) + alice_body())
    exchange.conn.close()


def send_close_delimited_http10(exchange):
    exchange.conn.send(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + alice_body())
    exchange.conn.close()


def send_bytewise_content_length(exchange):
    exchange.conn.send_bytewise(exchange.normal())


def send_bytewise_chunked(exchange):
    exchange.conn.send_bytewise(head_only(200, ["Content-Type: application/json", "Transfer-Encoding: chunked"])
                                + chunked(alice_body(), pieces=7))


ACCEPTED = {
    "chunked with chunk extensions and trailer fields": send_chunked_with_extensions_and_trailers,
    "obs-fold header lines": send_with_obs_fold,
    "100 and 103 interim answers before the 200": send_1xx_then_200,
    "an HTTP/1.1 body delimited by the server closing": send_close_delimited_http11,
    "an HTTP/1.0 body delimited by the server closing": send_close_delimited_http10,
    "a Content-Length answer delivered one byte at a time": send_bytewise_content_length,
    "a chunked answer delivered one byte at a time": send_bytewise_chunked,
}


@pytest.mark.parametrize("framing", list(ACCEPTED), ids=list(ACCEPTED))
def test_a_valid_but_unusual_framing_is_accepted_and_later_calls_are_unaffected(start_bridge, raw_server, framing):
    server = raw_server(on_request(UNDER_TEST, ACCEPTED[framing]))
    bridge = logged_in_bridge(start_bridge, server)
    answer = get_session(bridge, "alice")
    assert result_of(answer)["customer"] == customer(ALICE)
    assert_later_calls_unaffected(bridge)


def test_a_gzip_compressed_answer_is_decoded_and_accept_encoding_offers_gzip(start_bridge, raw_server):
    # A proxy may compress whatever the client offers; the bridge must offer what it can decode and decode it.
    def send_gzip(exchange):
        body = gzip.compress(alice_body())
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Encoding: gzip",
                                           "Vary: Accept-Encoding", "Content-Length: %d" % len(body)]) + body)

    server = raw_server(on_request(UNDER_TEST, send_gzip))
    bridge = logged_in_bridge(start_bridge, server)
    assert result_of(get_session(bridge, "alice"))["customer"] == customer(ALICE)
    offered = server.requests[UNDER_TEST - 1].header("Accept-Encoding") or ""
    assert "gzip" in [coding.split(";")[0].strip().lower() for coding in offered.split(",")], offered
    assert_later_calls_unaffected(bridge)


def content_encoders():
    """What this suite can compress with: the standard library's gzip and deflate (zlib format, as
    RFC 9110 §8.4.1.2 defines it), and br and zstd from Tests/requirements.txt."""
    import brotli
    import zstandard

    return {"gzip": gzip.compress, "x-gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
            "zstd": lambda data: zstandard.ZstdCompressor().compress(data)}


def test_every_content_coding_the_bridge_offers_is_decoded(start_bridge, raw_server):
    # RFC 9110 §12.5.3: offering a coding invites the server (or a proxy) to use it.
    plan = []

    def script(exchange):
        if plan and (exchange.request.method, exchange.request.path) == ("GET", "/store/auth"):
            coding = plan.pop()
            body = content_encoders()[coding](customer_body(session_email(exchange.request)))
            exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Encoding: " + coding,
                                               "Content-Length: %d" % len(body)]) + body)
        else:
            serve_normally(exchange)

    server = raw_server(script)
    bridge = logged_in_bridge(start_bridge, server)
    offered = offered_codings(server.requests[0])
    assert "gzip" in offered, "Accept-Encoding offers %r" % offered
    unknown = [coding for coding in offered if coding not in content_encoders()]
    assert not unknown, "the bridge offers %r, which this suite cannot produce to check" % unknown
    for coding in offered:
        plan.append(coding)
        answer = get_session(bridge, "alice")
        assert not plan, "the %s answer was not requested" % coding
        assert result_of(answer)["customer"] == customer(ALICE), (coding, answer)
    assert_later_calls_unaffected(bridge)


# -- answers followed by bytes that are not part of them: never read as another answer ----------

def test_bytes_after_a_complete_answer_are_never_read_as_another_sessions_answer(start_bridge, raw_server):
    # RFC 9112 §6.3: a client must not treat excess data after a response as a separate response.
    server = raw_server(on_request(UNDER_TEST, lambda exchange: exchange.conn.send(exchange.normal() + STRAY_ANSWER)))
    bridge = logged_in_bridge(start_bridge, server)
    assert result_of(get_session(bridge, "alice"))["customer"] == customer(ALICE)
    assert_later_calls_unaffected(bridge)


def test_a_204_with_a_stray_body_ends_at_its_head_and_the_stray_bytes_answer_nothing(start_bridge, raw_server):
    # RFC 9112 §6.3 rule 1: a 204 ends at the blank line after its head, whatever follows.
    server = raw_server(on_request(UNDER_TEST, lambda exchange: exchange.conn.send(head_only(204) + STRAY_ANSWER)))
    bridge = logged_in_bridge(start_bridge, server)
    answer = bridge.call("auth.deleteSession", {"session": "alice"})
    assert result_of(answer) == {}
    assert server.requests[UNDER_TEST - 1].method == "DELETE"
    assert result_of(get_session(bridge, "bob"))["customer"] == customer(BOB)
    # alice logged out; her next getSession carries no cookie and Medusa answers 401.
    code, _, data = error_of(get_session(bridge, "alice"))
    assert (code, int(data["status"])) == (-32001, 401)
    assert result_of(bridge.call("auth.exists", {"email": BOB}))["exists"] is True
    finish(bridge)


def test_a_304_with_a_content_length_and_stray_body_is_an_http_error_and_the_stray_bytes_answer_nothing(
        start_bridge, raw_server):
    # RFC 9110 §8.6 and RFC 9112 §6.3 rule 1: a 304's Content-Length describes the representation,
    # not a body; the answer ends at its head.
    server = raw_server(on_request(UNDER_TEST, lambda exchange: exchange.conn.send(
        head_only(304, ["ETag: \"x\"", "Content-Length: %d" % len(STRAY_ANSWER)]) + STRAY_ANSWER)))
    bridge = logged_in_bridge(start_bridge, server)
    code, _, data = error_of(get_session(bridge, "alice"))
    assert (code, int(data["status"])) == (-32001, 304)
    assert_later_calls_unaffected(bridge)


def test_a_101_answer_is_an_error_and_its_connection_is_never_used_again(start_bridge, raw_server):
    # RFC 9110 §15.2.2: after 101 the connection speaks another protocol; the bridge never asked for one.
    def switch(exchange):
        exchange.conn.send(head_only(101, ["Connection: Upgrade", "Upgrade: websocket"]))

    server = raw_server(on_request(UNDER_TEST, switch))
    bridge = logged_in_bridge(start_bridge, server)
    code, _, _ = error_of(get_session(bridge, "alice"))
    assert code in (-32001, -32003), "a 101 reached the server: it is an answer, not 'unreachable' (%d)" % code
    upgraded = server.requests[UNDER_TEST - 1].connection
    assert_later_calls_unaffected(bridge)
    later = server.requests[UNDER_TEST:]
    assert later and all(request.connection != upgraded for request in later), \
        "a request was sent on the connection that switched protocols: %r" % [(r.number, r.connection) for r in later]


# -- answers whose framing is broken: an error naming what was wrong ----------------------------

def framing_error_mentions(code, message, data, word):
    text = (message + " " + json.dumps(data, default=str)).lower()
    return code == -32003 and word.lower() in text


def test_duplicate_content_length_fields_that_differ_are_a_bad_answer_naming_content_length(start_bridge, raw_server):
    # RFC 9112 §6.3 rule 5 and RFC 9110 §8.6: differing Content-Length values are unrecoverable.
    def send(exchange):
        body = alice_body()
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Length: %d" % len(body),
                                           "Content-Length: %d" % (len(body) + 1)]) + body + b" ")

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server)
    code, message, data = error_of(get_session(bridge, "alice"))
    assert framing_error_mentions(code, message, data, "Content-Length"), (code, message, data)
    assert_later_calls_unaffected(bridge)


INVALID_LENGTHS = ["abc", "{n}x", "-{n}", "+{n}", "{n} {n}", "0x{n}"]


@pytest.mark.parametrize("value", INVALID_LENGTHS)
def test_an_invalid_content_length_is_a_bad_answer_naming_content_length(start_bridge, raw_server, value):
    # RFC 9112 §6.3 rule 5: Content-Length = 1*DIGIT; anything else makes the framing invalid.
    def send(exchange):
        body = alice_body()
        exchange.conn.send(head_only(200, ["Content-Type: application/json",
                                           "Content-Length: " + value.format(n=len(body))]) + body)

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server)
    code, message, data = error_of(get_session(bridge, "alice"))
    assert framing_error_mentions(code, message, data, "Content-Length"), (code, message, data)
    assert_later_calls_unaffected(bridge)


def test_a_body_cut_short_of_its_content_length_is_an_error_never_a_result(start_bridge, raw_server):
    # RFC 9112 §8: a message whose connection closed before Content-Length bytes arrived is incomplete.
    # The bytes that did arrive are a complete JSON document, so only the framing tells it apart.
    def send(exchange):
        body = alice_body()
        exchange.conn.send(head_only(200, ["Content-Type: application/json",
                                           "Content-Length: %d" % (len(body) + 40)]) + body)
        exchange.conn.close()

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server)
    assert_cut_short(*error_of(get_session(bridge, "alice")))
    assert_later_calls_unaffected(bridge)


def assert_cut_short(code, message, data):
    """An answer whose connection closed early is incomplete, not malformed (README, "HTTP"): -32002,
    saying that the request arrived and the answer did not, never that Medusa could not be reached."""
    assert code == -32002 and data["reason"] == "other", (code, data)
    assert message == "No answer from Medusa (other) after 1 attempt", message
    assert "closed the connection before the whole answer arrived" in data["detail"], data


def test_a_chunked_body_cut_short_before_its_last_chunk_is_an_error_never_a_result(start_bridge, raw_server):
    def send(exchange):
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Transfer-Encoding: chunked"])
                           + chunked(alice_body()).split(b"0;last")[0])
        exchange.conn.close()

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server)
    assert_cut_short(*error_of(get_session(bridge, "alice")))
    assert_later_calls_unaffected(bridge)


def test_the_fake_medusa_answers_as_the_bridge_expects(start_bridge, raw_server):
    """The baseline every case above departs from: nothing unusual, every call answered."""
    server = raw_server()
    bridge = logged_in_bridge(start_bridge, server)
    assert result_of(get_session(bridge, "alice"))["customer"] == customer(ALICE)
    assert_later_calls_unaffected(bridge)
    assert [r.method for r in server.requests] == ["POST", "POST", "GET", "GET", "GET", "GET"]
    assert fake_medusa.COOKIE_NAME + "=alice-session" in server.requests[2].header("Cookie")


def assert_a_bad_answer_sent_once(start_bridge, server, word):
    """With retries on, the framed-wrong answer is -32003 naming ``word``, its request was sent once
    (the server answered: retrying as after a network failure would only send it again), and both
    sessions' next calls get their own answers."""
    bridge = logged_in_bridge(start_bridge, server, "--max-retries", "2")
    code, message, data = error_of(get_session(bridge, "alice"))
    assert framing_error_mentions(code, message, data, word), (code, message, data)
    assert len([r for r in server.requests if (r.method, r.path) == ("GET", "/store/auth")]) == 1
    assert_later_calls_unaffected(bridge)


def test_a_bad_answer_is_not_retried_as_a_network_failure(start_bridge, raw_server):
    def send(exchange):
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Length: abc"]) + alice_body())

    assert_a_bad_answer_sent_once(start_bridge, raw_server(on_request(UNDER_TEST, send)), "Content-Length")


# The bridge's cap on a body (README: "Bodies longer than 16 MiB are cut off and answered -32003"),
# which issue 9 moves to the decoded body; this answer decodes to a little more.
BODY_CAP_BYTES = 16 * 1024 * 1024


def test_a_compressed_answer_that_decodes_past_the_body_cap_is_a_bad_answer(start_bridge, raw_server):
    # About 17 KiB on the wire: only the decoded size can tell.
    inflated = b'{"customer": {"id": "cus_alice", "padding": "' + b" " * (BODY_CAP_BYTES + 1024) + b'"}}'
    compressed = gzip.compress(inflated, compresslevel=9)

    def send(exchange):
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Encoding: gzip",
                                           "Content-Length: %d" % len(compressed)]) + compressed)

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server)
    code, message, data = error_of(get_session(bridge, "alice"))
    assert code == -32003 and int(data["status"]) == 200, (code, data)
    assert message == "Medusa answered 200 with a body longer than the 16 MiB the bridge reads", message
    assert_later_calls_unaffected(bridge)


MALFORMED_STATUS_LINES = ["HTTP/1.1 2OO OK", "HTTP/1.1 20 OK", "HTTP/1.1 0200 OK", "SSH-2.0-OpenSSH_9.2"]


@pytest.mark.parametrize("status_line", MALFORMED_STATUS_LINES)
def test_an_answer_whose_status_line_is_not_http_is_a_bad_answer_and_not_retried(start_bridge, raw_server, status_line):
    # RFC 9112 §4: status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]. Something answered, so
    # this is a bad answer (-32003), not an unreachable backend to retry.
    def send(exchange):
        body = alice_body()
        exchange.conn.send(("%s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                            % (status_line, len(body))).encode() + body)
        exchange.conn.close()

    server = raw_server(on_request(UNDER_TEST, send))
    bridge = logged_in_bridge(start_bridge, server, "--max-retries", "1")
    code, message, data = error_of(get_session(bridge, "alice"))
    assert code == -32003, (code, message, data)
    assert len([r for r in server.requests if (r.method, r.path) == ("GET", "/store/auth")]) == 1
    assert_later_calls_unaffected(bridge)
