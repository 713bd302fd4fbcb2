"""How the bridge is launched: argv and environment built from the options; pure, in-process."""

from __future__ import annotations

from medusa_auth_bridge import _launch
from medusa_auth_bridge._launch import LaunchOptions, build_argv, build_env, describe_exit


def test_defaults_pass_no_configuration_flags_and_pin_ndjson_framing() -> None:
    assert build_argv("/bin/b", LaunchOptions()) == ["/bin/b", "--framing", "ndjson"]


def test_every_option_becomes_its_flag() -> None:
    options = LaunchOptions(
        base_url="http://127.0.0.1:9",
        max_retries=3,
        headers={"X-One": "1", "X-Two": "a: b"},
        http_timeout=2.5,
        log_level="debug",
    )
    assert build_argv("b", options) == [
        "b",
        "--base-url", "http://127.0.0.1:9",
        "--max-retries", "3",
        "--header", "X-One: 1",
        "--header", "X-Two: a: b",
        "--timeout", "2.5",
        "--log-level", "debug",
        "--framing", "ndjson",
    ]


def test_a_whole_number_timeout_is_written_without_a_fraction() -> None:
    assert build_argv("b", LaunchOptions(http_timeout=30.0))[1:3] == ["--timeout", "30"]


def test_the_publishable_key_goes_by_environment_never_in_argv() -> None:
    options = LaunchOptions(publishable_api_key="pk_secret")
    assert "pk_secret" not in " ".join(build_argv("b", options))
    assert build_env(options, parent={})["MEDUSA_PUBLISHABLE_API_KEY"] == "pk_secret"


def test_the_child_environment_is_an_allow_list_plus_explicit_extras() -> None:
    parent = {
        "PATH": "/usr/bin",
        "HOME": "/root",
        "AWS_SECRET_ACCESS_KEY": "nope",
        "MEDUSA_BACKEND_URL": "http://127.0.0.1:1",
        "MEDUSA_AUTH_BRIDGE_TRACE": "1",
    }
    env = build_env(LaunchOptions(env={"EXTRA": "yes", "PATH": "/opt/bin"}), parent=parent)
    assert env == {"PATH": "/opt/bin", "HOME": "/root", "MEDUSA_BACKEND_URL": "http://127.0.0.1:1", "EXTRA": "yes"}


def test_exit_descriptions_tell_a_signal_from_a_status() -> None:
    assert describe_exit(-9) == "the bridge was killed by signal 9"
    assert describe_exit(70) == "the bridge exited unexpectedly with status 70"
    assert describe_exit(None) == "the bridge closed its stdout"


def test_every_shutdown_wait_is_bounded() -> None:
    for name in ("STDIN_EOF_GRACE_SECONDS", "SIGTERM_GRACE_SECONDS", "SIGKILL_REAP_SECONDS", "HANDSHAKE_TIMEOUT_SECONDS"):
        value = getattr(_launch, name)
        assert 0 < value <= 30, name
