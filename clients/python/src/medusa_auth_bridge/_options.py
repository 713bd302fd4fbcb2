"""The bridge's options, validated before anything is spawned, with the bridge's own rules.

The rules are those of the bridge's command line (``medusa-auth-bridge --help``,
``Sources/medusa-auth-bridge/CommandLineOptions.swift``): a bad value would otherwise surface as
"exited with status 64" with its reason only on stderr. Names and units follow
``clients/PARITY.md``: every duration is in seconds. A bad value raises ``ValueError`` and a value
of the wrong type ``TypeError``; both name the option and the rule.
"""

from __future__ import annotations

import math
import threading
import os
import re
from dataclasses import dataclass, field
from typing import IO, Any, Dict, Mapping, Optional, Union

#: How long ``initialize`` may take. A bridge answers in ~20 ms; ten seconds tolerates a loaded
#: 2-core CI machine and still ends quickly when the binary is not a bridge and never answers.
HANDSHAKE_TIMEOUT_SECONDS = 10.0

#: ``close()``: after pending calls are cancelled and stdin is closed, the bridge answers the
#: cancelled calls at once and exits 0. Its own drain bound (SIGTERM/SIGINT) is 3 s, so five
#: seconds waits longer than the bridge would ever take to finish on its own.
EXIT_TIMEOUT_SECONDS = 5.0

#: ``close()``: after SIGTERM the bridge cancels what still runs once its 3 s drain ends; five
#: seconds gives that drain room before SIGKILL.
TERMINATE_TIMEOUT_SECONDS = 5.0

#: ``close()``: SIGKILL cannot be caught, so the kernel reaps at once; the bound only keeps an
#: uninterruptible (D-state) process from hanging ``close()`` for ever.
KILL_TIMEOUT_SECONDS = 5.0

#: The bridge's ``--timeout`` range, in seconds.
MAX_HTTP_TIMEOUT_SECONDS = 86_400.0

#: The bridge's ``--max-retries`` range.
MAX_RETRIES = 100

LOG_LEVELS = ("error", "warn", "info", "debug", "trace")
AUTH_TYPES = ("jwt", "session")

#: RFC 9110 section 5.6.2 ``token``: what a header name may be.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")

#: RFC 9110 section 5.5: a field value holds no CR, LF, NUL or other control character but HTAB.
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

Stderr = Union[None, int, IO[bytes], IO[str]]
StrPath = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class Options:
    """The options as validated; None means "the bridge's default" (the flag is not passed)."""

    base_url: Optional[str] = None
    max_retries: Optional[int] = None
    publishable_api_key: Optional[str] = None
    headers: Mapping[str, str] = field(default_factory=dict)
    http_timeout: Optional[float] = None
    log_level: Optional[str] = None
    auth_type: Optional[str] = None
    binary: Optional[StrPath] = None
    env: Mapping[str, str] = field(default_factory=dict)
    stderr: Stderr = None
    handshake_timeout: float = HANDSHAKE_TIMEOUT_SECONDS
    exit_timeout: float = EXIT_TIMEOUT_SECONDS
    terminate_timeout: float = TERMINATE_TIMEOUT_SECONDS
    kill_timeout: float = KILL_TIMEOUT_SECONDS


