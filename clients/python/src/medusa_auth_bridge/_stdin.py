"""Writing to the bridge's stdin for the sync connection: whole messages, each write bounded.

A bridge that stops reading (hung, SIGSTOPped) fills the stdin pipe, and a blocking write would
then hang its caller for ever, ``timeout=`` or not, and ``close()`` behind it. So our end of the
pipe is non-blocking (only this process holds that open file description: the bridge has the
other end, and a forked child closes its copy) and a writer waits for room in ``poll`` until its
deadline. ``stop()`` wakes every waiting writer through a wake pipe (written once, never read,
so it stays readable for every later poll). A message cut off halfway leaves the stream
unusable: the writer is ``broken`` from then on and the connection is told (``on_cut``), rather
than gluing the next message to half of this one.
"""

from __future__ import annotations

import os
import select
import threading
import time
from typing import IO, Callable, Optional

#: How long a cancel or close() may wait for the pipe, and a Ctrl-C'd message to be finished:
#: a ``$/cancelRequest`` is a few dozen bytes a reading bridge takes at once, and only advice, so
#: a bridge that takes none of it in this time is hung and the cancel is dropped.
GRACE_SECONDS = 0.5


class Stalled(Exception):
    """The deadline passed; ``cut`` if part of the message was already in the pipe."""

    def __init__(self, cut: bool) -> None:
        super().__init__("the bridge is not reading its stdin")
        self.cut = cut


class Gone(Exception):
    """Nothing can be written: the bridge went away (EPIPE), or close() began, or the stream broke."""


def close_fd(fd: Optional[int]) -> None:
    """Close a descriptor this process owns, ignoring one already gone."""
    if fd is not None:
        try:
            os.close(fd)
        except OSError:
            pass


class StdinWriter:
    """Serialises whole messages onto the bridge's stdin; every wait bounded or stoppable."""

    def __init__(self, stdin: "IO[bytes]", on_cut: Callable[[int, int], None], sent: Callable[[bytes], None]) -> None:
        self._stdin = stdin
        self._fd = stdin.fileno()
        self._on_cut = on_cut  # called with (written, total), the lock held
        self._sent = sent  # called with each whole message, the lock held: the wire's order
        self._lock = threading.Lock()
        self._stopping = False  # stop() was called: every writer but close()'s own gives up
        self.broken = False  # a message was cut off: nothing more may be written
        self._wake_read: Optional[int] = None
        self._wake_write: Optional[int] = None
        os.set_blocking(self._fd, False)
        self._wake_read, self._wake_write = os.pipe()

    def write(self, data: bytes, deadline: Optional[float], closing: bool = False) -> None:
        """Write all of ``data``, or raise Stalled at ``deadline`` (None: no deadline) or Gone.

        ``closing``: close()'s own writes, which go on after ``stop()``.
        """
        if deadline is None:
            self._lock.acquire()
        elif not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise Stalled(cut=False)
        try:
            if self.broken or (self._stopping and not closing) or self._stdin.closed:
                raise Gone("the stream is closed")
            view = memoryview(data)
            try:
                while view:
                    try:
                        view = view[os.write(self._fd, view) :]
                        continue
                    except BlockingIOError:
                        pass
                    ready = self._wait_writable(deadline, closing)
                    if ready is None:
                        # close() began: it must not glue its cancels to half a message.
                        self.broken = self.broken or len(view) < len(data)
                        raise Gone("the bridge was closed")
                    if not ready:
                        if len(view) < len(data):
                            self._cut(len(data) - len(view), len(data))
                        raise Stalled(cut=len(view) < len(data))
            except (Stalled, Gone):
                raise
            except OSError as error:  # EPIPE: the bridge is gone
                raise Gone(str(error)) from error
            except BaseException:
                # Interrupted (Ctrl-C) halfway through a message: finish it, or the next message
                # would be glued to its first half and both would be lost; if the bridge will not
                # take it, the stream is lost.
                if 0 < len(view) < len(data):
                    self._finish(view, len(data))
                raise
            self._sent(data)
        finally:
            self._lock.release()

    def _finish(self, view: memoryview, total: int) -> None:
        deadline = time.monotonic() + GRACE_SECONDS
        try:
            while view:
                try:
                    view = view[os.write(self._fd, view) :]
                except BlockingIOError:
                    if not self._wait_writable(deadline, closing=True):
                        self._cut(total - len(view), total)
                        return
        except OSError:
            pass  # the bridge is gone; the reader reports it

    def _cut(self, written: int, total: int) -> None:
        self.broken = True
        self._on_cut(written, total)

    def _wait_writable(self, deadline: Optional[float], closing: bool) -> Optional[bool]:
        """Wait for room in the pipe: True, False at ``deadline``, None once ``stop()`` was called."""
        poller = select.poll()
        poller.register(self._fd, select.POLLOUT)
        wake_read = self._wake_read
        if not closing and wake_read is not None:
            poller.register(wake_read, select.POLLIN)
        while True:
            if self._stopping and not closing:
                return None
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            events = poller.poll(None if remaining is None else max(1, int(remaining * 1000 + 0.999)))
            if any(fd == self._fd for fd, _ in events):
                return True  # room, or POLLERR/POLLHUP: the write then says EPIPE

    def stop(self) -> None:
        """Make every writer but close()'s give up, waking those waiting for room."""
        self._stopping = True
        wake_write = self._wake_write
        if wake_write is not None:
            try:
                os.write(wake_write, b"x")
            except OSError:
                pass

    def close(self) -> bool:
        """Close stdin (EOF for the bridge) once no writer uses it; False if one still did after the grace."""
        if not self._lock.acquire(timeout=GRACE_SECONDS):
            return False  # never closed under a writer: its descriptor number could be reused
        try:
            try:
                self._stdin.close()
            except OSError:
                pass
            self._close_wake_pipe()  # no writer can wait on it now: stdin is closed under the lock
            return True
        finally:
            self._lock.release()

    def drop(self) -> None:
        """Close this process's copies without the lock: in a forked child (no other thread runs),
        or for a connection that never finished starting (no writer yet)."""
        try:
            self._stdin.close()
        except (OSError, ValueError):
            pass
        self._close_wake_pipe()

    def _close_wake_pipe(self) -> None:
        # The attributes go first: a descriptor closed must never be closed again by number (a
        # fork's hook, say) once the number may belong to someone else.
        wake_read, wake_write = self._wake_read, self._wake_write
        self._wake_read = self._wake_write = None
        close_fd(wake_read)
        close_fd(wake_write)
