"""The registry: every bridge method, listed once, with where the client exposes it.

``tests/test_schema.py`` checks this list against ``schema/openrpc.json`` in both directions and
checks that each ``surface`` exists, with matching parameters, on the sync and the asyncio API.
Surfaces name a class of the sync API; the asyncio API mirrors it with an ``Async`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional, Tuple

from . import _protocol


@dataclass(frozen=True)
class Method:
    wire: str
    #: "Class.method" on the public API, or "internal" for protocol plumbing the client runs itself.
    surface: str
    #: The by-name params the client sends, in the wire's spelling.
    params: Tuple[str, ...]
    #: Whether the method belongs to a session (it takes ``session`` and ``customHeaders``).
    scoped: bool = False


_AUTH_EXTRAS = ("customHeaders", "session")
_CUSTOMER_FIELDS = ("first_name", "last_name", "phone", "company_name", "metadata")


def _auth(wire: str, surface: str, *params: str) -> Method:
    return Method(wire, surface, (*params, *_AUTH_EXTRAS), scoped=True)


# Medusa v1 (medusa-js's AuthResource)
AUTHENTICATE = _auth("auth.authenticate", "Auth.authenticate", "email", "password")
GET_SESSION = _auth("auth.getSession", "Auth.get_session")
DELETE_SESSION = _auth("auth.deleteSession", "Auth.delete_session")
EXISTS = _auth("auth.exists", "Auth.exists", "email")
GET_TOKEN = _auth("auth.getToken", "Auth.get_token", "email", "password")
# Medusa v2 (js-sdk's sdk.auth and sdk.store.customer)
LOGIN = _auth("auth.login", "Auth.login", "email", "password", "provider", "payload")
REGISTER = _auth("auth.register", "Auth.register", "email", "password", "provider", "payload")
CALLBACK = _auth("auth.callback", "Auth.callback", "provider", "query")
REFRESH = _auth("auth.refresh", "Auth.refresh")
LOGOUT = _auth("auth.logout", "Auth.logout")
RESET_PASSWORD = _auth("auth.resetPassword", "Auth.reset_password", "identifier", "provider")
UPDATE_PROVIDER = _auth("auth.updateProvider", "Auth.update_provider", "token", "password", "payload", "provider")
SIGNUP = _auth("auth.signup", "Auth.signup", "email", "password", *_CUSTOMER_FIELDS)
CUSTOMER_CREATE = _auth("store.customer.create", "CustomerResource.create", "email", *_CUSTOMER_FIELDS, "fields")
CUSTOMER_RETRIEVE = _auth("store.customer.retrieve", "CustomerResource.retrieve", "fields")
CUSTOMER_UPDATE = _auth("store.customer.update", "CustomerResource.update", *_CUSTOMER_FIELDS, "fields")
# The bridge's own
SESSION_LIST = Method("session.list", "Bridge.sessions", ())
SESSION_CLEAR = Method("session.clear", "Session.clear", ("session",))
PING = Method("ping", "Bridge.ping", ())
DISCOVER = Method("rpc.discover", "Bridge.discover", ())
# Sent by the handshake when the bridge starts; its result is `Bridge.server_info`.
INITIALIZE = Method("initialize", "internal", ("protocolVersion", "clientInfo"))
# Sent when a call times out, its asyncio task is cancelled, or close() finds it pending.
CANCEL_REQUEST = Method(_protocol.CANCEL_METHOD, "internal", ("id",))

V1: Tuple[Method, ...] = (AUTHENTICATE, GET_SESSION, DELETE_SESSION, EXISTS, GET_TOKEN)
V2: Tuple[Method, ...] = (
    LOGIN, REGISTER, CALLBACK, REFRESH, LOGOUT, RESET_PASSWORD, UPDATE_PROVIDER, SIGNUP,
    CUSTOMER_CREATE, CUSTOMER_RETRIEVE, CUSTOMER_UPDATE,
)

REGISTRY: Tuple[Method, ...] = (
    *V1,
    *V2,
    SESSION_LIST,
    SESSION_CLEAR,
    PING,
    DISCOVER,
    INITIALIZE,
    CANCEL_REQUEST,
)


def params(session: Optional[str], headers: Optional[Mapping[str, str]], fields: Mapping[str, Any]) -> Dict[str, Any]:
    """By-name params of a session's call: the fields given (None and NOT_GIVEN left out),
    ``customHeaders`` and ``session``; the default session is the bridge's, so it is omitted."""
    # A Mapping that is not a dict (MappingProxyType, a custom class) is not JSON to json.dumps.
    result: Dict[str, Any] = {
        k: (dict(v) if isinstance(v, Mapping) and not isinstance(v, dict) else v)
        for k, v in fields.items()
        if v is not NOT_GIVEN
    }
    if headers is not None:
        result["customHeaders"] = dict(headers)
    if session is not None:
        result["session"] = session
    return result


class _NotGiven:
    """A keyword argument left out: not sent, so Medusa keeps the field as it is (None sends null)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Default of optional customer fields: left out of the request. ``None`` is sent as ``null``.
NOT_GIVEN: Any = _NotGiven()
