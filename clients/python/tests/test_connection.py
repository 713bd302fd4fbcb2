"""The sync connection against a fake bridge process (tests/fake_bridge.py).

In-process: nothing. Real processes: every test spawns the fake bridge, a Python script speaking
the protocol, and stops it. The fake can hold answers, answer late or out of order, die mid-call,
ignore EOF or SIGTERM, and write odd lines, so each connection rule is exercised on real pipes.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import support
from medusa_auth_bridge import (
    BridgeClosedError,
    CancelledError,
    BridgeTimeoutError,
    InvalidParamsError,
    MedusaError,
    UnauthorizedError,
)
from medusa_auth_bridge._connection import Connection
from medusa_auth_bridge._options import Options

#: Bound on joining a test's worker threads; they finish in milliseconds unless the client hangs.
JOIN_SECONDS = 10.0

Factory = Callable[..., Connection]


@pytest.fixture
def connect() -> Iterator[Factory]:
    started: List[Connection] = []

    def start(*flags: str, **options: Any) -> Connection:
        connection = Connection(support.fake_argv(*flags), dict(os.environ), Options(**options))
        started.append(connection)
        return connection

    yield start
    for connection in started:
        connection.close()


def run_in_threads(*jobs: Callable[[], Any]) -> List[Any]:
    """Run each job in its own thread; returns each result or the exception it raised."""
    results: List[Any] = [None] * len(jobs)

    def runner(index: int, job: Callable[[], Any]) -> None:
        try:
            results[index] = job()
        except BaseException as error:  # noqa: BLE001 - handed back to the test
            results[index] = error

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
        assert not thread.is_alive(), "a call never returned"
    return results


def test_a_call_gets_its_own_answer(connect: Factory) -> None:
    connection = connect()
    assert connection.call("auth.exists", {"email": "a@b.c"}) == {"method": "auth.exists", "params": {"email": "a@b.c"}}


def test_calls_are_pipelined_and_answers_out_of_order_reach_their_callers(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:
        results: List[Any] = []
        holders = [threading.Thread(target=lambda n=n: results.append((n, connection.call("hold", {"n": n})))) for n in range(3)]
        for thread in holders:
            thread.start()
        wire.wait_for("send", lambda m: m.get("method") == "hold", count=3)
        released = connection.call("release", {"order": "reverse"})
        for thread in holders:
            thread.join(JOIN_SECONDS)
    assert len(released["released"]) == 3 and released["released"] == sorted(released["released"], reverse=True)
    assert sorted(n for n, _ in results) == [0, 1, 2]
    assert all(result["params"] == {"n": n} for n, result in results)


def test_many_threads_share_one_connection(connect: Factory) -> None:
    connection = connect()

    def worker(thread: int) -> List[Any]:
        return [connection.call("echo", {"t": thread, "i": i})["params"] for i in range(100)]

    results = run_in_threads(*(lambda t=t: worker(t) for t in range(8)))
    for thread, answers in enumerate(results):
        assert answers == [{"t": thread, "i": i} for i in range(100)]


def test_an_error_answer_raises_the_mapped_class_with_its_data(connect: Factory) -> None:
    connection = connect()
    with pytest.raises(UnauthorizedError) as caught:
        connection.call("error", {"code": -32001, "message": "Medusa said no", "data": {"status": 401, "body": "Unauthorized"}})
    assert (caught.value.status, caught.value.body, caught.value.code) == (401, "Unauthorized", -32001)
    with pytest.raises(InvalidParamsError):
        connection.call("error", {"code": -32602, "data": {"field": "email"}})
    with pytest.raises(MedusaError):
        connection.call("error", {"code": -32001, "data": {"status": 500}})


def test_a_timeout_raises_and_sends_cancel_request_for_that_id(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:
        with pytest.raises(BridgeTimeoutError) as caught:
            connection.call("hold", {}, timeout=0.2)
        assert isinstance(caught.value, TimeoutError)
        held_id = wire.matching("send", lambda m: m.get("method") == "hold")[0]["id"]
        cancel = wire.wait_for("send", lambda m: m.get("method") == "$/cancelRequest")[0]
        assert cancel == {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": held_id}}
        # The fake answers the cancelled call with -32800; nobody waits for it any more.
        late = wire.wait_for("unmatched", lambda m: m.get("id") == held_id)[0]
    assert late["error"]["code"] == -32800
    assert connection.call("ping") == {"method": "ping", "params": {}}


def test_an_answer_arriving_after_the_timeout_is_dropped_and_the_connection_goes_on(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:
        with pytest.raises(BridgeTimeoutError):
            connection.call("late", {"ms": 300, "result": "too late"}, timeout=0.05)
        wire.wait_for("unmatched", lambda m: m.get("result") == "too late")
    assert connection.call("late", {"ms": 0, "result": "on time"}) == "on time"


def test_a_bridge_dying_mid_call_fails_every_pending_call_and_the_next_one(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:
        results: List[Any] = [None, None]

        def hold(index: int) -> None:
            try:
                connection.call("hold", {"n": index})
            except BaseException as error:  # noqa: BLE001
                results[index] = error

        holders = [threading.Thread(target=hold, args=(i,)) for i in range(2)]
        for thread in holders:
            thread.start()
        wire.wait_for("send", lambda m: m.get("method") == "hold", count=2)
        with pytest.raises(BridgeClosedError) as died:
            connection.call("die", {"status": 3})
        for thread in holders:
            thread.join(JOIN_SECONDS)
    assert "exited unexpectedly with status 3" in str(died.value)
    assert all(isinstance(r, BridgeClosedError) and "status 3" in str(r) for r in results)
    with pytest.raises(BridgeClosedError, match="status 3"):
        connection.call("ping")
    assert connection.closed and connection.exit_status == 3
    assert all(r.exit_code == 3 for r in results)


def test_a_killed_bridge_is_reported_with_its_signal(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:

        def kill_once_held() -> None:
            wire.wait_for("send", lambda m: m.get("method") == "hold")
            os.kill(connection.pid, signal.SIGKILL)

        [_, outcome] = run_in_threads(kill_once_held, lambda: connection.call("hold"))
    assert isinstance(outcome, BridgeClosedError) and "killed by SIGKILL" in str(outcome)
    assert (outcome.signal, outcome.exit_code) == ("SIGKILL", None)


def test_a_line_far_over_64_kib_is_read_whole(connect: Factory) -> None:
    connection = connect()
    assert len(connection.call("big", {"bytes": 3 * 1024 * 1024})["data"]) == 3 * 1024 * 1024


def test_line_separators_inside_strings_do_not_split_a_message(connect: Factory) -> None:
    connection = connect()
    assert connection.call("unicode") == {"text": "a\u2028b\u2029c\u0085d"}


def test_an_answer_written_in_pieces_is_joined(connect: Factory) -> None:
    connection = connect()
    assert connection.call("split", {"text": "\u00e6\u00f8\u00e5 in two writes"}) == {"text": "\u00e6\u00f8\u00e5 in two writes"}


def test_a_non_json_line_is_logged_and_skipped(connect: Factory, caplog: pytest.LogCaptureFixture) -> None:
    connection = connect("--fake-garbage-first")
    assert connection.call("ping") == {"method": "ping", "params": {}}
    assert "not JSON" in caplog.text and "this is not json" in caplog.text


def test_a_line_nested_too_deeply_to_read_is_skipped_like_any_garbage(connect: Factory, caplog: pytest.LogCaptureFixture) -> None:
    connection = connect("--fake-deep-garbage-first")
    assert connection.call("ping") == {"method": "ping", "params": {}}
    assert "nested too deeply" in caplog.text


def test_close_is_idempotent_and_later_calls_say_the_bridge_was_closed(connect: Factory) -> None:
    connection = connect()
    assert connection.close() == 0
    assert connection.close() == 0
    with pytest.raises(BridgeClosedError, match="was closed"):
        connection.call("ping")


def test_close_from_several_threads_at_once_stops_the_bridge_once(connect: Factory) -> None:
    connection = connect()
    assert run_in_threads(connection.close, connection.close, connection.close) == [0, 0, 0]


def test_close_cancels_calls_still_pending_and_they_fail_with_cancelled_error(connect: Factory) -> None:
    connection = connect()
    with support.WireWatcher() as wire:

        def close_once_held() -> None:
            wire.wait_for("send", lambda m: m.get("method") == "hold")
            connection.close()

        [_, outcome] = run_in_threads(close_once_held, lambda: connection.call("hold", session="alice"))
        held_id = wire.matching("send", lambda m: m.get("method") == "hold")[0]["id"]
        assert wire.matching("send", lambda m: m.get("method") == "$/cancelRequest" and m["params"]["id"] == held_id)
    assert isinstance(outcome, CancelledError) and outcome.code == -32800
    assert str(outcome) == "hold in session 'alice': cancelled: the bridge was closed"


def read_events(path: Path) -> List[str]:
    return path.read_text().split() if path.exists() else []


def test_close_first_closes_stdin_and_a_bridge_that_exits_on_eof_gets_no_signal(connect: Factory, tmp_path: Path) -> None:
    events = tmp_path / "events"
    connection = connect("--fake-events", str(events))
    assert connection.close() == 0
    assert read_events(events) == ["eof"]


def test_a_bridge_ignoring_eof_gets_sigterm_after_the_grace_period(connect: Factory, tmp_path: Path, fast_shutdown: Dict[str, float]) -> None:
    events = tmp_path / "events"
    connection = connect("--fake-ignore-eof", "--fake-events", str(events), **fast_shutdown)
    assert connection.close() == 0
    assert read_events(events) == ["eof", "sigterm"]


def test_a_bridge_ignoring_sigterm_is_killed(connect: Factory, tmp_path: Path, fast_shutdown: Dict[str, float]) -> None:
    events = tmp_path / "events"
    connection = connect("--fake-ignore-eof", "--fake-ignore-sigterm", "--fake-events", str(events), **fast_shutdown)
    assert connection.close() == -signal.SIGKILL
    assert read_events(events) == ["eof", "sigterm"]
