"""What drives load at a server in the benchmark: Python's own http.client (one at a time, 64
threads, the 8-thread burst), wrk, bench/ref/curl_floor.c (libcurl's multi floor), the raw C pipe
driver bench/ref/pipe_driver.c, and the 300-call burst through a bridge. Each call is bounded;
every process started here is stopped here. Standard library only.
"""

import http.client
import json
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import harness as h


# Direct HTTP from Python: http.client, one keep-alive connection per worker.


def http_sequential(upstream, path, seconds):
    conn = upstream.connection()
    headers = upstream.headers(path)
    latencies = []
    clock = time.perf_counter_ns
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            start = clock()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            if response.status != 200:
                raise h.BenchError(f"{upstream.name} {path} answered {response.status}: {raw[:200]!r}")
            json.loads(raw)
            latencies.append((clock() - start) / 1000)
    finally:
        conn.close()
    return latencies


def http_concurrent(upstream, path, seconds, concurrency=64):
    """`concurrency` threads, each with its own keep-alive connection; returns (calls, seconds)."""
    headers = upstream.headers(path)
    counts = [0] * concurrency
    failures = []
    ready = threading.Barrier(concurrency + 1, timeout=h.CALL_BOUND_SECONDS)
    window = {}

    def worker(index):
        conn = upstream.connection()
        try:
            conn.request("GET", path, headers=headers)
            conn.getresponse().read()
            ready.wait()
            while time.monotonic() < window["deadline"]:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                json.loads(response.read())
                if response.status != 200:
                    raise h.BenchError(f"{upstream.name} {path} answered {response.status}")
                counts[index] += 1
        except Exception as error:  # reported after the join
            failures.append(error)
            try:
                ready.abort()
            except threading.BrokenBarrierError:
                pass
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    window["deadline"] = time.monotonic() + seconds + 3600  # replaced once every worker is connected
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass
    start = time.perf_counter()
    window["deadline"] = time.monotonic() + seconds
    for thread in threads:
        thread.join(seconds + h.CALL_BOUND_SECONDS)
    elapsed = time.perf_counter() - start
    if failures:
        raise h.BenchError(f"direct Python call failed: {failures[0]!r}")
    return sum(counts), elapsed


def wrk(upstream, path, seconds, concurrency=64, threads=2):
    argv = ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s"]
    for name, value in upstream.headers(path).items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(upstream.url + path)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    match = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    if done.returncode != 0 or not match:
        raise h.BenchError(f"wrk failed: {done.stdout[-300:]} {done.stderr[-300:]}")
    if "Non-2xx" in done.stdout or "Socket errors" in done.stdout:
        raise h.BenchError(f"wrk saw errors: {done.stdout[-400:]}")
    return float(match.group(1))


PING_TEMPLATE = '{"jsonrpc":"2.0","id":@ID@,"method":"ping"}'


def exists_template(email=h.OLI[0]):
    return '{"jsonrpc":"2.0","id":@ID@,"method":"auth.exists","params":{"email":"' + email + '"}}'


def raw_drive(proc, template, seconds, warmup, depth):
    """One run of bench/ref/pipe_driver.c on a child's pipes (the child started and stopped by the
    caller): pre-built requests, no JSON work. Returns its JSON (calls_per_s, median_us, errors,
    driver_cpu_us, ...); any error answer aborts the benchmark."""
    fds = (proc.stdin.fileno(), proc.stdout.fileno())
    argv = [h.REF / "pipe_driver", *fds, seconds, warmup, depth, template]
    result = h.run_json_program(argv, seconds + warmup + h.CALL_BOUND_SECONDS + 30, pass_fds=fds, check=False)
    if result["errors"]:
        raise h.BenchError(f"{Path(str(proc.args[0])).name} answered {result['errors']} errors to {template[:80]}")
    return result


def curl_floor(upstream, path, seconds, warmup, inflight, max_connections, http="2tls"):
    """One run of bench/ref/curl_floor.c: the same GET as the bridge makes, with the same headers;
    `http` "2tls" (HTTP/2 when TLS offers it, as the engine) or "1.1"."""
    headers = [f"{name}: {value}" for name, value in upstream.headers(path).items()]
    argv = [h.REF / "curl_floor", upstream.url + path, seconds, warmup, inflight, max_connections,
            upstream.ca_file or "-", http, *headers]
    return h.run_json_program(argv, seconds + warmup + h.CALL_BOUND_SECONDS + 30)


def bridge_burst(procs, upstream, calls, bound, extra=()):
    """`calls` auth.exists written at once to a fresh bridge (no connection open yet), as a test
    harness would; returns (seconds from the write to the last answer, error answers)."""
    pipe = h.start_bridge(procs, upstream.url, *extra)
    try:
        lines = b"".join(h.request_line(i, "auth.exists", {"email": h.OLI[0]}) for i in range(1, calls + 1))
        timer = pipe._watchdog(bound)
        try:
            start = time.perf_counter()
            os.write(pipe.write_fd, lines)
            errors = 0
            for _ in range(calls):
                answer = json.loads(pipe._read_line())
                errors += "error" in answer
            return time.perf_counter() - start, errors
        finally:
            timer.cancel()
    finally:
        procs.stop(pipe.proc)


def python_burst(upstream, path, calls, threads=8):
    """The same `calls` GETs from `threads` Python threads, each on its own keep-alive http.client
    connection; returns (seconds, failed calls)."""
    tickets = iter(range(calls))
    lock = threading.Lock()
    failures = [0]

    def worker():
        conn = upstream.connection()
        try:
            while True:
                with lock:
                    if next(tickets, None) is None:
                        return
                try:
                    conn.request("GET", path, headers=upstream.headers(path))
                    response = conn.getresponse()
                    json.loads(response.read())
                    failed = response.status != 200
                except (OSError, http.client.HTTPException, ValueError):
                    failed = True
                    conn.close()
                    conn = upstream.connection()
                if failed:
                    with lock:
                        failures[0] += 1
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    start = time.perf_counter()
    for worker_thread in workers:
        worker_thread.start()
    for worker_thread in workers:
        worker_thread.join(h.CALL_BOUND_SECONDS * 4)
    if any(t.is_alive() for t in workers):
        raise h.BenchError("the Python burst did not finish in its bound")
    return time.perf_counter() - start, failures[0]
