"""Every exception the client raises, and the one table from wire error codes to classes.

Codes: JSON-RPC 2.0 section 5.1 (-32700 to -32603), LSP 3.17 ``RequestCancelled`` (-32800) and
the bridge's own -32001 to -32003 (``schema/openrpc.json``, ``components.errors``). Adding a code
means adding a class and one row to ``_CLASS_FOR_CODE``; nothing else changes.

Messages state once what happened, with the method and the session
(``auth.getSession in session 'alice': Medusa answered 401 Unauthorized``); the attributes carry
the parts. Every class is picklable with all its attributes (multiprocessing, pytest-xdist) and
shows as ``medusa_auth_bridge.X`` in tracebacks. Attribute names follow ``clients/PARITY.md``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Type

#: Public module name for every class below: tracebacks and ``repr`` show what users import.
_PUBLIC_MODULE = "medusa_auth_bridge"


def _rebuild(cls: Type["BridgeError"], message: str, state: Dict[str, Any]) -> "BridgeError":
    """Unpickle without calling ``__init__``, whose signature differs between subclasses."""
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class BridgeError(Exception):
    """Base of every error this package raises: the JSON-RPC ``code``, ``message`` and ``data``.

    ``method`` (the wire name, e.g. ``auth.getSession``) and ``session`` (``'default'`` for the
    default session) say which call failed; both are None for errors not tied to a call.
    Client-side errors (closed, not found, timeout, version) have ``code`` None.
    """

    message: str
    code: Optional[int]
    data: Any
    method: Optional[str]
    session: Optional[str]

    def __init__(
        self,
        message: str,
        code: Optional[int] = None,
        data: Any = None,
        *,
        method: Optional[str] = None,
        session: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.data = data
        self.method = method
        self.session = session

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, dict(self.__dict__)))

    def _field(self, name: str) -> Any:
        return self.data.get(name) if isinstance(self.data, Mapping) else None

    def _int(self, name: str) -> Optional[int]:
        value = self._field(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _str(self, name: str) -> Optional[str]:
        value = self._field(name)
        return value if isinstance(value, str) else None

    @property
    def step(self) -> Optional[str]:
        """The failed step: ``auth.signup``'s ``register``/``create``/``login``; ``session``: cookie exchange."""
        return self._str("step")

    def _summary(self) -> str:
        """What happened, without the call's name (the part after ``method in session 'x': ``),
        ending with ``data.detail``, the bridge's words for the fault (-32002, -32003), when given."""
        detail = self._str("detail")
        return f"{self.message}: {detail}" if detail else self.message


# -- JSON-RPC protocol errors (the request itself was wrong) --------------------------------------


class ProtocolError(BridgeError):
    """The bridge refused the message itself (JSON-RPC 2.0 section 5.1); a client bug, not Medusa."""


class ParseError(ProtocolError):
    """-32700: the bridge could not parse what it read as JSON."""


class InvalidRequestError(ProtocolError):
    """-32600: the JSON was not a valid JSON-RPC request."""


class MethodNotFoundError(ProtocolError):
    """-32601: the bridge does not serve this method (an older or newer binary)."""


class InvalidParamsError(ProtocolError):
    """-32602: a parameter is missing or has the wrong type; ``field`` names it."""

    @property
    def field(self) -> Optional[str]:
        """The offending parameter's name, as the bridge reports it (``data.field``)."""
        return self._str("field")


class InternalError(ProtocolError):
    """-32603: the bridge failed unexpectedly; its stderr has the details."""


# -- Medusa and the road to it --------------------------------------------------------------------


class MedusaError(BridgeError):
    """-32001: Medusa answered with a non-2xx status.

    ``type``, ``medusa_message`` and ``medusa_code`` come from Medusa's JSON error body
    (``{type, message, code?}``, medusajs/medusa ``packages/medusa/src/api/middlewares/error-handler.ts``
    in v1, ``packages/core/framework/src/http/middlewares/error-handler.ts`` in v2); ``body`` is the
    text when the body was not that JSON (``"Unauthorized"`` for a failed v1 login). ``hint`` is the
    bridge's advice when the backend looks like the other Medusa version; ``location`` a redirect's
    target (3xx, never followed). A 407 comes from a proxy on the way, and the message says so.
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

    @property
    def hint(self) -> Optional[str]:
        return self._str("hint")

    @property
    def location(self) -> Optional[str]:
        return self._str("location")

    def _summary(self) -> str:
        if self.status is None:
            return self.message
        said = self.medusa_message if self.medusa_message is not None else self.body
        kind = f" ({self.type})" if self.type else ""
        who = "A proxy between the bridge and Medusa" if self.status == 407 else "Medusa"
        text = f"{who} answered {self.status}{kind}"
        if self.location:
            text += f" (Location: {self.location})"
        if said:
            text += f" {said[:200]}" if not kind else f": {said[:200]}"
        if self.hint:
            text += f". {self.hint}"
        return text


class UnauthorizedError(MedusaError):
    """-32001 with status 401: bad credentials, or no logged-in customer in this session."""


class NotFoundError(MedusaError):
    """-32001 with status 404: e.g. the session's customer no longer exists."""


class BridgeUnreachableError(BridgeError):
    """-32002: no answer from Medusa after every retry: it could not be reached, or it received the
    request and sent no complete answer (``detail`` says which)."""

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


class BadResponseError(BridgeError):
    """-32003: a 2xx body not the JSON expected or too long, or broken framing (then ``detail``)."""

    @property
    def status(self) -> Optional[int]:
        return self._int("status")

    @property
    def body(self) -> Optional[str]:
        return self._str("body")

    @property
    def detail(self) -> Optional[str]:
        return self._str("detail")


