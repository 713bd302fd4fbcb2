"""The wire layer in-process: encoding, line splitting, response matching, the handshake's checks."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medusa_auth_bridge import BridgeVersionError, InvalidParamsError
from medusa_auth_bridge import _protocol


def test_a_request_is_one_compact_line_with_by_name_params() -> None:
    assert _protocol.request(7, "auth.exists", {"email": "a@b.c"}) == (
        b'{"jsonrpc":"2.0","id":7,"method":"auth.exists","params":{"email":"a@b.c"}}\n'
    )


def test_a_request_without_params_has_no_params_member() -> None:
    assert _protocol.request(1, "ping", None) == b'{"jsonrpc":"2.0","id":1,"method":"ping"}\n'


def test_a_cancel_is_a_notification_without_an_id_member() -> None:
    assert _protocol.cancel_notification(12) == (
        b'{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":12}}\n'
    )


def test_line_separators_and_non_ascii_are_escaped_so_no_reader_can_split_a_message() -> None:
    line = _protocol.request(1, "auth.exists", {"email": "\u2028\u2029\u0085\n\u00e6@x.dk"})
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    assert line.isascii()
    assert json.loads(line)["params"]["email"] == "\u2028\u2029\u0085\n\u00e6@x.dk"


def test_nan_is_refused_because_it_is_not_json() -> None:
    with pytest.raises(ValueError):
        _protocol.request(1, "echo", {"x": float("nan")})


def test_the_splitter_cuts_only_at_newline_bytes_and_keeps_a_partial_line() -> None:
    splitter = _protocol.LineSplitter()
    assert splitter.feed(b'{"a":"x\xe2\x80\xa8y"}\n{"b"') == [b'{"a":"x\xe2\x80\xa8y"}']
    assert splitter.pending == 4
    assert splitter.feed(b":1}\r\n\n") == [b'{"b":1}\r', b""]
    assert splitter.pending == 0


def test_the_splitter_has_no_line_length_limit() -> None:
    splitter = _protocol.LineSplitter()
    big = b"x" * (5 * 1024 * 1024)
    lines = []
    for start in range(0, len(big), 65536):
        lines += splitter.feed(big[start : start + 65536])
    lines += splitter.feed(b"\n")
    assert lines == [big]


@given(
    messages=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_any_chunking_of_a_stream_gives_back_the_same_messages(messages: list, cuts: list) -> None:
    stream = b"".join(
        json.dumps({"t": m}, ensure_ascii=False).encode() + b"\n" for m in messages
    )
    points = sorted({min(c, len(stream)) for c in cuts} | {0, len(stream)})
    splitter = _protocol.LineSplitter()
    lines = []
    for start, end in zip(points, points[1:]):
        lines += splitter.feed(stream[start:end])
    assert [json.loads(line)["t"] for line in lines] == messages
    assert splitter.pending == 0


def test_a_blank_line_decodes_to_nothing_and_junk_raises() -> None:
    assert _protocol.decode(b"  \r") is None
    assert _protocol.decode(b'{"id":1}\r') == {"id": 1}
    with pytest.raises(ValueError):
        _protocol.decode(b"not json")
    with pytest.raises(ValueError):
        _protocol.decode(b'{"bad utf8": "\xff"}')


def test_a_result_response_is_matched_by_id() -> None:
    response = _protocol.as_response({"jsonrpc": "2.0", "id": 3, "result": {"exists": True}})
    assert response is not None
    assert (response.id, response.result, response.error) == (3, {"exists": True}, None)


def test_an_error_response_carries_the_raw_error_for_the_connection_to_name_the_call() -> None:
    error = {"code": -32001, "message": "m", "data": {"status": 401, "body": "Unauthorized"}}
    response = _protocol.as_response({"jsonrpc": "2.0", "id": 4, "error": error})
    assert response is not None and response.error == error and response.id == 4


@pytest.mark.parametrize(
    "message",
    [
        {"jsonrpc": "2.0", "method": "x"},
        {"jsonrpc": "2.0", "id": 1},
        [{"jsonrpc": "2.0", "id": 1, "result": {}}],
        "text",
    ],
)
def test_requests_batches_and_shapeless_messages_are_not_responses(message: object) -> None:
    assert _protocol.as_response(message) is None


def test_initialize_names_the_protocol_version_and_the_client() -> None:
    params = _protocol.initialize_params()
    assert params["protocolVersion"] == _protocol.PROTOCOL_VERSION == "1.0"
    assert params["clientInfo"]["name"] == "medusa-auth-bridge-python"
    assert isinstance(params["clientInfo"]["version"], str)


def test_an_initialize_result_with_another_version_is_refused_naming_both() -> None:
    with pytest.raises(BridgeVersionError) as caught:
        _protocol.check_initialize_result({"protocolVersion": "2.0", "serverInfo": {}})
    assert "'2.0'" in str(caught.value) and "this client speaks 1.0" in str(caught.value)
    assert (caught.value.client_version, caught.value.bridge_version, caught.value.supported) == ("1.0", "2.0", None)


def test_the_bridges_unsupported_version_answer_becomes_a_version_error_naming_both() -> None:
    rejected = InvalidParamsError(
        "Unsupported protocol version", -32602, {"supported": ["3.1", "3.2"], "requested": "1.0"}
    )
    error = _protocol.version_error(rejected)
    assert isinstance(error, BridgeVersionError)
    assert "supports protocol versions 3.1, 3.2; this client speaks 1.0" in str(error)
    assert (error.supported, error.code) == (["3.1", "3.2"], -32602)


def test_other_initialize_errors_are_not_version_errors() -> None:
    other = InvalidParamsError("Invalid params", -32602, {"field": "clientInfo"})
    assert _protocol.version_error(other) is None
