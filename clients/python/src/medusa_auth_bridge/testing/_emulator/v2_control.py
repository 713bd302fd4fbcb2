"""The control routes of v2 mode (``/__emulator/...``), mixed into ControlAPI.

Customers and identities are v2's two tables; the ``auth.password_reset`` event carries the reset
token a storefront would have mailed; OAuth codes feed the provider stubs; publishable keys gate
``/store``.
"""

from .v2_data import OAUTH_PROVIDERS, DuplicateCustomer
from .v2_tokens import TOKEN_LIFETIME_SECONDS
from .jwt import sign


class ControlInputError(ValueError):
    """A control request with a body the route cannot use (400)."""


class V2ControlRoutes:
    """Control handlers for a MedusaV2App (``self.app``); each returns (status, JSON value)."""

    def v2_routes(self):
        return {
            ("GET", "customers", 1): self.v2_get_customers,
            ("POST", "customers", 1): self.v2_create_customer,
            ("DELETE", "customers", 2): self.v2_delete_customer,
            ("GET", "identities", 1): self.v2_get_identities,
            ("POST", "jwt", 1): self.v2_make_jwt,
            ("GET", "publishable-keys", 1): self.v2_get_keys,
            ("POST", "publishable-keys", 1): self.v2_add_key,
            ("DELETE", "publishable-keys", 2): self.v2_revoke_key,
            ("GET", "oauth-codes", 1): self.v2_get_codes,
            ("POST", "oauth-codes", 1): self.v2_add_code,
        }

    def v2_get_customers(self, _body, _segments):
        with_password = {pi["entity_id"] for identity in self.app.store.identities()
                         for pi in identity["provider_identities"]
                         if pi["provider"] == "emailpass"
                         and (pi.get("provider_metadata") or {}).get("password")}
        customers = []
        for customer in self.app.store.customers():
            customer["has_password"] = customer["has_account"] and customer["email"] in with_password
            customers.append(customer)
        return 200, {"customers": customers}

    def v2_create_customer(self, body, _segments):
        """A registered customer and (with a password) its emailpass identity, linked."""
        if not isinstance(body, dict) or not isinstance(body.get("email"), str) \
                or not body["email"]:
            raise ControlInputError("expected {email, password?, has_account?, first_name?, ...}")
        password = body.get("password")
        has_account = body.get("has_account", True)
        if password is not None and not isinstance(password, str):
            raise ControlInputError("password must be a string or null")
        if not isinstance(has_account, bool) or (password and not has_account):
            raise ControlInputError("has_account must be a boolean (true when a password is set)")
        fields = {k: body.get(k) for k in ("first_name", "last_name", "phone", "company_name",
                                            "metadata")}
        try:
            customer = self.app.store.add_customer(body["email"], has_account, **fields)
            identity = None
            if password:
                identity = self.app.store.add_identity(body["email"], password, customer["id"])
        except DuplicateCustomer:
            return 422, {"code": "invalid_request_error", "type": "duplicate_error",
                         "message": "Customer with this email already has an account"}
        return 200, {"customer": customer,
                     "auth_identity_id": identity["id"] if identity else None}

    def v2_delete_customer(self, _body, segments):
        if not self.app.store.delete_customer(segments[1]):
            return 404, {"error": "no customer with id %s" % segments[1]}
        return 200, {"id": segments[1], "object": "customer", "deleted": True}

    def v2_get_identities(self, _body, _segments):
        identities = self.app.store.identities()
        for identity in identities:
            for provider_identity in identity["provider_identities"]:
                metadata = provider_identity.get("provider_metadata") or {}
                metadata.pop("password", None)  # never leave the emulator, even in a test log
        return 200, {"identities": identities}

    def v2_make_jwt(self, body, _segments):
        """``{"payload": {...}}`` signed as given, or a v2 auth token from ``actor_id``,
        ``actor_type`` (customer), ``auth_identity_id`` and ``expires_in`` (negative: expired)."""
        if not isinstance(body, dict):
            raise ControlInputError("expected {payload} or {actor_id, auth_identity_id, expires_in}")
        secret = body.get("secret", self.app.config.jwt_secret)
        alg = body.get("alg", "HS256")
        if alg not in ("HS256", "HS384", "HS512") or not isinstance(secret, str):
            raise ControlInputError("alg must be HS256, HS384 or HS512 and secret a string")
        payload = body.get("payload")
        if payload is None:
            expires_in = body.get("expires_in", self.app.config.jwt_expires_in
                                  or TOKEN_LIFETIME_SECONDS)
            if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)):
                raise ControlInputError("expires_in must be a number of seconds")
            actor_type = body.get("actor_type", "customer")
            actor_id = body.get("actor_id", "")
            iat = int(self.app.clock.now())
            payload = {"actor_id": actor_id, "actor_type": actor_type,
                       "auth_identity_id": body.get("auth_identity_id", ""),
                       "app_metadata": {"%s_id" % actor_type: actor_id} if actor_id else {},
                       "user_metadata": body.get("user_metadata", {}),
                       "iat": iat, "exp": int(iat + expires_in)}
        elif not isinstance(payload, dict):
            raise ControlInputError("payload must be an object")
        return 200, {"token": sign(payload, secret, alg)}

    def v2_get_keys(self, _body, _segments):
        return 200, {"publishable_keys": self.app.store.keys()}

    def v2_add_key(self, body, _segments):
        body = body if isinstance(body, dict) else {}
        token = body.get("token")
        if token is not None and (not isinstance(token, str) or not token):
            raise ControlInputError("token must be a non-empty string")
        return 200, {"publishable_key": self.app.store.add_key(body.get("title", "Emulator key"),
                                                               token)}

    def v2_revoke_key(self, _body, segments):
        key = self.app.store.revoke_key(segments[1])
        if key is None:
            return 404, {"error": "no publishable key %s" % segments[1]}
        return 200, {"publishable_key": key}

    def v2_get_codes(self, _body, _segments):
        return 200, {"oauth_codes": self.app.store.oauth_codes()}

    def v2_add_code(self, body, _segments):
        """``{"provider", "code", "profile"}``: the profile the provider yields for that code
        (google: sub, email, email_verified, name, ...; github: id, email, name, ...)."""
        if not isinstance(body, dict) or body.get("provider") not in OAUTH_PROVIDERS \
                or not isinstance(body.get("code"), str) or not isinstance(body.get("profile"), dict):
            raise ControlInputError("expected {provider: google|github, code, profile: {...}}")
        key = "sub" if body["provider"] == "google" else "id"
        if key not in body["profile"]:
            raise ControlInputError("a %s profile needs %r" % (body["provider"], key))
        self.app.store.add_oauth_code(body["provider"], body["code"], body["profile"])
        return 200, {"oauth_codes": self.app.store.oauth_codes()}
