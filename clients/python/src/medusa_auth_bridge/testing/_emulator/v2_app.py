"""The Medusa v2 application: the middleware pipeline of ``/auth`` and ``/store``, and routing.

medusajs/medusa packages/core/framework/src/http/router.ts: body parsers for every route; on
``/store`` CORS, then ensurePublishableApiKeyMiddleware (a 400 before any authentication), then
``authenticate("customer", ["bearer", "session"], {allowUnauthenticated: true})``; on ``/auth``
CORS only. Then each route's own middlewares, its handler, and the errorHandler
(packages/core/framework/src/http/middlewares/error-handler.ts). Static routes win over
``/auth/:actor_type/:auth_provider``. The route handlers live in emulator_v2_auth.py and
emulator_v2_store.py.
"""

import re
import threading

from .app import Session, _is_secure, _origin_allowed, _parse_cors_origins
from .clock import Clock
from .express import (BodyError, Response, medusa_error, not_found, parse_json_body,
                              send, send_json)
from .jsutil import is_truthy
from .session import (SessionStore, new_session_id, session_id_from_cookie_header,
                              set_cookie_header)
from .v2_auth import AuthRoutes
from .v2_data import V2Store
from .v2_errors import MedusaFailure, Unauthorized
from .v2_store import StoreRoutes
from .v2_tokens import MissingSecret, bearer_payload
from .v2_validation import Invalid, parse_query

_CORS_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"
# packages/core/utils/src/common/define-config.ts: DEFAULT_ADMIN_CORS, the AUTH_CORS default.
DEFAULT_AUTH_CORS = "http://localhost:7000,http://localhost:7001,http://localhost:5173"
_STORE_MOUNT = re.compile(r"^/store(?:/|$)", re.IGNORECASE)
_AUTH_MOUNT = re.compile(r"^/auth(?:/|$)", re.IGNORECASE)
_HEALTH = re.compile(r"^/health/?\Z", re.IGNORECASE)
# (pattern, {method: handler name}); Express matching: case-insensitive, optional trailing slash.
_ROUTES = [(re.compile(pattern + r"/?\Z", re.IGNORECASE), methods) for pattern, methods in (
    (r"^/auth/session", {"POST": "create_session", "DELETE": "delete_session"}),
    (r"^/auth/token/refresh", {"POST": "refresh_token"}),
    (r"^/auth/([^/]+)/([^/]+)/register", {"POST": "register"}),
    (r"^/auth/([^/]+)/([^/]+)/callback", {"GET": "callback", "POST": "callback"}),
    (r"^/auth/([^/]+)/([^/]+)/reset-password", {"POST": "reset_password"}),
    (r"^/auth/([^/]+)/([^/]+)/update", {"POST": "update_provider"}),
    (r"^/auth/([^/]+)/([^/]+)", {"GET": "login", "POST": "login", "HEAD": "login"}),
    (r"^/store/customers", {"POST": "create_customer"}),
    (r"^/store/customers/me", {"GET": "retrieve_customer", "HEAD": "retrieve_customer",
                               "POST": "update_customer"}),
)]
UNAUTHORIZED_BODY = {"message": "Unauthorized"}


