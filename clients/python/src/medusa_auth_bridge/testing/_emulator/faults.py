"""Fault injection and the request log that tests read back through the control API.

The faults are the ones issue 5 ("Faults") lists: a status N times (with Retry-After), delays
beyond a timeout, dropped connections, a reset in the middle of a body, garbage and huge 2xx
bodies, and redirects to another host.
"""

import collections
import threading
import time

from .express import Response, reason_phrase

# Keys that select a fault's action; "delay_ms" may also be combined with one of the others.
ACTIONS = ("redirect", "status", "drop", "reset_mid_body", "garbage", "huge_bytes")
_SELECTORS = ("method", "path", "times")
_ACTION_OPTIONS = {
    "status": ("status", "body", "content_type", "headers"),
    "redirect": ("redirect", "status", "headers"),
    "drop": ("drop",),
    "reset_mid_body": ("reset_mid_body",),
    "garbage": ("garbage", "content_type"),
    "huge_bytes": ("huge_bytes", "content_type"),
    None: (),
}
DEFAULT_GARBAGE = "<html>this is not JSON {\"customer\": "
# Record at most this many requests (the oldest are forgotten) so a soak run stays flat.
DEFAULT_RECORD_LIMIT = 10_000


class FaultSpecError(ValueError):
    """A POST /__emulator/faults body the emulator cannot act on (answered with 400)."""


class Fault:
    """One queued fault: which requests it matches, how many remain, what to do."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise FaultSpecError("a fault is a JSON object")
        self.spec = spec
        self.method = _optional_str(spec, "method")
        self.method = self.method.upper() if self.method else None
        self.path = _optional_str(spec, "path")
        times = spec.get("times", 1)
        if times is not None and (not _is_int(times) or times < 1):
            raise FaultSpecError("times must be a positive integer or null (unlimited)")
        self.remaining = times
        actions = [key for key in ACTIONS if key in spec]
        if "redirect" in actions and "status" in actions:
            actions.remove("status")  # "status" is the redirect's code here
        if len(actions) > 1:
            raise FaultSpecError("one action per fault, got: " + ", ".join(actions))
        if not actions and "delay_ms" not in spec:
            raise FaultSpecError("a fault needs an action: delay_ms or one of " + ", ".join(ACTIONS))
        self.action = actions[0] if actions else None
        allowed = set(_SELECTORS) | {"delay_ms"} | set(_ACTION_OPTIONS[self.action])
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise FaultSpecError("unknown fault keys for this action: " + ", ".join(unknown))
        self.delay = _number(spec, "delay_ms", 0) / 1000.0
        self._check_action(spec)

    def _check_action(self, spec):
        if self.action == "status":
            if not _is_int(spec["status"]) or not 100 <= spec["status"] <= 999:
                raise FaultSpecError("status must be an integer HTTP status")
        if self.action == "redirect":
            if not isinstance(spec["redirect"], str) or not spec["redirect"]:
                raise FaultSpecError("redirect must be the target URL")
            if not _is_int(spec.get("status", 302)):
                raise FaultSpecError("status must be an integer HTTP status")
        if self.action == "huge_bytes" and (not _is_int(spec["huge_bytes"]) or spec["huge_bytes"] < 0):
            raise FaultSpecError("huge_bytes must be a byte count")
        if self.action in ("drop", "reset_mid_body") and spec[self.action] not in (True, "reset"):
            raise FaultSpecError("%s must be true" % self.action)
        if self.action == "garbage" and not isinstance(spec["garbage"], (bool, str)):
            raise FaultSpecError("garbage must be true or the body to send")
        headers = spec.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, (str, int)) for v in headers.values()):
            raise FaultSpecError("headers must be an object of strings")
        for key in ("body", "content_type"):
            if key in spec and not isinstance(spec[key], str):
                raise FaultSpecError("%s must be a string" % key)

    def matches(self, method, path, api_prefixes=("/store",)):
        """``api_prefixes``: what a null path matches (v1 "/store"; v2 "/store" and "/auth")."""
        if self.method is not None and self.method != method:
            return False
        if self.path is None:
            return any(path[:len(prefix)].lower() == prefix for prefix in api_prefixes)
        return self.path == path

    def describe(self):
        described = dict(self.spec)
        described["remaining"] = self.remaining
        return described


class FaultQueue:
    """Faults in the order they were added; the first match is consumed. Guarded by ``_lock``."""

    def __init__(self, api_prefixes=("/store",)):
        self._lock = threading.Lock()
        self._faults = []
        self.api_prefixes = api_prefixes

    def add(self, fault):
        with self._lock:
            self._faults.append(fault)

    def take(self, method, path):
        """The fault that applies to this request (its count decremented), or None."""
        if not self._faults:  # cheap unlocked peek on the hot path; a racing add is harmless
            return None
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(method, path, self.api_prefixes):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            del self._faults[index]
                    return fault
        return None

    def clear(self):
        with self._lock:
            self._faults.clear()

    def describe(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]


class RequestLog:
    """Every request outside /__emulator/, in arrival order, the newest ``limit`` kept."""

    def __init__(self, limit=DEFAULT_RECORD_LIMIT):
        self._lock = threading.Lock()
        self._entries = collections.deque(maxlen=limit if limit > 0 else None)
        self._limit = limit
        self.dropped = 0

    def record(self, method, target, header_pairs, body, connection_id):
        headers = {}
        for name, value in header_pairs:
            name = name.lower()
            headers[name] = headers[name] + ", " + value if name in headers else value
        entry = {"method": method, "path": target, "headers": headers,
                 "body": body.decode("utf-8", errors="replace"),
                 "received_at": time.time(), "connection": connection_id}
        with self._lock:
            if self._limit > 0 and len(self._entries) == self._limit:
                self.dropped += 1
            self._entries.append(entry)

    def snapshot(self):
        with self._lock:
            return list(self._entries), self.dropped

    def clear(self):
        with self._lock:
            self._entries.clear()
            self.dropped = 0


def canned_response(action, spec):
    """The canned answer of a status, redirect or garbage fault (no session, no Express headers)."""
    extra = [(str(k), str(v)) for k, v in spec.get("headers", {}).items()]
    if action == "redirect":
        status = spec.get("status", 302)
        text = "%s. Redirecting to %s" % (reason_phrase(status), spec["redirect"])
        return Response(status, [("Location", spec["redirect"]),
                                 ("Content-Type", "text/plain; charset=utf-8")] + extra,
                        text.encode("utf-8"))
    if action == "garbage":
        text = spec["garbage"] if isinstance(spec["garbage"], str) else DEFAULT_GARBAGE
        content_type = spec.get("content_type", "application/json; charset=utf-8")
        return Response(200, [("Content-Type", content_type)] + extra, text.encode("utf-8"))
    body = spec.get("body", "").encode("utf-8")
    content_type = spec.get("content_type") or _guess_type(body)
    headers = ([("Content-Type", content_type)] if body or "content_type" in spec else []) + extra
    return Response(spec["status"], headers, body)


def _guess_type(body):
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "application/json; charset=utf-8"
    return "text/plain; charset=utf-8"


def _optional_str(spec, key):
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise FaultSpecError("%s must be a string or null" % key)
    return value


def _number(spec, key, default):
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise FaultSpecError("%s must be a non-negative number" % key)
    return value


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
