"""Fixtures that start the emulator and the bridge as subprocesses and always stop them.

The binary comes from $MEDUSA_AUTH_BRIDGE; outside CI it falls back to /tmp/mab/medusa-auth-bridge,
and with CI=true a missing binary fails the run instead of skipping it.
"""

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Bridge, Emulator, bridge_binary  # noqa: E402

# CI replays the same examples every run (derandomize), so a red CI is reproducible locally with
# HYPOTHESIS_PROFILE=ci; locally the examples vary and failures are kept in .hypothesis/.
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile(
    "dev", deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") == "true" else "dev"))


@pytest.fixture(scope="session")
def binary():
    try:
        return bridge_binary()
    except RuntimeError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def shared_emulator():
    """One emulator for the whole run; tests that use it get it reset (see ``emulator``)."""
    emulator = Emulator()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture
def emulator(shared_emulator):
    shared_emulator.control.reset()
    yield shared_emulator
    shared_emulator.control.reset()


@pytest.fixture
def start_emulator():
    """Starts extra emulators (production mode, TLS, a redirect target); all stopped afterwards."""
    started = []

    def start(*args):
        emulator = Emulator(*args)
        started.append(emulator)
        return emulator

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def start_bridge(binary):
    """Starts bridges; every one is stopped (stdin closed, SIGTERM, SIGKILL, each bounded)."""
    started = []

    def start(*args, env=None, framing="ndjson", read_stdout=True, nonblocking_stdout=False):
        bridge = Bridge(args, env=env, framing=framing, read_stdout=read_stdout, binary=binary,
                        nonblocking_stdout=nonblocking_stdout)
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.stop()


@pytest.fixture
def bridge(start_bridge, emulator):
    """A bridge talking to the shared emulator with default settings."""
    return start_bridge("--base-url", emulator.url)
