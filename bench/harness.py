"""Process and I/O plumbing of the benchmark: starting and stopping every child, the upstreams
(nginx over http and https, the Medusa emulator, the small-backlog burst server), an NDJSON pipe
driver in Python and the raw C one, direct HTTP(S) calls, wrk, the libcurl floor and memory readings.

Rules kept throughout: every process started here is stopped here (stdin EOF, SIGTERM, SIGKILL,
each wait bounded); every wait has a bound; traffic goes to 127.0.0.1 only. Standard library only.
"""

import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BUILD = ROOT / ".build-bench"
DEFAULT_BRIDGE = BUILD / "release" / "medusa-auth-bridge"
BRIDGE = DEFAULT_BRIDGE  # bench.py's --bridge replaces it
REF = BUILD / "ref"
LOGS = BUILD / "logs"

# Every call the benchmark makes waits at most this long for its answer before the run is aborted.
CALL_BOUND_SECONDS = 30.0
OLI = ("oli@test.dk", "test")


class BenchError(Exception):
    pass


class Processes:
    """Every child process of the benchmark, stopped in reverse order by `stop_all`."""

    def __init__(self):
        self.live = []

    def start(self, argv, *, log_name, stdin=subprocess.PIPE, stdout=subprocess.PIPE, own_group=False, env=None):
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"{log_name}.stderr", "ab") as log:
            proc = subprocess.Popen(
                [str(a) for a in argv], stdin=stdin, stdout=stdout, stderr=log, start_new_session=own_group, env=env
            )
        self.live.append(proc)
        return proc

    def stop(self, proc, grace=3.0):
        """stdin EOF, then SIGTERM, then SIGKILL (of its own process group when it has one)."""
        if proc not in self.live:
            return
        self.live.remove(proc)
        for stream in (proc.stdin, proc.stdout):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass
        for action in ("wait", "term", "kill"):
            if action == "term":
                proc.send_signal(signal.SIGTERM)
            elif action == "kill":
                try:
                    os.killpg(proc.pid, signal.SIGKILL) if os.getpgid(proc.pid) == proc.pid else proc.kill()
                except ProcessLookupError:
                    pass
            try:
                proc.wait(grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self):
        for proc in reversed(list(self.live)):
            self.stop(proc)


PROCS = Processes()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, bound=10.0):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.02)
    raise BenchError(f"nothing listens on 127.0.0.1:{port} after {bound} s")


def read_line_bounded(proc, bound):
    """One line from a child's stdout, or BenchError after `bound` seconds (the child is killed)."""
    timer = threading.Timer(bound, proc.kill)
    timer.start()
    try:
        line = proc.stdout.readline()
    finally:
        timer.cancel()
    if not line:
        raise BenchError(f"{proc.args[0]} closed stdout (exit {proc.poll()}) before answering")
    return line


