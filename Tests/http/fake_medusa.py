"""What a well-behaved Medusa v1 store answers, as raw HTTP/1.1 bytes, for the raw-socket servers.

Only the store auth routes the bridge calls (medusajs/medusa, branch v1.x,
packages/medusa/src/api/routes/store/auth/):
``POST /store/auth`` logs in and sets a session cookie named after the customer, ``GET /store/auth``
answers the customer of that cookie (or of a bearer token), ``GET /store/auth/{email}`` answers
``{"exists": ...}``, ``POST /store/auth/token`` answers a token, ``DELETE /store/auth`` answers ``OK``.
Every customer is derived from the email's local part, so an answer names whose request it was:
a test that sees another customer's record has caught cross-talk between sessions.
"""

import json
from urllib.parse import unquote

from rawhttp import Request

KNOWN_EMAILS = {"alice@test.dk", "bob@test.dk", "mallory@test.dk"}
COOKIE_NAME = "sid"


def customer(email):
    name = email.split("@", 1)[0]
    return {"id": "cus_" + name, "email": email, "first_name": name.capitalize()}


def customer_body(email):
    return json.dumps({"customer": customer(email)}).encode()


def response(status, body=b"", headers=(), reason=None, content_type="application/json; charset=utf-8"):
    """A complete HTTP/1.1 response with a correct Content-Length."""
    if isinstance(body, str):
        body = body.encode()
    head = ["HTTP/1.1 %d %s" % (status, reason or REASONS.get(status, "Status"))]
    if content_type and body:
        head.append("Content-Type: " + content_type)
    head.extend(headers)
    head.append("Content-Length: %d" % len(body))
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


def head_only(status, headers=(), reason=None):
    """A status line and headers with nothing after the blank line: the test appends the framing."""
    lines = ["HTTP/1.1 %d %s" % (status, reason or REASONS.get(status, "Status"))] + list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


REASONS = {100: "Continue", 101: "Switching Protocols", 103: "Early Hints", 200: "OK", 204: "No Content",
           304: "Not Modified", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           500: "Internal Server Error"}


def session_email(request: Request):
    """Whose session a request belongs to: its ``sid`` cookie, else its bearer token."""
    for header in request.header_values("Cookie"):
        for pair in header.split(";"):
            name, _, value = pair.strip().partition("=")
            if name == COOKIE_NAME and value.endswith("-session"):
                return value[: -len("-session")] + "@test.dk"
    authorization = request.header("Authorization") or ""
    if authorization.startswith("Bearer tok-"):
        return authorization[len("Bearer tok-"):] + "@test.dk"
    return None


def answer(request: Request):
    """The bytes Medusa would send for ``request``."""
    path = request.path
    if request.method == "POST" and path in ("/store/auth", "/store/auth/token"):
        try:
            email = json.loads(request.body or b"{}").get("email", "")
        except ValueError:
            return response(400, json.dumps({"type": "invalid_data", "message": "bad JSON"}))
        if email not in KNOWN_EMAILS:
            return response(401, "Unauthorized", content_type="text/plain; charset=utf-8")
        name = email.split("@", 1)[0]
        if path == "/store/auth/token":
            return response(200, json.dumps({"access_token": "tok-" + name}))
        return response(200, customer_body(email),
                        ["Set-Cookie: %s=%s-session; Path=/; HttpOnly" % (COOKIE_NAME, name)])
    if request.method == "GET" and path == "/store/auth":
        email = session_email(request)
        if email is None:
            return response(401, "Unauthorized", content_type="text/plain; charset=utf-8")
        return response(200, customer_body(email))
    if request.method == "GET" and path.startswith("/store/auth/"):
        email = unquote(path[len("/store/auth/"):])
        return response(200, json.dumps({"exists": email in KNOWN_EMAILS}))
    if request.method == "DELETE" and path == "/store/auth":
        return response(200, "OK", content_type="text/plain; charset=utf-8")
    return response(404, "Cannot %s %s" % (request.method, path), content_type="text/html; charset=utf-8")
