"""Processes under test: the bridge binary and the Medusa emulator, each started as a subprocess.

Used by the pytest suites (through conftest.py fixtures) and by soak.py. Python stdlib only.

Every wait is bounded and named below with the reason for its value; nothing sleeps to wait for an
event: waits block on a condition (an answer arrived, the process exited) with a deadline.
"""

import array
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import termios
import threading
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EMULATOR_SCRIPT = REPO / "scripts" / "emulator" / "medusa_emulator.py"
# Outside CI only: where the bridge author copies the current build (scripts/test sets MEDUSA_AUTH_BRIDGE instead).
FALLBACK_BINARY = Path("/tmp/mab/medusa-auth-bridge")

sys.path.insert(0, str(EMULATOR_SCRIPT.parent))
from emulator_testkit import Control  # noqa: E402  (the emulator's own client for its control API)

# The emulator prints its URL line right after binding; Python start-up is ~40 ms.
EMULATOR_START_SECONDS = 15.0
# Shutdown in the order a well-behaved client uses (close stdin, wait, SIGTERM, wait, SIGKILL).
# After EOF the bridge finishes the calls in flight: tests keep those short, so 20 s is generous.
CLOSE_WAIT_SECONDS = 20.0
# After SIGTERM the bridge exits within 3 s for a client that reads (stop() reads), 10 s at most.
TERM_WAIT_SECONDS = 10.0
KILL_WAIT_SECONDS = 5.0
# Default bound for waiting on answers in tests: far above any call the tests make.
ANSWER_WAIT_SECONDS = 60.0


def bridge_binary():
    """The binary under test: $MEDUSA_AUTH_BRIDGE, else /tmp/mab/medusa-auth-bridge outside CI."""
    explicit = os.environ.get("MEDUSA_AUTH_BRIDGE")
    if explicit:
        if not os.access(explicit, os.X_OK):
            raise RuntimeError("MEDUSA_AUTH_BRIDGE=%s is not an executable file" % explicit)
        return explicit
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but MEDUSA_AUTH_BRIDGE is not set: build the bridge and export "
                           "MEDUSA_AUTH_BRIDGE=<path to medusa-auth-bridge>")
    if os.access(FALLBACK_BINARY, os.X_OK):
        return str(FALLBACK_BINARY)
    raise RuntimeError("no bridge binary: set MEDUSA_AUTH_BRIDGE or build one to %s" % FALLBACK_BINARY)


def strict_loads(text):
    """JSON as RFC 8259 allows it: no NaN/Infinity; numbers kept exactly (Decimal)."""
    def no_constants(name):
        raise ValueError("not JSON: %s" % name)
    return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=no_constants)


def id_key(value):
    """A hashable key for a JSON-RPC id that keeps its type: "1" and 1 differ."""
    if value is None:
        return ("null",)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, bool):
        raise TypeError("a boolean is not an id")
    if isinstance(value, (int, float, Decimal)):
        return ("n", Decimal(value))
    raise TypeError("not an id: %r" % (value,))


def check_response(value):
    """Raises AssertionError unless ``value`` is one JSON-RPC 2.0 response object."""
    assert isinstance(value, dict), "a response must be an object: %r" % (value,)
    assert value.get("jsonrpc") == "2.0", "jsonrpc must be 2.0: %r" % (value,)
    assert "id" in value, "a response always has an id: %r" % (value,)
    id_key(value["id"])
    has_result, has_error = "result" in value, "error" in value
    assert has_result != has_error, "exactly one of result/error: %r" % (value,)
    assert set(value) == {"jsonrpc", "id", "result" if has_result else "error"}, value
    if has_error:
        error = value["error"]
        assert isinstance(error, dict), value
        assert isinstance(error.get("code"), Decimal) and error["code"] == int(error["code"]), value
        assert isinstance(error.get("message"), str), value
        assert set(error) <= {"code", "message", "data"}, value


def check_message(value):
    """A single response or a non-empty batch answer; returns the responses it holds."""
    if isinstance(value, list):
        assert value, "an answer array is never empty"
        for item in value:
            check_response(item)
        return list(value)
    check_response(value)
    return [value]


