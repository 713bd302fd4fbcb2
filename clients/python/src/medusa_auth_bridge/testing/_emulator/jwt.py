"""HS256 JSON Web Tokens as ``jsonwebtoken`` 9 signs and verifies them for Medusa's store.

# medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/get-token.ts:
# jwt.sign({customer_id, domain: "store"}, jwt_secret, {expiresIn: "30d"})
# medusajs/medusa (v1.x) packages/medusa/src/loaders/passport.ts and api/middlewares/authenticate-
# customer.ts: jwt.verify(token, jwt_secret) with no options, then domain === "store"
# and a truthy customer_id.
"""

import base64
import hashlib
import hmac
import json
import re
import time

from .jsutil import is_truthy, js_utf8

# medusajs/medusa (v1.x) packages/medusa/src/api/routes/store/auth/get-token.ts: expiresIn "30d" = 2
# 592 000 s.
TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600

# jsonwebtoken's defaults for a string secret: HS256/384/512 are accepted, "none" never is.
_ALGORITHMS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}
# jws.isValid: three base64url runs, the signature may be empty.
_JWS_SHAPE = re.compile(r"^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?\Z")
# passport-jwt lib/auth_header.js: the first two non-space runs, not anchored.
_AUTH_HEADER = re.compile(r"(\S+)\s+(\S+)")


class InvalidToken(Exception):
    """Any reason jsonwebtoken.verify would reject a token (passport then fails the strategy)."""


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_segment(value):
    return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def sign(payload, secret, alg="HS256", header=None):
    """Sign ``payload`` (a dict, key order kept) and return the compact token."""
    head = {"alg": alg, "typ": "JWT"} if header is None else header
    signing_input = _json_segment(head) + "." + _json_segment(payload)
    digest = _ALGORITHMS[alg]
    signature = hmac.new(js_utf8(secret), signing_input.encode("ascii"), digest).digest()
    return signing_input + "." + b64url(signature)


def store_token(customer_id, secret, now=None):
    """The token ``POST /store/auth/token`` returns, payload keys in jsonwebtoken's order."""
    iat = int(time.time() if now is None else now)
    payload = {"customer_id": customer_id, "domain": "store", "iat": iat,
               "exp": iat + TOKEN_LIFETIME_SECONDS}
    return sign(payload, secret)


def verify(token, secret, now=None):
    """Return the payload of a valid token or raise InvalidToken (jsonwebtoken.verify rules)."""
    if not isinstance(token, str) or not _JWS_SHAPE.match(token):
        raise InvalidToken("jwt malformed")
    head_b64, payload_b64, signature = token.split(".")
    try:
        header = json.loads(_b64url_decode(head_b64))
    except ValueError:
        raise InvalidToken("invalid token") from None
    if not isinstance(header, dict):
        raise InvalidToken("invalid token")
    if not signature:
        raise InvalidToken("jwt signature is required")
    digest = _ALGORITHMS.get(header.get("alg"))
    if digest is None:
        raise InvalidToken("invalid algorithm")
    expected = b64url(hmac.new(js_utf8(secret), (head_b64 + "." + payload_b64).encode("ascii"),
                               digest).digest())
    if not hmac.compare_digest(expected, signature):
        raise InvalidToken("invalid signature")
    try:
        payload = json.loads(_b64url_decode(payload_b64))
    except ValueError:
        raise InvalidToken("invalid payload") from None
    if not isinstance(payload, dict):
        raise InvalidToken("invalid payload")
    clock = int(time.time() if now is None else now)
    for claim in ("nbf", "exp"):
        if claim in payload and not _is_number(payload[claim]):
            raise InvalidToken("invalid %s value" % claim)
    if "nbf" in payload and payload["nbf"] > clock:
        raise InvalidToken("jwt not active")
    # No clock tolerance: a token is expired from the second its exp is reached.
    if "exp" in payload and clock >= payload["exp"]:
        raise InvalidToken("jwt expired")
    return payload


def store_customer_from_authorization(header_value, secret, now=None):
    """The customer id the store-bearer strategy accepts from an Authorization header, or None.

    # medusajs/medusa (v1.x) packages/medusa/src/loaders/passport.ts and
    # api/middlewares/authenticate-customer.ts: scheme compared case-insensitively to "bearer",
    # header parsed
    # with /(\\S+)\\s+(\\S+)/, then domain === "store" and a truthy customer_id.
    """
    if not header_value or not secret:
        return None
    match = _AUTH_HEADER.search(header_value)
    if match is None or match.group(1).lower() != "bearer":
        return None
    try:
        payload = verify(match.group(2), secret, now)
    except InvalidToken:
        return None
    customer_id = payload.get("customer_id")
    if payload.get("domain") != "store" or not is_truthy(customer_id):
        return None
    return customer_id


def decode_unverified(token):
    """(header, payload) of a token without checking it; for tests and the control API."""
    head_b64, payload_b64, _ = token.split(".")
    return json.loads(_b64url_decode(head_b64)), json.loads(_b64url_decode(payload_b64))


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)
