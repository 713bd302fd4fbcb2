# mypy: ignore-errors
# (The emulator's internals are untyped; runner.py and testkit.py are its typed public surface.)
"""The Medusa v1 application: middleware pipeline and the five store auth routes.

# medusajs/medusa (v1.x) packages/medusa/src/loaders/express.ts and api/routes/store/index.js:
# express-session, body-parser json, the /store router (cors, optional
# customer authentication), the auth routes of api/routes/store/auth/, Medusa's errorHandler
# and Express's 404.
"""

import re
import threading

from .clock import Clock
from .data import CustomerStore
from .express import (BodyError, JSON_TYPE, Response, body_error_page, medusa_error,
                              not_found, parse_json_body, send, send_json, send_status)
from .jsutil import URIError, decode_uri_component, is_truthy, js_string
from .jwt import store_customer_from_authorization, store_token
from .session import (SessionStore, new_session_id, session_id_from_cookie_header,
                              set_cookie_header)
from .validation import validate_auth_body

# Express routing is case-insensitive and not strict (a trailing slash matches).
_STORE_MOUNT = re.compile(r"^/store(?:/|$)", re.IGNORECASE)
_AUTH_ROOT = re.compile(r"^/store/auth/?\Z", re.IGNORECASE)
_AUTH_PARAM = re.compile(r"^/store/auth/([^/]+?)/?\Z", re.IGNORECASE)
_HEALTH = re.compile(r"^/health/?\Z", re.IGNORECASE)
# api/routes/store/customers/index.ts: three public POSTs, then the customer authentication
# middleware in front of everything else under /store/customers.
_CUSTOMERS = re.compile(r"^/store/customers(?:/|\Z)", re.IGNORECASE)
_CUSTOMERS_PUBLIC = re.compile(r"^/store/customers(?:/password-reset|/password-token)?/?\Z", re.IGNORECASE)
_CUSTOMERS_ME = re.compile(r"^/store/customers/me/?\Z", re.IGNORECASE)
_CUSTOMERS_AUTHENTICATED = re.compile(
    r"^/store/customers/me(?:/orders|/addresses(?:/[^/]+)?|/payment-methods)?/?\Z", re.IGNORECASE)
# cors package defaults for the preflight answer (api/routes/store/index.js (cors)).
_CORS_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"
# Medusa's starter config: STORE_CORS defaults to the storefront's dev origin.
DEFAULT_STORE_CORS = "http://localhost:8000"


class Config:
    """Start-up options of one emulator (immutable once the server runs)."""

    def __init__(self, production=False, cookie_secret="supersecret", jwt_secret="supersecret",
                 store_cors=DEFAULT_STORE_CORS, medusa_version=1, auth_cors=None,
                 jwt_expires_in=None, publishable_key=None):
        self.production = production
        self.cookie_secret = cookie_secret
        self.jwt_secret = jwt_secret
        self.store_cors = _parse_cors_origins(store_cors)
        # Medusa v2 only: AUTH_CORS, http.jwtExpiresIn (seconds) and the seeded publishable key.
        self.medusa_version = medusa_version
        self.auth_cors = auth_cors
        self.jwt_expires_in = jwt_expires_in
        self.publishable_key = publishable_key


class Request:
    """What the HTTP layer parsed: raw target, path without query, Node-style header dict."""

    __slots__ = ("method", "target", "path", "headers", "header_pairs", "body", "has_body", "secure")

    def __init__(self, method, target, path, headers, header_pairs, body, has_body, secure):
        self.method = method
        self.target = target
        self.path = path
        self.headers = headers
        self.header_pairs = header_pairs
        self.body = body
        self.has_body = has_body
        self.secure = secure


class Session:
    """express-session's per-request state: the id the cookie named and the loaded session."""

    __slots__ = ("cookie_id", "id", "data", "original", "destroyed")

    def __init__(self, cookie_id, session_id, data):
        self.cookie_id = cookie_id
        self.id = session_id
        self.data = data
        self.original = dict(data)
        self.destroyed = False


