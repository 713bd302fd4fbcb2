"""The code -> class table, what each error exposes and says, and that errors survive pickling; in-process."""

from __future__ import annotations

import pickle

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
    assert (error.code, error.data) == (code, {"status": 418})


def test_the_five_json_rpc_errors_are_protocol_errors() -> None:
    for cls in (mab.ParseError, mab.InvalidRequestError, mab.MethodNotFoundError, mab.InvalidParamsError, mab.InternalError):
        assert issubclass(cls, mab.ProtocolError)


@pytest.mark.parametrize("status, cls", [(401, mab.UnauthorizedError), (404, mab.NotFoundError), (409, mab.MedusaError)])
def test_a_medusa_http_error_is_refined_by_status(status: int, cls: type) -> None:
    error = error_from_wire({"code": -32001, "message": "m", "data": {"status": status}})
    assert type(error) is cls and isinstance(error, mab.MedusaError)


def test_a_medusa_json_error_exposes_status_type_message_and_code_and_says_it_once() -> None:
    error = error_from_wire(
        {
            "code": -32001,
            "message": "Medusa answered 400: email must be an email",
            "data": {"status": 400, "type": "invalid_data", "message": "email must be an email", "code": "x"},
        },
        "auth.login",
        "bob",
    )
    assert isinstance(error, mab.MedusaError)
    assert (error.status, error.type, error.medusa_message, error.medusa_code, error.body) == (
        400, "invalid_data", "email must be an email", "x", None
    )
    assert str(error) == "auth.login in session 'bob': Medusa answered 400 (invalid_data): email must be an email"
    assert (error.method, error.session) == ("auth.login", "bob")


def test_a_medusa_text_error_names_the_method_and_session_once() -> None:
    error = error_from_wire(
        {"code": -32001, "message": "Medusa answered 401: Unauthorized", "data": {"status": 401, "body": "Unauthorized"}},
        "auth.getSession",
        "alice",
    )
    assert isinstance(error, mab.UnauthorizedError)
    assert (error.status, error.body, error.type) == (401, "Unauthorized", None)
    assert str(error) == "auth.getSession in session 'alice': Medusa answered 401 Unauthorized"
    assert str(error).count("401") == 1 and str(error).count("Unauthorized") == 1


def test_the_bridges_hint_about_the_other_medusa_version_is_in_the_message() -> None:
    error = error_from_wire(
        {"code": -32001, "message": "m", "data": {"status": 404, "body": "Not Found", "hint": "use auth.login"}},
        "auth.authenticate",
        "default",
    )
    assert isinstance(error, mab.NotFoundError) and error.hint == "use auth.login"
    assert str(error).endswith("Medusa answered 404 Not Found. use auth.login")


def test_a_redirect_names_where_it_points_and_a_407_names_the_proxy_not_medusa() -> None:
    moved = error_from_wire({"code": -32001, "message": "m", "data": {"status": 301, "body": "", "location": "https://shop.example/"}},
                            "auth.exists", "default")
    assert isinstance(moved, mab.MedusaError) and moved.location == "https://shop.example/"
    assert str(moved) == "auth.exists in session 'default': Medusa answered 301 (Location: https://shop.example/)"
    proxy = error_from_wire({"code": -32001, "message": "m", "data": {"status": 407, "body": ""}}, "ping")
    assert str(proxy) == "ping: A proxy between the bridge and Medusa answered 407" and proxy.location is None


def test_an_unreachable_error_exposes_reason_attempts_and_detail() -> None:
    error = error_from_wire(
        {
            "code": -32002,
            "message": "No answer from Medusa (refused) after 3 attempts",
            "data": {"reason": "refused", "attempts": 3, "detail": "connection refused"},
        }
    )
    assert isinstance(error, mab.BridgeUnreachableError)
    assert (error.reason, error.attempts, error.detail) == ("refused", 3, "connection refused")
    assert str(error) == "No answer from Medusa (refused) after 3 attempts: connection refused"


def test_a_bad_response_error_exposes_status_and_body() -> None:
    error = error_from_wire({"code": -32003, "message": "m", "data": {"status": 200, "body": "<html>"}})
    assert isinstance(error, mab.BadResponseError)
    assert (error.status, error.body) == (200, "<html>")


