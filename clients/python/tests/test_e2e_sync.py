"""End to end, sync API: this client -> the real medusa-auth-bridge binary -> the Medusa emulator.

Real processes: the bridge binary (``$MEDUSA_AUTH_BRIDGE``, this checkout's build, or the dev drop
in /tmp/mab) and the emulator (scripts/emulator/medusa_emulator.py, one per test session, reset
before each test). Skipped when no binary exists, except under CI=true where that fails.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from pathlib import Path
from typing import Any, Callable, List

import pytest

import support
from medusa_auth_bridge import (
    BadResponseError,
    Bridge,
    BridgeClosedError,
    BridgeTimeoutError,
    BridgeUnreachableError,
    BridgeVersionError,
    MedusaError,
    MethodNotFoundError,
    NotFoundError,
    UnauthorizedError,
    _protocol,
)

pytestmark = pytest.mark.e2e

OpenBridge = Callable[..., Bridge]

#: The emulator's delay for timeout tests: far longer than the call's timeout, so only a
#: cancelled request can be answered before it ends.
SLOW_MS = 2000
CALL_TIMEOUT = 0.3


def test_a_seeded_customer_logs_in_and_the_session_then_sees_them(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    logged_in = bridge.auth.authenticate(email="oli@test.dk", password="test")
    customer = logged_in["customer"]
    assert customer["email"] == "oli@test.dk" and customer["has_account"] is True
    assert customer["id"].startswith("cus_") and "password_hash" not in customer
    assert isinstance(customer["orders"], list) and isinstance(customer["shipping_addresses"], list)
    assert bridge.auth.get_session()["customer"]["id"] == customer["id"]


def test_logging_out_answers_empty_and_forgets_the_session(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    bridge.auth.authenticate("alice@example.com", "alice-password")
    assert bridge.auth.delete_session() == {}
    with pytest.raises(UnauthorizedError) as caught:
        bridge.auth.get_session()
    assert (caught.value.code, caught.value.status, caught.value.body) == (-32001, 401, "Unauthorized")


@pytest.mark.parametrize(
    "email, exists",
    [("oli@test.dk", True), ("OLI@test.dk", True), ("guest@test.dk", False), ("nobody@test.dk", False)],
)
def test_exists_tells_registered_customers_from_guests_and_strangers(open_bridge: OpenBridge, email: str, exists: bool) -> None:
    assert open_bridge().auth.exists(email) == {"exists": exists}


def test_a_token_login_returns_a_jwt_that_the_session_then_uses(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    jwt = bridge.session("jwt").auth.get_token("bob@example.com", "bob-password")
    assert jwt["access_token"].count(".") == 2
    assert bridge.session("jwt").auth.get_session()["customer"]["email"] == "bob@example.com"
    [info] = [s for s in bridge.sessions() if s["name"] == "jwt"]
    assert info["hasToken"] is True and info["customerId"] is not None


def test_a_wrong_password_is_an_unauthorized_error_with_medusas_body(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    for login in (bridge.auth.authenticate, bridge.auth.get_token):
        with pytest.raises(UnauthorizedError) as caught:
            login("oli@test.dk", "wrong")
        assert (caught.value.status, caught.value.body, caught.value.type) == (401, "Unauthorized", None)
        assert str(caught.value) == f"{caught.value.method} in session 'default': Medusa answered 401 Unauthorized"


def test_a_validation_failure_is_a_medusa_error_with_type_and_message(open_bridge: OpenBridge) -> None:
    with pytest.raises(MedusaError) as caught:
        open_bridge().auth.authenticate("not-an-email", "x")
    assert type(caught.value) is MedusaError
    assert (caught.value.status, caught.value.type, caught.value.medusa_message) == (400, "invalid_data", "email must be an email")


def test_a_customer_deleted_behind_the_session_is_a_not_found_error(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    bridge = open_bridge()
    customer = bridge.auth.authenticate("alice@example.com", "alice-password")["customer"]
    emulator.control("DELETE", f"/__emulator/customers/{customer['id']}")
    with pytest.raises(NotFoundError) as caught:
        bridge.auth.get_session()
    assert (caught.value.status, caught.value.type) == (404, "not_found")


def test_another_error_status_is_a_plain_medusa_error(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    emulator.fault(method="GET", path="/store/auth/oli@test.dk", status=409, times=1)
    emulator.fault(method="GET", path="/store/auth/oli%40test.dk", status=409, times=1)
    with pytest.raises(MedusaError) as caught:
        open_bridge().auth.exists("oli@test.dk")
    assert type(caught.value) is MedusaError and caught.value.status == 409


def test_a_2xx_body_that_is_not_json_is_a_bad_response_error(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    emulator.fault(method="POST", path="/store/auth", garbage=True, times=1)
    with pytest.raises(BadResponseError) as caught:
        open_bridge().auth.authenticate("oli@test.dk", "test")
    assert caught.value.status == 200 and "not JSON" in (caught.value.body or "")


def test_a_backend_that_refuses_connections_is_an_unreachable_error(open_bridge: OpenBridge) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and now has no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BridgeUnreachableError) as caught:
        open_bridge(base_url=f"http://127.0.0.1:{port}").auth.exists("oli@test.dk")
    assert (caught.value.code, caught.value.reason, caught.value.attempts) == (-32002, "refused", 1)


def test_an_empty_or_missing_session_name_is_refused_before_any_request(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    with pytest.raises(ValueError, match="non-empty string"):
        bridge.session("")
    with pytest.raises(TypeError, match="must be a string"):
        bridge.session(None)  # type: ignore[arg-type]


def test_an_unknown_method_is_a_method_not_found_error(open_bridge: OpenBridge) -> None:
    with pytest.raises(MethodNotFoundError):
        open_bridge()._connection.call("auth.frobnicate", {})


def test_named_sessions_are_isolated_listed_and_cleared(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    alice, bob = bridge.session("alice"), bridge.session("bob")
    alice_id = alice.auth.authenticate("alice@example.com", "alice-password")["customer"]["id"]
    bob.auth.authenticate("bob@example.com", "bob-password")
    assert alice.auth.get_session()["customer"]["email"] == "alice@example.com"
    assert bob.auth.get_session()["customer"]["email"] == "bob@example.com"
    with pytest.raises(UnauthorizedError):
        bridge.auth.get_session()
    listed = {s["name"]: s for s in bridge.sessions()}
    assert listed["alice"] == {"name": "alice", "hasCookie": True, "hasToken": False, "customerId": alice_id}
    assert listed["bob"]["hasCookie"] is True
    assert alice.clear() == {}
    with pytest.raises(UnauthorizedError):
        alice.auth.get_session()
    assert bob.auth.get_session()["customer"]["email"] == "bob@example.com"


def test_configured_and_per_call_headers_and_the_key_reach_medusa(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    bridge = open_bridge(headers={"X-Tenant": "t1"}, publishable_api_key="pk_e2e")
    bridge.auth.exists("oli@test.dk", headers={"X-Trace": "abc"})
    [request] = [r for r in emulator.requests()["requests"] if r["path"].startswith("/store/auth/")]
    headers = request["headers"]
    assert (headers["x-tenant"], headers["x-trace"], headers["x-publishable-api-key"]) == ("t1", "abc", "pk_e2e")


def test_many_threads_share_one_bridge_each_in_its_own_session(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    people = [("alice@example.com", "alice-password"), ("bob@example.com", "bob-password"), ("oli@test.dk", "test")]
    errors: List[BaseException] = []

    def worker(n: int) -> None:
        email, password = people[n % len(people)]
        session = bridge.session(f"thread-{n}")
        try:
            session.auth.authenticate(email, password)
            for _ in range(20):
                assert session.auth.get_session()["customer"]["email"] == email
                assert session.auth.exists(email) == {"exists": True}
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads) and errors == []


def test_a_timeout_cancels_the_request_in_the_bridge(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    bridge = open_bridge()
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)
    with support.WireWatcher() as wire:
        with pytest.raises(BridgeTimeoutError):
            bridge.auth.exists("slow@test.dk", timeout=CALL_TIMEOUT)
        request_id = wire.matching("send", lambda m: m.get("method") == "auth.exists")[0]["id"]
        assert wire.matching("send", lambda m: m.get("params") == {"id": request_id})
        # The bridge answers the cancelled call with -32800, not with Medusa's delayed answer.
        [late] = wire.wait_for("unmatched", lambda m: m.get("id") == request_id)
    assert late["error"]["code"] == -32800
    assert bridge.ping() is None


def test_a_bridge_killed_mid_call_fails_the_call_and_every_later_one(open_bridge: OpenBridge, emulator: support.Emulator) -> None:
    bridge = open_bridge()
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)
    outcome: List[Any] = []

    def call() -> None:
        try:
            outcome.append(bridge.auth.exists("slow@test.dk"))
        except BaseException as error:  # noqa: BLE001
            outcome.append(error)

    with support.WireWatcher() as wire:
        caller = threading.Thread(target=call)
        caller.start()
        wire.wait_for("send", lambda m: m.get("method") == "auth.exists")
        os.kill(bridge.pid, signal.SIGKILL)
        caller.join(10)
    [error] = outcome
    assert isinstance(error, BridgeClosedError) and error.signal == "SIGKILL"
    with pytest.raises(BridgeClosedError, match="killed by SIGKILL"):
        bridge.ping()


def test_a_client_speaking_another_protocol_version_is_refused_naming_both(
    open_bridge: OpenBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_protocol, "PROTOCOL_VERSION", "9.9")
    with pytest.raises(BridgeVersionError) as caught:
        open_bridge()
    assert caught.value.supported == ["1.0"] and caught.value.client_version == "9.9"
    assert "1.0" in str(caught.value) and "9.9" in str(caught.value)


def test_the_handshake_reports_the_bridges_name_and_protocol(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    assert bridge.protocol_version == "1.0"
    assert bridge.server_info["serverInfo"]["name"] == "medusa-auth-bridge"


def test_the_environment_variable_finds_the_real_binary(
    bridge_binary: Path, emulator: support.Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDUSA_AUTH_BRIDGE", str(bridge_binary))
    with Bridge(base_url=emulator.url) as bridge:
        assert bridge.binary == str(bridge_binary) and bridge.ping() is None


def test_discover_returns_the_schema_the_client_was_checked_against(open_bridge: OpenBridge) -> None:
    document = open_bridge().discover()
    schema = json.loads(support.SCHEMA.read_text())
    assert [m["name"] for m in document["methods"]] == [m["name"] for m in schema["methods"]]


def test_line_separators_inside_an_email_do_not_break_framing(open_bridge: OpenBridge) -> None:
    assert open_bridge().auth.exists("a\u2028b\u0085c@test.dk") == {"exists": False}


def test_close_ends_the_bridge_cleanly_and_is_idempotent(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    bridge.auth.exists("oli@test.dk")
    bridge.close()
    bridge.close()
    assert (bridge.exit_code, bridge.signal) == (0, None)
    with pytest.raises(BridgeClosedError):
        bridge.auth.exists("oli@test.dk")


def test_the_bridges_stderr_goes_where_asked_and_holds_no_password(open_bridge: OpenBridge, tmp_path: Path) -> None:
    log = tmp_path / "bridge.log"
    with log.open("wb") as stderr:
        bridge = open_bridge(log_level="trace", stderr=stderr)
        bridge.auth.authenticate("alice@example.com", "alice-password")
        bridge.close()
    text = log.read_text(errors="replace")
    assert text.strip(), "the bridge logged nothing at trace level"
    assert "alice-password" not in text