def read_proc_status(pid, field):
    """A kB figure (VmRSS, VmHWM) from /proc/PID/status, in bytes; None once the process is gone."""
    try:
        with open("/proc/%d/status" % pid) as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except FileNotFoundError:
        return None


def pipe_fill(fd):
    """Bytes sitting in the pipe behind ``fd`` (either end), from FIONREAD."""
    buffer = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, buffer)
    return buffer[0]


class Deadline:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def remaining(self):
        return max(0.0, self.end - time.monotonic())

    def expired(self):
        return time.monotonic() >= self.end


class Emulator:
    """``python3 scripts/emulator/medusa_emulator.py`` as a subprocess; ``stop()`` always ends it."""

    def __init__(self, *args):
        self.args = list(args)
        self.process = subprocess.Popen(
            [sys.executable, str(EMULATOR_SCRIPT), "--port", "0", "--exit-on-stdin-eof", "--quiet"] + self.args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=str(REPO))
        try:
            line = _read_line(self.process.stdout.fileno(), EMULATOR_START_SECONDS)
            info = json.loads(line)
        except Exception:
            self.stop()
            raise
        self.url = info["url"]
        self.port = info["port"]
        self.control = Control(self.url)

    def requests(self, path_prefix="/store"):
        """The requests the emulator received (control routes are never recorded)."""
        return [r for r in self.control.requests() if r["path"].startswith(path_prefix)]

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
            try:
                self.process.wait(CLOSE_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(TERM_WAIT_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(KILL_WAIT_SECONDS)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass


def _read_line(fd, seconds):
    deadline = Deadline(seconds)
    data = b""
    while b"\n" not in data:
        ready, _, _ = select.select([fd], [], [], deadline.remaining())
        if not ready:
            raise TimeoutError("no line within %.0f s (got %r)" % (seconds, data))
        chunk = os.read(fd, 4096)
        if not chunk:
            raise EOFError("process exited before printing its line (got %r)" % data)
        data += chunk
    return data.split(b"\n", 1)[0].decode()


class Bridge:
    """One bridge process with a stdout reader thread that validates every message it reads.

    stdout is split on the ``\\n`` byte only (NDJSON) or on Content-Length frames (LSP); each
    message is parsed strictly and checked for JSON-RPC shape. Anything that is not a valid complete
    message lands in ``bad_output`` (tests assert it stays empty). stderr goes to a temporary file,
    so an unread stderr can never stall the bridge; ``stderr_bytes()`` reads it back.
    """

    def __init__(self, args=(), env=None, framing="ndjson", read_stdout=True, binary=None, keep_raw=False,
                 on_responses=None, nonblocking_stdout=False):
        self.binary = binary or bridge_binary()
        self.args = list(args)
        self.framing = framing
        self._stderr_file = tempfile.TemporaryFile()
        child_env = {k: v for k, v in os.environ.items()
                     if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        child_env.update(env or {})
        stdout = subprocess.PIPE
        if nonblocking_stdout:
            # As a parent that made its pipe O_NONBLOCK hands it over: the flag is the child's too.
            read_end, stdout = os.pipe()
            os.set_blocking(stdout, False)
        self.process = subprocess.Popen(
            [self.binary] + self.args, stdin=subprocess.PIPE, stdout=stdout,
            stderr=self._stderr_file, env=child_env, bufsize=0)
        if nonblocking_stdout:
            os.close(stdout)
            self.process.stdout = open(read_end, "rb", buffering=0)
        self.pid = self.process.pid
        self._condition = threading.Condition()
        self.messages = []        # every parsed message (a dict or a list), in arrival order
        self.responses = []       # every response, batches flattened
        self.raw_output = bytearray() if (keep_raw or framing == "lsp") else None
        self.bad_output = []      # bytes that were not a valid complete message
        # When set, responses go to this callback (called with the lock held) instead of being kept:
        # long runs check each answer as it arrives and keep no history.
        self.on_responses = on_responses
        self.messages_seen = 0
        self.stdout_closed = False
        self.output_bytes = 0
        self._writer_error = None
        self._pending_writes = 0
        self._write_queue = []
        self._write_cv = threading.Condition()
        self._stdin_closed = False
        self._reader = None
        self._writer = threading.Thread(target=self._write_loop, name="bridge-stdin-writer", daemon=True)
        self._writer.start()
        if read_stdout:
            self.start_reading()

    # -- writing --------------------------------------------------------------------------------

    def send(self, data):
        """Queue bytes (or a JSON value, sent as one NDJSON line) for stdin; never blocks."""
        if not isinstance(data, (bytes, bytearray)):
            data = encode_line(data)
        with self._write_cv:
            self._write_queue.append(bytes(data))
            self._pending_writes += 1
            self._write_cv.notify_all()

    def request(self, method, params=None, id=None):
        message = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def _write_loop(self):
        fd = self.process.stdin.fileno()
        while True:
            with self._write_cv:
                while not self._write_queue:
                    self._write_cv.wait()
                data = self._write_queue.pop(0)
            if data is None:
                try:
                    self.process.stdin.close()
                except OSError:
                    pass
                with self._write_cv:
                    self._stdin_closed = True
                    self._pending_writes -= 1
                    self._write_cv.notify_all()
                return
            view = memoryview(data)
            try:
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            except OSError as error:  # EPIPE: the bridge is gone; tests look at its exit
                with self._write_cv:
                    self._writer_error = error
            with self._write_cv:
                self._pending_writes -= 1
                self._write_cv.notify_all()

    def close_stdin(self):
        """EOF on the bridge's stdin once everything queued before it is written."""
        with self._write_cv:
            self._write_queue.append(None)
            self._pending_writes += 1
            self._write_cv.notify_all()

    def wait_written(self, seconds=ANSWER_WAIT_SECONDS):
        deadline = Deadline(seconds)
        with self._write_cv:
            while self._pending_writes > 0:
                if not self._write_cv.wait(deadline.remaining()) and deadline.expired():
                    raise AssertionError("stdin writes still pending after %.0f s" % seconds)

    def writes_pending(self):
        with self._write_cv:
            return self._pending_writes

    # -- reading --------------------------------------------------------------------------------

    def start_reading(self):
        if self._reader is None:
            self._reader = threading.Thread(target=self._read_loop, name="bridge-stdout-reader", daemon=True)
            self._reader.start()

    def _read_loop(self):
        fd = self.process.stdout.fileno()
        pending = bytearray()
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            with self._condition:
                self.output_bytes += len(chunk)
            pending += chunk
            if self.raw_output is not None:
                self.raw_output += chunk
            if self.framing == "auto":
                # The bridge answers in the framing its input chose: LSP headers start with "C".
                self.framing = "lsp" if pending[:1] == b"C" else "ndjson"
            if self.framing == "lsp":
                frames = _split_lsp(pending)
            else:
                *frames, rest = pending.split(b"\n")
                pending = bytearray(rest)
            if frames:
                self._accept(frames)
        with self._condition:
            if pending:
                self.bad_output.append(("incomplete message at EOF", bytes(pending)))
            self.stdout_closed = True
            self._condition.notify_all()

    def _accept(self, frames):
        parsed = []
        bad = []
        for frame in frames:
            try:
                value = strict_loads(bytes(frame).decode("utf-8"))
                parsed.append((value, check_message(value)))
            except (ValueError, AssertionError, UnicodeDecodeError, TypeError) as error:
                bad.append((str(error), bytes(frame[:500])))
        with self._condition:
            for value, responses in parsed:
                self.messages_seen += 1
                if self.on_responses is not None:
                    self.on_responses(responses)
                    continue
                self.messages.append(value)
                self.responses.extend(responses)
            self.bad_output.extend(bad)
            self._condition.notify_all()

    def wait_for(self, predicate, seconds=ANSWER_WAIT_SECONDS, what="the expected answers"):
        """Blocks until ``predicate(self)`` holds (checked on every message) or fails the test."""
        deadline = Deadline(seconds)
        with self._condition:
            while not predicate(self):
                if self.stdout_closed or deadline.expired():
                    if predicate(self):
                        return
                    raise AssertionError(
                        "%s did not arrive within %.0f s (stdout %s, %d responses, exit %r); stderr tail: %s"
                        % (what, seconds, "closed" if self.stdout_closed else "open", len(self.responses),
                           self.process.poll(), self.stderr_bytes()[-2000:]))
                self._condition.wait(min(deadline.remaining(), 1.0))

    def answers_for(self, request_id):
        key = id_key(request_id)
        with self._condition:
            return [r for r in self.responses if id_key(r["id"]) == key]

    def answer(self, request_id, seconds=ANSWER_WAIT_SECONDS):
        """The one answer to ``request_id`` (waits for it; fails if there are several)."""
        key = id_key(request_id)
        self.wait_for(lambda b: any(id_key(r["id"]) == key for r in b.responses), seconds,
                      "the answer to id %r" % (request_id,))
        answers = self.answers_for(request_id)
        assert len(answers) == 1, "id %r answered %d times: %r" % (request_id, len(answers), answers)
        return answers[0]

    def call(self, method, params=None, id=None, seconds=ANSWER_WAIT_SECONDS):
        """One request and its answer, with a fresh string id when none is given."""
        if id is None:
            id = "call-%d" % next(_ids)
        self.request(method, params, id)
        return self.answer(id, seconds)

    def response_count(self):
        with self._condition:
            return len(self.responses)

    # -- process --------------------------------------------------------------------------------

    def wait_exit(self, seconds):
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError("the bridge did not exit within %.0f s" % seconds) from None

    def wait_stdout_closed(self, seconds=CLOSE_WAIT_SECONDS):
        self.wait_for(lambda b: b.stdout_closed, seconds, "end of stdout")

    def rss(self):
        return read_proc_status(self.pid, "VmRSS")

    def peak_rss(self):
        return read_proc_status(self.pid, "VmHWM")

    def fds(self):
        return fd_count(self.pid)

    def stderr_bytes(self):
        self._stderr_file.flush()
        self._stderr_file.seek(0)
        return self._stderr_file.read()

    def stop(self):
        """Close stdin, bounded wait; SIGTERM, bounded wait; SIGKILL. Safe to call twice."""
        if self.process.poll() is None and not self.process.stdout.closed:
            self.start_reading()  # a test that never read must not leave the bridge stuck writing
        if self.process.poll() is None:
            if not self._stdin_closed:
                try:
                    self.process.stdin.close()
                except OSError:
                    pass
            try:
                self.process.wait(CLOSE_WAIT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(TERM_WAIT_SECONDS)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(KILL_WAIT_SECONDS)
        with self._write_cv:
            self._write_queue.append(None)
            self._pending_writes += 1
            self._write_cv.notify_all()
        self._writer.join(KILL_WAIT_SECONDS)
        if self._reader is not None:
            self._reader.join(KILL_WAIT_SECONDS)
        try:
            self.process.stdout.close()
        except OSError:
            pass


def _split_lsp(pending):
    """Removes complete ``Content-Length`` frames from ``pending`` and returns their bodies."""
    frames = []
    while True:
        end = pending.find(b"\r\n\r\n")
        if end < 0:
            return frames
        headers = bytes(pending[:end]).decode("ascii", "replace").split("\r\n")
        lengths = [h.split(":", 1)[1].strip() for h in headers if h.lower().startswith("content-length:")]
        if len(lengths) != 1 or not lengths[0].isdigit():
            raise AssertionError("bad LSP header block from the bridge: %r" % headers)
        length = int(lengths[0])
        if len(pending) < end + 4 + length:
            return frames
        frames.append(bytes(pending[end + 4:end + 4 + length]))
        del pending[:end + 4 + length]


def _counter():
    n = 0
    while True:
        n += 1
        yield n


_ids = _counter()


def encode_line(value):
    return (json.dumps(value, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def lsp_frame(value_or_bytes):
    body = value_or_bytes if isinstance(value_or_bytes, (bytes, bytearray)) else json.dumps(value_or_bytes).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def closed_port():
    """A loopback port with nothing listening (bound, then closed)."""
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# Polling interval for conditions that offer no event to block on (the emulator's request log,
# /proc figures): short enough not to matter, long enough not to load the machine.
POLL_INTERVAL_SECONDS = 0.02


def wait_until(condition, seconds, what):
    """Polls ``condition`` until it holds, failing after ``seconds``."""
    deadline = Deadline(seconds)
    while not condition():
        if deadline.expired():
            raise AssertionError("%s did not happen within %.0f s" % (what, seconds))
        time.sleep(POLL_INTERVAL_SECONDS)
