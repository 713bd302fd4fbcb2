"""Helpers shared by the tests: the fake bridge, the real binary, the Medusa emulator.

Nothing here waits by sleeping: every wait is on an event (a line, an exit) and is bounded.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, List, Optional

TESTS = Path(__file__).resolve().parent
PACKAGE_ROOT = TESTS.parent  # clients/python
REPO_ROOT = PACKAGE_ROOT.parent.parent
FAKE_BRIDGE = TESTS / "fake_bridge.py"
SCHEMA = REPO_ROOT / "schema" / "openrpc.json"
EMULATOR = REPO_ROOT / "scripts" / "emulator" / "medusa_emulator.py"
DEV_BINARY = Path("/tmp/mab/medusa-auth-bridge")  # where the bridge's author drops a build

#: How long a test waits for the emulator to print its address; it binds in well under a second.
EMULATOR_START_TIMEOUT_SECONDS = 15.0

#: The emulator exits on stdin EOF; this bounds that wait before it is killed.
EMULATOR_STOP_TIMEOUT_SECONDS = 5.0

#: Bound on one control-API request to the local emulator.
CONTROL_TIMEOUT_SECONDS = 5.0


def fake_argv(*flags: str) -> List[str]:
    return [sys.executable, str(FAKE_BRIDGE), *flags]


def write_fake_binary(folder: Path, *flags: str, name: str = "medusa-auth-bridge") -> Path:
    """An executable that *is* the fake bridge (``exec``, so no shell stays between us and it)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    quoted = " ".join(f"'{part}'" for part in fake_argv(*flags))
    path.write_text(f'#!/bin/sh\nexec {quoted} "$@"\n')
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def real_binary() -> Optional[Path]:
    """The bridge the end-to-end tests run: $MEDUSA_AUTH_BRIDGE, this checkout's build, or the dev drop."""
    from_env = os.environ.get("MEDUSA_AUTH_BRIDGE")
    if from_env:
        return Path(from_env)
    for configuration in ("release", "debug"):
        candidate = REPO_ROOT / ".build" / configuration / "medusa-auth-bridge"
        if candidate.is_file():
            return candidate
    return DEV_BINARY if DEV_BINARY.is_file() else None


class Emulator:
    """The Medusa emulator process and its control API (``/__emulator/...``)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(EMULATOR), "--port", "0", "--exit-on-stdin-eof", "--quiet"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        # Never go through a proxy from the environment: only loopback is reachable.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            line = _readline_within(self.process, EMULATOR_START_TIMEOUT_SECONDS)
            address = json.loads(line)
            self.url: str = address["url"]
            self.port: int = address["port"]
        except BaseException:
            self.stop()
            raise

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with self._opener.open(request, timeout=CONTROL_TIMEOUT_SECONDS) as response:
            text = response.read()
        return json.loads(text) if text.strip() else None

    def reset(self) -> None:
        self.control("POST", "/__emulator/reset")

    def fault(self, **fault: Any) -> None:
        self.control("POST", "/__emulator/faults", fault)

    def requests(self) -> Any:
        return self.control("GET", "/__emulator/requests")

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(EMULATOR_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


def _readline_within(process: "subprocess.Popen[bytes]", timeout: float) -> bytes:
    """The child's first stdout line, or an error after ``timeout`` seconds (a reader thread, no polling)."""
    import threading

    result: List[bytes] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if not result or not result[0]:
        raise RuntimeError(f"the emulator printed no address within {timeout} s (exit status {process.poll()})")
    return result[0]


def delay_exists(emulator: Emulator, email: str, delay_ms: int) -> None:
    """Make the emulator sit on ``GET /store/auth/{email}`` once, whichever way '@' is encoded."""
    for segment in (email, email.replace("@", "%40")):
        emulator.fault(method="GET", path=f"/store/auth/{segment}", delay_ms=delay_ms, times=1)


class WireWatcher:
    """Records the client's wire trace and lets a test wait, bounded, for a message to appear.

    The trace is emitted after each message is written (and as each answer is read), so "seen
    as sent" means "already in the pipe, ahead of anything sent later".
    """

    #: Bound on waiting for a message: generous for a loaded CI machine; reached only on failure.
    WAIT_SECONDS = 10.0

    def __init__(self) -> None:
        import logging
        import threading

        self.records: List[Any] = []
        self._condition = threading.Condition()
        self._async_waiters: List[Any] = []  # (loop, future) pairs woken on the next record
        self._logger = logging.getLogger("medusa_auth_bridge.wire")
        watcher = self

        class _Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                with watcher._condition:
                    watcher.records.append((getattr(record, "direction", None), getattr(record, "wire", None)))
                    watcher._condition.notify_all()
                    waiters, watcher._async_waiters = watcher._async_waiters, []
                for loop, changed in waiters:
                    loop.call_soon_threadsafe(lambda f=changed: f.done() or f.set_result(None))

        self._handler = _Handler(logging.DEBUG)

    def __enter__(self) -> "WireWatcher":
        import logging

        self._old_level = self._logger.level
        self._logger.setLevel(logging.DEBUG)
        self._logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc: Any) -> None:
        self._logger.removeHandler(self._handler)
        self._logger.setLevel(self._old_level)

    def matching(self, direction: str, predicate: Any) -> List[Any]:
        with self._condition:
            return [w for d, w in self.records if d == direction and isinstance(w, dict) and predicate(w)]

    def wait_for(self, direction: str, predicate: Any, count: int = 1) -> List[Any]:
        with self._condition:
            found = self._condition.wait_for(
                lambda: len([w for d, w in self.records if d == direction and isinstance(w, dict) and predicate(w)]) >= count,
                self.WAIT_SECONDS,
            )
        assert found, f"no {count} {direction} message(s) matching within {self.WAIT_SECONDS} s: {self.records[-5:]}"
        return self.matching(direction, predicate)

    async def wait_for_async(self, direction: str, predicate: Any, count: int = 1) -> List[Any]:
        """``wait_for`` for coroutines: suspends (never blocks the loop) until the message is seen."""
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.WAIT_SECONDS
        while True:
            with self._condition:
                found = self.matching(direction, predicate)
                if len(found) >= count:
                    return found
                changed = loop.create_future()
                self._async_waiters.append((loop, changed))
            remaining = deadline - loop.time()
            assert remaining > 0, f"no {count} {direction} message(s) matching within {self.WAIT_SECONDS} s"
            try:
                await asyncio.wait_for(changed, remaining)
            except asyncio.TimeoutError:
                pass  # checked once more above, then the assert reports it
