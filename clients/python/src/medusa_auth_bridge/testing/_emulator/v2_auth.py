"""The ``/auth`` routes of Medusa v2 for any actor type (storefronts use ``customer``).

Route files under medusajs/medusa packages/medusa/src/api/auth/: ``[actor_type]/[auth_provider]/
route.ts`` (login, or an OAuth start answering ``{location}``), ``.../register``, ``.../callback``,
``.../reset-password``, ``.../update``, ``session/route.ts`` and ``token/refresh/route.ts``.
Provider failures become 401 ``{type: "unauthorized", message}``; the authenticate middleware's
own 401 is the bare ``{message: "Unauthorized"}``.
"""

import secrets
from urllib.parse import quote_plus

from .express import send_json, send_status
from .jsutil import decode_uri_component
from .jwt import InvalidToken, verify
from .v2_errors import MedusaFailure, unauthorized
from .v2_data import OAUTH_PROVIDERS, github_user_metadata, google_user_metadata
from .v2_tokens import _AUTH_HEADER, auth_token, reset_token
from .v2_validation import RESET_PASSWORD, parse_query, validate

# packages/modules/auth/src/services/auth-module.ts caches OAuth state for 20 minutes.
OAUTH_STATE_SECONDS = 1200
# The providers' configured callbackUrl: the storefront's page that calls /callback.
DEFAULT_CALLBACK_URL = "http://localhost:8000/auth/customer/%s/callback"
OAUTH_CLIENT_ID = "emulator-client-id"
_AUTHORIZE_URLS = {
    "google": ("https://accounts.google.com/o/oauth2/v2/auth", "email profile openid"),
    "github": ("https://github.com/login/oauth/authorize", None),
}
_REGISTRATION_REFUSALS = {
    "google": "Google does not support registration. Use method `authenticate` instead.",
    "github": "Github does not support registration. Use method `authenticate` instead.",
}


def unknown_provider(provider):
    """packages/modules/auth/src/services/auth-provider.ts, as the module returns it."""
    return ("\nUnable to retrieve the auth provider with id: %s\nPlease make sure that the "
            "provider is registered in the container and it is configured correctly in your "
            "project configuration file." % provider)


