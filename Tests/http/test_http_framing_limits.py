"""Answers whose framing libcurl refuses in its chunked decoder or its header limits, driven through
the real bridge against raw-socket servers: each is a bad answer (-32003) naming what was wrong, sent
once even with retries on, and later calls are unaffected (``assert_a_bad_answer_sent_once``).
"""

import pytest

from test_http_framing import UNDER_TEST, alice_body, assert_a_bad_answer_sent_once, on_request
from fake_medusa import head_only

BROKEN_CHUNKS = {
    "a chunk size that is not hexadecimal": b"zz\r\n{}\r\n0\r\n\r\n",
    "a chunk size too long to be a number": b"1" * 40 + b"\r\n{}\r\n0\r\n\r\n",
    "a chunk whose data overruns its size": b"2\r\n{}}}}\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("case", sorted(BROKEN_CHUNKS))
def test_a_broken_chunked_body_is_a_bad_answer_sent_once(start_bridge, raw_server, case):
    def send(exchange):
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Transfer-Encoding: chunked"])
                           + BROKEN_CHUNKS[case])
        exchange.conn.close()

    assert_a_bad_answer_sent_once(start_bridge, raw_server(on_request(UNDER_TEST, send)), "chunked")


@pytest.mark.parametrize("line_bytes, lines", [(102_400, 1), (4_000, 100)], ids=["one 100 KiB line", "400 KB in all"])
def test_answer_headers_longer_than_libcurl_reads_are_a_bad_answer_sent_once(start_bridge, raw_server, line_bytes, lines):
    def send(exchange):
        body = alice_body()
        fields = ["X-Padding-%d: %s" % (n, "p" * line_bytes) for n in range(lines)]
        exchange.conn.send(head_only(200, ["Content-Type: application/json", "Content-Length: %d" % len(body)] + fields) + body)

    assert_a_bad_answer_sent_once(start_bridge, raw_server(on_request(UNDER_TEST, send)),
                                  "headers longer than libcurl reads")
