"""A bridge that stops reading its stdin (hung: here SIGSTOPped) against the sync client.

In-process: nothing. Real processes: each test starts the fake bridge (tests/fake_bridge.py),
stops it with SIGSTOP so the stdin pipe fills, and stops it for good (close(), and SIGKILL in a
finally). ``timeout=`` bounds the whole call, the write included, and ``close()`` never hangs.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterator, List

import pytest

import support
from medusa_auth_bridge import BridgeClosedError, BridgeTimeoutError, CancelledError
from medusa_auth_bridge import _protocol
from medusa_auth_bridge._connection import Connection
from medusa_auth_bridge._options import Options
from medusa_auth_bridge._stdin import StdinWriter

#: Bound on waits for a thread; reached only when the client hangs.
WAIT_SECONDS = 10.0

#: Far over a pipe's capacity (64 KiB on Linux, less on others): it can never fit in one go.
HUGE = "x" * (1 << 20)

#: fcntl's name for it from Python 3.10 on; Linux's number before.
F_GETPIPE_SZ = getattr(fcntl, "F_GETPIPE_SZ", 1032)

#: A call's timeout: long enough to start writing, and always reached by a stopped bridge.
CALL_TIMEOUT_SECONDS = 0.3


@pytest.fixture
def stopped() -> Iterator[Callable[[], Connection]]:
    """Connections to a fake bridge that is then SIGSTOPped; closed, and killed if need be, after."""
    started: List[Connection] = []

    def start() -> Connection:
        connection = Connection(support.fake_argv(), dict(os.environ), Options(exit_timeout=0.5, terminate_timeout=0.5))
        started.append(connection)
        connection.call("ping", timeout=WAIT_SECONDS)  # it runs and reads
        os.kill(connection.pid, signal.SIGSTOP)
        return connection

    yield start
    for connection in started:
        if connection._process.poll() is None:
            connection._process.kill()  # SIGKILL works on a stopped process; unblocks a hung client
        connection.close()


def in_thread(job: Callable[[], Any]) -> "tuple[threading.Thread, List[Any]]":
    outcome: List[Any] = []

    def run() -> None:
        try:
            outcome.append(job())
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def blocked_in_write(connection: Connection, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set once a writer found the stdin pipe full (and waits for room, holding the write lock)."""
    waiting = threading.Event()
    real_wait = getattr(StdinWriter, "_wait_writable", None)

    def wait_writable(self: StdinWriter, *args: Any) -> Any:
        waiting.set()
        assert real_wait is not None
        return real_wait(self, *args)

    monkeypatch.setattr(StdinWriter, "_wait_writable", wait_writable)
    return waiting


def test_a_request_cut_off_by_its_timeout_raises_that_timeout_and_closes_the_bridge(stopped: Callable[[], Connection]) -> None:
    connection = stopped()
    thread, outcome = in_thread(lambda: connection.call("echo", {"data": HUGE}, timeout=CALL_TIMEOUT_SECONDS))
    thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "call(timeout=) blocked writing to a bridge that does not read"
    assert isinstance(outcome[0], BridgeTimeoutError), outcome
    assert "half written, so the bridge was closed" in str(outcome[0])
    # Half a message is in the pipe: anything sent after it would be glued to it.
    assert connection.closed
    with pytest.raises(BridgeClosedError, match="a message was cut off after"):
        connection.call("ping", timeout=WAIT_SECONDS)


def test_a_call_that_cannot_start_writing_in_time_times_out_and_sends_nothing(
    stopped: Callable[[], Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = stopped()
    waiting = blocked_in_write(connection, monkeypatch)
    big, big_outcome = in_thread(lambda: connection.call("echo", {"data": HUGE}))  # no timeout: waits
    assert waiting.wait(WAIT_SECONDS), "the big write never found the pipe full"
    small, small_outcome = in_thread(lambda: connection.call("small", timeout=CALL_TIMEOUT_SECONDS))
    small.join(WAIT_SECONDS)
    assert not small.is_alive(), "call(timeout=) blocked waiting for its turn to write"
    assert isinstance(small_outcome[0], BridgeTimeoutError), small_outcome
    assert "the request was not sent" in str(small_outcome[0])
    assert not connection.closed  # nothing was cut off: the connection goes on
    os.kill(connection.pid, signal.SIGCONT)
    big.join(WAIT_SECONDS)
    assert not big.is_alive() and big_outcome[0]["params"]["data"] == HUGE
    received = connection.call("log", timeout=WAIT_SECONDS)["received"]
    assert [m.get("method") for m in received] == ["ping", "echo"]


def test_close_returns_while_a_call_without_timeout_waits_to_write_to_a_hung_bridge(
    stopped: Callable[[], Connection], monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = stopped()
    waiting = blocked_in_write(connection, monkeypatch)
    caller, outcome = in_thread(lambda: connection.call("echo", {"data": HUGE}))
    assert waiting.wait(WAIT_SECONDS), "the write never found the pipe full"
    closer, status = in_thread(connection.close)
    closer.join(WAIT_SECONDS)
    assert not closer.is_alive(), "close() hung on a bridge that does not read"
    caller.join(WAIT_SECONDS)
    assert not caller.is_alive() and isinstance(outcome[0], CancelledError), outcome
    assert status == [-signal.SIGKILL]  # stopped, it could not act on EOF or SIGTERM


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the pipe's exact capacity is asked of Linux (F_GETPIPE_SZ)")
def test_close_returns_when_the_pipe_is_full_and_its_cancels_cannot_be_written(stopped: Callable[[], Connection]) -> None:
    connection = stopped()
    assert connection._process.stdin is not None
    capacity = fcntl.fcntl(connection._process.stdin.fileno(), F_GETPIPE_SZ)
    with support.WireWatcher() as wire:
        held, held_outcome = in_thread(lambda: connection.call("hold"))
        wire.wait_for("send", lambda m: m.get("method") == "hold")
        # Ids are given in order: ping 1, hold 2, so this request is id 3.
        room = capacity - len(_protocol.request(2, "hold", None))
        filler = "x" * (room - len(_protocol.request(3, "echo", {"data": ""})))
        assert len(_protocol.request(3, "echo", {"data": filler})) == room
        filling, _ = in_thread(lambda: connection.call("echo", {"data": filler}))
        wire.wait_for("send", lambda m: m.get("method") == "echo")
    # The pipe is exactly full: close()'s two cancels cannot be written, and must not be waited for.
    closer, _ = in_thread(connection.close)
    closer.join(WAIT_SECONDS)
    assert not closer.is_alive(), "close() hung sending cancels to a bridge that does not read"
    for thread in (held, filling):
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()
    assert isinstance(held_outcome[0], CancelledError), held_outcome