class AuthRoutes:
    """Handlers of the ``/auth`` routes; mixed into MedusaV2App (``self`` is the app)."""

    def _token(self, identity, actor_type, user_metadata=None):
        return auth_token(identity, actor_type, self.config.jwt_secret,
                          self.config.jwt_expires_in, self.clock.now(), user_metadata)

    # -- login / OAuth start ------------------------------------------------------------------

    def login(self, req, session, body, headers, actor_type, provider):
        actor_type, provider = _param(actor_type), _param(provider)
        query = parse_query(req.target)
        if provider in OAUTH_PROVIDERS:
            if query.get("error"):
                raise unauthorized(_provider_error(query))
            return send_json(req, 200, {"location": self._oauth_location(provider, body)},
                             headers)
        if provider != "emailpass":
            raise unauthorized(unknown_provider(provider))
        body = body if isinstance(body, dict) else {}
        email, password = body.get("email"), body.get("password")
        if not isinstance(password, str) or not password:
            raise unauthorized("Password should be a string")
        if not isinstance(email, str) or not email:
            raise unauthorized("Email should be a string")
        identity = self.store.check_password(email, password)
        if identity is None:
            raise unauthorized("Invalid email or password")
        _, provider_identity = self.store.find_identity("emailpass", email)
        token = self._token(identity, actor_type, provider_identity.get("user_metadata"))
        return send_json(req, 200, {"token": token}, headers)

    def _oauth_location(self, provider, body):
        """getRedirect of the google/github providers, with a fresh 64-hex state."""
        state = secrets.token_hex(32)
        callback_url = (body.get("callback_url") if isinstance(body, dict) else None) \
            or DEFAULT_CALLBACK_URL % provider
        self.store.save_state(state, {"callback_url": callback_url},
                              self.clock.now() + OAUTH_STATE_SECONDS)
        base, scope = _AUTHORIZE_URLS[provider]
        params = [("redirect_uri", callback_url), ("client_id", OAUTH_CLIENT_ID),
                  ("response_type", "code")] + ([("scope", scope)] if scope else []) \
            + [("state", state)]
        return base + "?" + "&".join("%s=%s" % (k, quote_plus(v)) for k, v in params)

    # -- register -----------------------------------------------------------------------------

    def register(self, req, session, body, headers, actor_type, provider):
        actor_type, provider = _param(actor_type), _param(provider)
        if provider in _REGISTRATION_REFUSALS:
            raise unauthorized(_REGISTRATION_REFUSALS[provider])
        if provider != "emailpass":
            raise unauthorized(unknown_provider(provider))
        body = body if isinstance(body, dict) else {}
        email, password = body.get("email"), body.get("password")
        if not isinstance(password, str) or not password:
            raise unauthorized("Password should be a string")
        if not isinstance(email, str) or not email:
            raise unauthorized("Email should be a string")
        identity = self.store.register_emailpass(email, password)
        if identity is None:
            raise unauthorized("Identity with email already exists")
        return send_json(req, 200, {"token": self._token(identity, actor_type)}, headers)

    # -- OAuth callback -----------------------------------------------------------------------

    def callback(self, req, session, body, headers, actor_type, provider):
        actor_type, provider = _param(actor_type), _param(provider)
        if provider not in OAUTH_PROVIDERS:
            if provider == "emailpass":
                raise unauthorized("Authentication failed")
            raise unauthorized(unknown_provider(provider))
        query = parse_query(req.target)
        body = body if isinstance(body, dict) else {}
        if query.get("error"):
            raise unauthorized(_provider_error(query))
        code = query.get("code") or body.get("code")
        if not code:
            raise unauthorized("No code provided")
        if self.store.state(query.get("state"), self.clock.now()) is None:
            raise unauthorized("No state provided, or session expired")
        profile = self.store.oauth_profile(provider, code) if isinstance(code, str) else None
        if provider == "google":
            if profile is None:
                # Google's token endpoint refuses an unknown code with 400 invalid_grant.
                raise unauthorized("Could not exchange token, 400, Bad Request")
            if not profile.get("email_verified"):
                raise unauthorized("Email not verified, cannot proceed with authentication")
            entity_id, user_metadata = str(profile["sub"]), google_user_metadata(profile)
        else:
            if profile is None:
                # GitHub answers 200 without an access token; the provider's reason is dropped.
                raise unauthorized("Authentication failed")
            entity_id, user_metadata = str(profile["id"]), github_user_metadata(profile)
        identity = self.store.upsert_oauth_identity(provider, entity_id, user_metadata)
        token = self._token(identity, actor_type, user_metadata)
        return send_json(req, 200, {"token": token}, headers)

    # -- session ------------------------------------------------------------------------------

    def create_session(self, req, session, body, headers):
        """POST /auth/session: authenticate("*", "bearer"); the claims go into the session."""
        context = self.authenticate(req, session, ("*",), ("bearer",))
        session.data["auth_context"] = context
        return send_json(req, 200, {"user": context}, headers)

    def delete_session(self, req, session, body, headers):
        """DELETE /auth/session: authenticate("*", ["session"]); the session is destroyed."""
        self.authenticate(req, session, ("*",), ("session",))
        session.destroyed = True
        self.sessions.destroy(session.id)
        return send_json(req, 200, {"success": True}, headers)

    def refresh_token(self, req, session, body, headers):
        """POST /auth/token/refresh: a bearer token (actor-less allowed) for a fresh one that
        carries the identity's current app_metadata; user_metadata is not carried over."""
        context = self.authenticate(req, session, ("*",), ("bearer",), allow_unregistered=True)
        identity = self.store.identity(context.get("auth_identity_id"))
        if identity is None:
            raise MedusaFailure(404, "not_found", "AuthIdentity with id: %s was not found"
                                % context.get("auth_identity_id"))
        token = self._token(identity, context.get("actor_type"))
        return send_json(req, 200, {"token": token}, headers)

    # -- password reset -----------------------------------------------------------------------

    def reset_password(self, req, session, body, headers, actor_type, provider):
        """Always 201 ``Created``; the token goes out as the ``auth.password_reset`` event."""
        actor_type, provider = _param(actor_type), _param(provider)
        validate(body, RESET_PASSWORD)
        identifier = body["identifier"]
        identity, _ = self.store.find_identity(provider, identifier)
        if identity is not None and self.config.jwt_secret:
            token = reset_token(identifier, provider, actor_type, self.config.jwt_secret,
                                self.clock.now())
            self.store.emit("auth.password_reset", {"entity_id": identifier,
                                                    "actor_type": actor_type, "token": token})
        return send_status(req, 201, headers)

    def update_provider(self, req, session, body, headers, actor_type, provider):
        """POST .../update with ``Authorization: Bearer <reset token>`` (Medusa >= 2.6)."""
        actor_type, provider = _param(actor_type), _param(provider)
        payload = self._reset_token_payload(req, actor_type)
        entity_id = payload.get("entity_id") if payload else None
        if not entity_id or self.store.find_identity(provider, entity_id)[0] is None:
            raise unauthorized("Invalid token")
        password = body.get("password") if isinstance(body, dict) else None
        if not isinstance(password, str) or not password:
            raise unauthorized("Unauthorized")
        self.store.set_password(provider, entity_id, password)
        return send_json(req, 200, {"success": True}, headers)

    def _reset_token_payload(self, req, actor_type):
        header = req.headers.get("authorization")
        match = _AUTH_HEADER.search(header) if header else None
        if match is None or match.group(1).lower() != "bearer" or not self.config.jwt_secret:
            return None
        try:
            payload = verify(match.group(2), self.config.jwt_secret, self.clock.now())
        except InvalidToken:
            return None
        return payload if payload.get("actor_type") == actor_type else None


def _param(value):
    """Express decodes route parameters; a malformed escape is left as it is."""
    try:
        return decode_uri_component(value)
    except ValueError:
        return value


def _provider_error(query):
    return "%s, read more at: %s" % (query.get("error_description"), query.get("error_uri"))
