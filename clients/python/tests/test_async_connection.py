"""The asyncio connection against a fake bridge process (tests/fake_bridge.py).

In-process: nothing. Real processes: each test runs its own event loop (``asyncio.run``) and
spawns the fake bridge, which can hold answers, answer late or out of order, die mid-call and
ignore EOF or SIGTERM; every test closes what it started.
"""

from __future__ import annotations

import asyncio
import os
import select
import signal
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List

import pytest

import support
from medusa_auth_bridge import BridgeClosedError, BridgeTimeoutError, CancelledError, NotFoundError
from medusa_auth_bridge._async_connection import AsyncConnection
from medusa_auth_bridge._options import Options

#: Bound on a whole async test body; each finishes in well under a second unless the client hangs.
TEST_SECONDS = 30.0


def run(body: Callable[[AsyncConnection], Awaitable[Any]], *flags: str, **options: Any) -> Any:
    async def main() -> Any:
        connection = await AsyncConnection.start(support.fake_argv(*flags), dict(os.environ), Options(**options))
        try:
            return await asyncio.wait_for(body(connection), TEST_SECONDS)
        finally:
            await connection.close()

    return asyncio.run(main())


async def sent_so_far() -> None:
    """Let every task created so far run to its first suspension: by then it has written its request."""
    await asyncio.sleep(0)


def test_a_gather_of_a_thousand_calls_is_pipelined_and_each_gets_its_answer() -> None:
    async def body(connection: AsyncConnection) -> None:
        results = await asyncio.gather(*(connection.call("echo", {"i": i}) for i in range(1000)))
        assert [r["params"]["i"] for r in results] == list(range(1000))

    run(body)


def test_answers_out_of_order_reach_their_callers() -> None:
    async def body(connection: AsyncConnection) -> None:
        held = [asyncio.ensure_future(connection.call("hold", {"n": n})) for n in range(3)]
        await sent_so_far()
        released = await connection.call("release", {"order": "reverse"})
        results = await asyncio.gather(*held)
        assert released["released"] == sorted(released["released"], reverse=True)
        assert [r["params"] for r in results] == [{"n": 0}, {"n": 1}, {"n": 2}]

    run(body)


def test_an_error_answer_raises_the_mapped_class() -> None:
    async def body(connection: AsyncConnection) -> None:
        with pytest.raises(NotFoundError) as caught:
            await connection.call("error", {"code": -32001, "data": {"status": 404, "type": "not_found", "message": "gone"}})
        assert (caught.value.status, caught.value.type, caught.value.medusa_message) == (404, "not_found", "gone")

    run(body)


