"""Every method of the API, declared once: the asyncio surface, from which the sync one is generated.

``_sync_resources.py`` is written from this file by ``clients/python/tools/generate_sync.py`` (as
playwright-python generates its sync API from the async one): ``async def`` becomes ``def``,
``await`` goes, and ``AsyncX`` names become ``X``. ``tests/test_generated.py`` fails when the
generated file is stale. So a method, its parameters, its types and its docstring are written
here and nowhere else; the two bridge classes only add what really differs (starting and
stopping a process).

Every session method takes the keyword-only ``headers=`` (merged over the configured headers for
this call; wire ``customHeaders``) and ``timeout=`` (seconds for the whole call; when it expires
the call raises ``BridgeTimeoutError`` and the bridge is told to stop the work).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Union, cast, overload

from . import _methods
from ._methods import NOT_GIVEN
from ._options import session_name
from ._types import (
    Empty,
    LocationResult,
    SessionInfo,
    SessionList,
    SignupResult,
    StoreAuthRes,
    StoreBearerAuthRes,
    StoreCustomerRes,
    StoreGetAuthEmailRes,
    TokenResult,
)

Headers = Optional[Mapping[str, str]]


class AsyncCaller:
    """What the resources need from a bridge: one way to send a call (``AsyncBridge`` is one)."""

    async def _call(
        self,
        method: _methods.Method,
        session: Optional[str],
        headers: Headers,
        timeout: Optional[float],
        fields: Mapping[str, Any],
    ) -> Any:
        raise NotImplementedError


class AsyncAuth:
    """The auth methods of one session: Medusa v1 (medusa-js's ``AuthResource``) and v2 (js-sdk's ``sdk.auth``)."""

    def __init__(self, client: AsyncCaller, session: Optional[str]) -> None:
        self._client = client
        self._session = session

    # -- Medusa v1: /store/auth -------------------------------------------------------------------

    async def authenticate(
        self, email: str, password: str, *, headers: Headers = None, timeout: Optional[float] = None
    ) -> StoreAuthRes:
        """Medusa v1: log in with a cookie session (``POST /store/auth``); the session keeps the cookie."""
        fields = {"email": email, "password": password}
        return cast(StoreAuthRes, await self._client._call(_methods.AUTHENTICATE, self._session, headers, timeout, fields))

    async def get_session(self, *, headers: Headers = None, timeout: Optional[float] = None) -> StoreAuthRes:
        """Medusa v1: the logged-in customer (``GET /store/auth``); UnauthorizedError when nobody is."""
        return cast(StoreAuthRes, await self._client._call(_methods.GET_SESSION, self._session, headers, timeout, {}))

    async def delete_session(self, *, headers: Headers = None, timeout: Optional[float] = None) -> Empty:
        """Medusa v1: log out (``DELETE /store/auth``); the session forgets its cookies and its token."""
        return cast(Empty, await self._client._call(_methods.DELETE_SESSION, self._session, headers, timeout, {}))

    async def exists(self, email: str, *, headers: Headers = None, timeout: Optional[float] = None) -> StoreGetAuthEmailRes:
        """Medusa v1: ``{"exists": bool}`` for ``email`` (``GET /store/auth/{email}``).

        The result is a dict and therefore always true in a condition: ``if auth.exists(e):`` is a
        bug. Test ``auth.exists(e)["exists"]``, or call ``email_exists(e)``, which returns the bool.
        """
        fields = {"email": email}
        return cast(StoreGetAuthEmailRes, await self._client._call(_methods.EXISTS, self._session, headers, timeout, fields))

    async def email_exists(self, email: str, *, headers: Headers = None, timeout: Optional[float] = None) -> bool:
        """Medusa v1: whether a registered customer uses ``email``, as a bool (``auth.exists``)."""
        fields = {"email": email}
        result = await self._client._call(_methods.EXISTS, self._session, headers, timeout, fields)
        return bool(cast(StoreGetAuthEmailRes, result)["exists"])

    async def get_token(
        self, email: str, password: str, *, headers: Headers = None, timeout: Optional[float] = None
    ) -> StoreBearerAuthRes:
        """Medusa v1: log in for a JWT (``POST /store/auth/token``); the session then sends it as Bearer."""
        fields = {"email": email, "password": password}
        return cast(StoreBearerAuthRes, await self._client._call(_methods.GET_TOKEN, self._session, headers, timeout, fields))

    # -- Medusa v2: /auth/customer/{provider} -----------------------------------------------------

    @overload
    async def login(
        self, email: str, password: str, *, headers: Headers = None, timeout: Optional[float] = None
    ) -> TokenResult: ...

    @overload
    async def login(
        self,
        *,
        provider: str,
        payload: Mapping[str, Any] = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> Union[TokenResult, LocationResult]: ...

    async def login(
        self,
        email: str = NOT_GIVEN,
        password: str = NOT_GIVEN,
        *,
        provider: str = NOT_GIVEN,
        payload: Mapping[str, Any] = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> Union[TokenResult, LocationResult]:
        """Medusa v2: log in (``POST /auth/customer/{provider}``, provider ``emailpass`` by default).

        ``{"token": ...}``, kept by the session (in ``session`` auth mode also exchanged for the
        ``connect.sid`` cookie); or ``{"location": ...}`` when an OAuth provider answers with where
        to send the customer (then finish with ``callback``).
        """
        fields = {"email": email, "password": password, "provider": provider, "payload": payload}
        result = await self._client._call(_methods.LOGIN, self._session, headers, timeout, fields)
        return cast(Union[TokenResult, LocationResult], result)

    async def register(
        self,
        email: str = NOT_GIVEN,
        password: str = NOT_GIVEN,
        *,
        provider: str = NOT_GIVEN,
        payload: Mapping[str, Any] = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> TokenResult:
        """Medusa v2: a registration token (``POST /auth/customer/{provider}/register``).

        The session keeps it, so a following ``store.customer.create`` is authorised; ``signup``
        does register, create and login in one call.
        """
        fields = {"email": email, "password": password, "provider": provider, "payload": payload}
        return cast(TokenResult, await self._client._call(_methods.REGISTER, self._session, headers, timeout, fields))

    async def callback(
        self, provider: str, query: Mapping[str, str], *, headers: Headers = None, timeout: Optional[float] = None
    ) -> TokenResult:
        """Medusa v2: finish an OAuth login (``GET /auth/customer/{provider}/callback?{query}``)."""
        fields = {"provider": provider, "query": dict(query)}
        return cast(TokenResult, await self._client._call(_methods.CALLBACK, self._session, headers, timeout, fields))

    async def refresh(self, *, headers: Headers = None, timeout: Optional[float] = None) -> TokenResult:
        """Medusa v2: a fresh token for the session's (``POST /auth/token/refresh``); the session keeps it."""
        return cast(TokenResult, await self._client._call(_methods.REFRESH, self._session, headers, timeout, {}))

    async def logout(self, *, headers: Headers = None, timeout: Optional[float] = None) -> Empty:
        """Medusa v2: log out (``DELETE /auth/session`` when the session logged in to Medusa's cookie
        session, in session mode; nothing is sent in jwt mode, whatever cookies the session holds).

        The session forgets its token and cookies whatever Medusa answered.
        """
        return cast(Empty, await self._client._call(_methods.LOGOUT, self._session, headers, timeout, {}))

    async def reset_password(
        self,
        identifier: str,
        *,
        provider: str = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> Empty:
        """Medusa v2: ask for a reset token (``POST /auth/customer/{provider}/reset-password``).

        Medusa answers the same whether or not ``identifier`` (the email) is known, and sends the
        token out of band (an email, through its notification module).
        """
        fields = {"identifier": identifier, "provider": provider}
        return cast(Empty, await self._client._call(_methods.RESET_PASSWORD, self._session, headers, timeout, fields))

    async def update_provider(
        self,
        token: str,
        password: str = NOT_GIVEN,
        *,
        payload: Mapping[str, Any] = NOT_GIVEN,
        provider: str = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> Empty:
        """Medusa v2: set a new password with a reset ``token`` (``POST /auth/customer/{provider}/update``)."""
        fields = {"token": token, "password": password, "payload": payload, "provider": provider}
        return cast(Empty, await self._client._call(_methods.UPDATE_PROVIDER, self._session, headers, timeout, fields))

    async def signup(
        self,
        email: str,
        password: str,
        *,
        first_name: Optional[str] = NOT_GIVEN,
        last_name: Optional[str] = NOT_GIVEN,
        phone: Optional[str] = NOT_GIVEN,
        company_name: Optional[str] = NOT_GIVEN,
        metadata: Optional[Mapping[str, Any]] = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> SignupResult:
        """Medusa v2: register, create the customer, log in; ``{"customer", "token"}``.

        A failure names its step; calling ``signup`` again after a failure at the second or third
        step succeeds.
        """
        fields = {
            "email": email,
            "password": password,
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "company_name": company_name,
            "metadata": metadata,
        }
        return cast(SignupResult, await self._client._call(_methods.SIGNUP, self._session, headers, timeout, fields))


class AsyncCustomerResource:
    """Medusa v2's ``/store/customers`` for one session (js-sdk's ``sdk.store.customer``).

    Fields left out are not sent; ``None`` is sent as ``null``. Every ``/store/*`` call needs
    ``publishable_api_key``.
    """

    def __init__(self, client: AsyncCaller, session: Optional[str]) -> None:
        self._client = client
        self._session = session

    async def create(
        self,
        *,
        email: Optional[str] = NOT_GIVEN,
        first_name: Optional[str] = NOT_GIVEN,
        last_name: Optional[str] = NOT_GIVEN,
        phone: Optional[str] = NOT_GIVEN,
        company_name: Optional[str] = NOT_GIVEN,
        metadata: Optional[Mapping[str, Any]] = NOT_GIVEN,
        fields: str = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> StoreCustomerRes:
        """Create the customer of the session's registration token (``POST /store/customers``).

        ``fields`` (Medusa's fields syntax) chooses the fields of the customer answered.
        """
        body = {
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "company_name": company_name,
            "metadata": metadata,
            "fields": fields,
        }
        return cast(StoreCustomerRes, await self._client._call(_methods.CUSTOMER_CREATE, self._session, headers, timeout, body))

    async def retrieve(
        self, *, fields: str = NOT_GIVEN, headers: Headers = None, timeout: Optional[float] = None
    ) -> StoreCustomerRes:
        """The logged-in customer (``GET /store/customers/me``); ``fields`` is Medusa's fields syntax."""
        query = {"fields": fields}
        return cast(StoreCustomerRes, await self._client._call(_methods.CUSTOMER_RETRIEVE, self._session, headers, timeout, query))

    async def update(
        self,
        *,
        first_name: Optional[str] = NOT_GIVEN,
        last_name: Optional[str] = NOT_GIVEN,
        phone: Optional[str] = NOT_GIVEN,
        company_name: Optional[str] = NOT_GIVEN,
        metadata: Optional[Mapping[str, Any]] = NOT_GIVEN,
        fields: str = NOT_GIVEN,
        headers: Headers = None,
        timeout: Optional[float] = None,
    ) -> StoreCustomerRes:
        """Change the logged-in customer (``POST /store/customers/me``); the email cannot change."""
        body = {
            "first_name": first_name,
            "last_name": last_name,
            "phone": phone,
            "company_name": company_name,
            "metadata": metadata,
            "fields": fields,
        }
        return cast(StoreCustomerRes, await self._client._call(_methods.CUSTOMER_UPDATE, self._session, headers, timeout, body))


class AsyncStore:
    """Medusa v2's store API for one session: ``store.customer``."""

    def __init__(self, client: AsyncCaller, session: Optional[str]) -> None:
        self.customer: AsyncCustomerResource = AsyncCustomerResource(client, session)


class AsyncSession:
    """A named session: its own cookie jar and token in the bridge, isolated from the others."""

    def __init__(self, client: AsyncCaller, name: str) -> None:
        self.name: str = session_name(name)
        self.auth: AsyncAuth = AsyncAuth(client, self.name)
        self.store: AsyncStore = AsyncStore(client, self.name)
        self._client = client

    async def clear(self, *, timeout: Optional[float] = None) -> Empty:
        """Forget this session's cookies and token in the bridge (no HTTP request)."""
        fields = {"session": self.name}
        return cast(Empty, await self._client._call(_methods.SESSION_CLEAR, None, None, timeout, fields))

    def __repr__(self) -> str:
        return f"AsyncSession({self.name!r})"


class AsyncBridgeMethods(AsyncCaller):
    """The bridge's own methods, shared by the bridge class; ``auth`` and ``store`` are the default session's."""

    auth: AsyncAuth
    store: AsyncStore

    def session(self, name: str) -> AsyncSession:
        """The session called ``name`` (a non-empty string); the bridge creates it on first use."""
        return AsyncSession(self, name)

    async def sessions(self, *, timeout: Optional[float] = None) -> List[SessionInfo]:
        """Every session the bridge holds (name, hasCookie, hasToken, customerId), without secrets."""
        result = await self._call(_methods.SESSION_LIST, None, None, timeout, {})
        return cast(SessionList, result)["sessions"]

    async def ping(self, *, timeout: Optional[float] = None) -> None:
        """A round trip that touches nothing: is the bridge alive and answering? Returns None."""
        await self._call(_methods.PING, None, None, timeout, {})

    async def discover(self, *, timeout: Optional[float] = None) -> Dict[str, Any]:
        """The bridge's OpenRPC document (``rpc.discover``)."""
        return cast(Dict[str, Any], await self._call(_methods.DISCOVER, None, None, timeout, {}))


for _public in (AsyncAuth, AsyncCustomerResource, AsyncStore, AsyncSession):
    _public.__module__ = "medusa_auth_bridge"  # what users import, shown in tracebacks and reprs
