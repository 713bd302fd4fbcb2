"""How the bridge process is started and stopped: its argv, its environment, its stderr, its exit.

Shared by the sync and asyncio connections so both start and stop the bridge the same way
(``clients/PARITY.md``). Shutdown follows the MCP python-sdk stdio client: cancel what is pending,
close stdin, bounded wait, SIGTERM, bounded wait, SIGKILL, bounded wait; the bounds are options
whose defaults and reasons live in ``_options.py``.
"""

from __future__ import annotations

import collections
import os
import signal as _signal
import subprocess
import sys
import threading
from typing import IO, Any, Deque, Dict, List, Mapping, Optional

from ._errors import BridgeClosedError, BridgeStartError
from ._options import Options, Stderr

#: Everything the bridge inherits from our environment besides ``MEDUSA_*`` (an allow-list, as
#: the MCP SDK's stdio client does, so secrets in the parent's environment stay there): the usual
#: POSIX basics, the locale, the dynamic loader's paths, CA bundles and proxies.
INHERITED_ENV = (
    "HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TMPDIR", "TMP", "TEMP", "TZ",
    "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES",
    "LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE",
    "http_proxy", "https_proxy", "no_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
)

#: The bridge's own variables (``MEDUSA_BACKEND_URL``, ``MEDUSA_MAX_RETRIES``, ...) pass through,
#: so its documented environment fallbacks work when no option is given.
BRIDGE_ENV_PREFIX = "MEDUSA_"

#: Lines of the bridge's stderr kept for error messages: enough for a usage error or a crash's
#: last words, small enough to hold for the process's whole life.
STDERR_TAIL_LINES = 20

#: How long an error at start waits for the bridge's last stderr bytes after it exited: the
#: pipe reaches EOF when the process is gone, unless a grandchild holds it.
STDERR_FLUSH_SECONDS = 1.0


def build_argv(binary: str, options: Options) -> List[str]:
    """Flags for everything but the publishable key, which goes by environment (never in ``ps``)."""
    argv = [binary]
    if options.base_url is not None:
        argv += ["--base-url", options.base_url]
    if options.max_retries is not None:
        argv += ["--max-retries", str(options.max_retries)]
    for name, value in options.headers.items():
        argv += ["--header", f"{name}: {value}"]
    if options.http_timeout is not None:
        argv += ["--timeout", _seconds(options.http_timeout)]
    if options.log_level is not None:
        argv += ["--log-level", options.log_level]
    if options.auth_type is not None:
        argv += ["--auth-type", options.auth_type]
    # The client reads newline-delimited JSON; never let auto-detection pick LSP framing.
    argv += ["--framing", "ndjson"]
    return argv