class Upstream:
    """A Medusa-shaped HTTP server on 127.0.0.1 and a logged-in cookie for GET /store/auth."""

    EXISTS_PATH = "/store/auth/oli%40test.dk"
    SESSION_PATH = "/store/auth"

    def __init__(self, name, port, ca_file=None):
        self.name = name
        self.port = port
        self.ca_file = ca_file  # https when set: the test CA that signed the server's certificate
        self.scheme = "https" if ca_file else "http"
        self.url = f"{self.scheme}://127.0.0.1:{port}"
        self.cookie = None

    def connection(self):
        """A keep-alive http.client connection; over https, verified against the test CA."""
        if self.ca_file is None:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=CALL_BOUND_SECONDS)
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=CALL_BOUND_SECONDS, context=context)

    def login(self):
        conn = self.connection()
        body = json.dumps({"email": OLI[0], "password": OLI[1]})
        conn.request("POST", "/store/auth", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        cookies = [v.split(";", 1)[0] for k, v in response.getheaders() if k.lower() == "set-cookie"]
        conn.close()
        if response.status != 200 or not cookies:
            raise BenchError(f"login at {self.name} answered {response.status} without a cookie")
        self.cookie = "; ".join(cookies)

    def headers(self, path):
        """The headers the bridge sends (issue 2, medusa-js's §4.3), so direct calls do the same work."""
        headers = {"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "bench/1"}
        if path == self.SESSION_PATH:
            headers["Cookie"] = self.cookie
        return headers


def nginx_version():
    """(major, minor, patch) of the nginx on PATH (`nginx -v` writes to stderr)."""
    done = subprocess.run(["nginx", "-v"], capture_output=True, text=True, timeout=30)
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", done.stderr)
    if not match:
        raise BenchError(f"cannot read nginx's version from {done.stderr.strip()!r}")
    return tuple(int(part) for part in match.groups())


def start_nginx(procs, tls_dir):
    """nginx answering the canned bodies over http and over https (HTTP/2 offered); returns the
    two upstreams (http, https), which share the one nginx process."""
    prefix = BUILD / "nginx"
    for sub in ("", "client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    port, tls_port = free_port(), free_port()
    # `http2 on` exists from nginx 1.25.1; before, HTTP/2 is a parameter of the listen line.
    listen = f"listen 127.0.0.1:{tls_port} ssl backlog=4096; http2 on;" if nginx_version() >= (1, 25, 1) \
        else f"listen 127.0.0.1:{tls_port} ssl http2 backlog=4096;"
    fill = {"@PREFIX@": prefix, "@PORT@": port, "@TLS_PORT@": tls_port, "@TLS_LISTEN@": listen,
            "@CERT@": Path(tls_dir) / "server.pem", "@KEY@": Path(tls_dir) / "server.key",
            "@LOCATIONS@": BENCH / "nginx-locations.conf"}
    conf = (BENCH / "nginx.conf.in").read_text()
    for mark, value in fill.items():
        conf = conf.replace(mark, str(value))
    (prefix / "nginx.conf").write_text(conf)
    argv = ["nginx", "-p", prefix, "-c", prefix / "nginx.conf", "-e", prefix / "nginx-error.log"]
    proc = procs.start(argv, log_name="nginx", stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, own_group=True)
    wait_for_port(port)
    wait_for_port(tls_port)
    plain, secure = Upstream("nginx", port), Upstream("nginx-tls", tls_port, Path(tls_dir) / "ca.pem")
    for upstream in (plain, secure):
        upstream.proc = proc
        upstream.login()
    return plain, secure


def start_emulator(procs):
    script = ROOT / "scripts" / "emulator" / "medusa_emulator.py"
    proc = procs.start(["python3", script, "--port", "0", "--exit-on-stdin-eof", "--quiet"], log_name="emulator")
    announced = json.loads(read_line_bounded(proc, 20.0))
    upstream = Upstream("emulator", announced["port"])
    upstream.proc = proc
    upstream.login()
    return upstream


def request_line(call_id, method, params=None):
    message = {"jsonrpc": "2.0", "id": call_id, "method": method}
    if params is not None:
        message["params"] = params
    return (json.dumps(message, separators=(",", ":")) + "\n").encode()


class PipeDriver:
    """Drives a child that speaks NDJSON on stdin/stdout with raw os.read/os.write, the cheapest way
    Python can: the same client work (encode, write, read, split on b"\\n", json.loads, check the id)
    for the bridge and for the echo floor, so the difference is the server's."""

    def __init__(self, proc, echo=False):
        self.proc = proc
        self.echo = echo
        self.write_fd = proc.stdin.fileno()
        self.read_fd = proc.stdout.fileno()
        self.buffer = b""
        self.next_id = 0

    def _check(self, answer):
        if "error" in answer or (not self.echo and "result" not in answer):
            raise BenchError(f"{Path(self.proc.args[0]).name} answered {json.dumps(answer)[:300]}")

    def _read_line(self):
        while b"\n" not in self.buffer:
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                raise BenchError(f"{Path(self.proc.args[0]).name} closed stdout (exit {self.proc.poll()})")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def _watchdog(self, seconds):
        """Kills the child if a run overruns its bound, so a stuck read ends in EOF, not a hang."""
        timer = threading.Timer(seconds + CALL_BOUND_SECONDS, self.proc.kill)
        timer.daemon = True
        timer.start()
        return timer

    def call(self, method, params=None):
        self.next_id += 1
        os.write(self.write_fd, request_line(self.next_id, method, params))
        timer = self._watchdog(0)
        try:
            answer = json.loads(self._read_line())
        finally:
            timer.cancel()
        self._check(answer)
        return answer.get("result")

    def sequential(self, method, params, seconds):
        """One call at a time for `seconds`; returns each call's latency in microseconds."""
        latencies = []
        clock = time.perf_counter_ns
        timer = self._watchdog(seconds)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                self.next_id += 1
                call_id = self.next_id
                line = request_line(call_id, method, params)
                start = clock()
                os.write(self.write_fd, line)
                answer = json.loads(self._read_line())
                latencies.append((clock() - start) / 1000)
                if answer.get("id") != call_id:
                    raise BenchError(f"answer for id {answer.get('id')} while waiting for {call_id}")
                self._check(answer)
        finally:
            timer.cancel()
        return latencies

    def pipelined(self, method, params, seconds, depth=64, total=None, params_for=None, bound=None):
        """Keeps `depth` calls in flight until `seconds` pass (or `total` calls are sent); returns
        (calls answered, seconds from first write to last answer)."""
        make = (lambda i: request_line(i, method, params_for(i))) if params_for else (lambda i: request_line(i, method, params))
        limit = total if total is not None else float("inf")
        timer = self._watchdog(bound if bound is not None else seconds if total is None else seconds + total / 1000)
        try:
            start = time.perf_counter()
            deadline = time.monotonic() + seconds if total is None else float("inf")
            sent = answered = 0
            first = []
            while sent < depth and sent < limit:
                first.append(make(sent))
                sent += 1
            os.write(self.write_fd, b"".join(first))
            buffer = b""
            while answered < sent:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise BenchError(f"{Path(self.proc.args[0]).name} closed stdout (exit {self.proc.poll()})")
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                more = []
                keep_sending = sent < limit and time.monotonic() < deadline
                for line in lines:
                    answer = json.loads(line)
                    answered += 1
                    if "error" in answer or (not self.echo and "result" not in answer):
                        self._check(answer)
                    if keep_sending and sent < limit:
                        more.append(make(sent))
                        sent += 1
                if more:
                    os.write(self.write_fd, b"".join(more))
            return answered, time.perf_counter() - start
        finally:
            timer.cancel()


def start_bridge(procs, base_url, *extra):
    proc = procs.start([BRIDGE, "--base-url", base_url, *extra], log_name="bridge")
    driver = PipeDriver(proc)
    driver.call("initialize", {"protocolVersion": "1.0", "clientInfo": {"name": "bench", "version": "1"}})
    return driver


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise BenchError(f"no VmRSS for {pid}")


def threads_of(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def run_json_program(argv, bound, pass_fds=(), check=True):
    """Runs a measuring child to completion (bounded) and returns the JSON of its last stdout line."""
    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=bound, pass_fds=pass_fds)
    if done.returncode != 0 and (check or not done.stdout.strip()):
        raise BenchError(f"{Path(str(argv[0])).name} exited {done.returncode}: {done.stderr[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# Issue 9: what the bridge under test offers, the raw C driver, the libcurl floor, the burst.


def bridge_features(binary):
    """Which of the engine's options `binary --help` lists, and its default connection limit if the
    text says one (`--max-connections N ... default 8`)."""
    done = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=30)
    text = done.stdout + done.stderr
    limit = re.search(r"--max-connections\b[^\n]*?default:?\s*(\d+)", text)
    return {
        "max_connections": "--max-connections" in text,
        "default_connections": int(limit.group(1)) if limit else None,
        "ca_file": "--ca-file" in text,
    }


def start_burst_server(procs, backlog):
    """bench/burst_server.py: Python's ThreadingHTTPServer with a listen backlog of `backlog`."""
    proc = procs.start(["python3", BENCH / "burst_server.py", "--backlog", backlog], log_name="burst-server")
    announced = json.loads(read_line_bounded(proc, 20.0))
    upstream = Upstream("burst", announced["port"])
    upstream.proc = proc
    return upstream
