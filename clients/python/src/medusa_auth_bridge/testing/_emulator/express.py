"""What Express 4.18, finalhandler and body-parser add around Medusa's handlers.

Responses carry Express's headers (X-Powered-By, weak ETag from res.send, 304 when fresh),
Express's HTML error pages, and body-parser's JSON parsing rules.
"""

import base64
import hashlib
import html
import json
import re
from http import HTTPStatus

from .jsutil import json_bytes, js_utf8

JSON_TYPE = "application/json; charset=utf-8"
TEXT_TYPE = "text/plain; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
# body-parser json default limit "100kb".
JSON_BODY_LIMIT = 100 * 1024


class Response:
    """Status, ordered header list and body bytes (``send_body`` is False for HEAD)."""

    __slots__ = ("status", "headers", "body", "send_body")

    def __init__(self, status, headers=None, body=b""):
        self.status = status
        self.headers = headers if headers is not None else []
        self.body = body
        self.send_body = True

    def header(self, name):
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def remove_header(self, name):
        lowered = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lowered]


def reason_phrase(status):
    """Node's http.STATUS_CODES text for a status (the status line of every response)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def weak_etag(body):
    """``etag(body, {weak: true})``: W/"<hex length>-<first 27 chars of base64 sha1>"."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode("ascii")[:27]
    return 'W/"%x-%s"' % (len(body), digest)


_NO_CACHE = re.compile(r"(?:^|,)\s*?no-cache\s*?(?:,|$)")


def is_fresh(request_headers, etag):
    """``fresh`` 0.5.2 as ``req.fresh`` calls it (there is never a Last-Modified here)."""
    modified_since = request_headers.get("if-modified-since")
    none_match = request_headers.get("if-none-match")
    if not modified_since and not none_match:
        return False
    cache_control = request_headers.get("cache-control")
    if cache_control and _NO_CACHE.search(cache_control):
        return False
    if none_match and none_match != "*":
        tokens = [t.strip() for t in none_match.split(",") if t.strip()]
        if not any(t == etag or t == "W/" + etag or "W/" + t == etag for t in tokens):
            return False
    if modified_since:
        return False  # no Last-Modified on these responses, so never fresh by date
    return True


def send(request, status, body, content_type, headers=None):
    """``res.status(s).send(body)``: Content-Type, ETag, and 304 for a fresh GET/HEAD."""
    res = Response(status, list(headers or ()))
    res.headers.append(("Content-Type", content_type))
    etag = weak_etag(body)
    res.headers.append(("ETag", etag))
    if request.method in ("GET", "HEAD") and (200 <= status < 300) and is_fresh(request.headers, etag):
        res.status = 304
        res.remove_header("Content-Type")
        body = b""
    res.body = body
    return res


def send_json(request, status, value, headers=None):
    """``res.status(s).json(value)`` (JSON.stringify, application/json; charset=utf-8)."""
    return send(request, status, json_bytes(value), JSON_TYPE, headers)


def send_status(request, status, headers=None):
    """``res.sendStatus(s)``: text/plain body with the status text, e.g. ``Unauthorized``."""
    return send(request, status, reason_phrase(status).encode("ascii"), TEXT_TYPE, headers)


def medusa_error(request, status, error_type, message, code=None, headers=None):
    """Medusa's errorHandler body ``{code, type, message}``, code omitted when undefined (api/middlewares/error-handler.ts)."""
    body = {"type": error_type, "message": message} if code is None else \
        {"code": code, "type": error_type, "message": message}
    return send_json(request, status, body, headers)


# encodeurl 1.0.2: characters outside this set (and a "%" that starts no escape) get encoded.
_ENCODE_CHARS = re.compile(r"(?:[^\x21\x25\x26-\x3B\x3D\x3F-\x5B\x5D\x5F\x61-\x7A\x7E]"
                           r"|%(?:[^0-9A-Fa-f]|[0-9A-Fa-f][^0-9A-Fa-f]|$))+")


def encode_url(text):
    def encode(match):
        return "".join("%25" + m[1:] if m.startswith("%") else
                       "".join("%%%02X" % b for b in js_utf8(m))
                       for m in re.findall(r"%[^%]{0,2}|[^%]", match.group()))
    return _ENCODE_CHARS.sub(encode, text)


def html_document(message):
    """finalhandler's createHtmlDocument."""
    body = html.escape(message, quote=True).replace("&#x27;", "&#39;")
    body = re.sub(r"\x20{2}", " &nbsp;", re.sub(r"\r?\n", "<br>", body))
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            "<title>Error</title>\n</head>\n<body>\n<pre>" + body + "</pre>\n</body>\n</html>\n")


