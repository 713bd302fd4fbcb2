"""class-validator checks of ``StorePostAuthReq`` with validator.js's ``isEmail``.

# medusajs/medusa (v1.x) packages/medusa/src/utils/validator.ts and api/routes/store/auth/create-
# session.ts: validate(..., {whitelist: true, forbidNonWhitelisted: true});
# unknown properties first ("property X should not exist", in the body's key order), then the
# declared properties in order (email, password); every message joined with ", ".
"""

import re

from .jsutil import js_length, js_utf8

# Declaration order of StorePostAuthReq (packages/medusa/src/api/routes/store/auth/create-session.ts).
AUTH_FIELDS = ("email", "password")

# validator.js 13 lib/isEmail.js, default options (allow_utf8_local_part true, require_tld true,
# allow_ip_domain false, allow_display_name false, ignore_max_length false).
_EMAIL_USER_UTF8_PART = re.compile(
    r"^[a-z\d!#\$%&'\*\+\-\/=\?\^_`{\|}~\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+\Z",
    re.IGNORECASE | re.ASCII)
_QUOTED_EMAIL_USER_UTF8 = re.compile(
    r"^([\s\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]"
    r"|(\\[\x01-\x09\x0b\x0c\x0d-\x7f\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]))*\Z", re.IGNORECASE)
_MAX_EMAIL_LENGTH = 254

# validator.js lib/isFQDN.js, default options (require_tld, no underscores, no trailing dot,
# no numeric TLD). In JavaScript "\u00a1-\uffff" also covers the UTF-16 halves of astral
# characters, hence the explicit astral range here.
_TLD = re.compile(r"^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})\Z",
                  re.IGNORECASE)
_LABEL = re.compile(r"^[a-z_\u00a1-\uffff\U00010000-\U0010ffff0-9-]+\Z", re.IGNORECASE)
_FULL_WIDTH = re.compile(r"[\uff01-\uff5e]")
_JS_SPACE = re.compile(r"[\s\ufeff]")


def is_fqdn(domain):
    parts = domain.split(".")
    tld = parts[-1]
    if len(parts) < 2 or not _TLD.match(tld) or _JS_SPACE.search(tld):
        return False
    if re.fullmatch("[0-9]+", tld):
        return False
    for part in parts:
        if js_length(part) > 63 or not _LABEL.match(part) or _FULL_WIDTH.search(part):
            return False
        if part.startswith("-") or part.endswith("-") or "_" in part:
            return False
    return True


def is_email(value):
    """class-validator ``@IsEmail()``: a string that validator.js ``isEmail`` accepts."""
    if not isinstance(value, str):
        return False
    if js_length(value) > _MAX_EMAIL_LENGTH:
        return False
    parts = value.split("@")
    domain = parts.pop()
    user = "@".join(parts)
    if len(js_utf8(user)) > 64 or len(js_utf8(domain)) > 254:
        return False
    if not is_fqdn(domain):
        return False
    if user[:1] == '"':
        return bool(_QUOTED_EMAIL_USER_UTF8.match(user[1:-1]))
    return all(_EMAIL_USER_UTF8_PART.match(part) for part in user.split("."))


def is_not_empty(value):
    """class-validator ``@IsNotEmpty()``: only "", null and undefined fail (0 and false pass)."""
    return value is not None and value != ""


# class-transformer's plainToInstance skips keys naming a function the instance inherits (every
# Object.prototype method) and "__proto__" sets the prototype instead of a property: neither
# reaches class-validator, so neither is reported as forbidden.
_INHERITED_NAMES = frozenset((
    "constructor", "__defineGetter__", "__defineSetter__", "hasOwnProperty", "__lookupGetter__",
    "__lookupSetter__", "isPrototypeOf", "propertyIsEnumerable", "toString", "valueOf",
    "toLocaleString", "__proto__"))
_ARRAY_INDEX = re.compile(r"(?:0|[1-9][0-9]*)\Z")


def js_object_keys(body):
    """``Object.keys`` order: array-index keys ascending first, then the rest as inserted."""
    indexes = sorted((k for k in body if _ARRAY_INDEX.match(k) and int(k) < 2 ** 32 - 1), key=int)
    if not indexes:
        return list(body)
    chosen = set(indexes)
    return indexes + [k for k in body if k not in chosen]


def validate_auth_body(body):
    """Return the class-validator message for a /store/auth(/token) body, or None when valid.

    ``body`` is what body-parser produced: a dict, or a list for a JSON array.
    """
    if not isinstance(body, dict):
        # class-validator 0.14 (forbidUnknownValues defaults to true) on an array: the
        # instance has no validation metadata. (inferred)
        return "an unknown value was passed to the validate function"
    messages = ["property %s should not exist" % key for key in js_object_keys(body)
                if key not in AUTH_FIELDS and key not in _INHERITED_NAMES]
    if not is_email(body.get("email")):
        messages.append("email must be an email")
    if not is_not_empty(body.get("password")):
        messages.append("password should not be empty")
    return ", ".join(messages) if messages else None
