"""Result and error-data shapes, as ``TypedDict``s that keep the wire's key spelling.

Medusa's bodies pass through the bridge unchanged, so these types describe what Medusa sends
(v1: medusajs/medusa ``packages/medusa/src/api/routes/store/auth/``; v2:
``packages/core/types/src/http/customer/store/entities.ts``) without dropping anything. They are
closed: a typo such as ``result["exist"]`` or ``customer["frist_name"]`` is an error in mypy and
pyright. Keys Medusa sends that are not declared here (a plugin's field) are still in the dict:
reach them through ``raw(result)``, the explicit escape hatch. Bridge-made shapes (sessions,
handshake) use the bridge's camelCase keys (``schema/openrpc.json``). Required and optional keys
are split over two classes because ``NotRequired`` needs Python 3.11.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, TypedDict


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
    """``auth.exists``: Medusa's ``{exists}``. A dict, so always true in a condition: test
    ``result["exists"]``, or call ``email_exists()``, which returns the bool."""

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


# -- Medusa v2 (js-sdk's ``sdk.auth`` and ``sdk.store.customer``) ----------------------------------


class TokenResult(TypedDict):
    """``auth.login``, ``auth.register``, ``auth.callback``, ``auth.refresh``: ``{token}`` (a JWT)."""

    token: str


class LocationResult(TypedDict):
    """``auth.login`` with a redirecting provider (OAuth start): where to send the customer."""

    location: str


class _CustomerAddressRequired(TypedDict):
    id: str


class CustomerAddress(_CustomerAddressRequired, total=False):
    """One of a v2 customer's ``addresses`` (Medusa's default address fields)."""

    address_name: Optional[str]
    customer_id: str
    company: Optional[str]
    first_name: Optional[str]
    last_name: Optional[str]
    address_1: Optional[str]
    address_2: Optional[str]
    city: Optional[str]
    province: Optional[str]
    postal_code: Optional[str]
    country_code: Optional[str]
    phone: Optional[str]
    metadata: Optional[Dict[str, Any]]
    is_default_shipping: bool
    is_default_billing: bool
    created_at: str
    updated_at: str


class _StoreCustomerRequired(TypedDict):
    id: str
    email: str


class StoreCustomer(_StoreCustomerRequired, total=False):
    """Medusa v2's ``StoreCustomer`` with its default fields (``fields=`` may add or remove some)."""

    company_name: Optional[str]
    first_name: Optional[str]
    last_name: Optional[str]
    phone: Optional[str]
    metadata: Optional[Dict[str, Any]]
    has_account: bool
    addresses: List[CustomerAddress]
    orders: List[Dict[str, Any]]
    created_at: str
    updated_at: str
    deleted_at: Optional[str]


class StoreCustomerRes(TypedDict):
    """``store.customer.create``, ``retrieve`` and ``update``: Medusa's ``{customer}``."""

    customer: StoreCustomer


class SignupResult(TypedDict):
    """``auth.signup``: the new customer and the token of the login that followed."""

    customer: StoreCustomer
    token: str


def raw(result: Mapping[str, Any]) -> Dict[str, Any]:
    """The escape hatch: a result as a plain ``dict``, for keys its TypedDict does not declare.

    Medusa passes every field through, plugins' included; the types only name the ones Medusa
    documents. ``raw(customer)["loyalty_points"]`` type-checks where ``customer["loyalty_points"]``
    does not. No copy is made.
    """
    return result  # type: ignore[return-value]


for _public in (
    Customer, StoreAuthRes, StoreBearerAuthRes, StoreGetAuthEmailRes, Empty, SessionInfo, SessionList, ServerInfo,
    InitializeResult, MedusaErrorData, UnreachableErrorData, BadResponseErrorData, TokenResult, LocationResult,
    CustomerAddress, StoreCustomer, StoreCustomerRes, SignupResult,
):
    _public.__module__ = "medusa_auth_bridge"  # what users import, shown in reprs and errors
