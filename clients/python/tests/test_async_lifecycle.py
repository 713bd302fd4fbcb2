"""An ``AsyncBridge``'s life at its edges, against the fake bridge (tests/fake_bridge.py): left open
when its event loop ends, closed while it starts, and a call's timeout spent on the start it waits for.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from pathlib import Path
from typing import Dict, List

import pytest

import support
from medusa_auth_bridge import AsyncBridge, BridgeClosedError, BridgeTimeoutError, CancelledError, _async_connection

# Bound on each wait for the bridge or the event loop: reached only when a test fails.
WAIT_SECONDS = 20.0


def test_an_unclosed_async_bridge_does_not_delay_asyncio_run_and_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: the cancelled reader waited for the process to exit (1 s, here 60 s), with stdin open.
    monkeypatch.setattr(_async_connection, "EXIT_STATUS_WAIT_SECONDS", 60.0)
    events = tmp_path / "events"
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-ignore-eof", "--fake-events", str(events))
    recorded: List[warnings.WarningMessage] = []

    async def main() -> None:
        bridge = AsyncBridge(binary=binary)
        assert await bridge.ping() is None
        main.bridge = bridge  # type: ignore[attr-defined]  # kept alive: only the loop's end stops it

    def run() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            asyncio.run(main())
        recorded.extend(caught)

    runner = threading.Thread(target=run)
    runner.start()
    runner.join(WAIT_SECONDS)
    assert not runner.is_alive(), "asyncio.run() waited on the unclosed bridge"
    assert any(issubclass(w.category, ResourceWarning) and "unclosed AsyncBridge" in str(w.message) for w in recorded)
    assert main.bridge.closed  # type: ignore[attr-defined]


# -- an AsyncBridge closed or timed out while it starts ------------------------------------------


def test_closing_an_async_bridge_while_it_starts_stops_its_process_and_cancels_the_waiting_call(tmp_path: Path) -> None:
    # Before: close() returned at once, the start went on, the waiting call succeeded and the
    # process ran until the event loop ended.
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-no-handshake")

    async def main() -> None:
        bridge = AsyncBridge(binary=binary, handshake_timeout=WAIT_SECONDS)
        with support.WireWatcher() as wire:
            call = asyncio.ensure_future(bridge.ping())
            await wire.wait_for_async("send", lambda m: m.get("method") == "initialize")
        process = bridge._starting
        assert process is not None
        await asyncio.wait_for(bridge.close(), WAIT_SECONDS)
        assert process.closed and process.exit_status is not None, "close() returned with the process running"
        with pytest.raises(CancelledError, match="the bridge was closed while it started"):
            await asyncio.wait_for(call, WAIT_SECONDS)
        assert bridge.closed and bridge.pid is None
        with pytest.raises(BridgeClosedError):
            await bridge.ping()

    asyncio.run(main())


def test_an_async_bridge_calls_timeout_covers_the_start_it_waits_for(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-no-handshake")

    async def main() -> None:
        bridge = AsyncBridge(binary=binary, handshake_timeout=WAIT_SECONDS)
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(BridgeTimeoutError, match="no answer within 0.3 s: the bridge had not finished starting") as caught:
            await bridge.ping(timeout=0.3)
        assert loop.time() - started < WAIT_SECONDS / 2, "the call waited for the handshake's own timeout"
        assert caught.value.timeout == 0.3 and caught.value.method == "ping"
        await asyncio.wait_for(bridge.close(), WAIT_SECONDS)

    asyncio.run(main())


def test_a_first_calls_timeout_error_names_the_whole_timeout_it_was_given(tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncBridge(binary=support.write_fake_binary(tmp_path, "--fake-hold-method", "auth.exists")) as bridge:
            with pytest.raises(BridgeTimeoutError) as caught:
                await bridge.auth.exists("a@b.c", timeout=0.5)
            assert caught.value.timeout == 0.5 and "no answer within 0.5 s" in str(caught.value)

    asyncio.run(asyncio.wait_for(main(), 30))


def test_closing_from_another_event_loop_is_refused_and_closes_nothing(tmp_path: Path) -> None:
    async def main() -> None:
        bridge = AsyncBridge(binary=support.write_fake_binary(tmp_path))
        await bridge.start()
        try:
            outcome: Dict[str, BaseException] = {}

            def close_elsewhere() -> None:
                try:
                    asyncio.run(asyncio.wait_for(bridge.close(), 10))
                except BaseException as error:  # noqa: BLE001 - the test reads it
                    outcome["error"] = error

            other = threading.Thread(target=close_elsewhere)
            other.start()
            await asyncio.get_running_loop().run_in_executor(None, other.join, 20)
            assert isinstance(outcome.get("error"), RuntimeError) and "event loop" in str(outcome["error"])
            assert not bridge.closed and await bridge.ping() is None
        finally:
            await bridge.close()

    asyncio.run(asyncio.wait_for(main(), 30))

