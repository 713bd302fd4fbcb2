"""End to end, the process's life: this client -> the real medusa-auth-bridge binary -> the emulator.

Real processes: the bridge binary and the emulator (see conftest.py). Each test is a defect of
issue 11 ("Why", items 2 and 3) seen through the real binary: close() with a slow call in flight,
Ctrl-C isolation, the bridge's own reason for refusing to start, a binary that is not a bridge,
error messages that name the method and the session.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, List

import pytest

import support
from medusa_auth_bridge import Bridge, BridgeStartError, CancelledError, UnauthorizedError

pytestmark = pytest.mark.e2e

OpenBridge = Callable[..., Bridge]

#: Longer than every bound of close(): only a cancelled call can end before it.
SLOW_MS = 20_000


def test_close_with_a_slow_call_in_flight_cancels_it_and_the_bridge_exits_0_without_a_signal(
    open_bridge: OpenBridge, emulator: support.Emulator
) -> None:
    bridge = open_bridge()
    support.delay_exists(emulator, "slow@test.dk", SLOW_MS)
    outcome: List[Any] = []

    def call() -> None:
        try:
            outcome.append(bridge.session("alice").auth.exists("slow@test.dk"))
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    with support.WireWatcher() as wire:
        caller = threading.Thread(target=call)
        caller.start()
        wire.wait_for("send", lambda m: m.get("method") == "auth.exists")
        bridge.close()
        caller.join(10)
    [error] = outcome
    assert isinstance(error, CancelledError) and error.code == -32800
    assert str(error) == "auth.exists in session 'alice': cancelled: the bridge was closed"
    # Before: the bridge drained 3 s, the client waited 2 s after SIGTERM, then sent SIGKILL.
    assert (bridge.exit_code, bridge.signal) == (0, None)


def test_the_bridge_has_its_own_process_group_so_a_terminal_ctrl_c_skips_it(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    assert os.getpgid(bridge.pid) == bridge.pid != os.getpgid(0)
    assert os.getsid(bridge.pid) != os.getsid(0)


def test_a_setting_the_bridge_refuses_surfaces_its_own_line_even_with_stderr_discarded(bridge_binary: Path) -> None:
    # The client checks its options itself; the environment fallback is the bridge's to check.
    with pytest.raises(BridgeStartError) as caught:
        Bridge(binary=bridge_binary, env={"MEDUSA_MAX_RETRIES": "lots"}, stderr=subprocess.DEVNULL)
    assert caught.value.exit_code == 64
    assert "before answering initialize: MEDUSA_MAX_RETRIES must be a whole number from 0 to 100" in str(caught.value)


def test_a_binary_that_is_not_a_bridge_is_named_as_such() -> None:
    with pytest.raises(BridgeStartError, match="is not medusa-auth-bridge: it exited with status 0"):
        Bridge(binary="/bin/true")


def test_a_wrong_password_and_nobody_logged_in_read_differently_and_name_the_session(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    with pytest.raises(UnauthorizedError) as wrong_password:
        bridge.session("alice").auth.authenticate("alice@example.com", "wrong")
    with pytest.raises(UnauthorizedError) as nobody:
        bridge.session("alice").auth.get_session()
    assert str(wrong_password.value) == "auth.authenticate in session 'alice': Medusa answered 401 Unauthorized"
    assert str(nobody.value) == "auth.getSession in session 'alice': Medusa answered 401 Unauthorized"


def test_email_exists_is_a_bool_for_a_guest(open_bridge: OpenBridge) -> None:
    bridge = open_bridge()
    assert bridge.auth.email_exists("oli@test.dk") is True
    assert bridge.auth.email_exists("guest@test.dk") is False
