"""Fixtures: the fake bridge for unit tests, the real binary and the emulator for end-to-end tests.

End-to-end tests are skipped, with the reason, when no bridge binary exists on a developer's
machine; under CI (``CI=true``) a missing binary or emulator fails them instead, because CI always
builds the binary first and a silent skip there would hide a broken build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

import support
from medusa_auth_bridge import Bridge

#: Shutdown waits for tests that exercise the SIGTERM and SIGKILL steps: long enough for a
#: Python fake to react to a signal on a loaded machine, short enough to keep tests quick.
TEST_SHUTDOWN_GRACE_SECONDS = 0.5


@pytest.fixture
def fast_shutdown() -> Dict[str, float]:
    """Options that shorten close()'s first two waits, for tests of the SIGTERM and SIGKILL steps."""
    return {"exit_timeout": TEST_SHUTDOWN_GRACE_SECONDS, "terminate_timeout": TEST_SHUTDOWN_GRACE_SECONDS}


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: the end-to-end tests must run in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def bridge_binary() -> Path:
    binary = support.real_binary()
    if binary is None:
        _missing(
            "no medusa-auth-bridge binary: set MEDUSA_AUTH_BRIDGE, run `swift build` in the "
            f"checkout, or drop a build at {support.DEV_BINARY}"
        )
    assert binary is not None
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"the bridge binary {binary} does not exist or is not executable")
    return binary


@pytest.fixture(scope="session")
def _emulator_process() -> Iterator[support.Emulator]:
    if not support.EMULATOR.is_file():
        _missing(f"no Medusa emulator at {support.EMULATOR}")
    emulator = support.Emulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(_emulator_process: support.Emulator) -> support.Emulator:
    """The shared emulator, reset (customers, sessions, faults, request log) for each test."""
    _emulator_process.reset()
    return _emulator_process


@pytest.fixture
def open_bridge(bridge_binary: Path, emulator: support.Emulator) -> Iterator[Callable[..., Bridge]]:
    """Start real bridges against the emulator (options as for ``Bridge``); all closed at teardown."""
    started: List[Bridge] = []

    def start(**options: Any) -> Bridge:
        options.setdefault("base_url", emulator.url)
        bridge = Bridge(binary=bridge_binary, **options)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.close()
