"""Every exception the client raises, and the one table from wire error codes to classes.

Codes: JSON-RPC 2.0 section 5.1 (-32700 to -32603), LSP 3.17 ``RequestCancelled`` (-32800) and
the bridge's own -32001 to -32003 (``schema/openrpc.json``, ``components.errors``). Adding a code
means adding a class and one row to ``_CLASS_FOR_CODE``; nothing else changes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Type


class BridgeError(Exception):
    """Base of every error this package raises: the JSON-RPC ``code``, ``message`` and ``data``.

    Client-side errors (closed, not found, timeout, version) have ``code`` None.
    """

    def __init__(self, message: str, code: Optional[int] = None, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data

    def _details(self) -> Optional[str]:
        """What a subclass adds to ``str()`` from ``data``; None adds nothing."""
        return None

    def __str__(self) -> str:
        details = self._details()
        return f"{self.message} ({details})" if details else self.message

    def _field(self, name: str) -> Any:
        return self.data.get(name) if isinstance(self.data, Mapping) else None

    def _int(self, name: str) -> Optional[int]:
        value = self._field(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _str(self, name: str) -> Optional[str]:
        value = self._field(name)
        return value if isinstance(value, str) else None


# -- JSON-RPC protocol errors (the request itself was wrong) --------------------------------------


class ProtocolError(BridgeError):
    """The bridge refused the message itself (JSON-RPC 2.0 section 5.1); a client bug, not Medusa."""

    def _details(self) -> Optional[str]:
        field = self._field("field")
        return f"field {field!r}" if field else None


class ParseError(ProtocolError):
    """-32700: the bridge could not parse what it read as JSON."""


class InvalidRequestError(ProtocolError):
    """-32600: the JSON was not a valid JSON-RPC request."""


class MethodNotFoundError(ProtocolError):
    """-32601: the bridge does not serve this method (an older or newer binary)."""


class InvalidParamsError(ProtocolError):
    """-32602: a parameter is missing or has the wrong type; ``data.field`` names it."""


class InternalError(ProtocolError):
    """-32603: the bridge failed unexpectedly; its stderr has the details."""


# -- Medusa and the road to it --------------------------------------------------------------------


class MedusaError(BridgeError):
    """-32001: Medusa answered with a non-2xx status.

    ``type``, ``medusa_message`` and ``medusa_code`` come from Medusa's JSON error body
    (``{type, message, code?}``); ``body`` is the text when the body was not that JSON
    (``"Unauthorized"`` for a failed login). See medusa-store-auth.md section 1.3.
    """

    @property
    def status(self) -> Optional[int]:
        return self._int("status")

    @property
    def type(self) -> Optional[str]:
        return self._str("type")

    @property
    def medusa_message(self) -> Optional[str]:
        return self._str("message")

    @property
    def medusa_code(self) -> Optional[str]:
        return self._str("code")

    @property
    def body(self) -> Optional[str]:
        return self._str("body")

    def _details(self) -> Optional[str]:
        said = self.medusa_message if self.medusa_message is not None else self.body
        kind = f" {self.type}" if self.type else ""
        return f"HTTP {self.status}{kind}: {said}" if said else f"HTTP {self.status}{kind}"


class UnauthorizedError(MedusaError):
    """-32001 with status 401: bad credentials, or no logged-in customer in this session."""


class NotFoundError(MedusaError):
    """-32001 with status 404: e.g. the session's customer no longer exists."""


class BridgeUnreachableError(BridgeError):
    """-32002: the bridge could not reach Medusa after every retry."""

    @property
    def reason(self) -> Optional[str]:
        """One word: refused, timeout, dns, tls or other."""
        return self._str("reason")

    @property
    def attempts(self) -> Optional[int]:
        return self._int("attempts")

    @property
    def detail(self) -> Optional[str]:
        return self._str("detail")

    def _details(self) -> Optional[str]:
        return f"{self.reason} after {self.attempts} attempt(s): {self.detail}"


class BadResponseError(BridgeError):
    """-32003: Medusa answered 2xx with a body that is not the JSON expected."""

    @property
    def status(self) -> Optional[int]:
        return self._int("status")

    @property
    def body(self) -> Optional[str]:
        return self._str("body")

    def _details(self) -> Optional[str]:
        return f"HTTP {self.status}: {self.body!r}"


