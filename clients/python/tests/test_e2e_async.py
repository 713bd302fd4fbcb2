"""End to end, asyncio API: this client -> the real medusa-auth-bridge binary -> the Medusa emulator.

Real processes: the bridge binary and the emulator, as in test_e2e_sync.py. Each test runs its
own event loop with ``asyncio.run`` and a bound on the whole body.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

import support
from medusa_auth_bridge import AsyncBridge, BridgeClosedError, BridgeTimeoutError, UnauthorizedError

pytestmark = pytest.mark.e2e

#: Bound on a whole async test body; the slowest (1,000 calls) takes about a second.
TEST_SECONDS = 60.0

#: The emulator's delay for timeout and pipelining tests.
SLOW_MS = 2000
PIPELINE_DELAY_MS = 500
PIPELINED_CALLS = 10


def run(
    bridge_binary: Path, emulator: support.Emulator, body: Callable[[AsyncBridge], Awaitable[Any]], **options: Any
) -> Any:
    async def main() -> Any:
        async with AsyncBridge(binary=bridge_binary, base_url=emulator.url, **options) as bridge:
            return await asyncio.wait_for(body(bridge), TEST_SECONDS)

    return asyncio.run(main())


def test_every_auth_method_works_in_a_named_session(bridge_binary: Path, emulator: support.Emulator) -> None:
    async def body(bridge: AsyncBridge) -> None:
        oli = bridge.session("oli")
        customer = (await oli.auth.authenticate(email="oli@test.dk", password="test"))["customer"]
        assert (await oli.auth.get_session())["customer"]["id"] == customer["id"]
        assert await oli.auth.exists("guest@test.dk") == {"exists": False}
        assert (await oli.auth.get_token("oli@test.dk", "test"))["access_token"].count(".") == 2
        [listed] = [s for s in await bridge.sessions() if s["name"] == "oli"]
        assert listed["hasCookie"] and listed["hasToken"] and listed["customerId"] == customer["id"]
        assert await oli.auth.delete_session() == {}
        with pytest.raises(UnauthorizedError):
            await oli.auth.get_session()
        assert await oli.clear() == {}
        assert await bridge.ping() is None

    run(bridge_binary, emulator, body)


def test_a_gather_of_a_thousand_calls_succeeds(bridge_binary: Path, emulator: support.Emulator) -> None:
    emails = ["oli@test.dk", "guest@test.dk", "alice@example.com", "nobody@test.dk"]

    async def body(bridge: AsyncBridge) -> None:
        results = await asyncio.gather(*(bridge.auth.exists(emails[i % 4]) for i in range(1000)))
        assert [r["exists"] for r in results] == [[True, False, True, False][i % 4] for i in range(1000)]

    run(bridge_binary, emulator, body)


def test_calls_are_pipelined_not_serialised(bridge_binary: Path, emulator: support.Emulator) -> None:
    emails = [f"slow{i}@test.dk" for i in range(PIPELINED_CALLS)]
    for email in emails:
        support.delay_exists(emulator, email, PIPELINE_DELAY_MS)

    async def body(bridge: AsyncBridge) -> None:
        with support.WireWatcher() as wire:
            calls = asyncio.ensure_future(asyncio.gather(*(bridge.auth.exists(email) for email in emails)))
            # Each answer waits PIPELINE_DELAY_MS in the emulator: when the first one is back, every
            # request must already have reached it (one at a time, only the first would have).
            await wire.wait_for_async("receive", lambda m: "result" in m)
            reached = [r["path"] for r in emulator.requests()["requests"] if r["path"].startswith("/store/auth/slow")]
            results = await calls
        assert len(reached) == PIPELINED_CALLS, f"only {len(reached)} of {PIPELINED_CALLS} requests reached Medusa before the first answer"
        assert all(result == {"exists": False} for result in results)

    run(bridge_binary, emulator, body)


def test_two_customers_log_in_concurrently_without_seeing_each_other(bridge_binary: Path, emulator: support.Emulator) -> None:
    async def body(bridge: AsyncBridge) -> None:
        alice, bob = bridge.session("alice"), bridge.session("bob")
        await asyncio.gather(
            alice.auth.authenticate("alice@example.com", "alice-password"),
            bob.auth.authenticate("bob@example.com", "bob-password"),
        )
        seen = await asyncio.gather(*(s.auth.get_session() for s in (alice, bob) for _ in range(20)))
        assert [r["customer"]["email"] for r in seen] == ["alice@example.com"] * 20 + ["bob@example.com"] * 20

    run(bridge_binary, emulator, body)


def test_a_timeout_cancels_the_request_in_the_bridge(bridge_binary: Path, emulator: support.Emulator) -> None:
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)

    async def body(bridge: AsyncBridge) -> None:
        with support.WireWatcher() as wire:
            with pytest.raises(BridgeTimeoutError):
                await bridge.auth.exists("slow@test.dk", timeout=0.3)
            request_id = wire.matching("send", lambda m: m.get("method") == "auth.exists")[0]["id"]
            assert wire.matching("send", lambda m: m.get("params") == {"id": request_id})
            [late] = await wire.wait_for_async("unmatched", lambda m: m.get("id") == request_id)
            assert late["error"]["code"] == -32800
            assert await bridge.ping() is None

    run(bridge_binary, emulator, body)


def test_cancelling_a_task_cancels_the_request_in_the_bridge(bridge_binary: Path, emulator: support.Emulator) -> None:
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)

    async def body(bridge: AsyncBridge) -> None:
        with support.WireWatcher() as wire:
            task = asyncio.ensure_future(bridge.auth.exists("slow@test.dk"))
            [sent] = await wire.wait_for_async("send", lambda m: m.get("method") == "auth.exists")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert wire.matching("send", lambda m: m.get("params") == {"id": sent["id"]})
            [late] = await wire.wait_for_async("unmatched", lambda m: m.get("id") == sent["id"])
        # -32800, not the result the emulator would have sent once its delay was over.
        assert late["error"]["code"] == -32800

    run(bridge_binary, emulator, body)


def test_a_bridge_killed_mid_call_fails_the_call_and_every_later_one(bridge_binary: Path, emulator: support.Emulator) -> None:
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)

    async def body(bridge: AsyncBridge) -> None:
        with support.WireWatcher() as wire:
            pending = asyncio.ensure_future(bridge.auth.exists("slow@test.dk"))
            await wire.wait_for_async("send", lambda m: m.get("method") == "auth.exists")
        assert bridge.pid is not None
        os.kill(bridge.pid, signal.SIGKILL)
        with pytest.raises(BridgeClosedError) as caught:
            await pending
        assert caught.value.signal == "SIGKILL"
        with pytest.raises(BridgeClosedError):
            await bridge.ping()

    run(bridge_binary, emulator, body)
