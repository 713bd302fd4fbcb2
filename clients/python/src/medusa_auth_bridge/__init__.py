"""medusa-auth-bridge for Python: the Medusa store auth API (v1 and v2) as a native library.

Drives a ``medusa-auth-bridge`` process over JSON-RPC (stdio) so scripts and test suites call
``bridge.auth.authenticate(email=..., password=...)`` (Medusa v1) or
``bridge.auth.login(email=..., password=...)`` (Medusa v2) and catch exceptions, with no JSON-RPC
by hand. ``Bridge`` is the sync, thread-safe API; ``AsyncBridge`` the asyncio one.

Importing the package does no work: each name is loaded on first use (PEP 562), so a program
that only imports it pays for neither subprocess, asyncio nor json.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from ._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads the same names
    from ._api import Bridge
    from ._async_api import AsyncBridge
    from ._async_resources import AsyncAuth, AsyncCustomerResource, AsyncSession, AsyncStore
    from ._driver import BINARY_ENV, find_binary
    from ._errors import (
        BadResponseError,
        BridgeClosedError,
        BridgeError,
        BridgeNotFoundError,
        BridgeStartError,
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
    from ._sync_resources import Auth, CustomerResource, Session, Store
    from ._types import (
        BadResponseErrorData,
        Customer,
        CustomerAddress,
        Empty,
        InitializeResult,
        LocationResult,
        MedusaErrorData,
        ServerInfo,
        SessionInfo,
        SessionList,
        SignupResult,
        StoreAuthRes,
        StoreBearerAuthRes,
        StoreCustomer,
        StoreCustomerRes,
        StoreGetAuthEmailRes,
        TokenResult,
        UnreachableErrorData,
        raw,
    )

#: Public name -> (private module, name there).
_LAZY: Dict[str, Tuple[str, str]] = {
    "Bridge": ("_api", "Bridge"),
    "AsyncBridge": ("_async_api", "AsyncBridge"),
    "BINARY_ENV": ("_driver", "BINARY_ENV"),
    "find_binary": ("_driver", "find_binary"),
    "PROTOCOL_VERSION": ("_protocol", "PROTOCOL_VERSION"),
}
for _name in ("AsyncAuth", "AsyncSession", "AsyncStore", "AsyncCustomerResource"):
    _LAZY[_name] = ("_async_resources", _name)
for _name in ("Auth", "Session", "Store", "CustomerResource"):
    _LAZY[_name] = ("_sync_resources", _name)
for _name in (
    "BadResponseError", "BridgeClosedError", "BridgeError", "BridgeNotFoundError", "BridgeStartError",
    "BridgeTimeoutError", "BridgeUnreachableError", "BridgeVersionError", "CancelledError", "InternalError",
    "InvalidParamsError", "InvalidRequestError", "MedusaError", "MethodNotFoundError", "NotFoundError",
    "ParseError", "ProtocolError", "UnauthorizedError",
):
    _LAZY[_name] = ("_errors", _name)
for _name in (
    "BadResponseErrorData", "Customer", "CustomerAddress", "Empty", "InitializeResult", "LocationResult",
    "MedusaErrorData", "ServerInfo", "SessionInfo", "SessionList", "SignupResult", "StoreAuthRes",
    "StoreBearerAuthRes", "StoreCustomer", "StoreCustomerRes", "StoreGetAuthEmailRes", "TokenResult", "UnreachableErrorData",
    "raw",
):
    _LAZY[_name] = ("_types", _name)

__all__ = [
    "AsyncAuth",
    "AsyncBridge",
    "AsyncCustomerResource",
    "AsyncSession",
    "AsyncStore",
    "Auth",
    "BINARY_ENV",
    "BadResponseError",
    "BadResponseErrorData",
    "Bridge",
    "BridgeClosedError",
    "BridgeError",
    "BridgeNotFoundError",
    "BridgeStartError",
    "BridgeTimeoutError",
    "BridgeUnreachableError",
    "BridgeVersionError",
    "CancelledError",
    "Customer",
    "CustomerAddress",
    "CustomerResource",
    "Empty",
    "InitializeResult",
    "InternalError",
    "InvalidParamsError",
    "InvalidRequestError",
    "LocationResult",
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
    "SignupResult",
    "Store",
    "StoreAuthRes",
    "StoreBearerAuthRes",
    "StoreCustomer",
    "StoreCustomerRes",
    "StoreGetAuthEmailRes",
    "TokenResult",
    "UnauthorizedError",
    "UnreachableErrorData",
    "__version__",
    "find_binary",
    "raw",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'medusa_auth_bridge' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted({*globals(), *__all__})