class MedusaApp:
    """The emulated v1 backend; ``handle`` turns one Request into one Response, from any thread.

    Shared state lives in the thread-safe SessionStore and CustomerStore; ``lock`` serialises
    the control API's reset against itself.
    """

    medusa_version = 1
    api_prefixes = ("/store",)

    def __init__(self, config):
        self.config = config
        self.clock = Clock()
        self.sessions = SessionStore(clock=self.clock.now)
        self.customers = CustomerStore()
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.sessions.clear()
            self.customers.reset()
            self.clock.set_offset(0)

    def handle(self, req):
        # expressInit sets X-Powered-By before any middleware runs.
        headers = [("X-Powered-By", "Express")]
        session = self._load_session(req)
        try:
            res = self._dispatch(req, session, headers)
        except Exception:  # noqa: BLE001 - Medusa's errorHandler answers anything thrown
            res = medusa_error(req, 500, "unknown_error", "An unknown error occurred.",
                               "unknown_error", headers)
        self._finish_session(req, session, res)
        if req.method == "HEAD":
            res.send_body = False
        return res

    # -- express-session (loaders/express.ts) --------------------------------------------------

    def _load_session(self, req):
        cookie_id = session_id_from_cookie_header(req.headers.get("cookie"),
                                                  self.config.cookie_secret)
        if cookie_id is not None:
            data = self.sessions.get(cookie_id)
            if data is not None:
                return Session(cookie_id, cookie_id, data)
        # An unknown or badly signed cookie is ignored: a new anonymous session.
        return Session(cookie_id, new_session_id(), {})

    def _finish_session(self, req, session, res):
        if session.destroyed:
            return  # never a Set-Cookie after req.session.destroy()
        is_new = session.cookie_id != session.id
        modified = session.data != session.original
        if is_new or modified:
            self.sessions.save(session.id, session.data)
        # saveUninitialized: a request without a valid cookie always gets one; otherwise only
        # when the session data changed (login).
        if not (is_new or modified):
            return
        if self.config.production and not _is_secure(req):
            return  # secure cookie on plain HTTP without X-Forwarded-Proto: https
        res.headers.append(("Set-Cookie", set_cookie_header(session.id, self.config.cookie_secret,
                                                            self.config.production,
                                                            self.clock.now())))

    # -- routing ------------------------------------------------------------------------------

    def _dispatch(self, req, session, headers):
        try:
            body = parse_json_body(req.headers, req.body, req.has_body)
        except BodyError as error:
            # Raised at app level before the routers: Express's default handler answers.
            return body_error_page(error, self.config.production, headers)
        path = req.path
        if _STORE_MOUNT.match(path):
            self._cors(req, headers)
            if req.method == "OPTIONS":
                return self._preflight(req, headers)
            return self._store_route(req, session, body, headers)
        if _HEALTH.match(path) and req.method in ("GET", "HEAD"):
            return send(req, 200, b"OK", "text/html; charset=utf-8", headers)
        return not_found(req.method, path, headers)

    def _store_route(self, req, session, body, headers):
        method, path = req.method, req.path
        if _AUTH_ROOT.match(path):
            if method in ("GET", "HEAD"):
                return self.get_session(req, session, headers)
            if method == "DELETE":
                return self.delete_session(req, session, headers)
            if method == "POST":
                return self.create_session(req, session, body, headers)
            return not_found(method, path, headers)
        match = _AUTH_PARAM.match(path)
        if match:
            try:
                # Layer.match decodes params for every method before checking it.
                email = decode_uri_component(match.group(1))
            except URIError:
                # exists.ts (inferred): the URIError reaches Medusa's errorHandler as unknown_error.
                return medusa_error(req, 500, "unknown_error", "An unknown error occurred.",
                                    "unknown_error", headers)
            if method in ("GET", "HEAD"):
                return self.exists(req, email, headers)
            if method == "POST" and match.group(1).lower() == "token":
                return self.get_token(req, body, headers)
        if _CUSTOMERS.match(path):
            return self._customers_route(req, session, headers)
        return not_found(method, path, headers)

    def _customers_route(self, req, session, headers):
        """/store/customers: only ``GET /me`` is emulated, behind the same authentication as
        ``GET /store/auth``; v1's other customer routes answer 501 ``not_emulated`` (not Express's
        404, which would say they do not exist).

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/customers/index.ts.
        """
        method, path = req.method, req.path
        if method == "POST" and _CUSTOMERS_PUBLIC.match(path):
            return self._not_emulated(req, headers)
        customer_id = self._authenticated_customer(req, session)
        if customer_id is None:
            return _passport_unauthorized(headers)
        if _CUSTOMERS_ME.match(path) and method in ("GET", "HEAD"):
            return self.get_customer(req, customer_id, headers)
        if _CUSTOMERS_AUTHENTICATED.match(path) and method in ("GET", "HEAD", "POST", "DELETE"):
            return self._not_emulated(req, headers)
        return not_found(method, path, headers)

    # -- the five routes (api/routes/store/auth/) ----------------------------------------------

    def create_session(self, req, session, body, headers):
        """POST /store/auth.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/create-session.ts.
        """
        message = validate_auth_body(body)
        if message is not None:
            return medusa_error(req, 400, "invalid_data", message, headers=headers)
        record = self.customers.authenticate(body.get("email"), body.get("password"))
        if record is None:
            return send_status(req, 401, headers)
        session.data["customer_id"] = record.id
        return self._customer_response(req, record.id, headers)

    def get_token(self, req, body, headers):
        """POST /store/auth/token.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/get-token.ts.
        """
        if not self.config.jwt_secret:
            return medusa_error(req, 404, "not_found",
                                "Please configure jwt_secret in your environment", headers=headers)
        message = validate_auth_body(body)
        if message is not None:
            return medusa_error(req, 400, "invalid_data", message, headers=headers)
        record = self.customers.authenticate(body.get("email"), body.get("password"))
        if record is None:
            return send_status(req, 401, headers)
        token = store_token(record.id, self.config.jwt_secret, self.clock.now())
        return send_json(req, 200, {"access_token": token}, headers)

    def get_session(self, req, session, headers):
        """GET /store/auth (requireCustomerAuthentication).

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/get-session.ts.
        """
        customer_id = self._authenticated_customer(req, session)
        if customer_id is None:
            return _passport_unauthorized(headers)
        return self._customer_response(req, customer_id, headers)

    def get_customer(self, req, customer_id, headers):
        """GET /store/customers/me: the customer with ``defaultStoreCustomersRelations``
        (shipping_addresses, billing_address) instead of the auth routes' orders.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/customers/get-customer.ts.
        """
        record = self.customers.get(customer_id)
        if record is None:
            return medusa_error(req, 404, "not_found",
                                "Customer with id: %s was not found" % js_string(customer_id),
                                headers=headers)
        customer = dict(record.entity)
        customer["shipping_addresses"] = [dict(address) for address in record.shipping_addresses]
        customer["billing_address"] = None  # no seeded customer has a billing address
        return send_json(req, 200, {"customer": customer}, headers)

    def _not_emulated(self, req, headers):
        return medusa_error(req, 501, "not_emulated",
                            "%s %s exists in Medusa v1 but is not emulated" % (req.method, req.path),
                            headers=headers)

    def delete_session(self, req, session, headers):
        """DELETE /store/auth, always 200 OK.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/delete-session.ts.
        """
        if "user_id" in session.data:
            session.data.pop("customer_id", None)  # an admin login in the same session stays
        else:
            session.destroyed = True
            self.sessions.destroy(session.id)
        return send_status(req, 200, headers)

    def exists(self, req, email, headers):
        """GET /store/auth/:email.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/exists.ts.
        """
        found = self.customers.find_registered(email) is not None
        return send_json(req, 200, {"exists": found}, headers)

    # -- helpers ------------------------------------------------------------------------------

    def _authenticated_customer(self, req, session):
        """store-session first, then store-bearer.

        # medusajs/medusa (v1.x) packages/medusa/src/loaders/passport.ts and
        api/middlewares/authenticate-customer.ts.
        """
        customer_id = session.data.get("customer_id")
        if is_truthy(customer_id):
            return customer_id
        return store_customer_from_authorization(req.headers.get("authorization"),
                                                 self.config.jwt_secret, self.clock.now())

    def _customer_response(self, req, customer_id, headers):
        record = self.customers.get(customer_id)
        if record is None:
            return medusa_error(req, 404, "not_found",
                                "Customer with id: %s was not found" % js_string(customer_id),
                                headers=headers)
        return send(req, 200, record.customer_body(), JSON_TYPE, headers)

    def _cors(self, req, headers):
        """cors({origin: store_cors, credentials: true}) on every /store request.

        medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/index.js.
        """
        origin = req.headers.get("origin")
        if origin and _origin_allowed(origin, self.config.store_cors):
            headers.append(("Access-Control-Allow-Origin", origin))
        headers.append(("Vary", "Origin"))
        headers.append(("Access-Control-Allow-Credentials", "true"))

    def _preflight(self, req, headers):
        headers.append(("Access-Control-Allow-Methods", _CORS_METHODS))
        requested = req.headers.get("access-control-request-headers")
        if requested:
            headers.append(("Access-Control-Allow-Headers", requested))
            # vary() merges into the one Vary header cors already set.
            headers[:] = [(k, "Origin, Access-Control-Request-Headers" if k == "Vary" else v)
                          for k, v in headers]
        headers.append(("Content-Length", "0"))
        return Response(204, headers, b"")


def _passport_unauthorized(headers):
    """passport allFailed(): res.end("Unauthorized"), no Content-Type, no ETag
    (loaders/passport.ts, api/middlewares/authenticate-customer.ts)."""
    return Response(401, headers + [("Content-Length", "12")], b"Unauthorized")


def _is_secure(req):
    """express-session issecure() with proxy: true: TLS, or X-Forwarded-Proto's first value."""
    if req.secure:
        return True
    proto = req.headers.get("x-forwarded-proto", "").split(",", 1)[0].strip().lower()
    return proto == "https"


def _parse_cors_origins(value):
    """medusa-core-utils parseCorsOrigins: comma-separated; "/re/flags" entries are regexes."""
    origins = []
    for entry in (value or "").split(","):
        entry = entry.strip()
        if len(entry) > 2 and entry.startswith("/") and entry.rfind("/") > 0:
            end = entry.rfind("/")
            flags = re.IGNORECASE if "i" in entry[end + 1:] else 0
            origins.append(re.compile(entry[1:end], flags))
        elif entry:
            origins.append(entry)
    return origins


def _origin_allowed(origin, allowed):
    for entry in allowed:
        if isinstance(entry, str):
            if entry == origin:
                return True
        elif entry.search(origin):
            return True
    return False