class CancelledError(BridgeError):
    """-32800: the request was cancelled: ``close()`` cancelled it, or the bridge abandoned it.

    Not ``asyncio.CancelledError``: a cancelled asyncio task raises that one, as asyncio expects.
    """


# -- Client-side errors ---------------------------------------------------------------------------


class BridgeClosedError(BridgeError):
    """The bridge process is gone or was closed; every pending and later call raises this.

    ``exit_code`` or ``signal`` (a name such as ``'SIGKILL'``) says how the process ended, when
    known; ``stderr`` holds the bridge's last lines on stderr, when it wrote any.
    """

    exit_code: Optional[int]
    signal: Optional[str]
    stderr: Optional[str]

    def __init__(
        self,
        message: str,
        exit_code: Optional[int] = None,
        signal: Optional[str] = None,
        *,
        stderr: Optional[str] = None,
        method: Optional[str] = None,
        session: Optional[str] = None,
    ) -> None:
        super().__init__(message, method=method, session=session)
        self.exit_code = exit_code
        self.signal = signal
        self.stderr = stderr


class BridgeStartError(BridgeClosedError):
    """The binary exited, or stayed silent, before answering ``initialize``.

    Either the bridge refused its options (its stderr line is in the message and in ``stderr``)
    or ``binary`` is not medusa-auth-bridge at all.
    """

    binary: str

    def __init__(
        self,
        message: str,
        binary: str,
        exit_code: Optional[int] = None,
        signal: Optional[str] = None,
        *,
        stderr: Optional[str] = None,
    ) -> None:
        super().__init__(message, exit_code, signal, stderr=stderr)
        self.binary = binary


class BridgeVersionError(BridgeError):
    """The bridge speaks another protocol version than this client; raised by the handshake.

    From the bridge's -32602 answer to ``initialize`` (``data: {supported, requested}``: then
    ``supported`` is set) or from an ``initialize`` result naming another version (then
    ``bridge_version`` is).
    """

    client_version: str
    bridge_version: Optional[str]
    supported: Optional[List[str]]

    def __init__(
        self,
        client_version: str,
        *,
        bridge_version: Optional[str] = None,
        supported: Optional[Sequence[str]] = None,
        code: Optional[int] = None,
        data: Any = None,
    ) -> None:
        if supported is not None:
            theirs = f"supports protocol versions {', '.join(supported) or '(none)'}"
        else:
            theirs = f"speaks protocol version {bridge_version!r}"
        super().__init__(
            f"medusa-auth-bridge {theirs}; this client speaks {client_version}: "
            "install a client and a bridge of the same release",
            code,
            data,
        )
        self.client_version = client_version
        self.bridge_version = bridge_version
        self.supported = list(supported) if supported is not None else None


class BridgeTimeoutError(BridgeError, TimeoutError):
    """A call outlived its ``timeout=`` (seconds); ``$/cancelRequest`` was sent so the bridge stops too."""

    timeout: Optional[float]

    def __init__(
        self,
        message: str,
        timeout: Optional[float] = None,
        *,
        method: Optional[str] = None,
        session: Optional[str] = None,
    ) -> None:
        super().__init__(message, method=method, session=session)
        self.timeout = timeout


class BridgeNotFoundError(BridgeError):
    """No bridge binary was found; ``searched`` lists every place tried, in order, as ``"place: why not"``."""

    searched: List[str]

    def __init__(self, message: str, searched: Sequence[str]) -> None:
        super().__init__(message)
        self.searched = list(searched)


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

_MEDUSA_CLASS_FOR_STATUS: Dict[int, Type[MedusaError]] = {401: UnauthorizedError, 404: NotFoundError}


def call_prefix(method: Optional[str], session: Optional[str]) -> str:
    """``auth.getSession in session 'alice': `` (or ``ping: ``), the start of a call's error message."""
    if method is None:
        return ""
    return f"{method} in session {session!r}: " if session is not None else f"{method}: "


def error_from_wire(error: Any, method: Optional[str] = None, session: Optional[str] = None) -> BridgeError:
    """Turn a JSON-RPC error object into the matching exception; unknown codes give BridgeError."""
    if not isinstance(error, Mapping):
        return BridgeError(
            f"{call_prefix(method, session)}malformed error object from the bridge: {error!r}",
            method=method,
            session=session,
        )
    code = error.get("code")
    message = error.get("message")
    if not isinstance(message, str):
        message = f"error {code}"
    data = error.get("data")
    cls = _CLASS_FOR_CODE.get(code, BridgeError) if isinstance(code, int) else BridgeError
    if cls is MedusaError and isinstance(data, Mapping) and isinstance(data.get("status"), int):
        cls = _MEDUSA_CLASS_FOR_STATUS.get(data["status"], MedusaError)
    result = cls(message, code if isinstance(code, int) else None, data, method=method, session=session)
    prefix = call_prefix(method, session)
    if result.step and prefix:
        prefix = f"{prefix[:-2]}, step {result.step}: "
    result.message = prefix + result._summary()
    result.args = (result.message,)
    return result


def _publish(*classes: type) -> None:
    for cls in classes:
        cls.__module__ = _PUBLIC_MODULE


_publish(
    BridgeError, ProtocolError, ParseError, InvalidRequestError, MethodNotFoundError, InvalidParamsError,
    InternalError, MedusaError, UnauthorizedError, NotFoundError, BridgeUnreachableError, BadResponseError,
    CancelledError, BridgeClosedError, BridgeStartError, BridgeVersionError, BridgeTimeoutError,
    BridgeNotFoundError,
)
