"""Optional trace of every message, for debugging: ``MEDUSA_AUTH_BRIDGE_TRACE=1``.

Messages go to the ``medusa_auth_bridge.wire`` logger at DEBUG (as Playwright's ``DEBUG=pw:protocol``
does), with secrets redacted, so a trace can be pasted into a bug report. Nothing is formatted
unless the logger is enabled, so tracing costs one check per message when off.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

TRACE_ENV = "MEDUSA_AUTH_BRIDGE_TRACE"

logger = logging.getLogger("medusa_auth_bridge.wire")

_SECRET_KEYS = frozenset(
    {"password", "access_token", "authorization", "cookie", "set-cookie", "x-publishable-api-key"}
)


def enable_from_environment() -> None:
    """Send the trace to stderr when ``MEDUSA_AUTH_BRIDGE_TRACE`` is set to something truthy."""
    if os.environ.get(TRACE_ENV, "").lower() in ("", "0", "false", "no"):
        return
    if not any(getattr(h, "_medusa_trace", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("medusa-auth-bridge %(message)s"))
        handler._medusa_trace = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<redacted>" if isinstance(k, str) and k.lower() in _SECRET_KEYS else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def _log(direction: str, arrow: str, message: Any) -> None:
    if isinstance(message, (bytes, bytearray)):
        try:
            message = json.loads(message)
        except ValueError:
            message = bytes(message)
    shown = redact(message)
    # `wire` carries the redacted message for handlers that inspect records (tests do).
    logger.debug("%s %s", arrow, shown, extra={"direction": direction, "wire": shown})


def sent(message: Any) -> None:
    """A message written to the bridge (bytes of one line, or the decoded message)."""
    if logger.isEnabledFor(logging.DEBUG):
        _log("sent", "->", message)


def received(message: Any) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        _log("received", "<-", message)


def unmatched(message: Any) -> None:
    """A message that answers no pending call: a late answer after a timeout or cancel, or junk."""
    if logger.isEnabledFor(logging.DEBUG):
        _log("unmatched", "<- (no pending call)", message)


def garbage(line: bytes, problem: Exception) -> None:
    """A line on the bridge's stdout that is not JSON: a bridge bug, so always worth a warning."""
    logging.getLogger("medusa_auth_bridge").warning(
        "ignoring a line from the bridge that is not JSON (%s): %r", problem, line[:200]
    )
