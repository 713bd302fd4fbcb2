"""The asyncio API: ``AsyncBridge``, ``AsyncSession``, ``AsyncAuth``; the sync API's shape, awaited.

The process starts on ``async with`` (or ``await bridge.start()``, or lazily on the first call)
because a constructor cannot await. The binary is still looked up in the constructor, so a
missing one fails where the bridge is created. One ``AsyncBridge`` belongs to the event loop
that started it.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Mapping, Optional, cast

from . import _launch, _methods, _protocol
from ._async_connection import AsyncConnection
from ._driver import StrPath, find_binary
from ._errors import BridgeClosedError, BridgeError
from ._types import (
    Empty,
    InitializeResult,
    SessionInfo,
    SessionList,
    StoreAuthRes,
    StoreBearerAuthRes,
    StoreGetAuthEmailRes,
)


class AsyncAuth:
    """medusa-js's ``AuthResource`` for one session, awaited; see ``Auth`` for each method."""

    def __init__(self, bridge: "AsyncBridge", session: Optional[str]) -> None:
        self._bridge = bridge
        self._session = session

    async def authenticate(
        self,
        email: str,
        password: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreAuthRes:
        """Log in with a cookie session (``POST /store/auth``); the session keeps the cookie."""
        params = _methods.auth_params(self._session, custom_headers, email=email, password=password)
        return cast(StoreAuthRes, await self._bridge._call(_methods.AUTHENTICATE, params, timeout))

    async def get_session(
        self, *, custom_headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None
    ) -> StoreAuthRes:
        """The logged-in customer (``GET /store/auth``); UnauthorizedError when nobody is."""
        params = _methods.auth_params(self._session, custom_headers)
        return cast(StoreAuthRes, await self._bridge._call(_methods.GET_SESSION, params, timeout))

    async def delete_session(
        self, *, custom_headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None
    ) -> Empty:
        """Log out (``DELETE /store/auth``); the session forgets its cookies and its token."""
        params = _methods.auth_params(self._session, custom_headers)
        return cast(Empty, await self._bridge._call(_methods.DELETE_SESSION, params, timeout))

    async def exists(
        self,
        email: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreGetAuthEmailRes:
        """Whether a registered customer uses ``email`` (``GET /store/auth/{email}``)."""
        params = _methods.auth_params(self._session, custom_headers, email=email)
        return cast(StoreGetAuthEmailRes, await self._bridge._call(_methods.EXISTS, params, timeout))

    async def get_token(
        self,
        email: str,
        password: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreBearerAuthRes:
        """Log in for a JWT (``POST /store/auth/token``); the session then sends it as Bearer."""
        params = _methods.auth_params(self._session, custom_headers, email=email, password=password)
        return cast(StoreBearerAuthRes, await self._bridge._call(_methods.GET_TOKEN, params, timeout))


class AsyncSession:
    """A named session: its own cookie jar and token in the bridge, isolated from the others."""

    def __init__(self, bridge: "AsyncBridge", name: str) -> None:
        self.name = name
        self.auth = AsyncAuth(bridge, name)
        self._bridge = bridge

    async def clear(self, *, timeout: Optional[float] = None) -> Empty:
        """Forget this session's cookies and token in the bridge (no HTTP request)."""
        return cast(Empty, await self._bridge._call(_methods.SESSION_CLEAR, {"session": self.name}, timeout))

    def __repr__(self) -> str:
        return f"AsyncSession({self.name!r})"


class AsyncBridge:
    """A ``medusa-auth-bridge`` process driven from asyncio; use ``async with AsyncBridge(...)``."""

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        max_retries: Optional[int] = None,
        publishable_api_key: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
        http_timeout: Optional[float] = None,
        log_level: Optional[str] = None,
        binary: Optional[StrPath] = None,
        env: Optional[Mapping[str, str]] = None,
        stderr: _launch.Stderr = None,
    ) -> None:
        self.binary = find_binary(binary)
        options = _launch.LaunchOptions(
            base_url=base_url,
            max_retries=max_retries,
            publishable_api_key=publishable_api_key,
            headers=dict(headers or {}),
            http_timeout=http_timeout,
            log_level=log_level,
            env=dict(env or {}),
        )
        self._argv = _launch.build_argv(self.binary, options)
        self._env = _launch.build_env(options)
        self._stderr = stderr
        self._connection: Optional[AsyncConnection] = None
        self._start_lock: Optional[asyncio.Lock] = None
        self._closed = False
        self.server_info: Optional[InitializeResult] = None
        self.auth = AsyncAuth(self, None)

    async def start(self) -> "AsyncBridge":
        """Start the process and check its protocol version; idempotent."""
        await self._started()
        return self

    async def _started(self) -> AsyncConnection:
        if self._connection is not None:
            return self._connection
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()  # created here: it must belong to the running loop
        async with self._start_lock:
            if self._closed:
                raise BridgeClosedError("the bridge was closed")
            if self._connection is None:
                connection = await AsyncConnection.start(self._argv, self._env, self._stderr)
                try:
                    self.server_info = await self._handshake(connection)
                except BaseException:
                    await connection.close()
                    raise
                self._connection = connection
            return self._connection

    async def _handshake(self, connection: AsyncConnection) -> InitializeResult:
        try:
            result = await connection.call(
                _methods.INITIALIZE.wire, _protocol.initialize_params(), _launch.HANDSHAKE_TIMEOUT_SECONDS
            )
        except BridgeError as error:
            raise _protocol.handshake_error(error, self.binary, _launch.HANDSHAKE_TIMEOUT_SECONDS) from error
        return cast(InitializeResult, _protocol.check_initialize_result(result))

    async def _call(self, method: _methods.Method, params: Mapping[str, Any], timeout: Optional[float]) -> Any:
        if self._closed:
            raise BridgeClosedError("the bridge was closed")
        connection = await self._started()
        return await connection.call(method.wire, params, timeout)

    @property
    def protocol_version(self) -> Optional[str]:
        return self.server_info["protocolVersion"] if self.server_info else None

    @property
    def pid(self) -> Optional[int]:
        """The bridge process's id once started (for diagnostics, and for tests that kill it)."""
        return self._connection.pid if self._connection else None

    @property
    def closed(self) -> bool:
        return self._closed or (self._connection is not None and self._connection.closed)

    def session(self, name: str) -> AsyncSession:
        """The session called ``name``; the bridge creates it on first use."""
        return AsyncSession(self, name)

    async def sessions(self, *, timeout: Optional[float] = None) -> List[SessionInfo]:
        """Every session the bridge holds (name, hasCookie, hasToken, customerId), without secrets."""
        result = cast(SessionList, await self._call(_methods.SESSION_LIST, {}, timeout))
        return result["sessions"]

    async def ping(self, *, timeout: Optional[float] = None) -> Empty:
        """A round trip that touches nothing: is the bridge alive and answering?"""
        return cast(Empty, await self._call(_methods.PING, {}, timeout))

    async def discover(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """The bridge's OpenRPC document (``rpc.discover``)."""
        return cast(Dict[str, Any], await self._call(_methods.DISCOVER, {}, timeout))

    async def close(self) -> Optional[int]:
        """Stop the bridge: close stdin, bounded wait, SIGTERM, bounded wait, SIGKILL. Idempotent."""
        self._closed = True
        if self._connection is None:
            return None
        return await self._connection.close()

    async def __aenter__(self) -> "AsyncBridge":
        return await self.start()

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"pid={self.pid}"
        return f"AsyncBridge({self.binary!r}, {state})"
