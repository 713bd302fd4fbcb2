"""The asyncio connection: one bridge process, request ids, and the id -> future map.

Concurrency model (why this is safe): everything runs on the one event loop that started the
connection, so ``_pending`` and ``_next_id`` need no lock. ``StreamWriter.write`` queues a whole
message synchronously, so messages never interleave; ``_drain_lock`` only keeps concurrent
``drain()`` calls apart (several waiters on one drain broke on Python before 3.10). The reader
task alone reads stdout, with its own ``\\n`` splitting: ``StreamReader.readline`` would refuse
lines over its 64 KiB limit.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Mapping, Optional

from . import _launch, _protocol, _trace
from ._connection import EXIT_STATUS_WAIT_SECONDS, READ_CHUNK_BYTES
from ._errors import BridgeClosedError, BridgeTimeoutError


class AsyncConnection:
    """A started bridge process for asyncio; create with ``await AsyncConnection.start(...)``."""

    def __init__(self, process: "asyncio.subprocess.Process") -> None:
        self._process = process
        self._loop = asyncio.get_running_loop()
        self._next_id = 1
        self._pending: Dict[int, "asyncio.Future[Any]"] = {}
        self._closed_reason: Optional[str] = None
        self._closing = False
        self._exit_status: Optional[int] = None  # set once the process is known to have ended
        self._drain_lock = asyncio.Lock()
        self._close_task: Optional["asyncio.Task[Optional[int]]"] = None
        self._reader = self._loop.create_task(self._read_loop())

    @classmethod
    async def start(
        cls, argv: List[str], env: Mapping[str, str], stderr: _launch.Stderr = None
    ) -> "AsyncConnection":
        _trace.enable_from_environment()
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=stderr,  # None inherits ours: never a pipe left unread to fill up and stall it
            env=dict(env),
            close_fds=True,
        )
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def returncode(self) -> Optional[int]:
        return self._process.returncode

    @property
    def closed(self) -> bool:
        return self._closed_reason is not None

    async def call(self, method: str, params: Optional[Mapping[str, Any]] = None, timeout: Optional[float] = None) -> Any:
        """Send one request and await its answer; any number may be in flight at once.

        Cancelling the awaiting task, or ``timeout`` expiring, sends ``$/cancelRequest``.
        """
        if self._closed_reason is not None:
            raise _launch.closed_error(self._closed_reason, self._exit_status)
        request_id = self._next_id
        self._next_id += 1
        future: "asyncio.Future[Any]" = self._loop.create_future()
        self._pending[request_id] = future
        self._write(_protocol.request(request_id, method, params))
        try:
            if timeout is None:
                return await self._answer(future)
            return await asyncio.wait_for(self._answer(future), timeout)
        except asyncio.TimeoutError:
            if not self._forget(request_id):
                raise  # pragma: no cover - the answer's own TimeoutError; ours are always pending
            self._cancel(request_id)
            raise BridgeTimeoutError(
                f"{method} got no answer within {timeout} s; sent $/cancelRequest for id {request_id}"
            ) from None
        except asyncio.CancelledError:
            if self._forget(request_id):
                self._cancel(request_id)
            raise

    async def close(self) -> Optional[int]:
        """Stop the bridge (close stdin, wait, SIGTERM, wait, SIGKILL); idempotent; the exit status."""
        if self._close_task is None:
            self._closing = True
            if self._closed_reason is None:
                self._closed_reason = "the bridge was closed"
            self._close_task = self._loop.create_task(self._stop())
        # shield: a caller cancelled mid-close must not leave the process half stopped.
        return await asyncio.shield(self._close_task)

    # -- writing --------------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        if stdin.is_closing():
            raise BridgeClosedError(self._closed_reason or "the bridge stopped reading")
        stdin.write(data)
        _trace.sent(data)

    async def _answer(self, future: "asyncio.Future[Any]") -> Any:
        async with self._drain_lock:
            try:
                await self._process.stdin.drain()  # type: ignore[union-attr]
            except (ConnectionError, OSError):
                pass  # the reader sees EOF and fails this call with BridgeClosedError
        return await future

    def _cancel(self, request_id: int) -> None:
        try:
            self._write(_protocol.cancel_notification(request_id))
        except BridgeClosedError:
            pass  # a dead bridge is doing no work to cancel

    def _forget(self, request_id: int) -> bool:
        """Take a call out of the pending map; True if this caller now owns its outcome."""
        return self._pending.pop(request_id, None) is not None

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
        finally:
            await self._on_eof()

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
            future = self._pending.pop(response.id, None)
        # A future already done was cancelled with its task a moment before this answer came.
        if future is None or response is None or future.done():
            _trace.unmatched(message)
            return
        _trace.received(message)
        if response.error is not None:
            future.set_exception(response.error)
        else:
            future.set_result(response.result)

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
        self._fail_pending(f"{reason} before answering" if self._closing else reason)

    def _fail_pending(self, reason: str) -> None:
        pending, self._pending = self._pending, {}
        for future in pending.values():
            if not future.done():
                future.set_exception(_launch.closed_error(reason, self._exit_status))

    async def _stop(self) -> Optional[int]:
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        status: Optional[int] = None
        for wait, escalate in (
            (_launch.STDIN_EOF_GRACE_SECONDS, self._process.terminate),
            (_launch.SIGTERM_GRACE_SECONDS, self._process.kill),
            (_launch.SIGKILL_REAP_SECONDS, None),
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
            await asyncio.wait_for(self._reader, _launch.SIGKILL_REAP_SECONDS)
        except asyncio.TimeoutError:
            pass  # wait_for cancelled the reader; the pending calls are failed just below
        self._fail_pending("the bridge was closed before answering")
        return status
