"""The asyncio connection: one bridge process, request ids, and the id -> call map.

Concurrency model (why this is safe): everything runs on the one event loop that started the
connection, so ``_pending`` and ``_next_id`` need no lock; a call from another loop is refused
with a message saying so, and so is any use after ``os.fork()``. ``StreamWriter.write`` queues a
whole message synchronously, so messages never interleave; ``_drain_lock`` only keeps concurrent
``drain()`` calls apart (several waiters on one drain broke on Python before 3.10). The reader
task alone reads stdout, with its own ``\\n`` splitting: ``StreamReader.readline`` would refuse
lines over its 64 KiB limit. The bridge's stderr is read on a thread (``_launch.StderrPump``), the
same code as the sync connection's.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from typing import Any, Dict, List, Mapping, Optional

from . import _launch, _protocol
from ._sync_calls import EXIT_STATUS_WAIT_SECONDS, READ_CHUNK_BYTES
from ._errors import BridgeClosedError, BridgeStartError, BridgeTimeoutError, CancelledError, call_prefix, error_from_wire
from ._options import Options
from ._trace import Tracer, garbage


class _Call:
    __slots__ = ("future", "method", "session")

    def __init__(self, future: "asyncio.Future[Any]", method: str, session: Optional[str]) -> None:
        self.future = future
        self.method = method
        self.session = session


class AsyncConnection:
    """A started bridge process for asyncio; create with ``await AsyncConnection.start(...)``."""

    def __init__(self, process: "asyncio.subprocess.Process", stderr: _launch.StderrPump, options: Options) -> None:
        self._process = process
        self._stderr = stderr
        self._options = options
        self._loop = asyncio.get_running_loop()
        self._owner_pid = os.getpid()
        self._tracer = Tracer(process.pid)
        self._next_id = 1
        self._pending: Dict[int, _Call] = {}
        self._closed_reason: Optional[str] = None
        self._closing = False
        self._exit_status: Optional[int] = None  # set once the process is known to have ended
        self._drain_lock = asyncio.Lock()
        self._close_task: Optional["asyncio.Task[Optional[int]]"] = None
        self._reader = self._loop.create_task(self._read_loop())

    @classmethod
    async def start(cls, argv: List[str], env: Mapping[str, str], options: Options) -> "AsyncConnection":
        read_end, write_end = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=write_end,
                env=dict(env),
                **_launch.spawn_kwargs(),
            )
        except OSError as error:
            os.close(read_end)
            raise BridgeStartError(f"{argv[0]} could not be started: {error.strerror or error}", argv[0]) from error
        finally:
            os.close(write_end)
        return cls(process, _launch.StderrPump(read_end, options.stderr), options)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def exit_status(self) -> Optional[int]:
        return self._exit_status if self._exit_status is not None else self._process.returncode

    @property
    def closed(self) -> bool:
        return self._closed_reason is not None or os.getpid() != self._owner_pid

    def check_usable(self) -> None:
        """Refuse use from a forked child or from another event loop, with the reason."""
        if os.getpid() != self._owner_pid:
            raise _launch.forked_error(self._owner_pid, "AsyncBridge")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not self._loop:
            raise RuntimeError(
                "this AsyncBridge belongs to the event loop that started it and was used from "
                "another one (a second asyncio.run(), or another thread's loop): create one "
                "AsyncBridge per event loop"
            )

    async def call(
        self,
        method: str,
        params: Optional[Mapping[str, Any]] = None,
        timeout: Optional[float] = None,
        session: Optional[str] = None,
        total_timeout: Optional[float] = None,
    ) -> Any:
        """Send one request and await its answer; any number may be in flight at once.

        Cancelling the awaiting task, or ``timeout`` expiring, sends ``$/cancelRequest``.
        ``total_timeout``: the caller's whole timeout when part of it went to the bridge's start
        (``timeout`` is then what was left); a BridgeTimeoutError names it.
        """
        self.check_usable()
        if self._closed_reason is not None:
            raise self._closed(method, session, self._closed_reason)
        request_id = self._next_id
        self._next_id += 1
        future: "asyncio.Future[Any]" = self._loop.create_future()
        self._pending[request_id] = _Call(future, method, session)
        try:
            self._write(_protocol.request(request_id, method, params))
        except BridgeClosedError:
            self._forget(request_id)
            raise self._closed(method, session, self._closed_reason or "the bridge stopped reading") from None
        try:
            if timeout is None:
                return await self._answer(future)
            return await asyncio.wait_for(self._answer(future), timeout)
        except asyncio.TimeoutError:
            if not self._forget(request_id):
                # The answer was taken in the same turn of the loop as the timeout fired (or it was
                # itself a TimeoutError): it is this caller's, whatever it says.
                return future.result()
            self._cancel(request_id)
            shown = total_timeout if total_timeout is not None else timeout
            raise BridgeTimeoutError(
                f"{call_prefix(method, session)}no answer within {shown:g} s; "
                "sent $/cancelRequest so the bridge stops the work",
                shown,
                method=method,
                session=session,
            ) from None
        except asyncio.CancelledError:
            if self._forget(request_id):
                self._cancel(request_id)
            elif future.done() and not future.cancelled():
                future.exception()  # answered as the caller left: retrieved, so asyncio logs nothing
            raise

    async def wait_exit(self, timeout: float) -> Optional[int]:
        try:
            status = await asyncio.wait_for(self._process.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        self._exit_status = status
        return status

    def stderr_tail(self) -> Optional[str]:
        return self._stderr.tail()

    async def close(self) -> Optional[int]:
        """Cancel pending calls, then stop the bridge (stdin EOF, SIGTERM, SIGKILL); idempotent."""
        if os.getpid() != self._owner_pid:
            return None  # the parent owns the process
        if self._close_task is None:
            self._closing = True
            if self._closed_reason is None:
                self._closed_reason = "the bridge was closed"
            pending, self._pending = self._pending, {}
            for request_id, call in pending.items():
                self._cancel(request_id)
                if not call.future.done():
                    call.future.set_exception(
                        CancelledError(
                            f"{call_prefix(call.method, call.session)}cancelled: the bridge was closed",
                            -32800,
                            method=call.method,
                            session=call.session,
                        )
                    )
            self._close_task = self._loop.create_task(self._stop())
        # shield: a caller cancelled mid-close must not leave the process half stopped.
        return await asyncio.shield(self._close_task)

    def abandon(self, why: str) -> None:
        """Stop the bridge without awaiting anything: its loop is ending, or it was collected.

        SIGTERM asks the bridge to stop; closing the transport then releases the pipes (and kills
        a bridge still running). The caller's event loop may be closing, so nothing here waits.
        """
        if self._closing or os.getpid() != self._owner_pid:
            return
        self._closing = True
        if self._closed_reason is None:
            self._closed_reason = why
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except (RuntimeError, OSError):
            pass  # the loop is already closed
        if self._process.returncode is None:
            try:
                os.kill(self._process.pid, 15)  # SIGTERM
            except OSError:
                pass
        # Release the pipes now, while the loop still runs, instead of in a finaliser after it
        # closed. asyncio's transport SIGKILLs a child still running: nobody waits for its answers.
        transport = getattr(self._process, "_transport", None)
        if transport is not None and not self._loop.is_closed():
            try:
                transport.close()
            except RuntimeError:
                pass
        pending, self._pending = self._pending, {}
        for call in pending.values():
            if not call.future.done():
                call.future.set_exception(self._closed(call.method, call.session, why))

    # -- writing --------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        if stdin.is_closing():
            raise BridgeClosedError(self._closed_reason or "the bridge stopped reading")
        stdin.write(data)
        self._tracer.sent(data)

    async def _answer(self, future: "asyncio.Future[Any]") -> Any:
        async with self._drain_lock:
            try:
                await self._process.stdin.drain()  # type: ignore[union-attr]
            except (ConnectionError, OSError):
                pass  # the reader sees EOF and fails this call with BridgeClosedError
        # Shielded: a timeout or a cancelled caller must not cancel the future itself, or an answer
        # arriving in the same turn would find it done and be dropped; `call` decides who owns it.
        return await asyncio.shield(future)

    def _cancel(self, request_id: int) -> None:
        try:
            self._write(_protocol.cancel_notification(request_id))
        except BridgeClosedError:
            pass  # a dead bridge is doing no work to cancel

    def _forget(self, request_id: int) -> bool:
        """Take a call out of the pending map; True if this caller now owns its outcome."""
        return self._pending.pop(request_id, None) is not None

    def _closed(self, method: str, session: Optional[str], reason: str) -> BridgeClosedError:
        error = _launch.closed_error(call_prefix(method, session) + reason, self.exit_status)
        error.method, error.session = method, session
        return error

    # -- reading (reader task only) -------------------------------------------------------------

    async def _read_loop(self) -> None:
        splitter = _protocol.LineSplitter()
        stdout = self._process.stdout
        assert stdout is not None
        try:
            while True:
                chunk = await stdout.read(READ_CHUNK_BYTES)
                if not chunk:
                    break
                for line in splitter.feed(chunk):
                    self._dispatch(line)
        except (ConnectionError, OSError):
            pass  # stdout closed under us: same as EOF
        except asyncio.CancelledError:
            # The loop is shutting down (asyncio.run cancels every task) with the bridge unclosed:
            # stop it without waiting, so the loop's exit is not delayed.
            if not self._closing:
                warnings.warn(
                    f"unclosed AsyncBridge (pid {self._process.pid}): its event loop ended before close(); "
                    "stopped it", ResourceWarning, stacklevel=1,
                )
            self.abandon("its event loop ended before close()")
            raise
        await self._on_eof()

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
            call = self._pending.pop(response.id, None)
        # A pending call's future is never done (`_answer` shields it from its caller's cancellation,
        # and whoever resolves a call pops it first); checked all the same, since setting a done
        # future would raise here, in the reader.
        if call is None or response is None or call.future.done():
            self._tracer.unmatched(message)
            return
        self._tracer.received(message)
        if response.error is not None:
            call.future.set_exception(error_from_wire(response.error, call.method, call.session))
        else:
            call.future.set_result(response.result)

    async def _on_eof(self) -> None:
        status: Optional[int]
        try:
            status = await asyncio.wait_for(self._process.wait(), EXIT_STATUS_WAIT_SECONDS)
        except asyncio.TimeoutError:
            status = None
        self._exit_status = status
        if self._closed_reason is None:
            self._closed_reason = _launch.describe_exit(status)
        reason = self._closed_reason
        pending, self._pending = self._pending, {}
        if not pending:
            return
        # tail() waits briefly for the pipe's last bytes: off the loop, which must not block.
        tail = None if self._closing else await self._loop.run_in_executor(None, self._stderr.tail)
        for call in pending.values():
            if not call.future.done():
                error = self._closed(call.method, call.session, f"{reason} before answering")
                error.stderr = tail
                call.future.set_exception(error)

    async def _stop(self) -> Optional[int]:
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        status: Optional[int] = None
        for wait, escalate in (
            (self._options.exit_timeout, self._process.terminate),
            (self._options.terminate_timeout, self._process.kill),
            (self._options.kill_timeout, None),
        ):
            try:
                status = await asyncio.wait_for(self._process.wait(), wait)
                self._exit_status = status
                break
            except asyncio.TimeoutError:
                if escalate is not None:
                    try:
                        escalate()
                    except ProcessLookupError:
                        pass
        try:
            await asyncio.wait_for(self._reader, self._options.kill_timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            pass  # wait_for cancelled the reader
        return status
