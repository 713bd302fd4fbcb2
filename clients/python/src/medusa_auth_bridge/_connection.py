"""The sync connection: one bridge process, request ids, and the id -> call map.

Thread model (why this is safe):
- ``_lock`` guards ``_next_id``, ``_pending``, ``_closed_reason`` and ``_exit_status``; it is never
  held while doing I/O, so a slow pipe cannot block a thread that only wants to register a call.
- ``_write_lock`` serialises writes so each message reaches the pipe whole. Only caller threads
  (and ``close()``) write; the reader never writes, so a full stdin pipe cannot deadlock with a
  full stdout pipe.
- The reader thread alone reads stdout; it resolves futures and, at EOF, fails every pending call
  with BridgeClosedError. A call is resolved only by whoever pops it from ``_pending``, so an
  answer racing a timeout or ``close()`` resolves it exactly once.
- After ``os.fork()`` the child holds copies of the pipes but no reader thread: every use in the
  child raises at once (``_owner_pid``), so it can neither hang nor read the parent's answers.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import threading
from typing import Any, Dict, List, Mapping, Optional, cast

from . import _launch, _protocol
from ._errors import BridgeClosedError, BridgeStartError, BridgeTimeoutError, CancelledError, call_prefix, error_from_wire
from ._options import Options
from ._trace import Tracer, garbage

#: 64 KiB, the Linux pipe's default capacity: one read drains a full pipe.
READ_CHUNK_BYTES = 65536

#: At EOF the reader asks for the exit status; the bridge exits right after closing stdout, but
#: a child that closed stdout and lives on must not hang the reader, so the wait is short.
EXIT_STATUS_WAIT_SECONDS = 1.0


class _Call:
    """A request waiting for its answer, and what its errors must name."""

    __slots__ = ("future", "method", "session")

    def __init__(self, method: str, session: Optional[str]) -> None:
        self.future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        self.method = method
        self.session = session


class Connection:
    """A started bridge process speaking newline-delimited JSON-RPC; thread-safe."""

    def __init__(self, argv: List[str], env: Mapping[str, str], options: Options) -> None:
        self._options = options
        self._binary = argv[0]
        read_end, write_end = os.pipe()
        try:
            self._process = cast(
                "subprocess.Popen[bytes]",
                subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=write_end,
                    env=dict(env),
                    bufsize=0,
                    **_launch.spawn_kwargs(),
                ),
            )
        except OSError as error:
            os.close(read_end)
            raise BridgeStartError(
                f"{self._binary} could not be started: {error.strerror or error}", self._binary
            ) from error
        finally:
            os.close(write_end)
        self._stderr = _launch.StderrPump(read_end, options.stderr)
        self._owner_pid = os.getpid()
        self._tracer = Tracer(self._process.pid)
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._next_id = 1
        self._pending: Dict[int, _Call] = {}
        self._closed_reason: Optional[str] = None
        self._closing = False
        self._stopped = False
        self._exit_status: Optional[int] = None  # set once the process is known to have ended
        self._reader = threading.Thread(target=self._read_loop, name="medusa-auth-bridge-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def exit_status(self) -> Optional[int]:
        """The process's status once it ended (negative: killed by that signal), else None."""
        with self._lock:
            return self._exit_status

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed_reason is not None or self._forked()

    def _forked(self) -> bool:
        return os.getpid() != self._owner_pid

    def call(
        self,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = None,
        session: Optional[str] = None,
    ) -> Any:
        """Send one request and wait for its answer; many threads may call at once (pipelined)."""
        if self._forked():
            raise _launch.forked_error(self._owner_pid, "Bridge")
        call = _Call(method, session)
        request_id: Optional[int] = None
        sent = False
        # One try from the registration to the answer: a Ctrl-C (KeyboardInterrupt) can land between
        # any two bytecodes, and one landing after the write but outside the handler that cancels
        # would leave the request running in the bridge, unwanted and never cancelled.
        try:
            with self._lock:
                if self._closed_reason is not None:
                    raise self._closed(call, self._closed_reason)
                request_id = self._next_id
                self._next_id += 1
                self._pending[request_id] = call
            try:
                self._write(_protocol.request(request_id, method, params))
            except BridgeClosedError:
                if self._forget(request_id):
                    raise self._closed(call, self._closed_reason or "the bridge stopped reading") from None
            sent = True
            return call.future.result(timeout)
        except concurrent.futures.TimeoutError:
            if not sent:
                raise
            assert request_id is not None
            if not self._forget(request_id):
                return call.future.result()  # answered between the timeout and the forget
            self._cancel(request_id)
            raise BridgeTimeoutError(
                f"{call_prefix(method, session)}no answer within {timeout:g} s; "
                f"sent $/cancelRequest so the bridge stops the work",
                timeout,
                method=method,
                session=session,
            ) from None
        except BaseException as error:
            # KeyboardInterrupt and friends, or a failure while writing (the request may be out
            # already; cancelling an id the bridge never saw is harmless): tell the bridge to stop the
            # work we no longer want.
            unwanted = not isinstance(error, Exception) or not sent
            if unwanted and request_id is not None and not isinstance(error, BridgeClosedError) and self._forget(request_id):
                self._cancel(request_id)
            raise

    def wait_exit(self, timeout: float) -> Optional[int]:
        """The exit status within ``timeout`` seconds, or None if the process still runs."""
        try:
            status = self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        with self._lock:
            self._exit_status = status
        return status

    def stderr_tail(self) -> Optional[str]:
        return self._stderr.tail()

    def close(self) -> Optional[int]:
        """Cancel pending calls, then stop the bridge (stdin EOF, SIGTERM, SIGKILL); idempotent.

        Pending calls fail at once with CancelledError; calls made after ``close()`` began raise
        BridgeClosedError. Returns the exit status (negative for a signal), None if unknown.
        """
        if self._forked():
            return None  # the parent owns the process; the child only drops its copies
        with self._close_lock:
            if self._stopped:
                return self._exit_status
            with self._lock:
                self._closing = True
                if self._closed_reason is None:
                    self._closed_reason = "the bridge was closed"
                pending, self._pending = self._pending, {}
            for request_id, call in pending.items():
                self._cancel(request_id)
                call.future.set_exception(
                    CancelledError(
                        f"{call_prefix(call.method, call.session)}cancelled: the bridge was closed",
                        -32800,
                        method=call.method,
                        session=call.session,
                    )
                )
            status = _launch.stop_sync(self._process, self._options)
            with self._lock:
                self._exit_status = status
            self._reader.join(self._options.kill_timeout)
            self._stopped = True
            return status

    def abandon(self) -> None:
        """Stop the bridge without blocking (for a Bridge collected unclosed): stop on a thread."""
        if self._forked() or self._stopped:
            return
        if sys.is_finalizing():
            # At interpreter exit no thread can start (start() would wait for ever); EOF on stdin
            # makes the bridge finish and exit by itself, as our exit would anyway.
            try:
                if self._process.stdin is not None:
                    self._process.stdin.close()
            except OSError:
                pass
            return
        threading.Thread(target=self.close, name="medusa-auth-bridge-closer", daemon=True).start()

    # -- writing ------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        view = memoryview(data)
        with self._write_lock:
            try:
                try:
                    while view:
                        written = os.write(stdin.fileno(), view)
                        view = view[written:]
                except (OSError, ValueError):
                    raise
                except BaseException:
                    # Interrupted (Ctrl-C) halfway through a message: finish it, or the next
                    # message would be glued to its first half and both would be lost.
                    if len(view) < len(data):
                        while view:
                            view = view[os.write(stdin.fileno(), view) :]
                    raise
                self._tracer.sent(data)  # inside the lock: the trace's order is the wire's order
            except (OSError, ValueError) as error:  # EPIPE, or stdin already closed by close()
                raise BridgeClosedError(self._closed_reason or f"the bridge stopped reading: {error}") from error

    def _cancel(self, request_id: int) -> None:
        try:
            self._write(_protocol.cancel_notification(request_id))
        except BridgeClosedError:
            pass  # a dead bridge is doing no work to cancel

    def _forget(self, request_id: int) -> bool:
        """Take a call out of the pending map; True if this caller now owns its outcome."""
        with self._lock:
            return self._pending.pop(request_id, None) is not None

    def _closed(self, call: _Call, reason: str) -> BridgeClosedError:
        error = _launch.closed_error(reason, self._exit_status, None)
        error.method, error.session = call.method, call.session
        error.message = call_prefix(call.method, call.session) + reason
        error.args = (error.message,)
        return error

    # -- reading (reader thread only) -----------------------------------------------------------

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
            call.future.set_exception(error_from_wire(response.error, call.method, call.session))
        else:
            call.future.set_result(response.result)

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
            pending, self._pending = self._pending, {}
        if not pending:
            return
        tail = None if closing else self._stderr.tail()
        for call in pending.values():
            # One exception per call: raising a shared instance in several threads would
            # interleave their tracebacks.
            error = self._closed(call, f"{reason} before answering")
            error.stderr = tail
            call.future.set_exception(error)
