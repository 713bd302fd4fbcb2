"""The emulator's test helpers (``call``, ``Control``) for suites that put this folder on sys.path.

They live in ``medusa_auth_bridge.testing``; importing ``medusa_emulator`` first makes this
checkout's package source importable.
"""

import medusa_emulator  # noqa: F401  (puts clients/python/src on sys.path)
from medusa_auth_bridge.testing._emulator.testkit import (CALL_TIMEOUT_SECONDS, Control, Result,
                                                          call, connect, request)

__all__ = ["CALL_TIMEOUT_SECONDS", "Control", "Result", "call", "connect", "request"]
