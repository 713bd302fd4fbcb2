"""The JWTs of Medusa v2: the auth context token, the password-reset token, and reading them.

medusajs/medusa packages/medusa/src/api/auth/utils/generate-jwt-token.ts signs
``{actor_id, actor_type, auth_identity_id, app_metadata: {<actor>_id}, user_metadata}`` with
``http.jwtSecret`` and ``expiresIn: http.jwtExpiresIn ?? "1d"``; jsonwebtoken appends ``iat`` and
``exp``. packages/core/framework/src/http/middlewares/authenticate-middleware.ts reads the
``Authorization`` header with /(\\S+)\\s+(\\S+)/ and a case-insensitive ``bearer`` scheme.
"""

import re

from .jwt import InvalidToken, sign, verify

# http.jwtExpiresIn default "1d".
TOKEN_LIFETIME_SECONDS = 24 * 3600
# packages/core/core-flows/src/auth/workflows/generate-reset-password-token.ts: expiresIn "15m".
RESET_TOKEN_LIFETIME_SECONDS = 15 * 60

_AUTH_HEADER = re.compile(r"(\S+)\s+(\S+)")


class MissingSecret(Exception):
    """generateJwtToken without a secret: Medusa throws invalid_argument (answered 500)."""

    MESSAGE = "JWT secret and expiresIn must be provided when generating a token"


def auth_token(identity, actor_type, secret, expires_in, now, user_metadata=None):
    """The token login, register, callback and refresh answer with, for ``identity``."""
    if not secret:
        raise MissingSecret(MissingSecret.MESSAGE)
    actor_id = (identity or {}).get("app_metadata", {}).get("%s_id" % actor_type)
    app_metadata = {"%s_id" % actor_type: actor_id} if actor_id is not None else {}
    iat = int(now)
    payload = {"actor_id": actor_id or "", "actor_type": actor_type,
               "auth_identity_id": (identity or {}).get("id", ""),
               "app_metadata": app_metadata, "user_metadata": user_metadata or {},
               "iat": iat, "exp": iat + int(expires_in)}
    return sign(payload, secret)


def reset_token(entity_id, provider, actor_type, secret, now):
    """The token of the ``auth.password_reset`` event."""
    iat = int(now)
    payload = {"entity_id": entity_id, "provider": provider, "actor_type": actor_type,
               "iat": iat, "exp": iat + RESET_TOKEN_LIFETIME_SECONDS}
    return sign(payload, secret)


def bearer_payload(header_value, secret, now):
    """The verified payload of an ``Authorization: Bearer`` header, or None."""
    if not header_value or not secret:
        return None
    match = _AUTH_HEADER.search(header_value)
    if match is None or match.group(1).lower() != "bearer":
        return None
    try:
        return verify(match.group(2), secret, now)
    except InvalidToken:
        return None
