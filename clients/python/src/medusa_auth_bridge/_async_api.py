"""The asyncio API's ``AsyncBridge``: a process started on ``async with`` and stopped by ``close()``.

The process starts on ``async with`` (or ``await bridge.start()``, or lazily on the first call)
because a constructor cannot await. Options are validated and the binary is looked up in the
constructor, so a bad option or a missing binary fails where the bridge is created. One
``AsyncBridge`` belongs to the event loop that started it. Its methods and sessions are declared
in ``_async_resources.py``, once for both APIs.
"""

from __future__ import annotations

import asyncio
import os
import warnings
from typing import Any, Mapping, Optional, cast

from . import _driver, _launch, _methods, _options, _protocol
from ._async_connection import AsyncConnection
from ._async_resources import AsyncAuth, AsyncBridgeMethods, AsyncStore, Headers
from ._errors import BridgeClosedError, BridgeError, BridgeTimeoutError, CancelledError, call_prefix
from ._options import Stderr, StrPath
from ._types import InitializeResult


class AsyncBridge(AsyncBridgeMethods):
    """A ``medusa-auth-bridge`` process driven from asyncio; use ``async with AsyncBridge(...)``.

    Takes the same options as ``Bridge``; durations are in seconds.
    """

    binary: str
    server_info: Optional[InitializeResult]
    auth: AsyncAuth
    store: AsyncStore

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        max_retries: Optional[int] = None,
        publishable_api_key: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        http_timeout: Optional[float] = None,
        log_level: Optional[str] = None,
        auth_type: Optional[str] = None,
        binary: Optional[StrPath] = None,
        env: Optional[Mapping[str, str]] = None,
        stderr: Stderr = None,
        handshake_timeout: Optional[float] = None,
        exit_timeout: Optional[float] = None,
        terminate_timeout: Optional[float] = None,
        kill_timeout: Optional[float] = None,
    ) -> None:
        self._connection: Optional[AsyncConnection] = None
        self._options = _options.validate(
            base_url=base_url,
            max_retries=max_retries,
            publishable_api_key=publishable_api_key,
            headers=headers,
            http_timeout=http_timeout,
            log_level=log_level,
            auth_type=auth_type,
            binary=binary,
            env=env,
            stderr=stderr,
            handshake_timeout=handshake_timeout,
            exit_timeout=exit_timeout,
            terminate_timeout=terminate_timeout,
            kill_timeout=kill_timeout,
        )
        self.binary = _driver.find_binary(self._options.binary)
        _driver.check_runtime_libraries(self.binary)
        self._argv = _launch.build_argv(self.binary, self._options)
        self._env = _launch.build_env(self._options)
        # The start, shared by every call that waits for it; the connection being started, so that
        # close() can stop it.
        self._start_task: Optional["asyncio.Future[AsyncConnection]"] = None
        self._starting: Optional[AsyncConnection] = None
        self._closed = False
        self.server_info = None
        self.auth = AsyncAuth(self, None)
        self.store = AsyncStore(self, None)

    async def start(self) -> "AsyncBridge":
        """Start the process and check its protocol version; idempotent."""
        await self._started()
        return self

    async def _started(self) -> AsyncConnection:
        if self._connection is not None:
            self._connection.check_usable()
            return self._connection
        if self._closed:
            raise BridgeClosedError("the bridge was closed")
        if self._start_task is None:
            # A task of its own: a caller that stops waiting (its timeout, its cancellation) does not
            # stop the start the other callers wait for.
            self._start_task = asyncio.ensure_future(self._start())
        task = self._start_task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done() and (task.cancelled() or task.exception() is not None) and self._start_task is task:
                self._start_task = None  # a failed start is tried again by the next call

    async def _start(self) -> AsyncConnection:
        connection = await AsyncConnection.start(self._argv, self._env, self._options)
        self._starting = connection
        try:
            if not self._closed:
                self.server_info = await self._handshake(connection)
            if self._closed:
                raise BridgeClosedError("the bridge was closed")
        except BaseException:
            await connection.close()
            if self._closed:
                # What a call pending at close() gets, as when the bridge had already started.
                raise CancelledError("cancelled: the bridge was closed while it started", -32800) from None
            raise
        finally:
            self._starting = None
        self._connection = connection
        return connection

    async def _handshake(self, connection: AsyncConnection) -> InitializeResult:
        timeout = self._options.handshake_timeout
        try:
            result = await connection.call(_methods.INITIALIZE.wire, _protocol.initialize_params(), timeout)
        except BridgeTimeoutError:
            raise _launch.start_error(self.binary, None, None, timeout=timeout) from None
        except BridgeClosedError:
            status = await connection.wait_exit(_launch.STDERR_FLUSH_SECONDS)
            tail = await asyncio.get_running_loop().run_in_executor(None, connection.stderr_tail)
            raise _launch.start_error(self.binary, status, tail, timeout=None) from None
        except BridgeError as error:
            raise (_protocol.version_error(error) or error) from error
        return cast(InitializeResult, _protocol.check_initialize_result(result))

    async def _call(
        self,
        method: _methods.Method,
        session: Optional[str],
        headers: Headers,
        timeout: Optional[float],
        fields: Mapping[str, Any],
    ) -> Any:
        timeout = _options.optional_duration("timeout", timeout)
        total = timeout  # what the caller asked for, named in a BridgeTimeoutError
        checked = _options.check_headers(headers) if headers is not None else None
        if self._closed:
            raise BridgeClosedError("the bridge was closed")
        if self._connection is None and timeout is not None:
            # The call's timeout covers the start it waits for, as in the Node client.
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            try:
                connection = await asyncio.wait_for(self._started(), timeout)
            except asyncio.TimeoutError:
                called = session if session is not None else "default" if method.scoped else None
                raise BridgeTimeoutError(
                    f"{call_prefix(method.wire, called)}no answer within {timeout:g} s: the bridge had not finished starting",
                    timeout,
                    method=method.wire,
                    session=called,
                ) from None
            timeout = max(deadline - loop.time(), 0.0)
        else:
            connection = await self._started()
        if not method.scoped:
            return await connection.call(method.wire, dict(fields), timeout, total_timeout=total)
        params = _methods.params(session, checked, fields)
        return await connection.call(
            method.wire, params, timeout, session if session is not None else "default", total_timeout=total)

    @property
    def protocol_version(self) -> Optional[str]:
        return self.server_info["protocolVersion"] if self.server_info else None

    @property
    def pid(self) -> Optional[int]:
        """The bridge process's id once started (for diagnostics, and for tests that signal it)."""
        return self._connection.pid if self._connection else None

    @property
    def closed(self) -> bool:
        return self._closed or (self._connection is not None and self._connection.closed)

    @property
    def exit_code(self) -> Optional[int]:
        """The bridge's exit status once it exited by itself, else None."""
        return _launch.exit_code(self._connection.exit_status) if self._connection else None

    @property
    def signal(self) -> Optional[str]:
        """The signal that ended the bridge (``'SIGKILL'``), else None."""
        return _launch.signal_name(self._connection.exit_status) if self._connection else None

    async def close(self) -> None:
        """Cancel pending calls, then stop the bridge: close stdin, wait, SIGTERM, wait, SIGKILL.

        Each wait is bounded by ``exit_timeout``, ``terminate_timeout`` and ``kill_timeout``. Idempotent.
        From another event loop than the one that started it: RuntimeError, and nothing is closed.
        """
        if self._connection is not None:
            self._connection.check_usable()
        self._closed = True
        task = self._start_task
        if task is not None and not task.done():
            # A start in progress stops what it started, and its waiting calls get CancelledError.
            if self._starting is not None:
                await self._starting.close()
            await asyncio.wait([task])
            if not task.cancelled():
                task.exception()  # retrieved: its callers have it, or there were none
        if self._connection is not None:
            await self._connection.close()

    async def __aenter__(self) -> "AsyncBridge":
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def __del__(self) -> None:
        connection = getattr(self, "_connection", None)
        if connection is None or connection.closed or connection._owner_pid != os.getpid():
            return
        warnings.warn(f"unclosed {self!r}: use `async with AsyncBridge(...)` or await close()", ResourceWarning, source=self)
        connection.abandon("the AsyncBridge was collected without close()")

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"pid={self.pid}"
        return f"AsyncBridge({getattr(self, 'binary', None)!r}, {state})"


AsyncBridge.__module__ = "medusa_auth_bridge"
