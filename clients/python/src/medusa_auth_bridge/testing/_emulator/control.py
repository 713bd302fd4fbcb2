"""The test-only control API under ``/__emulator/`` (JSON in and out, never recorded).

Routes (see README.md for examples):
  GET/DELETE /__emulator/requests      read back / forget the requests received
  GET/POST/DELETE /__emulator/faults   list / queue (one or a list) / clear injected faults
  POST /__emulator/reset               faults, request log and sessions cleared, seeds restored
  GET/POST /__emulator/customers       list / create a customer
  DELETE /__emulator/customers/<id>    delete one (GET /store/auth then answers 404)
  POST /__emulator/jwt                 sign a token with the emulator's secret (expired ones too)
  GET /__emulator/sessions             the live express-session store
  GET /__emulator/config               the secrets and mode this emulator runs with
  GET/POST /__emulator/clock           read / move the clock that issues and checks tokens
  GET/DELETE /__emulator/events        events Medusa would emit (v2: auth.password_reset)
v2 mode adds identities, publishable-keys and oauth-codes (emulator_v2_control.py).
"""

import json
import time

from .express import JSON_TYPE, Response
from .faults import Fault, FaultSpecError
from .jsutil import json_bytes
from .jwt import TOKEN_LIFETIME_SECONDS, sign
from .v2_control import ControlInputError, V2ControlRoutes