def final_handler(status, message, headers=None):
    """finalhandler's answer: HTML page, CSP and nosniff headers (used for 404s and body errors)."""
    res = Response(status, list(headers or ()))
    res.headers.append(("Content-Security-Policy", "default-src 'none'"))
    res.headers.append(("X-Content-Type-Options", "nosniff"))
    res.headers.append(("Content-Type", HTML_TYPE))
    res.body = html_document(message).encode("utf-8")
    return res


def not_found(method, path, headers=None):
    """Express 404 ``Cannot PUT /store/auth``.

    medusajs/medusa (v1.x) packages/medusa/src/api/middlewares/error-handler.ts (inferred).
    """
    pathname = path.split("?", 1)[0]
    return final_handler(404, "Cannot %s %s" % (method, encode_url(pathname)), headers)


class BodyError(Exception):
    """A body-parser failure: status, error name and message, as Express would render them."""

    def __init__(self, status, name, message):
        super().__init__(message)
        self.status = status
        self.name = name


def body_error_page(error, production, headers=None):
    """body-parser errors reach Express's default handler.

    medusajs/medusa (v1.x) packages/medusa/src/api/middlewares/error-handler.ts (inferred).

    Outside production finalhandler shows err.stack; in production only the status text.
    """
    if production:
        return final_handler(error.status, reason_phrase(error.status), headers)
    stack = "%s: %s\n%s" % (error.name, error, _BODY_PARSER_STACK)
    return final_handler(error.status, stack, headers)


_BODY_PARSER_STACK = "\n".join("    at " + frame for frame in (
    "JSON.parse (<anonymous>)",
    "parse (/app/node_modules/body-parser/lib/types/json.js:89:19)",
    "/app/node_modules/body-parser/lib/read.js:128:18",
    "AsyncResource.runInAsyncScope (node:async_hooks:203:9)",
    "invokeCallback (/app/node_modules/raw-body/index.js:231:16)",
    "done (/app/node_modules/raw-body/index.js:220:7)",
    "IncomingMessage.onEnd (/app/node_modules/raw-body/index.js:280:7)",
    "IncomingMessage.emit (node:events:517:28)",
    "endReadableNT (node:internal/streams/readable:1400:12)",
    "process.processTicksAndRejections (node:internal/process/task_queues:82:21)"))


_JSON_TYPES = ("application/json",)


def is_json_request(content_type):
    """type-is ``application/json`` (parameters ignored, case-insensitive)."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in _JSON_TYPES


def parse_json_body(headers, raw, has_body):
    """``bodyParser.json()``: the parsed body, ``{}`` when nothing was parsed, or BodyError."""
    if not has_body or not is_json_request(headers.get("content-type")):
        return {}
    charset = _charset(headers.get("content-type")) or "utf-8"
    if not charset.startswith("utf-"):
        raise BodyError(415, "UnsupportedMediaTypeError", 'unsupported charset "%s"' % charset.upper())
    if len(raw) > JSON_BODY_LIMIT:
        raise BodyError(413, "PayloadTooLargeError", "request entity too large")
    if not raw:
        return {}
    text = raw.decode("utf-8", errors="replace")
    # strict mode: only objects and arrays (first non-blank character "{" or "[").
    stripped = text.lstrip(" \t\n\r")
    if not stripped.startswith(("{", "[")):
        raise BodyError(400, "SyntaxError", _syntax_message(text, len(text) - len(stripped)))
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except _NonJsonConstant as exc:
        raise BodyError(400, "SyntaxError", _syntax_message(text, text.find(exc.args[0]))) from None
    except json.JSONDecodeError as exc:
        raise BodyError(400, "SyntaxError", _syntax_message(text, exc.pos)) from None
    except RecursionError:
        raise BodyError(400, "SyntaxError", "Unexpected token in JSON") from None


class _NonJsonConstant(ValueError):
    """NaN, Infinity and -Infinity, which Python's json accepts and JSON.parse does not."""


def _reject_constant(name):
    raise _NonJsonConstant(name)


def _syntax_message(text, pos):
    """V8's (Node 18) JSON.parse message at the failing position."""
    if pos >= len(text):
        return "Unexpected end of JSON input"
    return "Unexpected token %s in JSON at position %d" % (text[pos], pos)


def _charset(content_type):
    match = re.search(r";\s*charset\s*=\s*\"?([^\";\s]+)", content_type or "", re.IGNORECASE)
    return match.group(1).lower() if match else None
