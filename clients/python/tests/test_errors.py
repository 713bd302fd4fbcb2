"""The code -> class table and what each error exposes; pure, in-process."""

from __future__ import annotations

import pytest

import medusa_auth_bridge as mab
from medusa_auth_bridge._errors import error_from_wire


@pytest.mark.parametrize(
    "code, cls",
    [
        (-32700, mab.ParseError),
        (-32600, mab.InvalidRequestError),
        (-32601, mab.MethodNotFoundError),
        (-32602, mab.InvalidParamsError),
        (-32603, mab.InternalError),
        (-32001, mab.MedusaError),
        (-32002, mab.BridgeUnreachableError),
        (-32003, mab.BadResponseError),
        (-32800, mab.CancelledError),
        (-31999, mab.BridgeError),
    ],
)
def test_each_wire_code_maps_to_its_class(code: int, cls: type) -> None:
    error = error_from_wire({"code": code, "message": "m", "data": {"status": 418}})
    assert type(error) is cls
    assert (error.code, error.message, error.data) == (code, "m", {"status": 418})


def test_the_five_json_rpc_errors_are_protocol_errors() -> None:
    for cls in (mab.ParseError, mab.InvalidRequestError, mab.MethodNotFoundError, mab.InvalidParamsError, mab.InternalError):
        assert issubclass(cls, mab.ProtocolError)


@pytest.mark.parametrize("status, cls", [(401, mab.UnauthorizedError), (404, mab.NotFoundError), (409, mab.MedusaError)])
def test_a_medusa_http_error_is_refined_by_status(status: int, cls: type) -> None:
    error = error_from_wire({"code": -32001, "message": "m", "data": {"status": status}})
    assert type(error) is cls and isinstance(error, mab.MedusaError)


def test_a_medusa_json_error_exposes_status_type_message_and_code() -> None:
    error = error_from_wire(
        {
            "code": -32001,
            "message": "Medusa answered with an error status",
            "data": {"status": 400, "type": "invalid_data", "message": "email must be an email", "code": "x"},
        }
    )
    assert isinstance(error, mab.MedusaError)
    assert (error.status, error.type, error.medusa_message, error.medusa_code, error.body) == (
        400, "invalid_data", "email must be an email", "x", None
    )
    assert str(error) == "Medusa answered with an error status (HTTP 400 invalid_data: email must be an email)"


def test_a_medusa_text_error_exposes_the_body() -> None:
    error = error_from_wire({"code": -32001, "message": "m", "data": {"status": 401, "body": "Unauthorized"}})
    assert isinstance(error, mab.UnauthorizedError)
    assert (error.status, error.body, error.type) == (401, "Unauthorized", None)
    assert "HTTP 401: Unauthorized" in str(error)


def test_an_unreachable_error_exposes_reason_attempts_and_detail() -> None:
    error = error_from_wire(
        {"code": -32002, "message": "m", "data": {"reason": "refused", "attempts": 3, "detail": "connection refused"}}
    )
    assert isinstance(error, mab.BridgeUnreachableError)
    assert (error.reason, error.attempts, error.detail) == ("refused", 3, "connection refused")
    assert "refused after 3 attempt(s)" in str(error)


def test_a_bad_response_error_exposes_status_and_body() -> None:
    error = error_from_wire({"code": -32003, "message": "m", "data": {"status": 200, "body": "<html>"}})
    assert isinstance(error, mab.BadResponseError)
    assert (error.status, error.body) == (200, "<html>")


def test_invalid_params_name_the_field() -> None:
    error = error_from_wire({"code": -32602, "message": "Invalid params", "data": {"field": "email"}})
    assert str(error) == "Invalid params (field 'email')"


@pytest.mark.parametrize("error", [None, "boom", {"code": "x"}, {"message": 3}, {"code": -32001, "data": {"status": [1]}}])
def test_a_malformed_error_object_still_becomes_a_bridge_error(error: object) -> None:
    assert isinstance(error_from_wire(error), mab.BridgeError)


def test_a_timeout_is_both_a_bridge_error_and_a_builtin_timeout_error() -> None:
    error = mab.BridgeTimeoutError("too slow")
    assert isinstance(error, mab.BridgeError) and isinstance(error, TimeoutError)
    assert str(error) == "too slow" and error.code is None


def test_client_side_errors_are_bridge_errors_without_a_code() -> None:
    for error in (mab.BridgeClosedError("gone"), mab.BridgeNotFoundError([("here", "absent")])):
        assert isinstance(error, mab.BridgeError) and error.code is None


def test_not_found_lists_every_place_searched_with_why() -> None:
    error = mab.BridgeNotFoundError([("binary='/x'", "does not exist"), ("PATH (/bin)", "no executable")])
    assert error.searched == [("binary='/x'", "does not exist"), ("PATH (/bin)", "no executable")]
    assert "  - binary='/x': does not exist\n  - PATH (/bin): no executable" in str(error)


def test_our_cancelled_error_is_not_asyncios() -> None:
    import asyncio

    assert not issubclass(mab.CancelledError, asyncio.CancelledError)
    assert issubclass(mab.CancelledError, Exception)
