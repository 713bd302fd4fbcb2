"""The sync connection: one bridge process, request ids, and the id -> call map.

Thread model (why this is safe):
- ``_lock`` guards ``_next_id``, ``_pending``, ``_closed_reason`` and ``_exit_status``; it is never
  held while doing I/O, so a slow pipe cannot block a thread that only wants to register a call.
- ``_writer`` (``_stdin.StdinWriter``) serialises writes so each message reaches the pipe whole.
  Only caller threads (and ``close()``) write; the reader never writes, so a full stdin pipe
  cannot deadlock with a full stdout pipe. Each write is bounded by its deadline (a call's
  ``timeout=``), so a bridge that stops reading can neither stretch a call past its timeout nor
  hang ``close()``, which stops every waiting writer. A message cut off halfway leaves the
  stream unusable, so the connection is then closed (``_break``).
- The reader thread alone reads stdout; it resolves futures and, at EOF, fails every pending call
  with BridgeClosedError. A call is resolved only by whoever pops it from ``_pending``, so an
  answer racing a timeout or ``close()`` resolves it exactly once.
- After ``os.fork()`` the child holds copies of the pipes but no reader thread: an at-fork hook
  closes the child's copies (so the bridge still sees EOF when the parent closes it), and every
  use in the child checks ``_owner_pid`` before any lock (a lock another thread held at the fork
  stays held in the child for ever) and raises at once, so it can neither hang nor read the
  parent's answers.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Mapping, Optional, cast

from . import _launch, _protocol
from ._errors import BridgeClosedError, BridgeStartError, BridgeTimeoutError, CancelledError, call_prefix
from ._options import Options
from ._stdin import GRACE_SECONDS, Gone, Stalled, StdinWriter, close_fd
from ._sync_calls import Call, SyncReader, live, resolve
from ._trace import Tracer

class Connection(SyncReader):
    """A started bridge process speaking newline-delimited JSON-RPC; thread-safe."""

    def __init__(self, argv: List[str], env: Mapping[str, str], options: Options) -> None:
        self._options = options
        self._binary = argv[0]
        self._owner_pid = os.getpid()
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
        # From here the process runs: anything raised before the reader runs (a Ctrl-C included)
        # must stop it, or it would outlive a constructor that never returned it to anyone.
        reader_may_run = False
        try:
            self._stderr = _launch.StderrPump(read_end, options.stderr)
            read_end = -1  # the pump's thread closes it
            self._tracer = Tracer(self._process.pid)
            self._lock = threading.Lock()
            self._close_lock = threading.Lock()
            self._next_id = 1
            self._pending: Dict[int, Call] = {}
            self._closed_reason: Optional[str] = None
            self._closing = False
            self._stopped = False
            self._exit_status: Optional[int] = None  # set once the process is known to have ended
            assert self._process.stdin is not None
            self._writer = StdinWriter(self._process.stdin, self._break, self._tracer.sent)
            live.add(self)
            self._reader = threading.Thread(target=self._read_loop, name="medusa-auth-bridge-reader", daemon=True)
            reader_may_run = True  # from the start() call on, the reader may run and own stdout
            self._reader.start()
        except BaseException:
            self._abort_start(read_end, reader_may_run)
            raise

    def _abort_start(self, stderr_read_end: int, reader_may_run: bool) -> None:
        """Kill a process whose Connection never finished constructing, and drop its pipes."""
        try:
            self._process.kill()
        except OSError:
            pass
        try:
            self._process.wait(self._options.kill_timeout)
        except subprocess.TimeoutExpired:
            pass
        writer = getattr(self, "_writer", None)
        if writer is not None:
            writer.drop()
        elif self._process.stdin is not None:
            self._process.stdin.close()
        if not reader_may_run and self._process.stdout is not None:
            self._process.stdout.close()  # else the reader closes it at the EOF the kill causes
        if stderr_read_end >= 0:
            close_fd(stderr_read_end)

    def _drop_fork_copies(self) -> None:
        """In a forked child: close our copies of the pipes, so that only the parent holds the bridge's stdin."""
        self._writer.drop()
        try:
            if self._process.stdout is not None:
                self._process.stdout.close()
        except (OSError, ValueError):
            pass

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def exit_status(self) -> Optional[int]:
        """The process's status once it ended (negative: killed by that signal), else None."""
        if self._forked():
            return self._exit_status  # no lock in a fork: another thread may have held it
        with self._lock:
            return self._exit_status

    @property
    def closed(self) -> bool:
        if self._forked():
            return True
        with self._lock:
            return self._closed_reason is not None

    def _forked(self) -> bool:
        return os.getpid() != self._owner_pid

    def call(
        self,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = None,
        session: Optional[str] = None,
    ) -> Any:
        """Send one request and wait for its answer; many threads may call at once (pipelined).

        ``timeout`` bounds the whole call, the write included; after it a ``$/cancelRequest``
        is sent (itself bounded by ``_stdin.GRACE_SECONDS``).
        """
        if self._forked():
            raise _launch.forked_error(self._owner_pid, "Bridge")
        deadline = None if timeout is None else time.monotonic() + timeout
        call = Call(method, session)
        request_id: Optional[int] = None
        written = False  # the request may be in the bridge's hands, in part or whole
        # A Ctrl-C (KeyboardInterrupt) can land between any two lines, an except clause included.
        # However this frame is left, the finally takes the call back if no one else resolved it
        # and sends the cancel it owes, so the bridge never runs work nobody waits for and the
        # pending map never keeps a call nobody waits for.
        try:
            with self._lock:
                if self._closed_reason is not None:
                    raise self._closed(call, self._closed_reason)
                request_id = self._next_id
                self._next_id += 1
                self._pending[request_id] = call
            try:
                written = True
                self._write(_protocol.request(request_id, method, params), deadline)
            except Stalled as stalled:
                written = stalled.cut
                if not self._take(request_id, call) and not stalled.cut:
                    return call.future.result()  # close() resolved it while we waited: raises
                raise self._timeout(call, timeout, None if stalled.cut else False) from None
            except BridgeClosedError:
                written = False  # the bridge is gone or closing: nothing to cancel
                if self._take(request_id, call):
                    raise self._closed(call, self._closed_reason or "the bridge stopped reading") from None
            try:
                return call.future.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
            except concurrent.futures.TimeoutError:
                pass
            if not self._take(request_id, call):
                return call.future.result()  # answered between the timeout and the take
            self._send_owed_cancel(request_id, call)
            raise self._timeout(call, timeout, True)
        finally:
            if request_id is not None:
                self._take(request_id, call)
                if written:
                    self._send_owed_cancel(request_id, call)

    def _timeout(self, call: Call, timeout: Optional[float], written: Optional[bool]) -> BridgeTimeoutError:
        """``written``: True if the request was sent, False if none of it was, None if it was cut off."""
        assert timeout is not None
        if written is None:
            how = "the bridge stopped reading its stdin with the request half written, so the bridge was closed"
        elif not written:
            how = "the bridge is not reading its stdin, so the request was not sent"
        else:
            how = "sent $/cancelRequest so the bridge stops the work"
        return BridgeTimeoutError(
            f"{call_prefix(call.method, call.session)}no answer within {timeout:g} s; {how}",
            timeout,
            method=call.method,
            session=call.session,
        )

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
        Every step is bounded, also against a bridge that stopped reading its stdin.
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
                cancelled = self._fail_pending(lambda call: CancelledError(
                    f"{call_prefix(call.method, call.session)}cancelled: the bridge was closed",
                    -32800,
                    method=call.method,
                    session=call.session,
                ))
            self._writer.stop()
            deadline = time.monotonic() + GRACE_SECONDS
            for request_id in cancelled:
                if not self._cancel(request_id, deadline, closing=True):
                    break  # the bridge takes nothing: the rest would wait in vain
            self._writer.close()  # EOF for the bridge; if a writer is stuck past the grace, the signals stop it
            status = _launch.stop_sync(self._process, self._options, close_stdin=False)
            with self._lock:
                self._exit_status = status
            self._reader.join(self._options.kill_timeout)
            self._stopped = True
            live.discard(self)
            return status

    def _fail_pending(self, error_for: Callable[[Call], BaseException]) -> List[int]:
        """Resolve every pending call (``_lock`` held), each before it leaves the map; their ids.

        Resolved first, removed second: a Ctrl-C landing in this loop leaves the calls not yet
        failed in the map, for the next ``close()`` or the reader's EOF, never lost unresolved.
        """
        ids: List[int] = []
        while self._pending:
            request_id, call = next(iter(self._pending.items()))
            resolve(call.future, error_for(call))
            del self._pending[request_id]
            ids.append(request_id)
        return ids

    def abandon(self) -> None:
        """Stop the bridge without blocking (for a Bridge collected unclosed): stop on a thread."""
        if self._forked() or self._stopped:
            return
        if sys.is_finalizing():
            # At interpreter exit no thread can start (start() would wait for ever); EOF on stdin
            # makes the bridge finish and exit by itself, as our exit would anyway.
            self._writer.close()
            return
        threading.Thread(target=self.close, name="medusa-auth-bridge-closer", daemon=True).start()

    # -- writing ------------------------------------------------------------------------------

    def _write(self, data: bytes, deadline: Optional[float], closing: bool = False) -> None:
        """Write one whole message, or raise: Stalled at ``deadline``, BridgeClosedError if gone.

        ``closing`` is close()'s own writes: they go on after ``_writer.stop()``, which stops
        every other writer.
        """
        try:
            self._writer.write(data, deadline, closing)
        except Gone as gone:
            raise BridgeClosedError(self._closed_reason or f"the bridge stopped reading: {gone}") from gone

    def _break(self, written: int, total: int) -> None:
        """A message was cut off (write lock held): close the connection, failing every pending call."""
        reason = (
            f"the bridge stopped reading its stdin: a message was cut off after {written} of {total} bytes, "
            "so nothing more can be sent and the bridge was closed"
        )
        with self._lock:
            self._closing = True
            if self._closed_reason is None:
                self._closed_reason = reason
            reason = self._closed_reason
            self._fail_pending(lambda call: self._closed(call, reason))
        self._writer.stop()
        if not sys.is_finalizing():  # no thread can start at interpreter exit
            threading.Thread(target=self.close, name="medusa-auth-bridge-closer", daemon=True).start()

    def _cancel(self, request_id: int, deadline: Optional[float] = None, closing: bool = False) -> bool:
        """Send ``$/cancelRequest`` within ``deadline`` (default: ``GRACE_SECONDS``); False if stalled."""
        try:
            self._write(
                _protocol.cancel_notification(request_id),
                time.monotonic() + GRACE_SECONDS if deadline is None else deadline,
                closing,
            )
        except BridgeClosedError:
            pass  # a dead bridge is doing no work to cancel
        except Stalled:
            return False
        return True

    def _take(self, request_id: int, call: Call) -> bool:
        """Take a call back out of the pending map; True if it was there (it then owes a cancel)."""
        with self._lock:
            if self._pending.pop(request_id, None) is None:
                return False
            call.cancel_owed = True
            return True

    def _send_owed_cancel(self, request_id: int, call: Call) -> None:
        if call.cancel_owed:
            self._cancel(request_id)
            call.cancel_owed = False  # after: a Ctrl-C in between repeats it, which is harmless

    def _closed(self, call: Call, reason: str) -> BridgeClosedError:
        error = _launch.closed_error(reason, self._exit_status, None)
        error.method, error.session = call.method, call.session
        error.message = call_prefix(call.method, call.session) + reason
        error.args = (error.message,)
        return error