class CancelledError(BridgeError):
    """-32800: the bridge abandoned the request after a ``$/cancelRequest`` (LSP 3.17).

    Not ``asyncio.CancelledError``: a cancelled asyncio task raises that one, as asyncio expects.
    This one is seen only when something else cancelled the request on the bridge.
    """


# -- Client-side errors ---------------------------------------------------------------------------


class BridgeClosedError(BridgeError):
    """The bridge process is gone or was closed; every pending and later call raises this.

    ``exit_code`` and ``signal`` say how the process ended, when known (as in the Node client).
    """

    def __init__(self, message: str, exit_code: Optional[int] = None, signal: Optional[int] = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.signal = signal


class BridgeVersionError(BridgeError):
    """The bridge speaks another protocol version than this client; raised by the handshake.

    From the bridge's -32602 answer to ``initialize`` (``data: {supported, requested}``: then
    ``supported`` is set) or from an ``initialize`` result naming another version (then
    ``bridge_version`` is). Same name and fields as the Node client's.
    """

    def __init__(
        self,
        client_version: str,
        *,
        bridge_version: Optional[str] = None,
        supported: Optional[Sequence[str]] = None,
        code: Optional[int] = None,
        data: Any = None,
    ) -> None:
        self.client_version = client_version
        self.bridge_version = bridge_version
        self.supported: Optional[List[str]] = list(supported) if supported is not None else None
        if self.supported is not None:
            theirs = f"supports protocol versions {', '.join(self.supported) or '(none)'}"
        else:
            theirs = f"speaks protocol version {bridge_version!r}"
        super().__init__(
            f"medusa-auth-bridge {theirs}; this client speaks {client_version}: "
            "install a client and a bridge of the same release",
            code,
            data,
        )


class BridgeTimeoutError(BridgeError, TimeoutError):
    """A call outlived its ``timeout=``; ``$/cancelRequest`` was sent so the bridge stops too."""


class BridgeNotFoundError(BridgeError):
    """No bridge binary was found; ``searched`` lists every place tried, in order, and why not."""

    def __init__(self, searched: Sequence[Tuple[str, str]]) -> None:
        self.searched: List[Tuple[str, str]] = list(searched)
        lines = "\n".join(f"  - {place}: {why}" for place, why in self.searched)
        super().__init__(
            "medusa-auth-bridge binary not found. Searched, in order:\n"
            f"{lines}\n"
            "Pass binary=..., set MEDUSA_AUTH_BRIDGE to the binary's path, "
            "run `swift build -c release` in the checkout, or put it on PATH."
        )


# The one table from wire codes to classes; -32001 is refined by status in `error_from_wire`.
_CLASS_FOR_CODE: Dict[int, Type[BridgeError]] = {
    -32700: ParseError,
    -32600: InvalidRequestError,
    -32601: MethodNotFoundError,
    -32602: InvalidParamsError,
    -32603: InternalError,
    -32001: MedusaError,
    -32002: BridgeUnreachableError,
    -32003: BadResponseError,
    -32800: CancelledError,
}

_MEDUSA_CLASS_FOR_STATUS: Dict[int, Type[MedusaError]] = {
    401: UnauthorizedError,
    404: NotFoundError,
}


def error_from_wire(error: Any) -> BridgeError:
    """Turn a JSON-RPC error object into the matching exception; unknown codes give BridgeError."""
    if not isinstance(error, Mapping):
        return BridgeError(f"malformed error object from the bridge: {error!r}")
    code = error.get("code")
    message = error.get("message")
    if not isinstance(message, str):
        message = f"error {code}"
    data = error.get("data")
    cls = _CLASS_FOR_CODE.get(code, BridgeError) if isinstance(code, int) else BridgeError
    if cls is MedusaError and isinstance(data, Mapping) and isinstance(data.get("status"), int):
        cls = _MEDUSA_CLASS_FOR_STATUS.get(data["status"], MedusaError)
    return cls(message, code if isinstance(code, int) else None, data)
