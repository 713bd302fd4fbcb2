"""The process's life as a user sees it, against the fake bridge (tests/fake_bridge.py).

In-process: option validation (nothing is spawned). Real processes: every other test starts the
fake bridge through the public API and stops it: its own process group, start errors that carry
the bridge's stderr, an unclosed bridge stopped when collected, a forked child refused, another
event loop refused, the stderr option, the JSON-lines wire trace. An AsyncBridge left open when its
event loop ends, or closed or timed out while it starts: test_async_lifecycle.py.
Each covers a defect of issue 11 ("Why", items 2 to 4).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import select
import signal
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any, Dict

import pytest

import support
from medusa_auth_bridge import AsyncBridge, Bridge, BridgeClosedError, BridgeStartError

#: Bound on waits for a thread, a child or a process; reached only when the client hangs.
WAIT_SECONDS = 20.0


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    return support.write_fake_binary(tmp_path / "bin")


# -- options, checked before anything is spawned ------------------------------------------------

BAD_OPTIONS = [
    ({"base_url": "127.0.0.1:9000"}, ValueError, "base_url must be an http or https URL"),
    ({"base_url": "ftp://h"}, ValueError, "base_url"),
    ({"base_url": "http://"}, ValueError, "base_url"),
    ({"base_url": "http://h/?q=1"}, ValueError, "without query"),
    ({"base_url": 9000}, TypeError, "base_url must be a string"),
    ({"log_level": "loud"}, ValueError, "log_level must be one of error, warn, info, debug, trace"),
    ({"max_retries": 200}, ValueError, "max_retries must be a whole number from 0 to 100"),
    ({"max_retries": -1}, ValueError, "max_retries"),
    ({"max_retries": True}, TypeError, "max_retries"),
    ({"max_retries": 1.5}, TypeError, "max_retries"),
    ({"http_timeout": 0}, ValueError, "http_timeout must be a number of seconds greater than 0"),
    ({"http_timeout": -1}, ValueError, "http_timeout"),
    ({"http_timeout": float("nan")}, ValueError, "http_timeout"),
    ({"http_timeout": float("inf")}, ValueError, "http_timeout"),
    ({"http_timeout": 86401}, ValueError, "at most 86400"),
    ({"handshake_timeout": 1e10}, ValueError, "handshake_timeout must be a number of seconds greater than 0 and at most"),
    ({"http_timeout": True}, TypeError, "http_timeout"),
    ({"handshake_timeout": 0}, ValueError, "handshake_timeout"),
    ({"exit_timeout": -1}, ValueError, "exit_timeout"),
    ({"terminate_timeout": float("nan")}, ValueError, "terminate_timeout"),
    ({"kill_timeout": "5"}, TypeError, "kill_timeout"),
    ({"headers": {"Bad Name": "x"}}, ValueError, "not a valid header name"),
    ({"headers": {"X-A": "a\nb"}}, ValueError, "must not hold CR, LF"),
    ({"headers": {"X-A": 1}}, TypeError, "must be a string"),
    ({"headers": {"Content-Length": "0"}}, ValueError, "Content-Length is set by the bridge's HTTP layer"),
    ({"env": {"A=B": "x"}}, ValueError, "not a valid environment variable name"),
    ({"env": {"A": 1}}, TypeError, "must be a string"),
    ({"auth_type": "cookie"}, ValueError, "auth_type must be one of jwt, session"),
    ({"publishable_api_key": ""}, ValueError, "publishable_api_key"),
    ({"binary": ""}, ValueError, "binary must be a non-empty path"),
    ({"stderr": object()}, TypeError, "stderr must be"),
]


@pytest.mark.parametrize("options, error, message", BAD_OPTIONS, ids=[repr(o[0]) for o in BAD_OPTIONS])
def test_a_bad_option_is_refused_before_anything_is_spawned(options: Dict[str, Any], error: type, message: str) -> None:
    options.setdefault("binary", "/nonexistent/medusa-auth-bridge")  # validation comes before the lookup
    for constructor in (Bridge, AsyncBridge):
        with pytest.raises(error, match=message.replace("(", r"\(")):
            constructor(**options)


def test_an_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Bridge(base_uri="http://h")  # type: ignore[call-arg]


@pytest.mark.parametrize("timeout, error", [(0, ValueError), (-1, ValueError), (float("nan"), ValueError), ("1", TypeError)])
def test_a_per_call_timeout_must_be_a_positive_number_of_seconds(fake: Path, timeout: Any, error: type) -> None:
    with Bridge(binary=fake) as bridge:
        with pytest.raises(error, match="timeout must be a number of seconds"):
            bridge.auth.get_session(timeout=timeout)
        with pytest.raises(error):
            bridge.ping(timeout=timeout)


@pytest.mark.parametrize("name, error", [(None, TypeError), ("", ValueError), (3, TypeError)])
def test_a_session_name_must_be_a_non_empty_string(fake: Path, name: Any, error: type) -> None:
    with Bridge(binary=fake) as bridge:
        with pytest.raises(error, match="session name"):
            bridge.session(name)


# -- starting -----------------------------------------------------------------------------------


def test_the_bridge_runs_in_its_own_session_so_ctrl_c_reaches_only_the_client(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        seen = bridge._live().call("argv")
    assert seen["sid"] == seen["pgid"] == bridge.pid
    assert seen["sid"] != os.getsid(0) and seen["pgid"] != os.getpgid(0)


def test_an_early_exit_carries_the_bridges_stderr_line_even_with_stderr_discarded(tmp_path: Path) -> None:
    line = "--base-url must be an http or https URL without query, not x"
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-usage-error", line)
    for start in (lambda: Bridge(binary=binary, stderr=subprocess.DEVNULL), lambda: asyncio.run(AsyncBridge(binary=binary, stderr=subprocess.DEVNULL).start())):
        with pytest.raises(BridgeStartError) as caught:
            start()
        assert str(caught.value) == f"{binary} exited with status 64 before answering initialize: {line}"
        assert (caught.value.exit_code, caught.value.stderr, caught.value.binary) == (64, line, str(binary))
        assert isinstance(caught.value, BridgeClosedError)


@pytest.mark.parametrize("api", ["sync", "async"])
def test_a_binary_that_is_not_a_bridge_is_named_as_such_not_broken_pipe(api: str) -> None:
    true = "/bin/true"
    with pytest.raises(BridgeStartError) as caught:
        if api == "sync":
            Bridge(binary=true)
        else:
            asyncio.run(AsyncBridge(binary=true).start())
    assert str(caught.value) == f"{true} is not medusa-auth-bridge: it exited with status 0 without answering initialize"
    assert "Broken pipe" not in str(caught.value)


def test_a_file_that_cannot_be_executed_is_a_start_error(tmp_path: Path) -> None:
    script = tmp_path / "medusa-auth-bridge"
    script.write_text("not a program\n")
    script.chmod(0o755)
    with pytest.raises(BridgeStartError, match="could not be started: Exec format error"):
        Bridge(binary=script)


# -- stopping without close() -------------------------------------------------------------------


def test_an_unclosed_bridge_is_stopped_when_collected_with_a_resource_warning(tmp_path: Path) -> None:
    events = tmp_path / "events"
    bridge = Bridge(binary=support.write_fake_binary(tmp_path / "bin", "--fake-events", str(events)))
    process = bridge._live()._process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del bridge
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) and "unclosed Bridge" in str(w.message) for w in caught)
    assert process.wait(WAIT_SECONDS) == 0
    assert events.read_text().split() == ["eof"]


def test_sessions_keep_their_bridge_alive(fake: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        alice = Bridge(binary=fake).session("alice")
        gc.collect()
        assert alice.auth.get_session() == {"method": "auth.getSession", "params": {"session": "alice"}}
    alice._client.close()  # type: ignore[attr-defined]


# -- fork and event loops -----------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() is POSIX only")
def test_a_forked_child_gets_a_clear_error_and_the_parents_bridge_keeps_working(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        assert bridge.ping() is None
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork() in a threaded process
            child = os.fork()
        if child == 0:  # pragma: no cover - runs in the child
            try:
                bridge.ping(timeout=5)
                report = "no error"
            except BridgeClosedError as error:
                report = str(error)
            except BaseException as error:  # noqa: BLE001
                report = f"{type(error).__name__}: {error}"
            bridge.close()  # the child's close must not stop the parent's bridge
            os.write(write_end, report.encode())
            os._exit(0)
        os.close(write_end)
        ready, _, _ = select.select([read_end], [], [], WAIT_SECONDS)
        report = os.read(read_end, 4096).decode() if ready else "the child hung"
        os.close(read_end)
        if not ready:
            os.kill(child, signal.SIGKILL)  # so that the wait below is bounded too
        os.waitpid(child, 0)
        assert f"started by process {os.getpid()}" in report and "is a fork of it" in report, report
        assert "Create a new Bridge in this process" in report
        assert bridge.ping() is None and bridge.auth.exists("a@b.c")["params"] == {"email": "a@b.c"}


def test_an_async_bridge_used_from_another_event_loop_says_so(fake: Path) -> None:
    bridge = AsyncBridge(binary=fake)

    async def first() -> None:
        await bridge.start()

    async def second() -> None:
        await bridge.ping()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the first loop ends with the bridge open
        asyncio.run(first())
        with pytest.raises(RuntimeError, match="belongs to the event loop that started it and was used from another one"):
            asyncio.run(second())


# -- stderr and the trace -----------------------------------------------------------------------


def test_the_bridges_stderr_is_copied_to_ours_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-stderr", "hello from the bridge")
    with Bridge(binary=binary) as bridge:
        bridge.ping()
    assert "hello from the bridge" in capsys.readouterr().err


def test_stderr_devnull_discards_and_a_file_receives_the_bridges_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-stderr", "hello from the bridge")
    with Bridge(binary=binary, stderr=subprocess.DEVNULL):
        pass
    log = tmp_path / "log"
    with log.open("w") as stream:
        with Bridge(binary=binary, stderr=stream):
            pass
    assert "hello from the bridge" not in capsys.readouterr().err
    assert log.read_text() == "hello from the bridge\n"


def test_the_wire_trace_writes_json_lines_on_stderr_with_secrets_redacted(
    fake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MEDUSA_AUTH_BRIDGE_TRACE", "1")
    with Bridge(binary=fake) as bridge:
        bridge.session("alice").auth.authenticate("a@b.c", "hunter2")
        pid = bridge.pid
    err = capsys.readouterr().err
    assert "hunter2" not in err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert {r["direction"] for r in records} >= {"send", "receive"}
    assert all(r["trace"] == "medusa-auth-bridge" and r["pid"] == pid and r["time"].endswith("Z") for r in records)
    [login] = [r for r in records if r["direction"] == "send" and r["message"].get("method") == "auth.authenticate"]
    assert login["message"]["params"] == {"email": "a@b.c", "password": "<redacted>", "session": "alice"}


def test_without_the_variable_nothing_is_traced(fake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("MEDUSA_AUTH_BRIDGE_TRACE", raising=False)
    with Bridge(binary=fake) as bridge:
        bridge.ping()
    assert '"trace"' not in capsys.readouterr().err


CTRL_C_CHILD = '''
import logging, sys
sys.path[:0] = [{src!r}]
from medusa_auth_bridge import Bridge

class Held(logging.Handler):
    def emit(self, record):
        if getattr(record, "direction", None) == "send" and record.wire.get("method") == "auth.getSession":
            print("holding", flush=True)  # the request is in the pipe

wire = logging.getLogger("medusa_auth_bridge.wire")
wire.setLevel(logging.DEBUG)
wire.addHandler(Held())
with Bridge(binary={binary!r}) as bridge:
    try:
        bridge.auth.get_session(timeout=30)  # held by the fake until cancelled
        print("not interrupted", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    print("after Ctrl-C the bridge answers:", bridge.ping(), flush=True)
    methods = [m.get("method") for m in bridge._live().call("log")["received"]]
    print("cancel sent:", methods[methods.index("auth.getSession") + 1], flush=True)
'''


def test_ctrl_c_in_a_terminal_interrupts_the_client_and_the_bridge_keeps_serving(tmp_path: Path) -> None:
    import signal

    binary = support.write_fake_binary(tmp_path / "bin", "--fake-hold-method", "auth.getSession")
    script = tmp_path / "child.py"
    script.write_text(CTRL_C_CHILD.format(src=str(support.PACKAGE_ROOT / "src"), binary=str(binary)))
    # The child stands for a program in a terminal: its own process group, which is what the
    # terminal signals on Ctrl-C. Before, the bridge shared that group and died of SIGINT too.
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], WAIT_SECONDS)
        assert ready and child.stdout.readline().strip() == "holding"
        # Wait until the held request is in the fake's hands; its log answers only after reading it.
        os.killpg(child.pid, signal.SIGINT)
        out, _ = child.communicate(timeout=WAIT_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, out
    assert out.splitlines() == ["interrupted", "after Ctrl-C the bridge answers: None", "cancel sent: $/cancelRequest"]


def test_per_call_headers_are_checked_like_the_configured_ones(fake: Path) -> None:
    with Bridge(binary=fake) as bridge:
        with pytest.raises(ValueError, match="not a valid header name"):
            bridge.auth.get_session(headers={"Bad Name": "x"})
        with pytest.raises(ValueError, match="must not hold CR, LF"):
            bridge.auth.get_session(headers={"X-A": "a\r\nInjected: 1"})
        with pytest.raises(ValueError, match="transfer-encoding is set by the bridge's HTTP layer"):
            bridge.auth.get_session(headers={"transfer-encoding": "chunked"})


def test_each_shutdown_step_is_an_option_of_the_public_api(tmp_path: Path) -> None:
    events = tmp_path / "events"
    binary = support.write_fake_binary(tmp_path / "bin", "--fake-ignore-eof", "--fake-ignore-sigterm", "--fake-events", str(events))
    bridge = Bridge(binary=binary, exit_timeout=0.3, terminate_timeout=0.3, kill_timeout=5)
    bridge.close()
    assert (bridge.exit_code, bridge.signal) == (None, "SIGKILL")
    assert events.read_text().split() == ["eof", "sigterm"]


def test_a_bridge_dying_mid_session_leaves_its_last_stderr_line_on_the_error(fake: Path) -> None:
    with Bridge(binary=fake, stderr=subprocess.DEVNULL) as bridge:
        with pytest.raises(BridgeClosedError) as caught:
            bridge._live().call("die", {"status": 70, "stderr": "fatal: out of cheese"})
    assert caught.value.exit_code == 70 and caught.value.stderr == "fatal: out of cheese"


def test_a_program_that_exits_with_a_bridge_unclosed_exits_at_once_with_a_resource_warning(tmp_path: Path) -> None:
    binary = support.write_fake_binary(tmp_path / "bin")
    program = (
        f"import sys; sys.path[:0] = [{str(support.PACKAGE_ROOT / 'src')!r}]\n"
        "from medusa_auth_bridge import Bridge\n"
        f"bridge = Bridge(binary={str(binary)!r})\n"
        "print(bridge.pid, flush=True)\n"
    )
    # Before: the collector started a closing thread during interpreter shutdown and hung there.
    result = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", program], capture_output=True, text=True, timeout=WAIT_SECONDS
    )
    assert result.returncode == 0, result.stderr
    assert "ResourceWarning: unclosed Bridge" in result.stderr