def build_env(options: Options, parent: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
    """The allow-list, then ``MEDUSA_*``, then the publishable key, then the explicit ``env``."""
    source = os.environ if parent is None else parent
    env = {k: source[k] for k in INHERITED_ENV if k in source}
    env.update((k, v) for k, v in source.items() if k.startswith(BRIDGE_ENV_PREFIX))
    if options.publishable_api_key is not None:
        env["MEDUSA_PUBLISHABLE_API_KEY"] = options.publishable_api_key
    env.update(options.env)
    return env


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def signal_name(status: Optional[int]) -> Optional[str]:
    """``'SIGKILL'`` for a process killed by signal 9 (status -9), else None."""
    if status is None or status >= 0:
        return None
    try:
        return _signal.Signals(-status).name
    except ValueError:
        return f"signal {-status}"


def exit_code(status: Optional[int]) -> Optional[int]:
    return status if status is not None and status >= 0 else None


def describe_exit(status: Optional[int]) -> str:
    """How the bridge went away, for BridgeClosedError messages."""
    if status is None:
        return "the bridge closed its stdout"
    if status < 0:
        return f"the bridge was killed by {signal_name(status)}"
    return f"the bridge exited unexpectedly with status {status}"


def closed_error(reason: str, status: Optional[int], stderr: Optional[str] = None) -> BridgeClosedError:
    """BridgeClosedError carrying how the process ended: ``exit_code``, or ``signal`` by name."""
    return BridgeClosedError(reason, exit_code(status), signal_name(status), stderr=stderr)


def start_error(binary: str, status: Optional[int], stderr: Optional[str], *, timeout: Optional[float]) -> BridgeStartError:
    """Why ``initialize`` got no answer: a timeout, or an exit (with the bridge's own last line)."""
    if timeout is not None:
        message = (
            f"{binary} did not answer initialize within {timeout:g} s: "
            "it is not medusa-auth-bridge, or it hangs (handshake_timeout= allows longer)"
        )
    else:
        how = f"was killed by {signal_name(status)}" if status is not None and status < 0 else f"exited with status {status}"
        last = stderr.strip().splitlines()[-1] if stderr and stderr.strip() else None
        if last and last.startswith("medusa-auth-bridge: "):
            last = last[len("medusa-auth-bridge: "):]  # the binary is named already
        if last:
            message = f"{binary} {how} before answering initialize: {last}"
        else:
            message = f"{binary} is not medusa-auth-bridge: it {how} without answering initialize"
    return BridgeStartError(message, binary, exit_code(status), signal_name(status), stderr=stderr)


def spawn_kwargs() -> Dict[str, Any]:
    """What both connections pass to the process: its own session, no inherited descriptors.

    ``start_new_session`` puts the bridge in its own process group, so Ctrl-C in a terminal
    reaches only the client, which then cancels its calls itself (as playwright's driver does).
    """
    return {"start_new_session": True, "close_fds": True}


class StderrPump:
    """Reads the bridge's stderr on a thread: copies it to the user's choice, keeps the last lines.

    The bridge never writes a secret on stderr, so the tail may go into error messages. The pipe
    is always read, so a chatty bridge can never fill it and stall.
    """

    def __init__(self, fd: int, destination: Stderr) -> None:
        self._fd = fd
        self._destination = destination
        self._tail: Deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        self._partial = b""
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="medusa-auth-bridge-stderr", daemon=True)
        self._thread.start()

    def tail(self) -> Optional[str]:
        """The last lines written so far (None if none), after waiting briefly for EOF."""
        self._thread.join(STDERR_FLUSH_SECONDS)
        with self._lock:
            lines = list(self._tail)
            if self._partial:
                lines.append(self._partial.decode("utf-8", "replace"))
        return "\n".join(lines) if lines else None

    def _run(self) -> None:
        try:
            while True:
                chunk = os.read(self._fd, 65536)
                if not chunk:
                    break
                self._copy(chunk)
                with self._lock:
                    data = self._partial + chunk
                    *lines, self._partial = data.split(b"\n")
                    self._tail.extend(line.decode("utf-8", "replace").rstrip("\r") for line in lines)
        except OSError:
            pass
        finally:
            try:
                os.close(self._fd)
            except OSError:
                pass

    def _copy(self, chunk: bytes) -> None:
        destination = self._destination
        if destination == subprocess.DEVNULL:
            return
        try:
            if destination is None:
                _write_text(sys.stderr, chunk)
            elif isinstance(destination, int):
                os.write(destination, chunk)
            else:
                _write_any(destination, chunk)
        except (OSError, ValueError):
            pass  # a closed destination must not stop the pipe being drained


def _write_text(stream: Optional[IO[str]], chunk: bytes) -> None:
    if stream is None:
        return
    stream.write(chunk.decode("utf-8", "replace"))
    stream.flush()


def _write_any(stream: Any, chunk: bytes) -> None:
    if "b" in getattr(stream, "mode", "") or hasattr(stream, "raw"):
        stream.write(chunk)
    else:
        try:
            stream.write(chunk.decode("utf-8", "replace"))
        except TypeError:
            stream.write(chunk)
    stream.flush()


def stop_sync(process: "subprocess.Popen[bytes]", options: Options, close_stdin: bool = True) -> Optional[int]:
    """Close stdin, then wait, SIGTERM, wait, SIGKILL, wait; every wait bounded. The exit status.

    ``close_stdin=False``: the caller closed it already, or could not do so safely (a writer
    thread still held it), and then the signals stop the bridge.
    """
    try:
        if close_stdin and process.stdin is not None and not process.stdin.closed:
            process.stdin.close()
    except OSError:
        pass  # the bridge already went away: EPIPE on the flush is expected
    for wait, escalate in (
        (options.exit_timeout, process.terminate),
        (options.terminate_timeout, process.kill),
        (options.kill_timeout, None),
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


def forked_error(owner_pid: int, kind: str) -> BridgeClosedError:
    """The error a forked child gets: the bridge's pipes belong to the process that started it."""
    return BridgeClosedError(
        f"this {kind} was started by process {owner_pid} and this process ({os.getpid()}) is a fork "
        f"of it (os.fork(), multiprocessing's 'fork' start method): the bridge answers only its "
        f"parent. Create a new {kind} in this process."
    )
