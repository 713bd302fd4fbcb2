"""medusa-auth-bridge for Python: the Medusa store auth API as a native library.

Drives a ``medusa-auth-bridge`` process over JSON-RPC (stdio) so scripts and test suites call
``bridge.auth.authenticate(email=..., password=...)`` and catch exceptions, with no JSON-RPC
by hand. ``Bridge`` is the sync, thread-safe API; ``AsyncBridge`` the asyncio one.
"""

from ._api import Auth, Bridge, Session
from ._async_api import AsyncAuth, AsyncBridge, AsyncSession
from ._driver import BINARY_ENV, find_binary
from ._errors import (
    BadResponseError,
    BridgeClosedError,
    BridgeError,
    BridgeNotFoundError,
    BridgeTimeoutError,
    BridgeUnreachableError,
    BridgeVersionError,
    CancelledError,
    InternalError,
    InvalidParamsError,
    InvalidRequestError,
    MedusaError,
    MethodNotFoundError,
    NotFoundError,
    ParseError,
    ProtocolError,
    UnauthorizedError,
)
from ._protocol import PROTOCOL_VERSION
from ._types import (
    BadResponseErrorData,
    Customer,
    Empty,
    InitializeResult,
    MedusaErrorData,
    ServerInfo,
    SessionInfo,
    SessionList,
    StoreAuthRes,
    StoreBearerAuthRes,
    StoreGetAuthEmailRes,
    UnreachableErrorData,
)
from ._version import __version__

__all__ = [
    "AsyncAuth",
    "AsyncBridge",
    "AsyncSession",
    "Auth",
    "BINARY_ENV",
    "BadResponseError",
    "BadResponseErrorData",
    "Bridge",
    "BridgeClosedError",
    "BridgeError",
    "BridgeNotFoundError",
    "BridgeTimeoutError",
    "BridgeUnreachableError",
    "BridgeVersionError",
    "CancelledError",
    "Customer",
    "Empty",
    "InitializeResult",
    "InternalError",
    "InvalidParamsError",
    "InvalidRequestError",
    "MedusaError",
    "MedusaErrorData",
    "MethodNotFoundError",
    "NotFoundError",
    "PROTOCOL_VERSION",
    "ParseError",
    "ProtocolError",
    "ServerInfo",
    "Session",
    "SessionInfo",
    "SessionList",
    "StoreAuthRes",
    "StoreBearerAuthRes",
    "StoreGetAuthEmailRes",
    "UnauthorizedError",
    "UnreachableErrorData",
    "__version__",
    "find_binary",
]
