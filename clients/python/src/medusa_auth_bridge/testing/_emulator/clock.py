"""The emulator's clock: wall time plus an offset a test moves through the control API.

Token expiry (``iat``/``exp`` and their verification), reset-token lifetimes and session expiry
all read this clock, so a test can jump a day ahead instead of waiting for a token to expire.
"""

import threading
import time


class Clock:
    """``now()`` is ``time.time()`` plus ``offset`` seconds; the offset is shared by all threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0.0

    def now(self):
        return time.time() + self._offset

    @property
    def offset(self):
        return self._offset

    def advance(self, seconds):
        """Move the clock forward (or back, with a negative number) and return the new offset."""
        with self._lock:
            self._offset += seconds
            return self._offset

    def set_offset(self, seconds):
        with self._lock:
            self._offset = float(seconds)
            return self._offset
