"""The sync connection's parts that are not the connection itself: the record of a call waiting for
its answer, the at-fork hook that closes a forked child's copies of every bridge's pipes, and the
reader thread's side (``SyncReader``), which alone reads stdout, resolves answers and fails what is
pending at EOF. The rules they keep are in ``_connection``'s docstring.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from . import _launch, _protocol
from ._errors import BridgeClosedError, error_from_wire
from ._trace import Tracer, garbage

if TYPE_CHECKING:
    from ._connection import Connection

#: 64 KiB, the Linux pipe's default capacity: one read drains a full pipe.
READ_CHUNK_BYTES = 65536

#: At EOF the reader asks for the exit status; the bridge exits right after closing stdout, but
#: a child that closed stdout and lives on must not hang the reader, so the wait is short.
EXIT_STATUS_WAIT_SECONDS = 1.0


class Call:
    """A request waiting for its answer, and what its errors must name."""

    __slots__ = ("future", "method", "session", "cancel_owed")

    def __init__(self, method: str, session: Optional[str]) -> None:
        self.future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        self.method = method
        self.session = session
        self.cancel_owed = False  # its caller took it back unanswered: $/cancelRequest is due


def resolve(future: "concurrent.futures.Future[Any]", error: Optional[BaseException] = None, result: Any = None) -> None:
    """Set a future's outcome unless it has one (a Ctrl-C in ``close()`` can leave a resolved call in the map)."""
    try:
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
    except concurrent.futures.InvalidStateError:
        pass


#: Every live connection, so a forked child can close its copies of their pipes.
live: "weakref.WeakSet[Connection]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # Runs in the child, which has only the forking thread: no lock may be taken here.
    for connection in list(live):
        connection._drop_fork_copies()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class SyncReader:
    """The reader thread's half of ``Connection``: the attributes it shares are the connection's."""

    _process: "subprocess.Popen[bytes]"
    _tracer: Tracer
    _lock: threading.Lock
    _pending: Dict[int, Call]
    _exit_status: Optional[int]
    _closed_reason: Optional[str]
    _closing: bool
    _stderr: _launch.StderrPump

    if TYPE_CHECKING:  # Connection's own methods, named here for type checkers only

        def _closed(self, call: Call, reason: str) -> BridgeClosedError: ...

        def _fail_pending(self, error_for: Callable[[Call], BaseException]) -> List[int]: ...

    def _read_loop(self) -> None:
        splitter = _protocol.LineSplitter()
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while True:
                chunk = os.read(stdout.fileno(), READ_CHUNK_BYTES)
                if not chunk:
                    break
                for line in splitter.feed(chunk):
                    self._dispatch(line)
        except OSError:
            pass  # stdout closed under us: same as EOF
        finally:
            self._on_eof()
            stdout.close()  # this thread is its only reader

    def _dispatch(self, line: bytes) -> None:
        try:
            message = _protocol.decode(line)
        except ValueError as problem:
            garbage(line, problem)
            return
        if message is None:
            return
        response = _protocol.as_response(message)
        call = None
        if response is not None and isinstance(response.id, int):
            with self._lock:
                call = self._pending.pop(response.id, None)
        if call is None or response is None:
            self._tracer.unmatched(message)
            return
        self._tracer.received(message)
        if response.error is not None:
            resolve(call.future, error_from_wire(response.error, call.method, call.session))
        else:
            resolve(call.future, result=response.result)

    def _on_eof(self) -> None:
        try:
            status: Optional[int] = self._process.wait(EXIT_STATUS_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            status = None
        with self._lock:
            self._exit_status = status
            if self._closed_reason is None:
                self._closed_reason = _launch.describe_exit(status)
            reason = self._closed_reason
            closing = self._closing
            if not self._pending:
                return
        tail = None if closing else self._stderr.tail()  # waits for stderr's EOF: not under the lock

        def error_for(call: Call) -> BridgeClosedError:
            # One exception per call: raising a shared instance in several threads would
            # interleave their tracebacks.
            error = self._closed(call, f"{reason} before answering")
            error.stderr = tail
            return error

        with self._lock:
            self._fail_pending(error_for)
