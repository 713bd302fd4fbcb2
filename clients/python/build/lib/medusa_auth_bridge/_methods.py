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


_AUTH_EXTRAS = ("customHeaders", "session")

AUTHENTICATE = Method("auth.authenticate", "Auth.authenticate", ("email", "password", *_AUTH_EXTRAS))
GET_SESSION = Method("auth.getSession", "Auth.get_session", _AUTH_EXTRAS)
DELETE_SESSION = Method("auth.deleteSession", "Auth.delete_session", _AUTH_EXTRAS)
EXISTS = Method("auth.exists", "Auth.exists", ("email", *_AUTH_EXTRAS))
GET_TOKEN = Method("auth.getToken", "Auth.get_token", ("email", "password", *_AUTH_EXTRAS))
SESSION_LIST = Method("session.list", "Bridge.sessions", ())
SESSION_CLEAR = Method("session.clear", "Session.clear", ("session",))
PING = Method("ping", "Bridge.ping", ())
DISCOVER = Method("rpc.discover", "Bridge.discover", ())
# Sent by the handshake when the bridge starts; its result is `Bridge.server_info`.
INITIALIZE = Method("initialize", "internal", ("protocolVersion", "clientInfo"))
# Sent when a call times out or its asyncio task is cancelled.
CANCEL_REQUEST = Method(_protocol.CANCEL_METHOD, "internal", ("id",))

REGISTRY: Tuple[Method, ...] = (
    AUTHENTICATE,
    GET_SESSION,
    DELETE_SESSION,
    EXISTS,
    GET_TOKEN,
    SESSION_LIST,
    SESSION_CLEAR,
    PING,
    DISCOVER,
    INITIALIZE,
    CANCEL_REQUEST,
)


def auth_params(
    session: Optional[str], custom_headers: Optional[Mapping[str, str]], **fields: Any
) -> Dict[str, Any]:
    """By-name params of an ``auth.*`` call; the default session is the bridge's, so it is omitted."""
    params: Dict[str, Any] = dict(fields)
    if custom_headers is not None:
        params["customHeaders"] = dict(custom_headers)
    if session is not None:
        params["session"] = session
    return params
