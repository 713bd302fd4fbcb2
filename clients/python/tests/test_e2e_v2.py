"""End to end, Medusa v2: this client -> the real medusa-auth-bridge binary -> the emulator in v2 mode.

Real processes: the bridge binary (see conftest.py); the v2 emulator runs in this process
(``medusa_auth_bridge.testing.start_emulator``), one per test. Every v2 flow of issue 10 through
the sync client in both auth types, and the main ones through the asyncio client.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from medusa_auth_bridge import AsyncBridge, Bridge, InvalidParamsError, MedusaError, UnauthorizedError
from medusa_auth_bridge.testing import Emulator, start_emulator

pytestmark = pytest.mark.e2e

OpenV2 = Callable[..., Bridge]


@pytest.fixture
def medusa() -> Iterator[Emulator]:
    with start_emulator(medusa_version=2) as emulator:
        yield emulator


@pytest.fixture(params=["jwt", "session"])
def auth_type(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_v2(bridge_binary: Path, medusa: Emulator, auth_type: str) -> Iterator[OpenV2]:
    started = []

    def start(**options: Any) -> Bridge:
        options.setdefault("base_url", medusa.url)
        options.setdefault("publishable_api_key", medusa.publishable_key)
        options.setdefault("auth_type", auth_type)
        bridge = Bridge(binary=bridge_binary, **options)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.close()


def test_login_then_the_session_reads_its_customer_then_refresh_then_logout(open_v2: OpenV2) -> None:
    bridge = open_v2()
    token = bridge.auth.login("oli@test.dk", "test")["token"]
    assert token.count(".") == 2
    assert bridge.store.customer.retrieve()["customer"]["email"] == "oli@test.dk"
    assert bridge.auth.refresh()["token"]
    assert bridge.store.customer.retrieve(fields="id,email")["customer"]["email"] == "oli@test.dk"
    assert bridge.auth.logout() == {}
    with pytest.raises(UnauthorizedError) as caught:
        bridge.store.customer.retrieve()
    assert str(caught.value).startswith("store.customer.retrieve in session 'default': Medusa answered 401")


def test_register_create_then_login_makes_a_customer_who_can_update_themself(open_v2: OpenV2) -> None:
    bridge = open_v2()
    assert bridge.auth.register("new@example.com", "new-password")["token"]
    created = bridge.store.customer.create(email="new@example.com", first_name="Nora")["customer"]
    assert (created["email"], created.get("first_name")) == ("new@example.com", "Nora")
    bridge.auth.login("new@example.com", "new-password")
    updated = bridge.store.customer.update(last_name="North", phone=None)["customer"]
    assert (updated.get("first_name"), updated.get("last_name"), updated.get("phone")) == ("Nora", "North", None)


def test_signup_does_the_three_steps_in_one_call(open_v2: OpenV2) -> None:
    bridge = open_v2()
    result = bridge.session("sam").auth.signup("sam@example.com", "sam-password", first_name="Sam")
    assert result["customer"]["email"] == "sam@example.com" and result["token"]
    assert bridge.session("sam").store.customer.retrieve()["customer"]["id"] == result["customer"]["id"]


def test_a_reset_then_an_update_lets_the_customer_log_in_with_the_new_password(open_v2: OpenV2, medusa: Emulator) -> None:
    bridge = open_v2()
    assert bridge.auth.reset_password("alice@example.com") == {}
    reset_token = medusa.control.reset_token("alice@example.com")
    assert reset_token
    assert bridge.auth.update_provider(reset_token, "brand-new-password") == {}
    with pytest.raises(UnauthorizedError):
        bridge.auth.login("alice@example.com", "alice-password")
    assert bridge.auth.login("alice@example.com", "brand-new-password")["token"]


def test_an_oauth_start_answers_a_location_and_the_callback_logs_in(open_v2: OpenV2) -> None:
    from urllib.parse import parse_qs, urlsplit

    bridge = open_v2()
    start = bridge.session("nora").auth.login(provider="google")
    assert "location" in start
    state = parse_qs(urlsplit(start["location"]).query)["state"][0]
    assert bridge.session("nora").auth.callback("google", {"code": "google-code-new", "state": state})["token"]
    created = bridge.session("nora").store.customer.create(email="new.google@example.com")["customer"]
    bridge.session("nora").auth.refresh()
    assert bridge.session("nora").store.customer.retrieve()["customer"]["id"] == created["id"]


def test_a_wrong_password_names_the_method_and_session(open_v2: OpenV2) -> None:
    bridge = open_v2()
    with pytest.raises(UnauthorizedError) as caught:
        bridge.session("eve").auth.login("oli@test.dk", "wrong")
    assert str(caught.value).startswith("auth.login in session 'eve': Medusa answered 401")


def test_a_store_call_without_a_publishable_key_fails_before_any_request(open_v2: OpenV2) -> None:
    bridge = open_v2(publishable_api_key=None)
    bridge.auth.login("oli@test.dk", "test")
    with pytest.raises(InvalidParamsError, match="publishable"):
        bridge.store.customer.retrieve()


def test_an_expired_token_is_refused(open_v2: OpenV2, medusa: Emulator) -> None:
    bridge = open_v2()
    bridge.auth.login("oli@test.dk", "test")
    medusa.control.clock(advance=2 * 86400)
    with pytest.raises(MedusaError) as caught:
        bridge.store.customer.retrieve()
    assert caught.value.status == 401


def test_two_customers_at_once_in_two_sessions(open_v2: OpenV2) -> None:
    bridge = open_v2()
    bridge.session("a").auth.login("alice@example.com", "alice-password")
    bridge.session("b").auth.login("bob@example.com", "bob-password")
    assert bridge.session("a").store.customer.retrieve()["customer"]["email"] == "alice@example.com"
    assert bridge.session("b").store.customer.retrieve()["customer"]["email"] == "bob@example.com"


def test_the_async_client_runs_the_v2_flows_concurrently(bridge_binary: Path, medusa: Emulator) -> None:
    async def main() -> None:
        async with AsyncBridge(binary=bridge_binary, base_url=medusa.url, publishable_api_key=medusa.publishable_key) as bridge:
            alice, bob = bridge.session("alice"), bridge.session("bob")
            await asyncio.gather(alice.auth.login("alice@example.com", "alice-password"), bob.auth.login("bob@example.com", "bob-password"))
            a, b = await asyncio.gather(alice.store.customer.retrieve(), bob.store.customer.retrieve())
            assert (a["customer"]["email"], b["customer"]["email"]) == ("alice@example.com", "bob@example.com")
            signed = await bridge.session("sam").auth.signup("sam@example.com", "pw-sam-123", last_name="S")
            assert signed["customer"].get("last_name") == "S"
            assert await alice.auth.logout() == {}

    asyncio.run(main())
