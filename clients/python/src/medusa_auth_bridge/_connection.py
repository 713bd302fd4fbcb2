"""The sync connection: one bridge process, request ids, and the id -> future map.

Thread model (why this is safe):
- ``_lock`` guards ``_next_id``, ``_pending`` and ``_closed_reason``; it is never held while
  doing I/O, so a slow pipe cannot block a thread that only wants to register a call.
- ``_write_lock`` serialises writes so each message reaches the pipe whole (one message, one
  uninterrupted write loop). Only caller threads write; the reader never writes, so a full
  stdin pipe cannot deadlock with a full stdout pipe.
- The reader thread alone reads stdout; it resolves futures and, at EOF, fails every pending call
  with BridgeClosedError. A future is resolved only by whoever pops it from ``_pending``, so an
  answer racing a timeout resolves the call exactly once.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import threading
from typing import Any, Dict, List, Mapping, Optional

from . import _launch, _protocol, _trace
from ._errors import BridgeClosedError, BridgeTimeoutError

#: 64 KiB, the Linux pipe's default capacity: one read drains a full pipe.
READ_CHUNK_BYTES = 65536

#: At EOF the reader asks for the exit status; the bridge exits right after closing stdout, but
#: a child that closed stdout and lives on must not hang the reader, so the wait is short.
EXIT_STATUS_WAIT_SECONDS = 1.0


class Connection:
    """A started bridge process speaking newline-delimited JSON-RPC; thread-safe."""

    def __init__(self, argv: List[str], env: Mapping[str, str], stderr: _launch.Stderr = None) -> None:
        _trace.enable_from_environment()
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,  # None inherits ours: never a pipe left unread to fill up and stall it
            env=dict(env),
            bufsize=0,
            close_fds=True,
        )
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._close_lock = threading.Lock()
        self._next_id = 1
        self._pending: Dict[int, "concurrent.futures.Future[Any]"] = {}
        self._closed_reason: Optional[str] = None
        self._closing = False
        self._exit_status: Optional[int] = None  # set once the process is known to have ended
        self._reader = threading.Thread(target=self._read_loop, name="medusa-auth-bridge-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def returncode(self) -> Optional[int]:
        return self._process.poll()

    @property
    def closed(self) -> bool:
        with self._lock:
            return self._closed_reason is not None

    def call(self, method: str, params: Optional[Mapping[str, Any]] = None, timeout: Optional[float] = None) -> Any:
        """Send one request and wait for its answer; many threads may call at once (pipelined)."""
        future: "concurrent.futures.Future[Any]" = concurrent.futures.Future()
        with self._lock:
            if self._closed_reason is not None:
                raise _launch.closed_error(self._closed_reason, self._exit_status)
            request_id = self._next_id
            self._next_id += 1
            self._pending[request_id] = future
        try:
            self._write(_protocol.request(request_id, method, params))
        except BridgeClosedError:
            self._forget(request_id)
            raise
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            if not self._forget(request_id):
                return future.result()  # answered between the timeout and the forget
            self._cancel(request_id)
            raise BridgeTimeoutError(
                f"{method} got no answer within {timeout} s; sent $/cancelRequest for id {request_id}"
            ) from None
        except BaseException:
            # KeyboardInterrupt and friends: tell the bridge to stop the work we no longer want.
            if self._forget(request_id):
                self._cancel(request_id)
            raise

    def close(self) -> Optional[int]:
        """Stop the bridge (close stdin, wait, SIGTERM, wait, SIGKILL); idempotent; the exit status.

        Calls still in flight get their answer if the bridge finishes them before exiting, else
        BridgeClosedError; calls made after ``close()`` began raise BridgeClosedError at once.
        """
        with self._close_lock:
            with self._lock:
                self._closing = True
                if self._closed_reason is None:
                    self._closed_reason = "the bridge was closed"
            status = _launch.stop(self._process)
            with self._lock:
                self._exit_status = status
            self._reader.join(_launch.SIGKILL_REAP_SECONDS)
            self._fail_pending("the bridge was closed before answering")
            return status

    # -- writing ------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        view = memoryview(data)
        with self._write_lock:
            try:
                while view:
                    written = os.write(stdin.fileno(), view)
                    view = view[written:]
                _trace.sent(data)  # inside the lock: the trace's order is the wire's order
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
            _trace.garbage(line, problem)
            return
        if message is None:
            return
        response = _protocol.as_response(message)
        future = None
        if response is not None and isinstance(response.id, int):
            with self._lock:
                future = self._pending.pop(response.id, None)
        if future is None or response is None:
            _trace.unmatched(message)
            return
        _trace.received(message)
        if response.error is not None:
            future.set_exception(response.error)
        else:
            future.set_result(response.result)

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
        self._fail_pending(f"{reason} before answering" if self._closing else reason)

    def _fail_pending(self, reason: str) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for future in pending.values():
            # One exception per call: raising a shared instance in several threads would
            # interleave their tracebacks.
            future.set_exception(_launch.closed_error(reason, self._exit_status))