class ControlAPI(V2ControlRoutes):
    """Dispatches control requests to the emulator's state; each piece of state has its own lock.

    Handlers answer with a Response or a (status, JSON value) pair.
    """

    def __init__(self, app, faults, request_log):
        self.app = app
        self.faults = faults
        self.request_log = request_log
        self.url = None  # filled in once the server is bound

    def handle(self, req):
        segments = [s for s in req.path[len("/__emulator"):].split("/") if s]
        route = (req.method, segments[0] if segments else "", len(segments))
        try:
            body = json.loads(req.body.decode("utf-8")) if req.body.strip() else None
        except (ValueError, UnicodeDecodeError) as exc:
            return _json(400, {"error": "body is not JSON: %s" % exc})
        try:
            handler = self._routes().get(route)
            if handler is None:
                return _json(404, {"error": "no control route %s %s" % (req.method, req.path)})
            result = handler(body, segments)
            return _json(*result) if isinstance(result, tuple) else result
        except (FaultSpecError, _BadInput, ControlInputError) as exc:
            return _json(400, {"error": str(exc)})
        except Exception as exc:  # noqa: BLE001 - a test author should see the emulator's bug
            return _json(500, {"error": "emulator bug: %r" % exc})

    def _routes(self):
        routes = self._common_routes()
        if self.app.medusa_version == 2:
            routes.update(self.v2_routes())
        return routes

    def _common_routes(self):
        return {
            ("GET", "requests", 1): self.get_requests,
            ("DELETE", "requests", 1): self.clear_requests,
            ("GET", "faults", 1): self.get_faults,
            ("POST", "faults", 1): self.add_faults,
            ("DELETE", "faults", 1): self.clear_faults,
            ("POST", "reset", 1): self.reset,
            ("GET", "customers", 1): self.get_customers,
            ("POST", "customers", 1): self.create_customer,
            ("DELETE", "customers", 2): self.delete_customer,
            ("POST", "jwt", 1): self.make_jwt,
            ("GET", "sessions", 1): self.get_sessions,
            ("GET", "config", 1): self.get_config,
            ("GET", "clock", 1): self.get_clock,
            ("POST", "clock", 1): self.move_clock,
            ("GET", "events", 1): self.get_events,
            ("GET", "events", 2): self.get_events,
            ("DELETE", "events", 1): self.clear_events,
        }

    def get_requests(self, _body, _segments):
        entries, dropped = self.request_log.snapshot()
        return _json(200, {"requests": entries, "dropped": dropped})

    def clear_requests(self, _body, _segments):
        self.request_log.clear()
        return _json(200, {"ok": True})

    def get_faults(self, _body, _segments):
        return _json(200, {"faults": self.faults.describe()})

    def add_faults(self, body, _segments):
        specs = body if isinstance(body, list) else [body]
        parsed = [Fault(spec) for spec in specs]  # validate all before queueing any
        for fault in parsed:
            self.faults.add(fault)
        return _json(200, {"faults": self.faults.describe()})

    def clear_faults(self, _body, _segments):
        self.faults.clear()
        return _json(200, {"ok": True})

    def reset(self, _body, _segments):
        self.faults.clear()
        self.request_log.clear()
        self.app.reset()
        return _json(200, {"ok": True})

    def get_customers(self, _body, _segments):
        customers = []
        for record in self.app.customers.all():
            customer = record.public()
            customer["has_password"] = bool(record.password_hash)
            customers.append(customer)
        return _json(200, {"customers": customers})

    def create_customer(self, body, _segments):
        if not isinstance(body, dict):
            raise _BadInput("expected {email, password, has_account}")
        email = body.get("email")
        password = body.get("password")
        has_account = body.get("has_account", True)
        if not isinstance(email, str) or not email:
            raise _BadInput("email must be a non-empty string")
        if password is not None and not isinstance(password, str):
            raise _BadInput("password must be a string or null")
        if not isinstance(has_account, bool):
            raise _BadInput("has_account must be a boolean")
        extra = {k: body.get(k) for k in ("first_name", "last_name", "phone", "metadata")}
        try:
            record = self.app.customers.create(email, password, has_account, **extra)
        except ValueError:
            # Medusa's unique (email, has_account) index -> duplicate_error, 422
            # (packages/medusa/src/api/middlewares/error-handler.ts).
            return _json(422, {"code": "invalid_request_error", "type": "duplicate_error",
                               "message": "A customer with the given email already has an "
                                          "account. Log in instead"})
        return _json(200, {"customer": record.public()})

    def delete_customer(self, _body, segments):
        customer_id = segments[1]
        if not self.app.customers.delete(customer_id):
            return _json(404, {"error": "no customer with id %s" % customer_id})
        return _json(200, {"id": customer_id, "object": "customer", "deleted": True})

    def make_jwt(self, body, _segments):
        """Sign ``{"payload": {...}}`` as given, or build a store token from ``customer_id``,
        ``domain`` (default "store") and ``expires_in`` seconds (negative: already expired).
        ``secret`` and ``alg`` (HS256/HS384/HS512) override the emulator's."""
        if not isinstance(body, dict):
            raise _BadInput("expected {payload} or {customer_id, domain, expires_in}")
        secret = body.get("secret", self.app.config.jwt_secret)
        alg = body.get("alg", "HS256")
        if alg not in ("HS256", "HS384", "HS512") or not isinstance(secret, str):
            raise _BadInput("alg must be HS256, HS384 or HS512 and secret a string")
        payload = body.get("payload")
        if payload is None:
            iat = int(time.time())
            expires_in = body.get("expires_in", TOKEN_LIFETIME_SECONDS)
            if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
                raise _BadInput("expires_in must be a number of seconds")
            payload = {"customer_id": body.get("customer_id"),
                       "domain": body.get("domain", "store"), "iat": iat,
                       "exp": int(iat + expires_in)}
        elif not isinstance(payload, dict):
            raise _BadInput("payload must be an object")
        return _json(200, {"token": sign(payload, secret, alg)})

    def get_sessions(self, _body, _segments):
        return _json(200, {"sessions": self.app.sessions.snapshot()})

    def get_config(self, _body, _segments):
        config = self.app.config
        answer = {"url": self.url, "production": config.production,
                  "cookie_secret": config.cookie_secret, "jwt_secret": config.jwt_secret}
        if self.app.medusa_version == 2:
            answer.update(medusa_version=2, publishable_key=config.publishable_key,
                          jwt_expires_in=config.jwt_expires_in)
        return _json(200, answer)

    def get_clock(self, _body, _segments):
        return _json(200, self._clock_state())

    def move_clock(self, body, _segments):
        """``{"advance": seconds}`` moves the clock on; ``{"offset": seconds}`` sets it (0: real
        time). Tokens issued and checked, sessions and OAuth states all follow it."""
        if not isinstance(body, dict) or len(body) != 1 or not (
                "advance" in body or "offset" in body):
            raise _BadInput('expected {"advance": seconds} or {"offset": seconds}')
        (key, value), = body.items()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _BadInput("%s must be a number of seconds" % key)
        if key == "advance":
            self.app.clock.advance(value)
        else:
            self.app.clock.set_offset(value)
        return _json(200, self._clock_state())

    def _clock_state(self):
        return {"now": self.app.clock.now(), "offset": self.app.clock.offset}

    def get_events(self, _body, segments):
        """Every event, or those named ``segments[1]`` (GET /__emulator/events/<name>)."""
        name = segments[1] if len(segments) > 1 else None
        store = getattr(self.app, "store", None)
        return _json(200, {"events": store.events(name) if store is not None else []})

    def clear_events(self, _body, _segments):
        store = getattr(self.app, "store", None)
        if store is not None:
            store.clear_events()
        return _json(200, {"ok": True})


class _BadInput(ValueError):
    """A control request with a body the route cannot use (400)."""


def _json(status, value):
    body = json_bytes(value)
    return Response(status, [("Content-Type", JSON_TYPE), ("Content-Length", str(len(body)))], body)