def test_a_bad_response_that_broke_framing_exposes_detail_and_ends_its_message_with_it() -> None:
    detail = "the answer has several Content-Length values that differ"
    error = error_from_wire(
        {"code": -32003, "message": "Medusa's answer broke HTTP's framing", "data": {"detail": detail}},
        "auth.getSession",
        "default",
    )
    assert isinstance(error, mab.BadResponseError)
    assert (error.detail, error.status, error.body) == (detail, None, None)
    assert str(error) == f"auth.getSession in session 'default': Medusa's answer broke HTTP's framing: {detail}"
    body = error_from_wire({"code": -32003, "message": "Medusa answered 200 with a body that is not the JSON expected",
                            "data": {"status": 200, "body": "<html>"}}, "ping")
    assert body.detail is None and str(body) == "ping: Medusa answered 200 with a body that is not the JSON expected"


def test_invalid_params_expose_the_field() -> None:
    error = error_from_wire({"code": -32602, "message": "email must be a string", "data": {"field": "email"}}, "auth.exists", "default")
    assert isinstance(error, mab.InvalidParamsError) and error.field == "email"
    assert str(error) == "auth.exists in session 'default': email must be a string"


def test_a_call_outside_any_session_is_named_by_its_method_alone() -> None:
    assert str(error_from_wire({"code": -32603, "message": "boom"}, "ping")) == "ping: boom"


@pytest.mark.parametrize("error", [None, "boom", {"code": "x"}, {"message": 3}, {"code": -32001, "data": {"status": [1]}}])
def test_a_malformed_error_object_still_becomes_a_bridge_error(error: object) -> None:
    assert isinstance(error_from_wire(error), mab.BridgeError)


def test_a_timeout_is_both_a_bridge_error_and_a_builtin_timeout_error() -> None:
    error = mab.BridgeTimeoutError("too slow", 2.0)
    assert isinstance(error, mab.BridgeError) and isinstance(error, TimeoutError)
    assert str(error) == "too slow" and error.code is None and error.timeout == 2.0


def test_client_side_errors_are_bridge_errors_without_a_code() -> None:
    for error in (mab.BridgeClosedError("gone"), mab.BridgeNotFoundError("not found", ["here: absent"])):
        assert isinstance(error, mab.BridgeError) and error.code is None


def test_not_found_lists_every_place_searched_as_strings() -> None:
    error = mab.BridgeNotFoundError("m", ["binary='/x': does not exist", "PATH (/bin): no executable"])
    assert error.searched == ["binary='/x': does not exist", "PATH (/bin): no executable"]


def test_our_cancelled_error_is_not_asyncios() -> None:
    import asyncio

    assert not issubclass(mab.CancelledError, asyncio.CancelledError)
    assert issubclass(mab.CancelledError, Exception)


PICKLED = [
    error_from_wire({"code": -32001, "message": "m", "data": {"status": 401, "body": "Unauthorized"}}, "auth.getSession", "a"),
    error_from_wire({"code": -32002, "message": "m", "data": {"reason": "dns", "attempts": 1, "detail": "d"}}),
    mab.BridgeClosedError("gone", None, "SIGKILL", stderr="last words"),
    mab.BridgeStartError("bad", "/bin/true", 0),
    mab.BridgeTimeoutError("slow", 1.5, method="ping"),
    mab.BridgeNotFoundError("m", ["a: b"]),
    mab.BridgeVersionError("1.0", supported=["2.0"], code=-32602, data={"supported": ["2.0"]}),
]


@pytest.mark.parametrize("error", PICKLED, ids=lambda e: type(e).__name__)
def test_every_error_survives_pickling_with_its_attributes(error: mab.BridgeError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_public_classes_show_the_public_module_in_tracebacks() -> None:
    for name in mab.__all__:
        value = getattr(mab, name)
        if isinstance(value, type):
            assert value.__module__ == "medusa_auth_bridge", name


def test_a_failed_signup_step_is_named_in_the_message_and_as_an_attribute() -> None:
    error = error_from_wire(
        {"code": -32001, "message": "m", "data": {"status": 401, "body": "Unauthorized", "step": "login"}}, "auth.signup", "sam"
    )
    assert error.step == "login"
    assert str(error) == "auth.signup in session 'sam', step login: Medusa answered 401 Unauthorized"
