"""Optional trace of every message, for debugging: ``MEDUSA_AUTH_BRIDGE_TRACE=1``.

With the variable set, every message is written to stderr as one JSON object per line
(``clients/PARITY.md``, "Wire trace"; the Node client writes the same lines), secrets redacted, so
a trace can be pasted into a bug report. The same records also go to the
``medusa_auth_bridge.wire`` logger at DEBUG (as Playwright's ``DEBUG=pw:protocol`` does) for
handlers that want them. Nothing is formatted unless one of the two is on.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from typing import Any

TRACE_ENV = "MEDUSA_AUTH_BRIDGE_TRACE"

logger = logging.getLogger("medusa_auth_bridge.wire")

REDACTED = "<redacted>"

_SECRET_KEYS = frozenset(
    {"password", "token", "access_token", "authorization", "cookie", "set-cookie", "x-publishable-api-key"}
)

_write_lock = threading.Lock()


def enabled_by_environment() -> bool:
    return os.environ.get(TRACE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and k.lower() in _SECRET_KEYS else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class Tracer:
    """One connection's trace: knows the bridge's pid; decided on or off once, at start."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.to_stderr = enabled_by_environment()

    def _on(self) -> bool:
        return self.to_stderr or logger.isEnabledFor(logging.DEBUG)

    def sent(self, message: Any) -> None:
        """A message written to the bridge (the bytes of one line, or the decoded message)."""
        if self._on():
            self._emit("send", message)

    def received(self, message: Any) -> None:
        if self._on():
            self._emit("receive", message)

    def unmatched(self, message: Any) -> None:
        """A message that answers no pending call: a late answer after a timeout or cancel, or junk."""
        if self._on():
            self._emit("unmatched", message)

    def _emit(self, direction: str, message: Any) -> None:
        if isinstance(message, (bytes, bytearray)):
            try:
                message = json.loads(message)
            except ValueError:
                message = bytes(message).decode("utf-8", "replace")
        shown = redact(message)
        # `wire` carries the redacted message for handlers that inspect records (tests do).
        logger.debug("%s %s", direction, shown, extra={"direction": direction, "wire": shown})
        if self.to_stderr:
            now = time.time()
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
            line = json.dumps(
                {"trace": "medusa-auth-bridge", "time": stamp, "pid": self.pid, "direction": direction, "message": shown},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            with _write_lock:
                try:
                    sys.stderr.write(line + "\n")
                    sys.stderr.flush()
                except (OSError, ValueError, AttributeError):
                    pass  # tracing must never break a call


def garbage(line: bytes, problem: Exception) -> None:
    """A line on the bridge's stdout that is not JSON: a bridge bug, so always worth a warning."""
    logging.getLogger("medusa_auth_bridge").warning(
        "ignoring a line from the bridge that is not JSON (%s): %r", problem, line[:200]
    )
