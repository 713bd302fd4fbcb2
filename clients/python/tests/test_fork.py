"""``os.fork()`` with a sync Bridge open, against the fake bridge (tests/fake_bridge.py).

In-process: nothing. Real processes: each test starts the fake bridge and forks; the child
reports through a pipe and exits, the parent waits for it (bounded, then SIGKILL) and closes the
bridge. A forked child must neither keep the bridge alive nor hang on a lock that another thread
of the parent held at the fork.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import threading
import warnings
from pathlib import Path
from typing import Callable

import pytest

import support
from medusa_auth_bridge import Bridge

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() is POSIX only")

#: Bound on waits for a child or a process; reached only when something hangs.
WAIT_SECONDS = 10.0

#: close()'s wait for the bridge to exit on stdin EOF: far more than the fake needs, and short
#: enough that a bridge kept alive by the child's copy of stdin fails the test quickly.
EXIT_SECONDS = 5.0


def fork(child: Callable[[], str]) -> "tuple[int, int]":
    """Fork; the child runs ``child``, writes what it returns to a pipe and exits. (pid, read end)."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork() in a threaded process
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            os.close(read_end)
            report = child()
        except BaseException as error:  # noqa: BLE001
            report = f"{type(error).__name__}: {error}"
        os.write(write_end, report.encode())
        os._exit(0)
    os.close(write_end)
    return pid, read_end


def reap(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)


def test_a_forked_child_does_not_keep_the_bridge_from_seeing_eof_at_close(tmp_path: Path) -> None:
    events = tmp_path / "events"
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-events", str(events))
    bridge = Bridge(binary=binary, exit_timeout=EXIT_SECONDS)
    release_read, release_write = os.pipe()

    def child() -> str:
        os.close(release_write)
        # Lives on, never touching the bridge (a multiprocessing worker, say), until released.
        select.select([release_read], [], [], WAIT_SECONDS)
        return "released"

    pid, report = fork(child)
    try:
        os.close(release_read)
        bridge.close()
        assert (bridge.exit_code, bridge.signal) == (0, None)
        assert events.read_text().split() == ["eof"]  # not "sigterm": it saw EOF while the child lived
    finally:
        os.close(release_write)
        ready, _, _ = select.select([report], [], [], WAIT_SECONDS)
        os.close(report)
        reap(pid)
        bridge.close()


def test_a_forked_child_never_hangs_on_a_lock_the_parent_held_at_the_fork(tmp_path: Path) -> None:
    bridge = Bridge(binary=support.write_fake_binary(tmp_path / "bin"))
    connection = bridge._live()
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with connection._lock, connection._writer._lock, connection._close_lock:
            held.set()
            release.wait(WAIT_SECONDS)

    thread = threading.Thread(target=holder, daemon=True)
    thread.start()

    def child() -> str:
        nonlocal bridge
        seen = [bridge.closed, repr(bridge), bridge.exit_code, bridge.signal]
        bridge.close()
        del bridge
        gc.collect()
        return repr(seen)

    try:
        assert held.wait(WAIT_SECONDS)
        pid, report = fork(child)
        try:
            ready, _, _ = select.select([report], [], [], WAIT_SECONDS)
            answer = os.read(report, 4096).decode() if ready else "the child hung"
        finally:
            os.close(report)
            reap(pid)
    finally:
        release.set()
        thread.join(WAIT_SECONDS)
    assert answer == repr([True, "Bridge(%r, closed)" % bridge.binary, None, None])
    assert not bridge.closed and bridge.ping() is None  # the parent's bridge is untouched
    bridge.close()
