"""express-session 1.17.3 with Medusa's options: signed ``connect.sid`` cookies and a MemoryStore.

# medusajs/medusa (v1.x) packages/medusa/src/loaders/express.ts (express-session options): name
# connect.sid, resave and saveUninitialized true, rolling false,
# proxy true, maxAge 10 h, httpOnly, path "/", Secure + SameSite=None in production.
"""

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from email.utils import formatdate
from urllib.parse import quote

from .jsutil import URIError, decode_uri_component, js_utf8

COOKIE_NAME = "connect.sid"
# medusajs/medusa (v1.x) packages/medusa/src/loaders/express.ts (express-session options):
# cookie.maxAge = session_options.ttl ?? 36 000 000 ms.
SESSION_TTL_SECONDS = 10 * 3600
# express-session keeps every session of a cookie-less request (saveUninitialized). The real
# MemoryStore grows without bound; the emulator forgets the least recently used sessions beyond
# this many (about 35 MB) so that a soak run of millions of cookie-less calls stays flat.
MAX_SESSIONS = 100_000


_COOKIE_FAST = re.compile(r"^[A-Za-z0-9_\-.:+/]*\Z")
_COOKIE_ESCAPES = str.maketrans({":": "%3A", "+": "%2B", "/": "%2F"})


def sign_session_id(session_id, secret):
    """cookie-signature ``sign``: id + "." + base64(HMAC-SHA256(secret, id)) without "="."""
    mac = hmac.new(js_utf8(secret), js_utf8(session_id), hashlib.sha256).digest()
    return session_id + "." + base64.b64encode(mac).decode("ascii").rstrip("=")


def unsign_session_id(signed, secret):
    """cookie-signature ``unsign``: the id when the signature matches, else None."""
    dot = signed.rfind(".")
    if dot < 0:
        return None
    session_id = signed[:dot]
    expected = sign_session_id(session_id, secret)
    return session_id if hmac.compare_digest(js_utf8(expected), js_utf8(signed)) else None


def encode_cookie_value(session_id, secret):
    """The value express-session writes: encodeURIComponent("s:" + signed id) (starts "s%3A")."""
    value = "s:" + sign_session_id(session_id, secret)
    if _COOKIE_FAST.match(value):  # always true for uid-safe ids; quote() is slow
        return value.translate(_COOKIE_ESCAPES)
    return quote(value, safe="!'()*")


def parse_cookie_header(header):
    """``cookie.parse`` 0.4: first occurrence of a name wins, quotes stripped, %-decoded."""
    cookies = {}
    for pair in header.split(";"):
        eq = pair.find("=")
        if eq < 0:
            continue
        name = pair[:eq].strip()
        if name in cookies:
            continue
        value = pair[eq + 1:].strip()
        if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
            value = value[1:-1]
        if "%" in value:
            value = _try_decode(value)
        cookies[name] = value
    return cookies


def _try_decode(value):
    try:
        return decode_uri_component(value)
    except URIError:
        return value


def session_id_from_cookie_header(header, secret):
    """express-session ``getcookie``: the unsigned id of connect.sid, or None."""
    if not header:
        return None
    raw = parse_cookie_header(header).get(COOKIE_NAME)
    if not raw or not raw.startswith("s:"):
        return None
    return unsign_session_id(raw[2:], secret)


def set_cookie_header(session_id, secret, production, now=None):
    """The Set-Cookie value, with ``Expires`` (express-session never writes Max-Age)."""
    expires = formatdate((time.time() if now is None else now) + SESSION_TTL_SECONDS, usegmt=True)
    value = "%s=%s; Path=/; Expires=%s; HttpOnly" % (
        COOKIE_NAME, encode_cookie_value(session_id, secret), expires)
    if production:
        value += "; Secure; SameSite=None"
    return value


def new_session_id():
    """uid-safe(24): 24 random bytes as a 32-character base64url string."""
    return secrets.token_urlsafe(24)


class SessionStore:
    """In-memory session store (express-session's MemoryStore), safe to use from any thread.

    Every method takes ``_lock``; the dict maps id -> [expires_at, data]. Expiry slides on
    each use because resave=true makes express-session save the touched cookie every request.
    """

    def __init__(self, max_sessions=MAX_SESSIONS, clock=time.time):
        self._lock = threading.Lock()
        self._sessions = OrderedDict()
        self._max = max_sessions
        self._clock = clock  # a function returning the time in seconds (the emulator's clock)

    def get(self, session_id):
        """A copy of the session's data, or None when unknown or expired (which removes it)."""
        now = self._clock()
        with self._lock:
            entry = self._sessions.get(session_id)
            if entry is None:
                return None
            if entry[0] <= now:
                del self._sessions[session_id]
                return None
            entry[0] = now + SESSION_TTL_SECONDS
            self._sessions.move_to_end(session_id)
            return dict(entry[1])

    def save(self, session_id, data):
        with self._lock:
            self._sessions[session_id] = [self._clock() + SESSION_TTL_SECONDS, dict(data)]
            self._sessions.move_to_end(session_id)
            while len(self._sessions) > self._max:
                self._sessions.popitem(last=False)

    def destroy(self, session_id):
        with self._lock:
            self._sessions.pop(session_id, None)

    def clear(self):
        with self._lock:
            self._sessions.clear()

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def snapshot(self):
        """{id: data} of every live session (for the control API and tests)."""
        now = self._clock()
        with self._lock:
            return {sid: dict(e[1]) for sid, e in self._sessions.items() if e[0] > now}
