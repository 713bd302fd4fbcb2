"""The sync API: ``Bridge``, its named ``Session``s and their ``Auth`` methods.

A thin layer over ``_connection.Connection``: it names the methods, builds by-name params and
types the results; all I/O and thread-safety live in the connection.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, cast

from . import _launch, _methods, _protocol
from ._connection import Connection
from ._driver import StrPath, find_binary
from ._errors import BridgeError
from ._types import (
    Empty,
    InitializeResult,
    SessionInfo,
    SessionList,
    StoreAuthRes,
    StoreBearerAuthRes,
    StoreGetAuthEmailRes,
)


class Auth:
    """medusa-js's ``AuthResource`` for one session; every call takes ``custom_headers`` and ``timeout``.

    ``timeout`` (seconds) bounds the whole call; when it expires the call raises
    BridgeTimeoutError and the bridge is told to stop the work (``$/cancelRequest``).
    """

    def __init__(self, connection: Connection, session: Optional[str]) -> None:
        self._connection = connection
        self._session = session

    def authenticate(
        self,
        email: str,
        password: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreAuthRes:
        """Log in with a cookie session (``POST /store/auth``); the session keeps the cookie."""
        params = _methods.auth_params(self._session, custom_headers, email=email, password=password)
        return cast(StoreAuthRes, self._connection.call(_methods.AUTHENTICATE.wire, params, timeout))

    def get_session(
        self, *, custom_headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None
    ) -> StoreAuthRes:
        """The logged-in customer (``GET /store/auth``); UnauthorizedError when nobody is."""
        params = _methods.auth_params(self._session, custom_headers)
        return cast(StoreAuthRes, self._connection.call(_methods.GET_SESSION.wire, params, timeout))

    def delete_session(
        self, *, custom_headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None
    ) -> Empty:
        """Log out (``DELETE /store/auth``); the session forgets its cookies and its token."""
        params = _methods.auth_params(self._session, custom_headers)
        return cast(Empty, self._connection.call(_methods.DELETE_SESSION.wire, params, timeout))

    def exists(
        self,
        email: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreGetAuthEmailRes:
        """Whether a registered customer uses ``email`` (``GET /store/auth/{email}``)."""
        params = _methods.auth_params(self._session, custom_headers, email=email)
        return cast(StoreGetAuthEmailRes, self._connection.call(_methods.EXISTS.wire, params, timeout))

    def get_token(
        self,
        email: str,
        password: str,
        *,
        custom_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
    ) -> StoreBearerAuthRes:
        """Log in for a JWT (``POST /store/auth/token``); the session then sends it as Bearer."""
        params = _methods.auth_params(self._session, custom_headers, email=email, password=password)
        return cast(StoreBearerAuthRes, self._connection.call(_methods.GET_TOKEN.wire, params, timeout))


class Session:
    """A named session: its own cookie jar and token in the bridge, isolated from the others."""

    def __init__(self, connection: Connection, name: str) -> None:
        self.name = name
        self.auth = Auth(connection, name)
        self._connection = connection

    def clear(self, *, timeout: Optional[float] = None) -> Empty:
        """Forget this session's cookies and token in the bridge (no HTTP request)."""
        params = {"session": self.name}
        return cast(Empty, self._connection.call(_methods.SESSION_CLEAR.wire, params, timeout))

    def __repr__(self) -> str:
        return f"Session({self.name!r})"


class Bridge:
    """A running ``medusa-auth-bridge`` process; thread-safe; use it as a context manager.

    The constructor finds the binary, starts it and checks its protocol version, so a missing
    binary (BridgeNotFoundError) or a mismatched one (ProtocolVersionError) fails here, not at
    the first call. ``auth`` is the default session; ``session(name)`` gives a named one.
    """

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
        self._connection = Connection(
            _launch.build_argv(self.binary, options), _launch.build_env(options), stderr
        )
        try:
            self.server_info: InitializeResult = self._handshake()
        except BaseException:
            self._connection.close()
            raise
        self.auth = Auth(self._connection, None)

    def _handshake(self) -> InitializeResult:
        try:
            result = self._connection.call(
                _methods.INITIALIZE.wire, _protocol.initialize_params(), _launch.HANDSHAKE_TIMEOUT_SECONDS
            )
        except BridgeError as error:
            raise _protocol.handshake_error(error, self.binary, _launch.HANDSHAKE_TIMEOUT_SECONDS) from error
        return cast(InitializeResult, _protocol.check_initialize_result(result))

    @property
    def protocol_version(self) -> str:
        return self.server_info["protocolVersion"]

    @property
    def pid(self) -> int:
        """The bridge process's id (for diagnostics, and for tests that kill it)."""
        return self._connection.pid

    @property
    def closed(self) -> bool:
        return self._connection.closed

    def session(self, name: str) -> Session:
        """The session called ``name``; the bridge creates it on first use."""
        return Session(self._connection, name)

    def sessions(self, *, timeout: Optional[float] = None) -> List[SessionInfo]:
        """Every session the bridge holds (name, hasCookie, hasToken, customerId), without secrets."""
        result = cast(SessionList, self._connection.call(_methods.SESSION_LIST.wire, {}, timeout))
        return result["sessions"]

    def ping(self, *, timeout: Optional[float] = None) -> Empty:
        """A round trip that touches nothing: is the bridge alive and answering?"""
        return cast(Empty, self._connection.call(_methods.PING.wire, {}, timeout))

    def discover(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """The bridge's OpenRPC document (``rpc.discover``)."""
        return cast(Dict[str, Any], self._connection.call(_methods.DISCOVER.wire, {}, timeout))

    def close(self) -> Optional[int]:
        """Stop the bridge: close stdin, bounded wait, SIGTERM, bounded wait, SIGKILL. Idempotent."""
        return self._connection.close()

    def __enter__(self) -> "Bridge":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"pid={self.pid}"
        return f"Bridge({self.binary!r}, {state})"
