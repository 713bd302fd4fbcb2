#!/usr/bin/env python3
"""The benchmark of issue 6: every figure side by side in one run, each the median over repeated
runs with min and max, compared with the issue's targets. Run it through `bench/run`, which builds
what it needs first. Prints a table, writes bench/results/<time>.json and bench/results/latest.md
(`--publish` also copies the Markdown to bench/RESULTS.md).
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import harness as h

SECTIONS = ("startup", "ping", "http", "memory", "clients")


class Report:
    def __init__(self):
        self.figures = {}
        self.targets = []
        self.skipped = []

    def add(self, key, label, unit, samples, note=""):
        """One figure from its per-run samples: median, min, max."""
        samples = [float(s) for s in samples]
        figure = {
            "label": label,
            "unit": unit,
            "median": statistics.median(samples),
            "min": min(samples),
            "max": max(samples),
            "runs": len(samples),
            "samples": [round(s, 3) for s in samples],
            "note": note,
        }
        self.figures[key] = figure
        print(f"  {label:<62} {fmt(figure['median'], unit):>12}  [{fmt(figure['min'], unit)} – {fmt(figure['max'], unit)}]", flush=True)
        return figure

    def derived(self, key, label, unit, value, note=""):
        figure = {"label": label, "unit": unit, "median": value, "min": None, "max": None, "runs": None, "note": note}
        self.figures[key] = figure
        print(f"  {label:<62} {fmt(value, unit):>12}  ({note})", flush=True)
        return figure

    def target(self, label, measured_key, limit, kind, limit_text, unit):
        """`kind` '<=' or '>='; ratio = measured / limit."""
        figure = self.figures.get(measured_key)
        if figure is None:
            self.targets.append({"label": label, "target": limit_text, "measured": None, "status": "not measured"})
            return
        measured = figure["median"]
        ratio = measured / limit if limit else float("inf")
        met = measured <= limit if kind == "<=" else measured >= limit
        self.targets.append({
            "label": label, "target": limit_text, "measured": measured, "unit": unit, "limit": limit,
            "kind": kind, "ratio": ratio, "met": met, "range": [figure["min"], figure["max"]],
            "status": f"{'met' if met else 'MISSED'} ({ratio:.2f}× the limit)",
        })

    def skip(self, what, why):
        self.skipped.append({"what": what, "why": why})
        print(f"  SKIPPED {what}: {why}", flush=True)


def fmt(value, unit):
    if value is None:
        return "–"
    if unit == "calls/s":
        return f"{value:,.0f}"
    if unit in ("µs", "ms", "MiB"):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if unit == "×":
        return f"{value:.2f}"
    return f"{value:g}"


def section(title):
    print(f"\n== {title}", flush=True)


# 1. Start-up -----------------------------------------------------------------------------------


def measure_startup(report, procs, args, nginx_url):
    section("1. start-up: spawn to the answer of the first ping (release builds)")
    programs = [
        ("bridge", [h.BRIDGE, "--base-url", nginx_url], "medusa-auth-bridge"),
        ("ref_networking", [h.REF / "ping_networking"], "minimal program, Foundation + FoundationNetworking"),
        ("ref_urlsession", [h.REF / "ping_urlsession"], "the same + one URLSession created (as the bridge does)"),
        ("ref_foundation", [h.REF / "ping_foundation"], "minimal program, Foundation only"),
        ("ref_echo", [h.REF / "echo"], "echo process (stdlib + Glibc only), the pipe floor"),
    ]
    line = h.request_line(1, "ping")
    times = {key: [] for key, _, _ in programs}
    rss = {key: [] for key, _, _ in programs}
    # Round robin, so that a burst of load on this shared machine hits every program alike.
    for spawn in range(args.spawns + 2):
        for key, argv, _label in programs:
            start = time.perf_counter()
            proc = procs.start(argv, log_name=f"startup-{key}")
            os.write(proc.stdin.fileno(), line)
            h.read_line_bounded(proc, h.CALL_BOUND_SECONDS)
            elapsed = (time.perf_counter() - start) * 1000
            if spawn >= 2:  # the first round warms the page cache
                times[key].append(elapsed)
            if spawn < 5:
                time.sleep(0.3)  # idle: let lazy initialisation settle before reading RSS
                rss[key].append(h.rss_mib(proc.pid))
            procs.stop(proc)
    for key, _argv, label in programs:
        report.add(f"startup_ms.{key}", f"start-up, {label}", "ms", times[key])
    for key, _argv, label in programs:
        report.add(f"idle_rss_mib.{key}", f"RSS idle after one answer, {label}", "MiB", rss[key])


# 2. Protocol cost ------------------------------------------------------------------------------


def measure_ping(report, procs, args, nginx_url):
    section("2. protocol cost: ping round trips from a Python client (raw NDJSON pipe)")
    echo = h.PipeDriver(procs.start([h.REF / "echo"], log_name="echo"), echo=True)
    bridge = h.start_bridge(procs, nginx_url)
    pipes = (("echo", "echo floor (same pipe, no JSON work)", echo), ("bridge", "bridge ping", bridge))
    seq = {key: [] for key, _, _ in pipes}
    par = {key: [] for key, _, _ in pipes}
    for _key, _label, pipe in pipes:
        pipe.sequential("ping", None, args.warmup)
        pipe.pipelined("ping", None, args.warmup)
    for _ in range(args.runs):  # interleaved runs: the two sides see the same machine load
        for key, _label, pipe in pipes:
            seq[key].append(statistics.median(pipe.sequential("ping", None, args.seconds)))
        for key, _label, pipe in pipes:
            calls, seconds = pipe.pipelined("ping", None, args.seconds)
            par[key].append(calls / seconds)
    for key, label, pipe in pipes:
        report.add(f"ping_seq_us.{key}", f"{label}, one at a time (median latency)", "µs", seq[key])
        report.add(f"ping_par.{key}", f"{label}, 64 in flight", "calls/s", par[key])
        procs.stop(pipe.proc)
    report.add("ping_seq_ratio", "bridge ping one at a time / echo floor (paired runs)", "×",
               [b / e for b, e in zip(seq["bridge"], seq["echo"])])


# 3. HTTP cost ----------------------------------------------------------------------------------

METHODS = (
    ("exists", "auth.exists", {"email": h.OLI[0]}, h.Upstream.EXISTS_PATH),
    ("getSession", "auth.getSession", {}, h.Upstream.SESSION_PATH),
)


def node_direct(upstream, path, args):
    config = {"mode": "direct", "url": upstream.url + path, "headers": upstream.headers(path), "seconds": args.seconds,
              "runs": args.runs, "concurrency": 64}
    bound = args.seconds * args.runs * 8 + 90
    return h.run_json_program(["node", h.BENCH / "node_bench.mjs", json.dumps(config)], bound)


def measure_http(report, procs, args, upstreams):
    section("3. HTTP cost: bridge vs direct keep-alive calls, 1 and 64 in flight; upstream ceiling (wrk)")
    for upstream in upstreams:
        print(f" -- upstream: {upstream.name} ({upstream.url})", flush=True)
        pipe = h.start_bridge(procs, upstream.url)
        for key, method, params, path in METHODS:
            tag = f"{upstream.name}.{key}"
            if key == "getSession":
                # Log in now: the emulator keeps a bounded session store, and every cookie-less
                # GET /store/auth/{email} before this created a new session that may have evicted ours.
                upstream.login()
                pipe.call("auth.authenticate", {"email": h.OLI[0], "password": h.OLI[1]})
            pipe.sequential(method, params, args.warmup)
            h.http_sequential(upstream, path, args.warmup)
            pipe.pipelined(method, params, args.warmup)
            bridge_seq, direct_seq, bridge_par, direct_par = [], [], [], []
            for _ in range(args.runs):  # interleaved runs: both sides see the same machine load
                bridge_seq.append(statistics.median(pipe.sequential(method, params, args.seconds)))
                direct_seq.append(statistics.median(h.http_sequential(upstream, path, args.seconds)))
                calls, seconds = pipe.pipelined(method, params, args.seconds)
                bridge_par.append(calls / seconds)
                calls, seconds = h.http_concurrent(upstream, path, args.seconds)
                direct_par.append(calls / seconds)
            report.add(f"http_seq_us.bridge.{tag}", f"{method} via bridge, {upstream.name}, one at a time", "µs", bridge_seq)
            report.add(f"http_seq_us.python.{tag}", f"GET {path} direct Python http.client, {upstream.name}, one at a time",
                       "µs", direct_seq)
            report.add(f"http_added_us.{tag}", f"{method}: bridge minus direct Python, {upstream.name} (paired runs)", "µs",
                       [b - d for b, d in zip(bridge_seq, direct_seq)])
            report.add(f"http_par.bridge.{tag}", f"{method} via bridge, {upstream.name}, 64 in flight", "calls/s", bridge_par)
            report.add(f"http_par.python.{tag}", f"GET {path} direct Python (64 threads), {upstream.name}", "calls/s",
                       direct_par)
            node = node_direct(upstream, path, args)
            report.add(f"http_seq_us.node.{tag}", f"GET {path} direct Node fetch, {upstream.name}, one at a time", "µs",
                       node["sequential_us"])
            report.add(f"http_par.node.{tag}", f"GET {path} direct Node fetch, {upstream.name}, 64 in flight", "calls/s",
                       node["concurrent_per_s"])
            report.add(f"http_par.wrk.{tag}", f"wrk ceiling, GET {path}, {upstream.name}, 64 connections", "calls/s",
                       [h.wrk(upstream, path, args.wrk_seconds) for _ in range(args.wrk_runs)])
            ceiling = report.figures[f"http_par.wrk.{tag}"]["median"]
            report.derived(f"http_share.{tag}", f"{method} via bridge, 64 in flight / wrk ceiling, {upstream.name}", "×",
                           report.figures[f"http_par.bridge.{tag}"]["median"] / ceiling, "ratio of medians")
        procs.stop(pipe.proc)
    nginx = upstreams[0]
    print(" -- FoundationNetworking in isolation (no bridge): bench/ref/urlsession_get, and a plain-socket "
          "client (bench/ref/socket_get) as the toolchain's alternative, against nginx", flush=True)
    for program in ("urlsession_get", "socket_get"):
        for concurrency in (1, 64):
            for key, _method, _params, path in METHODS:
                if program == "socket_get" and key == "getSession":
                    continue  # the socket client sends no cookie; GET /store/auth/{email} is enough
                runs = [h.run_json_program([h.REF / program, nginx.url + path, args.seconds, concurrency], args.seconds + 60)
                        for _ in range(args.runs)]
                if concurrency == 1:
                    report.add(f"iso_seq_us.{program}.{key}", f"{program} GET {path}, nginx, one at a time", "µs",
                               [r["median_us"] for r in runs])
                else:
                    report.add(f"iso_par.{program}.{key}", f"{program} GET {path}, nginx, 64 in flight", "calls/s",
                               [r["calls_per_s"] for r in runs])


# 4. Memory -------------------------------------------------------------------------------------


def measure_memory(report, procs, args, nginx):
    section("4. memory (VmRSS of the bridge; calls are auth.exists against nginx, 64 in flight)")
    pipe = h.start_bridge(procs, nginx.url)
    pipe.call("ping")
    time.sleep(0.5)
    idle = h.rss_mib(pipe.proc.pid)
    report.add("rss_mib.idle", "bridge RSS idle (after initialize + ping)", "MiB", [idle])
    steps = [args.calls] + ([args.calls * 10] if args.million else [])
    done = 0
    params = {"email": h.OLI[0]}
    for step in steps:
        started = time.perf_counter()
        calls, _ = pipe.pipelined("auth.exists", params, 0, total=step - done)
        done += calls
        report.add(f"rss_mib.after_{done}", f"bridge RSS after {done:,} calls ({time.perf_counter() - started:.0f} s)", "MiB",
                   [h.rss_mib(pipe.proc.pid)])
        print(f"     threads: {h.threads_of(pipe.proc.pid)}", flush=True)
    if args.million:
        first = report.figures[f"rss_mib.after_{args.calls}"]["median"]
        last = report.figures[f"rss_mib.after_{done}"]["median"]
        report.derived("rss_growth_mib", f"RSS growth {args.calls:,} -> {done:,} calls", "MiB", last - first, "single run")
    else:
        report.skip(f"RSS growth {args.calls:,} -> {args.calls * 10:,} calls", "run with --million (takes minutes)")
    procs.stop(pipe.proc)

    pipe = h.start_bridge(procs, nginx.url)
    pipe.call("ping")
    time.sleep(0.5)
    idle = h.rss_mib(pipe.proc.pid)
    credentials = {"email": h.OLI[0], "password": h.OLI[1]}
    calls, seconds = pipe.pipelined("auth.authenticate", None, 0, total=args.sessions,
                                    params_for=lambda i: dict(credentials, session=f"s{i}"))
    listed = pipe.call("session.list")["sessions"]
    held = sum(1 for s in listed if s["hasCookie"])
    if held < args.sessions:
        raise h.BenchError(f"expected {args.sessions} sessions with a cookie, session.list shows {held}")
    time.sleep(0.3)
    report.add("rss_mib.sessions", f"bridge RSS holding {held:,} logged-in sessions (cookie each)", "MiB",
               [h.rss_mib(pipe.proc.pid)])
    report.derived("rss_sessions_over_idle", f"{held:,} sessions over idle (idle {idle:.1f} MiB in that process)", "MiB",
                   report.figures["rss_mib.sessions"]["median"] - idle, "single run")
    procs.stop(pipe.proc)
    if "idle_rss_mib.ref_networking" in report.figures:
        report.derived("rss_idle_ratio", "bridge idle RSS / minimal Foundation+FoundationNetworking program", "×",
                       report.figures["rss_mib.idle"]["median"] / report.figures["idle_rss_mib.ref_networking"]["median"],
                       "ratio")


# 5. Clients ------------------------------------------------------------------------------------


def measure_python_client(report, args, nginx):
    src = h.ROOT / "clients" / "python" / "src"
    sys.path.insert(0, str(src))
    try:
        from medusa_auth_bridge import AsyncBridge, Bridge  # noqa: E402
    except Exception as error:  # the client may not exist yet
        report.skip("Python client overhead", f"clients/python does not import: {error!r}")
        return
    log = open(h.LOGS / "python-client-bridge.stderr", "ab")
    raw = h.start_bridge(h.PROCS, nginx.url)  # the raw pipe, measured in the same runs as the client
    calls = {"ping": ("ping", None), "exists": ("auth.exists", {"email": h.OLI[0]})}
    try:
        with Bridge(binary=str(h.BRIDGE), base_url=nginx.url, stderr=log) as bridge:
            for key, call in (("ping", bridge.ping), ("exists", lambda: bridge.auth.exists(h.OLI[0]))):
                method, params = calls[key]
                timed(call, args.warmup)
                raw.sequential(method, params, args.warmup)
                client, direct = [], []
                for _ in range(args.runs):
                    client.append(statistics.median(timed(call, args.seconds)))
                    direct.append(statistics.median(raw.sequential(method, params, args.seconds)))
                report.add(f"client_seq_us.python_raw.{key}", f"raw Python NDJSON pipe {key}, one at a time", "µs", direct)
                report.add(f"client_seq_us.python.{key}", f"Python client (sync Bridge) {key}, one at a time", "µs", client)
                report.add(f"client_overhead_us.python.{key}", f"Python client overhead per {key} call (paired runs)", "µs",
                           [c - d for c, d in zip(client, direct)])

        async def concurrent():
            async with AsyncBridge(binary=str(h.BRIDGE), base_url=nginx.url, stderr=log) as bridge:
                for key, call in (("ping", bridge.ping), ("exists", lambda: bridge.auth.exists(h.OLI[0]))):
                    method, params = calls[key]
                    await flood(call, args.warmup)
                    client, direct = [], []
                    for _ in range(args.runs):
                        client.append(await flood(call, args.seconds))
                        answered, seconds = raw.pipelined(method, params, args.seconds)
                        direct.append(answered / seconds)
                    report.add(f"client_par.python_raw.{key}", f"raw Python NDJSON pipe {key}, 64 in flight", "calls/s", direct)
                    report.add(f"client_par.python.{key}", f"Python client (AsyncBridge) {key}, 64 in flight", "calls/s", client)

        asyncio.run(asyncio.wait_for(concurrent(), args.seconds * args.runs * 8 + 120))
    finally:
        h.PROCS.stop(raw.proc)
        log.close()


def timed(call, seconds):
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter_ns()
        call()
        latencies.append((time.perf_counter_ns() - start) / 1000)
    return latencies


async def flood(call, seconds, concurrency=64):
    deadline = time.monotonic() + seconds
    count = 0

    async def worker():
        nonlocal count
        while time.monotonic() < deadline:
            await call()
            count += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


def measure_node_client(report, args, nginx):
    client_dir = h.ROOT / "clients" / "node"
    if not (client_dir / "lib" / "index.js").exists():
        report.skip("Node client overhead", "clients/node/lib/index.js does not exist yet")
        return
    config = {"mode": "client", "clientDir": str(client_dir), "binary": str(h.BRIDGE), "baseUrl": nginx.url,
              "seconds": args.seconds, "runs": args.runs, "concurrency": 64}
    try:
        result = h.run_json_program(["node", h.BENCH / "node_bench.mjs", json.dumps(config)],
                                    args.seconds * args.runs * 24 + 120)
    except h.BenchError as error:
        report.skip("Node client overhead", str(error))
        return
    for key in ("ping", "exists"):
        raw, client = result[f"raw_{key}"], result[f"client_{key}"]
        report.add(f"client_seq_us.node_raw.{key}", f"Node raw NDJSON pipe {key}, one at a time", "µs", raw["sequential_us"])
        report.add(f"client_seq_us.node.{key}", f"Node client {key}, one at a time", "µs", client["sequential_us"])
        report.add(f"client_par.node_raw.{key}", f"Node raw NDJSON pipe {key}, 64 in flight", "calls/s", raw["concurrent_per_s"])
        report.add(f"client_par.node.{key}", f"Node client {key}, 64 in flight", "calls/s", client["concurrent_per_s"])
        report.add(f"client_overhead_us.node.{key}", f"Node client overhead per {key} call (paired runs)", "µs",
                   [c - r for c, r in zip(client["sequential_us"], raw["sequential_us"])])


# Targets, machine, output ----------------------------------------------------------------------


def check_targets(report):
    f = report.figures
    report.target("start-up to first answer ≤ 15 ms", "startup_ms.bridge", 15.0, "<=", "≤ 15 ms", "ms")
    report.target("ping one at a time ≤ 2× the pipe floor", "ping_seq_ratio", 2.0, "<=", "≤ 2× echo", "×")
    report.target("ping 64 in flight ≥ 50,000 calls/s", "ping_par.bridge", 50000, ">=", "≥ 50,000/s", "calls/s")
    for key in ("exists", "getSession"):
        report.target(f"{key}: added latency over direct Python, nginx ≤ 100 µs", f"http_added_us.nginx.{key}", 100.0, "<=",
                      "≤ 100 µs", "µs")
        report.target(f"{key}: 64 in flight ≥ 50% of wrk ceiling, nginx", f"http_share.nginx.{key}", 0.5, ">=", "≥ 0.50", "×")
    report.target("RSS idle ≤ 1.1× minimal FoundationNetworking program", "rss_idle_ratio", 1.1, "<=", "≤ 1.1×", "×")
    report.target("10,000 sessions ≤ +30 MB over idle", "rss_sessions_over_idle", 30 * 1e6 / 2**20, "<=", "≤ +28.6 MiB (30 MB)",
                  "MiB")
    if "rss_growth_mib" in f:
        noise = max(2.0, 0.05 * f[f"rss_mib.after_{report.calls}"]["median"])
        report.target(f"no growth 100k -> 1M calls (noise: ≤ {noise:.1f} MiB)", "rss_growth_mib", noise, "<=",
                      f"≤ {noise:.1f} MiB", "MiB")
    else:
        report.targets.append({"label": "no growth 100k -> 1M calls", "target": "beyond noise", "measured": None,
                               "status": "not measured in this run (--million)"})


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": command_output(["nproc"]),
        "cpu": cpu,
        "kernel": platform.release(),
        "memory": command_output(["sh", "-c", "free -m | awk '/Mem:/ {print $2 \" MiB\"}'"]),
        "swift": command_output(["swift", "--version"]).splitlines()[0] if shutil.which("swift") else "unknown",
        "python": platform.python_version(),
        "node": command_output(["node", "--version"]),
        "nginx": subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip(),
        "wrk": command_output(["sh", "-c", "wrk -v 2>&1 | head -1"]),
        "libcurl": command_output(["dpkg-query", "-W", "-f", "${Version}", "libcurl4"]),
        "loadavg_start": open("/proc/loadavg").read().split()[:3],
        "bridge_source": command_output(["git", "-C", str(h.ROOT), "log", "-1", "--format=%h %s", "--", "Sources", "Package.swift"])[:100]
        + (" (Sources modified)" if command_output(["git", "-C", str(h.ROOT), "status", "--porcelain", "--", "Sources"]) else ""),
    }


def markdown(result):
    m = result["machine"]
    lines = [
        "# Benchmark results (issue 6)",
        "",
        f"Latest run: {result['started']} — `{result['command']}` — {result['wall_seconds']:.0f} s. Each figure is the median "
        f"of {result['settings']['runs']} runs of {result['settings']['seconds']} s (start-up: "
        f"{result['settings']['spawns']} spawns; memory: one run) with [min – max]. Regenerate with "
        "`bench/run --publish`; details of the method in bench/bench.py, analysis in bench/FINDINGS.md.",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory']}, kernel {m['kernel']}, {m['swift']}, Python {m['python']}, "
        f"Node {m['node']}, {m['nginx']}, {m['wrk']}, libcurl {m['libcurl']}. Bridge measured: {m['bridge_source']}. "
        f"Load average at start "
        f"{' '.join(m['loadavg_start'])}, at end {' '.join(m['loadavg_end'])} (the machine is shared: other sessions' "
        "test runs add noise).",
        "",
        "## Targets",
        "",
        "| target | measured (median) | [min – max] | status |",
        "|---|---|---|---|",
    ]
    for t in result["targets"]:
        if t.get("measured") is None:
            lines.append(f"| {t['label']} | – | – | {t['status']} |")
        else:
            lo, hi = t["range"]
            rng = "–" if lo is None else f"{fmt(lo, t['unit'])} – {fmt(hi, t['unit'])}"
            lines.append(f"| {t['label']} | {fmt(t['measured'], t['unit'])} {t['unit']} | {rng} | {t['status']} |")
    lines += ["", "## All figures", "", "| figure | median | min | max | unit |", "|---|---|---|---|---|"]
    for figure in result["figures"].values():
        lines.append(f"| {figure['label']} | {fmt(figure['median'], figure['unit'])} | {fmt(figure['min'], figure['unit'])} | "
                     f"{fmt(figure['max'], figure['unit'])} | {figure['unit']} |")
    if result["skipped"]:
        lines += ["", "## Not measured in this run", ""]
        lines += [f"- {s['what']}: {s['why']}" for s in result["skipped"]]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="repeated runs per figure (default 5)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one run (default 1.0)")
    parser.add_argument("--spawns", type=int, default=20, help="spawns per start-up figure (default 20)")
    parser.add_argument("--calls", type=int, default=100_000, help="calls before the memory reading (default 100,000)")
    parser.add_argument("--sessions", type=int, default=10_000, help="sessions held for the memory reading")
    parser.add_argument("--million", action="store_true", help="also run to 10× --calls for the growth figure")
    parser.add_argument("--quick", action="store_true", help="3 runs of 0.5 s, 10 spawns: a smoke run")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--publish", action="store_true", help="copy the Markdown of this run to bench/RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.seconds, args.spawns = 3, 0.5, 10
    args.warmup = min(0.3, args.seconds)
    args.wrk_runs, args.wrk_seconds = max(3, args.runs // 2 + 1), max(2.0, args.seconds * 2)
    for needed in (h.BRIDGE, h.REF / "echo", h.REF / "ping_networking"):
        if not needed.exists():
            sys.exit(f"bench: {needed} is missing; run bench/run, which builds it")
    sections = set(args.only or SECTIONS)
    report = Report()
    report.calls = args.calls
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    began = time.monotonic()
    info = machine()  # before the run: the load average it shows is the one the run started with
    procs = h.PROCS
    try:
        nginx = h.start_nginx(procs)
        emulator = h.start_emulator(procs) if "http" in sections else None
        print(f"nginx on {nginx.url}" + (f", emulator on {emulator.url}" if emulator else ""), flush=True)
        if "startup" in sections:
            measure_startup(report, procs, args, nginx.url)
        if "ping" in sections:
            measure_ping(report, procs, args, nginx.url)
        if "http" in sections:
            measure_http(report, procs, args, [nginx, emulator])
        if "memory" in sections:
            measure_memory(report, procs, args, nginx)
        if "clients" in sections:
            section("5. the clients' own overhead (client call -> result), against nginx")
            measure_python_client(report, args, nginx)
            measure_node_client(report, args, nginx)
    except KeyboardInterrupt:
        print("\nbench: interrupted; stopping every process it started", file=sys.stderr)
        raise
    finally:
        procs.stop_all()
    check_targets(report)
    info["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    result = {
        "started": started,
        "command": "bench/run " + " ".join(sys.argv[1:]),
        "wall_seconds": time.monotonic() - began,
        "settings": {k: getattr(args, k) for k in ("runs", "seconds", "spawns", "calls", "sessions", "million")},
        "machine": info,
        "figures": report.figures,
        "targets": report.targets,
        "skipped": report.skipped,
    }
    section("targets of issue 6")
    for t in report.targets:
        shown = "–" if t.get("measured") is None else f"{fmt(t['measured'], t['unit'])} {t['unit']}"
        print(f"  {t['label']:<62} {shown:>16}  {t['target']:<22} {t['status']}")
    results_dir = h.BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results_dir / f"{stamp}.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    (results_dir / "latest.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    text = markdown(result)
    (results_dir / "latest.md").write_text(text)
    if args.publish:
        (h.BENCH / "RESULTS.md").write_text(text)
    print(f"\nwrote bench/results/{stamp}.json and bench/results/latest.md" + (" and bench/RESULTS.md" if args.publish else ""))


if __name__ == "__main__":
    main()
