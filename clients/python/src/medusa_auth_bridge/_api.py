"""The sync API's ``Bridge``: a process started in the constructor, stopped by ``close()``.

Its methods and sessions come from ``_sync_resources.py`` (generated from the asyncio surface);
this file only starts, checks and stops the process. All I/O and thread-safety live in
``_connection.Connection``.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Mapping, Optional, cast

from . import _driver, _launch, _methods, _options, _protocol
from ._connection import Connection
from ._errors import BridgeClosedError, BridgeError, BridgeTimeoutError
from ._options import Stderr, StrPath
from ._sync_resources import Auth, BridgeMethods, Headers, Store
from ._types import InitializeResult


class Bridge(BridgeMethods):
    """A running ``medusa-auth-bridge`` process; thread-safe; use it as a context manager.

    The constructor validates every option (ValueError/TypeError, before anything is spawned),
    finds the binary (BridgeNotFoundError), starts it and checks its protocol version, so a
    binary that is missing, is not a bridge (BridgeStartError) or speaks another version
    (BridgeVersionError) fails here, not at the first call. ``auth`` and ``store`` are the
    default session's; ``session(name)`` gives a named one. Durations are in seconds.
    """

    binary: str
    server_info: InitializeResult
    auth: Auth
    store: Store

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
        self._connection: Optional[Connection] = None
        options = _options.validate(
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
        self._options = options
        self.binary = _driver.find_binary(options.binary)
        _driver.check_runtime_libraries(self.binary)
        try:
            # Connection stops its process itself if interrupted while starting; from the
            # assignment on, this handler does (a Ctrl-C may land on any line).
            self._connection = Connection(_launch.build_argv(self.binary, options), _launch.build_env(options), options)
            self.server_info = self._handshake(self._connection)
        except BaseException:
            if self._connection is not None:
                self._connection.close()
            raise
        self.auth = Auth(self, None)
        self.store = Store(self, None)

    def _handshake(self, connection: Connection) -> InitializeResult:
        timeout = self._options.handshake_timeout
        try:
            result = connection.call(_methods.INITIALIZE.wire, _protocol.initialize_params(), timeout)
        except BridgeTimeoutError:
            raise _launch.start_error(self.binary, None, None, timeout=timeout) from None
        except BridgeClosedError:
            status = connection.wait_exit(_launch.STDERR_FLUSH_SECONDS)
            raise _launch.start_error(self.binary, status, connection.stderr_tail(), timeout=None) from None
        except BridgeError as error:
            raise (_protocol.version_error(error) or error) from error
        return cast(InitializeResult, _protocol.check_initialize_result(result))

    def _call(
        self,
        method: _methods.Method,
        session: Optional[str],
        headers: Headers,
        timeout: Optional[float],
        fields: Mapping[str, Any],
    ) -> Any:
        timeout = _options.optional_duration("timeout", timeout)
        if not method.scoped:
            return self._live().call(method.wire, dict(fields), timeout)
        params = _methods.params(session, _options.check_headers(headers) if headers is not None else None, fields)
        return self._live().call(method.wire, params, timeout, session if session is not None else "default")

    def _live(self) -> Connection:
        assert self._connection is not None  # set by the constructor, which raises otherwise
        return self._connection

    @property
    def protocol_version(self) -> str:
        return self.server_info["protocolVersion"]

    @property
    def pid(self) -> int:
        """The bridge process's id (for diagnostics, and for tests that signal it)."""
        return self._live().pid

    @property
    def closed(self) -> bool:
        return self._live().closed

    @property
    def exit_code(self) -> Optional[int]:
        """The bridge's exit status once it exited by itself, else None."""
        return _launch.exit_code(self._live().exit_status)

    @property
    def signal(self) -> Optional[str]:
        """The signal that ended the bridge (``'SIGKILL'``), else None."""
        return _launch.signal_name(self._live().exit_status)

    def close(self) -> None:
        """Cancel pending calls, then stop the bridge: close stdin, wait, SIGTERM, wait, SIGKILL.

        Each wait is bounded by ``exit_timeout``, ``terminate_timeout`` and ``kill_timeout``.
        Idempotent; ``exit_code`` and ``signal`` then say how the process ended.
        """
        if self._connection is not None:
            self._connection.close()

    def __enter__(self) -> "Bridge":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        connection = getattr(self, "_connection", None)
        # The fork check first: in a forked child ``closed`` must not be what decides (the parent owns the process).
        if connection is None or connection._owner_pid != os.getpid() or connection.closed:
            return
        warnings.warn(f"unclosed {self!r}: call close() or use `with Bridge(...)`", ResourceWarning, source=self)
        connection.abandon()

    def __repr__(self) -> str:
        connection = getattr(self, "_connection", None)
        state = "closed" if connection is None or connection.closed else f"pid={connection.pid}"
        return f"Bridge({getattr(self, 'binary', None)!r}, {state})"


Bridge.__module__ = "medusa_auth_bridge"