class MedusaV2App(AuthRoutes, StoreRoutes):
    """The emulated v2 backend; ``handle`` turns one Request into one Response, from any thread.

    State lives in the thread-safe V2Store and SessionStore; the Clock is shared with both.
    """

    medusa_version = 2
    api_prefixes = ("/store", "/auth")

    def __init__(self, config):
        self.config = config
        self.clock = Clock()
        self.sessions = SessionStore(clock=self.clock.now)
        self.store = V2Store(config.publishable_key)
        self.auth_cors = _parse_cors_origins(config.auth_cors)
        self.lock = threading.Lock()

    def reset(self):
        with self.lock:
            self.sessions.clear()
            self.store.reset()
            self.clock.set_offset(0)

    def handle(self, req):
        headers = [("X-Powered-By", "Express")]
        session = self._load_session(req)
        try:
            res = self._dispatch(req, session, headers)
        except Unauthorized:
            res = send_json(req, 401, UNAUTHORIZED_BODY, headers)
        except Invalid as exc:
            res = medusa_error(req, 400, "invalid_data", str(exc), headers=headers)
        except MedusaFailure as exc:
            res = medusa_error(req, exc.status, exc.error_type, str(exc), exc.code, headers)
        except MissingSecret as exc:
            res = medusa_error(req, 500, "invalid_argument", str(exc), headers=headers)
        except Exception:  # noqa: BLE001 - Medusa's errorHandler answers anything thrown
            res = medusa_error(req, 500, "unknown_error", "An unknown error occurred.",
                               "unknown_error", headers)
        self._finish_session(req, session, res)
        if req.method == "HEAD":
            res.send_body = False
        return res

    # -- express-session (saveUninitialized false since Medusa 2.7.1) -------------------------

    def _load_session(self, req):
        cookie_id = session_id_from_cookie_header(req.headers.get("cookie"),
                                                  self.config.cookie_secret)
        if cookie_id is not None:
            data = self.sessions.get(cookie_id)
            if data is not None:
                return Session(cookie_id, cookie_id, data)
        return Session(cookie_id, new_session_id(), {})

    def _finish_session(self, req, session, res):
        """Save and send the cookie only for a modified session: POST /auth/session, in practice."""
        if session.destroyed or session.data == session.original:
            return
        self.sessions.save(session.id, session.data)
        if self.config.production and not _is_secure(req):
            return
        res.headers.append(("Set-Cookie", set_cookie_header(
            session.id, self.config.cookie_secret, self.config.production, self.clock.now())))

    # -- pipeline -----------------------------------------------------------------------------

    def _dispatch(self, req, session, headers):
        try:
            body = self._parse_body(req)
        except BodyError as error:
            # http-errors from body-parser: {message, type} by status (error-handler.ts).
            error_type = {400: "invalid_data"}.get(error.status, "unknown_error")
            return send_json(req, error.status, {"message": str(error), "type": error_type},
                             headers)
        path, method = req.path, req.method
        store = _STORE_MOUNT.match(path)
        if store or _AUTH_MOUNT.match(path):
            self._cors(req, headers, self.config.store_cors if store else self.auth_cors)
            if method == "OPTIONS":
                return self._preflight(req, headers)
            if store:
                self._ensure_publishable_key(req)
        elif _HEALTH.match(path) and method in ("GET", "HEAD"):
            return send(req, 200, b"OK", "text/html; charset=utf-8", headers)
        for pattern, methods in _ROUTES:
            match = pattern.match(path)
            if match and method in methods:
                handler = getattr(self, methods[method])
                return handler(req, session, body, headers, *match.groups())
        return not_found(method, path, headers)

    def _parse_body(self, req):
        content_type = (req.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if not req.has_body or not req.body:
            return {}
        if content_type == "application/x-www-form-urlencoded":
            return _form(req.body)
        if content_type == "text/plain":
            return req.body.decode("utf-8", errors="replace")
        return parse_json_body(req.headers, req.body, req.has_body)

    def _ensure_publishable_key(self, req):
        """packages/core/framework/src/http/middlewares/ensure-publishable-api-key.ts."""
        key = req.headers.get("x-publishable-api-key")
        if not key:
            raise MedusaFailure(400, "not_allowed",
                                "Publishable API key required in the request header: "
                                "x-publishable-api-key. You can manage your keys in settings in "
                                "the dashboard.")
        if not self.store.key_is_valid(key):
            raise MedusaFailure(400, "not_allowed",
                                "A valid publishable key is required to proceed with the request")

    def authenticate(self, req, session, actor_types, auth_types, allow_unregistered=False):
        """authenticate-middleware.ts: the auth context, or Unauthorized.

        A session is used as stored (its token's ``exp`` is never checked again); a bearer token
        must verify against the clock. A token without ``actor_id`` passes only with
        ``allow_unregistered`` (POST /store/customers, POST /auth/token/refresh).
        """
        def permitted(context):
            return "*" in actor_types or context.get("actor_type") in actor_types

        context = None
        stored = session.data.get("auth_context")
        if "session" in auth_types and isinstance(stored, dict) and permitted(stored):
            context = stored
        if context is None and "bearer" in auth_types:
            payload = bearer_payload(req.headers.get("authorization"), self.config.jwt_secret,
                                     self.clock.now())
            if payload is not None and permitted(payload):
                context = payload
        if context is not None:
            if is_truthy(context.get("actor_id")):
                return context
            if is_truthy(context.get("auth_identity_id")) and allow_unregistered:
                return context
        raise Unauthorized()

    def _cors(self, req, headers, origins):
        origin = req.headers.get("origin")
        if origin and _origin_allowed(origin, origins):
            headers.append(("Access-Control-Allow-Origin", origin))
        headers.append(("Vary", "Origin"))
        headers.append(("Access-Control-Allow-Credentials", "true"))

    def _preflight(self, req, headers):
        headers.append(("Access-Control-Allow-Methods", _CORS_METHODS))
        requested = req.headers.get("access-control-request-headers")
        if requested:
            headers.append(("Access-Control-Allow-Headers", requested))
            headers[:] = [(k, "Origin, Access-Control-Request-Headers" if k == "Vary" else v)
                          for k, v in headers]
        headers.append(("Content-Length", "0"))
        return Response(204, headers, b"")


def _form(raw):
    """express.urlencoded: a flat object of the form's fields (repeated names become arrays)."""
    return parse_query("?" + raw.decode("utf-8", errors="replace"))