def test_a_timeout_raises_and_sends_cancel_request_for_that_id() -> None:
    async def body(connection: AsyncConnection) -> None:
        with support.WireWatcher() as wire:
            with pytest.raises(BridgeTimeoutError):
                await connection.call("hold", {}, timeout=0.1)
            held_id = wire.matching("send", lambda m: m.get("method") == "hold")[0]["id"]
            log = await connection.call("log")
        cancels = [m for m in log["received"] if m.get("method") == "$/cancelRequest"]
        assert cancels == [{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": held_id}}]

    run(body)


def test_cancelling_the_task_sends_cancel_request_and_raises_asyncio_cancelled() -> None:
    async def body(connection: AsyncConnection) -> None:
        with support.WireWatcher() as wire:
            task = asyncio.ensure_future(connection.call("hold"))
            await sent_so_far()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            held_id = wire.matching("send", lambda m: m.get("method") == "hold")[0]["id"]
            log = await connection.call("log")
        assert {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": held_id}} in log["received"]
        assert await connection.call("ping") == {"method": "ping", "params": {}}

    run(body)


def test_an_answer_arriving_after_the_timeout_is_dropped_and_the_connection_goes_on() -> None:
    async def body(connection: AsyncConnection) -> None:
        with pytest.raises(BridgeTimeoutError):
            await connection.call("late", {"ms": 200, "result": "too late"}, timeout=0.05)
        # The late answer comes in while this later, slower call is pending, and must not satisfy it.
        assert await connection.call("late", {"ms": 400, "result": "mine"}) == "mine"

    run(body)


def test_a_bridge_dying_mid_call_fails_every_pending_call_and_the_next_one() -> None:
    async def body(connection: AsyncConnection) -> None:
        held = [asyncio.ensure_future(connection.call("hold")) for _ in range(3)]
        await sent_so_far()
        outcomes = await asyncio.gather(connection.call("die", {"status": 7}), *held, return_exceptions=True)
        assert all(isinstance(o, BridgeClosedError) and o.exit_code == 7 for o in outcomes), outcomes
        assert "exited unexpectedly with status 7" in str(outcomes[0])
        with pytest.raises(BridgeClosedError, match="status 7"):
            await connection.call("ping")

    run(body)


def test_a_killed_bridge_is_reported_with_its_signal() -> None:
    async def body(connection: AsyncConnection) -> None:
        pending = asyncio.ensure_future(connection.call("hold"))
        await sent_so_far()
        os.kill(connection.pid, signal.SIGKILL)
        with pytest.raises(BridgeClosedError, match="killed by SIGKILL") as caught:
            await pending
        assert caught.value.signal == "SIGKILL"

    run(body)


def test_a_line_far_over_asyncios_64_kib_limit_is_read_whole() -> None:
    async def body(connection: AsyncConnection) -> None:
        result = await connection.call("big", {"bytes": 3 * 1024 * 1024})
        assert len(result["data"]) == 3 * 1024 * 1024

    run(body)


def test_line_separators_inside_strings_do_not_split_a_message() -> None:
    async def body(connection: AsyncConnection) -> None:
        assert await connection.call("unicode") == {"text": "a\u2028b\u2029c\u0085d"}
        assert await connection.call("split", {"text": "\u00e6 in two"}) == {"text": "\u00e6 in two"}

    run(body)


def test_close_is_idempotent_cancels_pending_calls_and_refuses_later_ones() -> None:
    async def body(connection: AsyncConnection) -> None:
        pending = asyncio.ensure_future(connection.call("hold", session="bob"))
        await sent_so_far()
        statuses = await asyncio.gather(connection.close(), connection.close())
        assert statuses == [0, 0]
        with pytest.raises(CancelledError) as caught:
            await pending
        assert str(caught.value) == "hold in session 'bob': cancelled: the bridge was closed"
        with pytest.raises(BridgeClosedError, match="was closed"):
            await connection.call("ping")
        assert await connection.close() == 0

    run(body)


def events_after_close(tmp_path: Path, *flags: str, **options: Any) -> List[Any]:
    events = tmp_path / "events"

    async def body(connection: AsyncConnection) -> Any:
        return await connection.close()

    status = run(body, "--fake-events", str(events), *flags, **options)
    return [status, events.read_text().split()]


def test_close_first_closes_stdin_and_a_bridge_that_exits_on_eof_gets_no_signal(tmp_path: Path) -> None:
    assert events_after_close(tmp_path) == [0, ["eof"]]


def test_a_bridge_ignoring_eof_gets_sigterm_after_the_grace_period(tmp_path: Path, fast_shutdown: Dict[str, float]) -> None:
    assert events_after_close(tmp_path, "--fake-ignore-eof", **fast_shutdown) == [0, ["eof", "sigterm"]]


def test_a_bridge_ignoring_sigterm_is_killed(tmp_path: Path, fast_shutdown: Dict[str, float]) -> None:
    assert events_after_close(tmp_path, "--fake-ignore-eof", "--fake-ignore-sigterm", **fast_shutdown) == [-signal.SIGKILL, ["eof", "sigterm"]]


def test_an_answer_arriving_in_the_same_turn_as_the_timeout_is_returned_not_dropped() -> None:
    async def body(connection: AsyncConnection) -> None:
        task = asyncio.ensure_future(connection.call("echo", {"i": 1}, timeout=0.05))
        await sent_so_far()
        # Hold the loop (on purpose) until the answer is in the pipe and the timeout is due, so that
        # both are handled in one turn, as on a loop busy with other work.
        pipe = connection._process._transport.get_pipe_transport(1).get_extra_info("pipe")  # type: ignore[union-attr]
        ready, _, _ = select.select([pipe.fileno()], [], [], 10)
        assert ready, "the fake bridge did not answer within 10 s"
        time.sleep(0.1)
        result = await task
        assert result["params"] == {"i": 1}

    run(body)


def test_a_line_nested_too_deeply_to_read_is_skipped_and_the_reader_goes_on() -> None:
    async def body(connection: AsyncConnection) -> None:
        assert await connection.call("ping") == {"method": "ping", "params": {}}

    run(body, "--fake-deep-garbage-first")

