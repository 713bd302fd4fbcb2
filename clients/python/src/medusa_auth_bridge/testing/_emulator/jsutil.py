"""Small helpers that make Python values behave as they would inside Node/V8.

Medusa is a Node program: strings are UTF-16, ``Buffer.from(str)`` turns lone surrogates into
U+FFFD, ``String(x)`` formats numbers and booleans the JavaScript way and ``JSON.stringify`` writes
compact JSON with non-ASCII characters raw. The emulator answers with the same bytes.
"""

import json
import re

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def js_utf8(text):
    """UTF-8 bytes of ``text`` as Node's ``Buffer.from(text)`` produces them."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")


def js_length(text):
    """``text.length`` in JavaScript: UTF-16 code units, so astral characters count twice."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def js_string(value):
    """``String(value)``, the conversion a template literal applies."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def is_truthy(value):
    """JavaScript truthiness of a JSON value (every object and array is truthy)."""
    if isinstance(value, (dict, list)):
        return True
    return bool(value)


def json_bytes(value):
    """``JSON.stringify(value)`` as UTF-8 bytes, which is what Express's ``res.json`` sends."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # JSON.stringify escapes lone surrogates as \udXXX; ASCII-escaping everything is the
        # same JSON value and only happens for keys a client made up.
        return json.dumps(value, separators=(",", ":")).encode("ascii")


class URIError(ValueError):
    """JavaScript's URIError ("URI malformed")."""


_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def decode_uri_component(text):
    """``decodeURIComponent``: strict, raising URIError on a bad escape or invalid UTF-8.

    ``+`` stays ``+`` (unlike form decoding).
    """
    if "%" not in text:
        return text
    out = []
    pos = 0
    for match in _PERCENT_RUN.finditer(text):
        plain = text[pos:match.start()]
        if "%" in plain:
            raise URIError("URI malformed")
        out.append(plain)
        try:
            out.append(bytes.fromhex(match.group().replace("%", "")).decode("utf-8"))
        except UnicodeDecodeError:
            raise URIError("URI malformed") from None
        pos = match.end()
    rest = text[pos:]
    if "%" in rest:
        raise URIError("URI malformed")
    out.append(rest)
    return "".join(out)
