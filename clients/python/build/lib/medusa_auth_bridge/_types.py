"""Result and error-data shapes, as ``TypedDict``s that keep the wire's key spelling.

Medusa's bodies pass through the bridge unchanged, so these types describe what Medusa sends
(medusa-store-auth.md section 3) without dropping anything: unknown keys are still in the dict.
Bridge-made shapes (sessions, handshake) use the bridge's camelCase keys (``schema/openrpc.json``).
Required and optional keys are split over two classes because ``NotRequired`` needs Python 3.11.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict


class _CustomerRequired(TypedDict):
    id: str
    email: str
    has_account: bool


class Customer(_CustomerRequired, total=False):
    """Medusa's Customer entity with its ``orders`` and ``shipping_addresses`` expanded."""

    first_name: Optional[str]
    last_name: Optional[str]
    billing_address_id: Optional[str]
    phone: Optional[str]
    metadata: Optional[Dict[str, Any]]
    created_at: str
    updated_at: str
    deleted_at: Optional[str]
    orders: List[Dict[str, Any]]
    shipping_addresses: List[Dict[str, Any]]


class StoreAuthRes(TypedDict):
    """``auth.authenticate`` and ``auth.getSession``: Medusa's ``{customer}``."""

    customer: Customer


class StoreBearerAuthRes(TypedDict):
    """``auth.getToken``: Medusa's ``{access_token}`` (an HS256 JWT)."""

    access_token: str


class StoreGetAuthEmailRes(TypedDict):
    """``auth.exists``: Medusa's ``{exists}``."""

    exists: bool


class Empty(TypedDict):
    """``{}``: ``auth.deleteSession``, ``session.clear`` and ``ping``."""


class SessionInfo(TypedDict):
    """One entry of ``session.list``; never carries a cookie or token value."""

    name: str
    hasCookie: bool
    hasToken: bool
    customerId: Optional[str]


class SessionList(TypedDict):
    sessions: List[SessionInfo]


class ServerInfo(TypedDict):
    name: str
    version: str


class InitializeResult(TypedDict):
    protocolVersion: str
    serverInfo: ServerInfo


class _MedusaErrorDataRequired(TypedDict):
    status: int


class MedusaErrorData(_MedusaErrorDataRequired, total=False):
    """``data`` of -32001: Medusa's ``type``/``message``/``code`` or, for a text body, ``body``."""

    type: str
    message: str
    code: str
    body: str


class UnreachableErrorData(TypedDict):
    """``data`` of -32002."""

    reason: str
    attempts: int
    detail: str


class BadResponseErrorData(TypedDict):
    """``data`` of -32003; ``body`` is truncated by the bridge."""

    status: int
    body: str
