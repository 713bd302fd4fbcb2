"""How the bridge is launched and described: argv, environment, exit descriptions; pure, in-process."""

from __future__ import annotations

from medusa_auth_bridge import _launch, _options
from medusa_auth_bridge._launch import build_argv, build_env, describe_exit, signal_name, start_error
from medusa_auth_bridge._options import Options


def test_defaults_pass_no_configuration_flags_and_pin_ndjson_framing() -> None:
    assert build_argv("/bin/b", Options()) == ["/bin/b", "--framing", "ndjson"]


def test_every_option_becomes_its_flag() -> None:
    options = _options.validate(
        base_url="http://127.0.0.1:9",
        max_retries=3,
        headers={"X-One": "1", "X-Two": "a: b"},
        http_timeout=2.5,
        log_level="debug",
        auth_type="session",
    )
    assert build_argv("b", options) == [
        "b",
        "--base-url", "http://127.0.0.1:9",
        "--max-retries", "3",
        "--header", "X-One: 1",
        "--header", "X-Two: a: b",
        "--timeout", "2.5",
        "--log-level", "debug",
        "--auth-type", "session",
        "--framing", "ndjson",
    ]


def test_a_whole_number_timeout_is_written_without_a_fraction() -> None:
    assert build_argv("b", Options(http_timeout=30.0))[1:3] == ["--timeout", "30"]


def test_the_publishable_key_goes_by_environment_never_in_argv() -> None:
    options = Options(publishable_api_key="pk_secret")
    assert "pk_secret" not in " ".join(build_argv("b", options))
    assert build_env(options, parent={})["MEDUSA_PUBLISHABLE_API_KEY"] == "pk_secret"


def test_the_child_environment_is_an_allow_list_plus_medusa_variables_plus_explicit_extras() -> None:
    parent = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "AWS_SECRET_ACCESS_KEY": "nope",
        "GITHUB_TOKEN": "nope",
        "MEDUSA_BACKEND_URL": "http://127.0.0.1:1",
        "MEDUSA_AUTH_TYPE": "session",
    }
    env = build_env(Options(env={"EXTRA": "yes", "PATH": "/opt/bin"}), parent=parent)
    assert env == {
        "PATH": "/opt/bin",
        "HOME": "/root",
        "MEDUSA_BACKEND_URL": "http://127.0.0.1:1",
        "MEDUSA_AUTH_TYPE": "session",
        "EXTRA": "yes",
    }


def test_exit_descriptions_name_the_signal_not_its_number() -> None:
    assert describe_exit(-9) == "the bridge was killed by SIGKILL"
    assert describe_exit(70) == "the bridge exited unexpectedly with status 70"
    assert describe_exit(None) == "the bridge closed its stdout"
    assert (signal_name(-15), signal_name(0), signal_name(None)) == ("SIGTERM", None, None)


def test_a_closed_error_carries_the_signal_as_a_name_as_in_the_node_client() -> None:
    error = _launch.closed_error("gone", -9)
    assert (error.signal, error.exit_code) == ("SIGKILL", None)
    error = _launch.closed_error("gone", 3)
    assert (error.signal, error.exit_code) == (None, 3)


def test_a_start_error_quotes_the_bridges_last_stderr_line() -> None:
    error = start_error("/x/bridge", 64, "warming up\n--base-url must be an http or https URL\n", timeout=None)
    assert str(error) == "/x/bridge exited with status 64 before answering initialize: --base-url must be an http or https URL"
    assert (error.exit_code, error.binary) == (64, "/x/bridge")


def test_a_start_error_without_stderr_says_the_binary_is_not_a_bridge() -> None:
    error = start_error("/bin/true", 0, None, timeout=None)
    assert str(error) == "/bin/true is not medusa-auth-bridge: it exited with status 0 without answering initialize"
    assert "Broken pipe" not in str(error)


def test_a_silent_binary_is_named_with_the_handshake_timeout() -> None:
    error = start_error("/bin/cat", None, None, timeout=2.5)
    assert str(error).startswith("/bin/cat did not answer initialize within 2.5 s: it is not medusa-auth-bridge")


def test_the_bridge_runs_in_its_own_session_so_terminal_signals_reach_only_the_client() -> None:
    assert _launch.spawn_kwargs()["start_new_session"] is True


def test_every_shutdown_wait_is_bounded_and_longer_than_the_bridges_own_drain() -> None:
    bridge_drain_seconds = 3.0  # the bridge's SIGTERM drain (README, "End of stdin")
    defaults = Options()
    assert defaults.exit_timeout > bridge_drain_seconds
    assert defaults.terminate_timeout > bridge_drain_seconds
    for value in (defaults.kill_timeout, defaults.handshake_timeout):
        assert 0 < value <= 30
