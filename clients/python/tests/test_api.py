"""The public sync and asyncio APIs against a fake bridge binary (tests/fake_bridge.py).

In-process: nothing. Real processes: each test writes an executable that ``exec``s the fake
bridge, so the real discovery, launch (flags, environment), handshake and shutdown paths run.
What is checked here is what the client sends and how it reports; Medusa behaviour is the
end-to-end tests' job.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Dict, List, Tuple

import pytest

import support
from medusa_auth_bridge import (
    AsyncBridge,
    Bridge,
    BridgeClosedError,
    BridgeNotFoundError,
    BridgeStartError,
    BridgeVersionError,
)
from medusa_auth_bridge._methods import Method

#: The fake bridge's "everything you received" method, called through the private path.
FAKE_LOG = Method("log", "internal", ())

#: Bound on a whole async test body.
TEST_SECONDS = 30.0


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    return support.write_fake_binary(tmp_path / "bin")


def received(bridge: Bridge) -> List[Dict[str, Any]]:
    return bridge._connection.call("log")["received"]


# (what the user calls, the wire method and params the bridge must receive)
SYNC_CALLS: List[Tuple[str, Callable[[Bridge], Any], str, Dict[str, Any]]] = [
    ("authenticate", lambda b: b.auth.authenticate("a@b.dk", "pw"), "auth.authenticate", {"email": "a@b.dk", "password": "pw"}),
    ("authenticate by keyword in a session", lambda b: b.session("alice").auth.authenticate(email="a@b.dk", password="pw"),
     "auth.authenticate", {"email": "a@b.dk", "password": "pw", "session": "alice"}),
    ("get_session", lambda b: b.auth.get_session(), "auth.getSession", {}),
    ("get_session with headers", lambda b: b.session("s").auth.get_session(headers={"X-A": "1"}),
     "auth.getSession", {"customHeaders": {"X-A": "1"}, "session": "s"}),
    ("delete_session", lambda b: b.auth.delete_session(), "auth.deleteSession", {}),
    ("exists", lambda b: b.auth.exists("a@b.dk"), "auth.exists", {"email": "a@b.dk"}),
    ("get_token", lambda b: b.session("t").auth.get_token("a@b.dk", "pw", headers={"X-B": "2"}),
     "auth.getToken", {"email": "a@b.dk", "password": "pw", "customHeaders": {"X-B": "2"}, "session": "t"}),
    ("session clear", lambda b: b.session("alice").clear(), "session.clear", {"session": "alice"}),
    ("discover", lambda b: b.discover(), "rpc.discover", {}),
    # Medusa v2
    ("login", lambda b: b.auth.login("a@b.dk", "pw"), "auth.login", {"email": "a@b.dk", "password": "pw"}),
    ("login with a provider", lambda b: b.session("o").auth.login(provider="github", payload={"state": "x"}),
     "auth.login", {"provider": "github", "payload": {"state": "x"}, "session": "o"}),
    ("register", lambda b: b.auth.register(email="n@b.dk", password="pw"), "auth.register", {"email": "n@b.dk", "password": "pw"}),
    ("callback", lambda b: b.auth.callback("github", {"code": "c", "state": "s"}),
     "auth.callback", {"provider": "github", "query": {"code": "c", "state": "s"}}),
    ("refresh", lambda b: b.auth.refresh(), "auth.refresh", {}),
    ("logout", lambda b: b.session("x").auth.logout(), "auth.logout", {"session": "x"}),
    ("reset_password", lambda b: b.auth.reset_password("a@b.dk"), "auth.resetPassword", {"identifier": "a@b.dk"}),
    ("update_provider", lambda b: b.auth.update_provider("tok", "new-pw"), "auth.updateProvider", {"token": "tok", "password": "new-pw"}),
    ("signup", lambda b: b.auth.signup("n@b.dk", "pw", first_name="N", phone=None),
     "auth.signup", {"email": "n@b.dk", "password": "pw", "first_name": "N", "phone": None}),
    ("customer create", lambda b: b.store.customer.create(email="n@b.dk", last_name="L"),
     "store.customer.create", {"email": "n@b.dk", "last_name": "L"}),
    ("customer retrieve", lambda b: b.session("c").store.customer.retrieve(fields="+metadata"),
     "store.customer.retrieve", {"fields": "+metadata", "session": "c"}),
    ("customer update", lambda b: b.store.customer.update(first_name="F", metadata=MappingProxyType({"k": 1}), headers={"X-C": "3"}),
     "store.customer.update", {"first_name": "F", "metadata": {"k": 1}, "customHeaders": {"X-C": "3"}}),
]


@pytest.mark.parametrize("name, call, method, params", SYNC_CALLS, ids=[c[0] for c in SYNC_CALLS])
def test_each_sync_method_sends_its_wire_method_with_by_name_params(
    fake: Path, name: str, call: Callable[[Bridge], Any], method: str, params: Dict[str, Any]
) -> None:
    with Bridge(binary=fake) as bridge:
        assert call(bridge) == {"method": method, "params": params}


@pytest.mark.parametrize("name, call, method, params", SYNC_CALLS, ids=[c[0] for c in SYNC_CALLS])
def test_each_async_method_sends_the_same_as_its_sync_twin(
    fake: Path, name: str, call: Callable[[Any], Any], method: str, params: Dict[str, Any]
) -> None:
    async def main() -> Any:
        async with AsyncBridge(binary=fake) as bridge:
            return await asyncio.wait_for(call(bridge), TEST_SECONDS)

    assert asyncio.run(main()) == {"method": method, "params": params}


def test_ping_returns_none_in_both_apis_as_undefined_in_node(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        assert bridge.ping() is None

    async def main() -> None:
        async with AsyncBridge(binary=fake) as bridge:
            assert await bridge.ping() is None

    asyncio.run(main())


def test_email_exists_returns_a_bool_where_exists_returns_an_always_true_dict(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-exists", "false")
    with Bridge(binary=binary) as bridge:
        assert bridge.auth.exists("guest@b.dk") == {"exists": False}
        assert bool(bridge.auth.exists("guest@b.dk")) is True  # why email_exists exists
        assert bridge.auth.email_exists("guest@b.dk") is False


def test_sessions_returns_the_list_of_session_infos(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        assert bridge.sessions() == [{"name": "default", "hasCookie": False, "hasToken": False, "customerId": None}]


def test_the_handshake_comes_first_and_names_protocol_and_client(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        first = received(bridge)[0]
        assert bridge.server_info == {"protocolVersion": "1.0", "serverInfo": {"name": "fake-bridge", "version": "0.0.1"}}
        assert bridge.protocol_version == "1.0"
    assert first["method"] == "initialize"
    assert first["params"]["protocolVersion"] == "1.0"
    assert first["params"]["clientInfo"]["name"] == "medusa-auth-bridge-python"


def test_options_become_flags_and_the_key_travels_by_environment(fake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_PARENT_SECRET", "must-not-leak")
    with Bridge(
        binary=fake,
        base_url="http://127.0.0.1:1",
        max_retries=2,
        publishable_api_key="pk_test",
        headers={"X-Tenant": "t1"},
        http_timeout=5,
        log_level="debug",
        env={"EXTRA": "yes"},
    ) as bridge:
        seen = bridge._connection.call("argv")
    assert seen["argv"] == [
        "--base-url", "http://127.0.0.1:1", "--max-retries", "2", "--header", "X-Tenant: t1",
        "--timeout", "5", "--log-level", "debug", "--framing", "ndjson",
    ]
    assert seen["env"]["MEDUSA_PUBLISHABLE_API_KEY"] == "pk_test" and seen["env"]["EXTRA"] == "yes"
    assert "SOME_PARENT_SECRET" not in seen["env"]


def test_the_environment_variable_chooses_the_binary(fake: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDUSA_AUTH_BRIDGE", str(fake))
    with Bridge() as bridge:
        assert bridge.binary == str(fake)


def test_the_environment_variable_set_to_a_missing_file_fails_both_constructors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "gone" / "medusa-auth-bridge"
    monkeypatch.setenv("MEDUSA_AUTH_BRIDGE", str(missing))
    for constructor in (Bridge, AsyncBridge):
        with pytest.raises(BridgeNotFoundError) as caught:
            constructor()
        assert caught.value.searched == [f"MEDUSA_AUTH_BRIDGE={missing}: does not exist"]


def test_a_bridge_speaking_another_version_is_refused_naming_both_and_stopped(tmp_path: Path) -> None:
    events = tmp_path / "events"
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-version", "2.0", "--fake-events", str(events))
    with pytest.raises(BridgeVersionError) as caught:
        Bridge(binary=binary)
    assert "speaks protocol version '2.0'; this client speaks 1.0" in str(caught.value)
    assert events.read_text().split() == ["eof"]  # close() ran: stdin was closed and it exited


def test_a_bridge_rejecting_our_version_is_refused_naming_both(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-version", "3.0", "--fake-reject-version")
    with pytest.raises(BridgeVersionError) as caught:
        Bridge(binary=binary)
    assert caught.value.supported == ["3.0"] and caught.value.client_version == "1.0"
    assert "supports protocol versions 3.0; this client speaks 1.0" in str(caught.value)


def test_the_async_bridge_refuses_another_version_too(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-version", "2.0")

    async def main() -> None:
        async with AsyncBridge(binary=binary):
            pass  # pragma: no cover - the handshake fails first

    with pytest.raises(BridgeVersionError, match="'2.0'"):
        asyncio.run(main())


def test_a_binary_that_never_answers_the_handshake_is_called_out(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-no-handshake")
    with pytest.raises(BridgeStartError, match="did not answer initialize within 0.3 s: it is not medusa-auth-bridge"):
        Bridge(binary=binary, handshake_timeout=0.3)


def test_a_closed_bridge_refuses_calls_and_close_is_idempotent(fake: Path) -> None:
    bridge = Bridge(binary=fake)
    with bridge:
        assert not bridge.closed and "pid=" in repr(bridge)
    bridge.close()
    assert bridge.closed and (bridge.exit_code, bridge.signal) == (0, None)
    with pytest.raises(BridgeClosedError):
        bridge.auth.exists("a@b.dk")


def test_the_async_bridge_starts_once_on_concurrent_first_calls(fake: Path) -> None:
    async def main() -> List[Dict[str, Any]]:
        bridge = AsyncBridge(binary=fake)
        try:
            await asyncio.gather(*(bridge.auth.exists(f"{i}@b.dk") for i in range(10)))
            return (await bridge._call(FAKE_LOG, None, None, None, {}))["received"]
        finally:
            await bridge.close()

    log = asyncio.run(main())
    assert [m["method"] for m in log].count("initialize") == 1
    assert [m["method"] for m in log].count("auth.exists") == 10


def test_a_closed_async_bridge_refuses_calls(fake: Path) -> None:
    async def main() -> None:
        bridge = AsyncBridge(binary=fake)
        async with bridge:
            assert bridge.pid is not None
        assert bridge.closed
        with pytest.raises(BridgeClosedError):
            await bridge.auth.get_session()

    asyncio.run(main())
