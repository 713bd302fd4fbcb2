"""How the bridge process is started and stopped: its argv, its environment, the shutdown timings.

Shared by the sync and asyncio connections so both start and stop the bridge the same way.
Shutdown follows the MCP python-sdk stdio client: close stdin, bounded wait, SIGTERM, bounded
wait, SIGKILL. Each wait is a named constant below with the reason for its value.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from typing import IO, Dict, List, Mapping, Optional, Union

from ._errors import BridgeClosedError

#: After stdin closes, the bridge finishes the requests in flight and exits 0. Two seconds covers
#: an HTTP round trip to a local or nearby Medusa; longer would make ``close()`` look hung.
STDIN_EOF_GRACE_SECONDS = 2.0

#: After SIGTERM the bridge drains with its own short grace period; two seconds gives that room
#: before we give up on an orderly exit.
SIGTERM_GRACE_SECONDS = 2.0

#: SIGKILL cannot be caught, so the kernel reaps the process at once; the bound only guards
#: against an uninterruptible (D-state) process hanging ``close()`` for ever.
SIGKILL_REAP_SECONDS = 5.0

#: A bridge answers ``initialize`` in ~20 ms; ten seconds tolerates a loaded 2-core CI machine,
#: and still ends quickly when the binary is not a bridge at all and never answers.
HANDSHAKE_TIMEOUT_SECONDS = 10.0

#: The bridge's own environment variables, inherited when the caller sets them, so the bridge's
#: documented env fallbacks keep working when no option is passed.
_BRIDGE_ENV = ("MEDUSA_BACKEND_URL", "MEDUSA_MAX_RETRIES", "MEDUSA_PUBLISHABLE_API_KEY")

#: Everything else the child inherits (an allow-list, as the MCP SDK's stdio client does, so
#: secrets in the parent's environment stay there): the usual POSIX basics, the locale, the
#: dynamic loader's paths (a Swift runtime installed outside the system paths), CA bundles and
#: proxies for a TLS Medusa behind a proxy.
_INHERITED_ENV = (
    "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR", "TZ", "LANG", "LC_ALL",
    "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR",
    "http_proxy", "https_proxy", "no_proxy", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "all_proxy",
)

Stderr = Union[None, int, IO[bytes], IO[str]]


@dataclass(frozen=True)
class LaunchOptions:
    """The bridge's configuration as the user gave it; None means "the bridge's default"."""

    base_url: Optional[str] = None
    max_retries: Optional[int] = None
    publishable_api_key: Optional[str] = None
    headers: Mapping[str, str] = field(default_factory=dict)
    http_timeout: Optional[float] = None
    log_level: Optional[str] = None
    env: Mapping[str, str] = field(default_factory=dict)


def build_argv(binary: str, options: LaunchOptions) -> List[str]:
    """Flags for everything but the publishable key, which goes by environment (never in ``ps``)."""
    argv = [binary]
    if options.base_url is not None:
        argv += ["--base-url", options.base_url]
    if options.max_retries is not None:
        argv += ["--max-retries", str(int(options.max_retries))]
    for name, value in options.headers.items():
        argv += ["--header", f"{name}: {value}"]
    if options.http_timeout is not None:
        argv += ["--timeout", _seconds(options.http_timeout)]
    if options.log_level is not None:
        argv += ["--log-level", options.log_level]
    # The client reads newline-delimited JSON; never let auto-detection pick LSP framing.
    argv += ["--framing", "ndjson"]
    return argv


def build_env(options: LaunchOptions, parent: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    source = os.environ if parent is None else parent
    env = {k: source[k] for k in (*_INHERITED_ENV, *_BRIDGE_ENV) if k in source}
    if options.publishable_api_key is not None:
        env["MEDUSA_PUBLISHABLE_API_KEY"] = options.publishable_api_key
    env.update(options.env)
    return env


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def closed_error(reason: str, status: Optional[int]) -> BridgeClosedError:
    """BridgeClosedError carrying how the process ended: ``exit_code``, or ``signal`` (negative status)."""
    if status is not None and status < 0:
        return BridgeClosedError(reason, signal=-status)
    return BridgeClosedError(reason, exit_code=status)


def describe_exit(status: Optional[int]) -> str:
    """Why the bridge is gone, for BridgeClosedError messages."""
    if status is None:
        return "the bridge closed its stdout"
    if status < 0:
        return f"the bridge was killed by signal {-status}"
    return f"the bridge exited unexpectedly with status {status}"


def stop(process: "subprocess.Popen[bytes]") -> Optional[int]:
    """Stop the bridge in the fixed order; every wait is bounded. Returns the exit status."""
    try:
        if process.stdin is not None and not process.stdin.closed:
            process.stdin.close()
    except OSError:
        pass  # the bridge already went away: EPIPE on the flush is expected
    for wait, escalate in (
        (STDIN_EOF_GRACE_SECONDS, process.terminate),
        (SIGTERM_GRACE_SECONDS, process.kill),
        (SIGKILL_REAP_SECONDS, None),
    ):
        try:
            return process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            if escalate is None:
                return None
            try:
                escalate()
            except ProcessLookupError:
                pass
    return None  # pragma: no cover - the loop always returns
