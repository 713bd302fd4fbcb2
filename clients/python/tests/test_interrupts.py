"""Ctrl-C (KeyboardInterrupt) landing inside the sync client, against the fake bridge.

In-process: nothing. Real processes: each test starts the fake bridge (tests/fake_bridge.py) and
stops it. A Ctrl-C can land between any two lines; each test raises one deterministically at a
chosen point (``sys.settrace`` or a patched inner function) and checks that nothing is left
behind: no call the bridge still works on, no caller blocked for ever, no bridge process running.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any, Callable, Iterator, List, Optional

import pytest

import support
from medusa_auth_bridge import Bridge, CancelledError
from medusa_auth_bridge import _connection
from medusa_auth_bridge._connection import Connection
from medusa_auth_bridge._options import Options

#: Bound on waits for a thread or a process; reached only when the client hangs.
WAIT_SECONDS = 10.0

#: A timeout the fake's held call always reaches (it never answers until cancelled).
HELD_TIMEOUT_SECONDS = 0.2


@pytest.fixture
def connect() -> Iterator[Callable[..., Connection]]:
    started: List[Connection] = []

    def start(*flags: str) -> Connection:
        connection = Connection(support.fake_argv(*flags), dict(os.environ), Options())
        started.append(connection)
        return connection

    yield start
    for connection in started:
        connection.close()


def interrupt_after_timeout(lines_after: int) -> None:
    """In this thread: raise KeyboardInterrupt on the ``lines_after``-th line ``Connection.call``
    runs after its wait timed out, i.e. inside its timeout handling, whatever the code's layout."""
    state = {"timed_out": False, "lines": 0}

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "exception" and issubclass(arg[0], concurrent.futures.TimeoutError):
            state["timed_out"] = True
        elif event == "line" and state["timed_out"]:
            state["lines"] += 1
            if state["lines"] == lines_after:
                sys.settrace(None)
                raise KeyboardInterrupt(f"injected on line {frame.f_lineno}")
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        return local if frame.f_code is Connection.call.__code__ else None

    sys.settrace(calls)


@pytest.mark.parametrize("lines_after", [1, 2, 3, 4, 5])
def test_ctrl_c_while_a_call_times_out_still_cancels_it_and_forgets_it(connect: Callable[..., Connection], lines_after: int) -> None:
    connection = connect()
    interrupt_after_timeout(lines_after)
    try:
        with pytest.raises(BaseException) as raised:
            connection.call("hold", {"n": 1}, timeout=HELD_TIMEOUT_SECONDS)
    finally:
        sys.settrace(None)
    # Whether the Ctrl-C or the timeout surfaced depends on where it landed; either way:
    assert raised.type in (KeyboardInterrupt, _connection.BridgeTimeoutError), raised.value
    assert connection._pending == {}
    received = connection.call("log", timeout=WAIT_SECONDS)["received"]
    held = [m["id"] for m in received if m.get("method") == "hold"]
    cancels = [m["params"]["id"] for m in received if m.get("method") == "$/cancelRequest"]
    assert len(held) == 1 and held[0] in cancels, received


@pytest.mark.parametrize("interrupted_call", [1, 2])
def test_ctrl_c_while_close_fails_the_pending_calls_leaves_no_caller_blocked(
    connect: Callable[..., Connection], monkeypatch: pytest.MonkeyPatch, interrupted_call: int
) -> None:
    connection = connect()
    outcomes: List[Any] = []

    def caller(n: int) -> None:
        try:
            outcomes.append(connection.call("hold", {"n": n}))  # no timeout: only close() ends it
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcomes.append(error)

    with support.WireWatcher() as wire:
        threads = [threading.Thread(target=caller, args=(n,), daemon=True) for n in range(3)]
        for thread in threads:
            thread.start()
        wire.wait_for("send", lambda m: m.get("method") == "hold", 3)

    made: List[int] = []
    real_error = _connection.CancelledError

    def error_or_ctrl_c(*args: Any, **kwargs: Any) -> CancelledError:
        made.append(1)
        if len(made) == interrupted_call:
            raise KeyboardInterrupt("injected while close() fails the pending calls")
        return real_error(*args, **kwargs)

    monkeypatch.setattr(_connection, "CancelledError", error_or_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        connection.close()
    monkeypatch.undo()
    connection.close()  # the program goes on to close again, e.g. in a finally
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert [thread.is_alive() for thread in threads] == [False] * 3, "a caller was left blocked"
    assert len(outcomes) == 3 and all(isinstance(o, CancelledError) for o in outcomes), outcomes
    assert connection._pending == {}


class _RecordingPopen(subprocess.Popen):  # type: ignore[type-arg]
    started: List["subprocess.Popen[bytes]"] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _RecordingPopen.started.append(self)


def _raise_in_tracer(monkeypatch: pytest.MonkeyPatch) -> None:
    def tracer(pid: int) -> Any:
        raise KeyboardInterrupt("injected after the process started")

    monkeypatch.setattr(_connection, "Tracer", tracer)


def _raise_in_reader_start(monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = threading.Thread.start

    def start(self: threading.Thread) -> None:
        real_start(self)  # the thread runs: as when Ctrl-C lands in start()'s wait for it
        if self.name == "medusa-auth-bridge-reader":
            raise KeyboardInterrupt("injected while the reader thread starts")

    monkeypatch.setattr(threading.Thread, "start", start)


@pytest.mark.parametrize("inject", [_raise_in_tracer, _raise_in_reader_start], ids=["after-spawn", "reader-start"])
def test_ctrl_c_while_the_bridge_starts_stops_the_process_it_spawned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inject: Callable[[pytest.MonkeyPatch], None]
) -> None:
    binary = support.write_fake_binary(tmp_path / "bin")
    _RecordingPopen.started = []
    monkeypatch.setattr(subprocess, "Popen", _RecordingPopen)
    inject(monkeypatch)
    try:
        with pytest.raises(KeyboardInterrupt):
            Bridge(binary=binary)
        monkeypatch.undo()
        assert len(_RecordingPopen.started) == 1
        process = _RecordingPopen.started[0]
        status: Optional[int]
        try:
            status = process.wait(WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            status = None
        assert status is not None, "the bridge process was left running"
        assert process.stdin is not None and process.stdin.closed
    finally:
        monkeypatch.undo()
        for process in _RecordingPopen.started:
            if process.poll() is None:
                process.kill()
                process.wait()