def validate(
    *,
    base_url: Optional[str] = None,
    max_retries: Optional[int] = None,
    publishable_api_key: Optional[str] = None,
    headers: Optional[Mapping[str, str]] = None,
    http_timeout: Optional[float] = None,
    log_level: Optional[str] = None,
    auth_type: Optional[str] = None,
    binary: Optional[StrPath] = None,
    env: Optional[Mapping[str, str]] = None,
    stderr: Stderr = None,
    handshake_timeout: Optional[float] = None,
    exit_timeout: Optional[float] = None,
    terminate_timeout: Optional[float] = None,
    kill_timeout: Optional[float] = None,
) -> Options:
    """Check every option as the bridge would; raise ValueError/TypeError naming the first bad one."""
    if base_url is not None:
        _check_url(base_url)
    if max_retries is not None:
        if isinstance(max_retries, bool) or not isinstance(max_retries, int):
            raise TypeError(f"max_retries must be a whole number from 0 to {MAX_RETRIES}, not {max_retries!r}")
        if not 0 <= max_retries <= MAX_RETRIES:
            raise ValueError(f"max_retries must be a whole number from 0 to {MAX_RETRIES}, not {max_retries!r}")
    if publishable_api_key is not None:
        if not isinstance(publishable_api_key, str):
            raise TypeError("publishable_api_key must be a string")
        if not publishable_api_key or _BAD_VALUE.search(publishable_api_key):
            # The key itself is never echoed: it is a secret.
            raise ValueError("publishable_api_key must be a non-empty string without control characters")
    checked_headers = check_headers(headers)
    if http_timeout is not None:
        http_timeout = duration("http_timeout", http_timeout, maximum=MAX_HTTP_TIMEOUT_SECONDS)
    if log_level is not None and log_level not in LOG_LEVELS:
        raise ValueError(f"log_level must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
    if auth_type is not None and auth_type not in AUTH_TYPES:
        raise ValueError(f"auth_type must be one of {', '.join(AUTH_TYPES)}, not {auth_type!r}")
    if binary is not None:
        if not isinstance(binary, (str, os.PathLike)):
            raise TypeError(f"binary must be a path (str or os.PathLike), not {type(binary).__name__}")
        if not os.fspath(binary):
            raise ValueError("binary must be a non-empty path")
    checked_env = _check_env(env)
    if stderr is not None and not isinstance(stderr, int) and not callable(getattr(stderr, "write", None)):
        raise TypeError("stderr must be None, subprocess.DEVNULL, a file descriptor or a writable file object")
    return Options(
        base_url=base_url,
        max_retries=max_retries,
        publishable_api_key=publishable_api_key,
        headers=checked_headers,
        http_timeout=http_timeout,
        log_level=log_level,
        auth_type=auth_type,
        binary=binary,
        env=checked_env,
        stderr=stderr,
        handshake_timeout=_default_duration("handshake_timeout", handshake_timeout, HANDSHAKE_TIMEOUT_SECONDS),
        exit_timeout=_default_duration("exit_timeout", exit_timeout, EXIT_TIMEOUT_SECONDS),
        terminate_timeout=_default_duration("terminate_timeout", terminate_timeout, TERMINATE_TIMEOUT_SECONDS),
        kill_timeout=_default_duration("kill_timeout", kill_timeout, KILL_TIMEOUT_SECONDS),
    )


def duration(name: str, value: Any, maximum: Optional[float] = None) -> float:
    """A finite number of seconds > 0 and <= ``maximum``, which is at most ``threading.TIMEOUT_MAX``
    (the longest wait a lock or a future accepts: a longer one would raise OverflowError only once
    the call is already in flight); booleans are not numbers here."""
    maximum = threading.TIMEOUT_MAX if maximum is None else min(maximum, threading.TIMEOUT_MAX)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {value!r}")
    if not math.isfinite(value) or value <= 0 or (maximum is not None and value > maximum):
        upper = f" and at most {maximum:g}" if maximum is not None else ""
        raise ValueError(f"{name} must be a number of seconds greater than 0{upper}, not {value!r}")
    return float(value)


def optional_duration(name: str, value: Any) -> Optional[float]:
    """A per-call ``timeout=``: None (no limit) or a duration."""
    return None if value is None else duration(name, value)


def session_name(name: Any) -> str:
    """A session is a non-empty string; the bridge creates it on first use."""
    if not isinstance(name, str):
        raise TypeError(f"a session name must be a string, not {type(name).__name__}")
    if not name:
        raise ValueError("a session name must be a non-empty string")
    return name


def _default_duration(name: str, value: Any, default: float) -> float:
    return default if value is None else duration(name, value)


def _check_url(url: Any) -> None:
    if not isinstance(url, str):
        raise TypeError(f"base_url must be a string, not {type(url).__name__}")
    from urllib.parse import urlsplit

    rule = "base_url must be an http or https URL with a host and without query or fragment"
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise ValueError(f"{rule}, not {url!r}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise ValueError(f"{rule}, not {url!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not host or "?" in url or "#" in url:
        raise ValueError(f"{rule}, not {url!r}")


# Fields that frame the message or manage the connection: the bridge's HTTP layer (libcurl) writes
# them, and refuses them from a caller (a wrong Content-Length would leave part of a request on a
# shared connection for the server to read as the next one).
_TRANSPORT_OWNED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive",
                              "proxy-connection", "te", "trailer", "upgrade", "expect"})


def check_headers(headers: Any) -> Dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise TypeError("headers must be a mapping of header name to string value")
    checked: Dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ValueError(f"headers: {name!r} is not a valid header name (RFC 9110 token)")
        if name.lower() in _TRANSPORT_OWNED:
            raise ValueError(f"headers: {name} is set by the bridge's HTTP layer and cannot be given")
        if not isinstance(value, str):
            raise TypeError(f"headers: the value of {name} must be a string")
        if _BAD_VALUE.search(value):
            raise ValueError(f"headers: the value of {name} must not hold CR, LF, NUL or other control characters")
        checked[name] = value
    return checked


def _check_env(env: Any) -> Dict[str, str]:
    if env is None:
        return {}
    if not isinstance(env, Mapping):
        raise TypeError("env must be a mapping of variable name to string value")
    checked: Dict[str, str] = {}
    for name, value in env.items():
        if not isinstance(name, str) or not name or "=" in name or "\0" in name:
            raise ValueError(f"env: {name!r} is not a valid environment variable name")
        if not isinstance(value, str):
            raise TypeError(f"env: the value of {name} must be a string")
        if "\0" in value:
            raise ValueError(f"env: the value of {name} must not hold NUL")
        checked[name] = value
    return checked
