"""The sections of issue 9's performance targets, each figure beside its floor measured in the same
run (runs interleaved, so that both sides see the same load on a shared machine), and the targets
table. bench.py runs them; harness.py holds the plumbing; bench/README.md says what each figure
measures and how.
"""

import os
import statistics
import time

import drivers as d
import harness as h

BURST_CALLS = 300
BURST_BACKLOG = 5


def section(title):
    print(f"\n== {title}", flush=True)


def measure_startup(report, procs, args, nginx_url):
    section("1. start-up: spawn to the answer of the first ping (release builds); idle RSS")
    programs = [
        ("bridge", [h.BRIDGE, "--base-url", nginx_url], "medusa-auth-bridge"),
        ("ref_networking", [h.REF / "ping_networking"], "minimal program, Foundation + FoundationNetworking"),
        ("ref_foundation", [h.REF / "ping_foundation"], "minimal program, Foundation only"),
        ("ref_echo", [h.REF / "echo"], "Swift echo process (stdlib + Glibc only)"),
        ("ref_echo_c", [h.REF / "echo_c"], "C echo process (the floor of this way of measuring)"),
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
            if spawn >= 2:  # the first rounds warm the page cache
                times[key].append(elapsed)
            if spawn < 3:
                time.sleep(0.3)  # idle: let lazy initialisation settle before reading RSS
                rss[key].append(h.rss_mib(proc.pid))
            procs.stop(proc)
    for key, _argv, label in programs:
        report.add(f"startup_ms.{key}", f"start-up to first answer, {label}", "ms", times[key])
    for key, _argv, label in programs:
        report.add(f"idle_rss_mib.{key}", f"RSS idle after one answer, {label}", "MiB", rss[key])
    report.add("rss_idle_ratio", "bridge idle RSS / minimal Foundation + FoundationNetworking program", "×",
               [b / n for b, n in zip(rss["bridge"], rss["ref_networking"])])


def measure_pipe(report, procs, args, nginx_url):
    section("2. ping over the pipes: bridge vs a C read-write echo, both driven by the raw C driver")
    echo = procs.start([h.REF / "echo_c"], log_name="echo_c")
    bridge = h.start_bridge(procs, nginx_url)
    sides = (("echo", "C echo (the pipe floor)", echo), ("bridge", "bridge ping", bridge.proc))
    seq = {key: [] for key, _, _ in sides}
    par = {key: [] for key, _, _ in sides}
    cost = {key: [] for key, _, _ in sides}
    for _ in range(args.runs):  # interleaved runs: both sides see the same machine load
        for key, _label, proc in sides:
            result = d.raw_drive(proc, d.PING_TEMPLATE, args.seconds, args.warmup, 1)
            seq[key].append(result["median_us"])
            cost[key].append(result["driver_cpu_us"])
        for key, _label, proc in sides:
            par[key].append(d.raw_drive(proc, d.PING_TEMPLATE, args.seconds, args.warmup, 64)["calls_per_s"])
    for key, label, _proc in sides:
        report.add(f"ping_seq_us.{key}", f"{label}, one at a time (median round trip)", "µs", seq[key])
        report.add(f"ping_par.{key}", f"{label}, 64 in flight", "calls/s", par[key])
        report.add(f"driver_cpu_us.ping.{key}", f"raw driver's own CPU per call, {label}, one at a time", "µs", cost[key])
    report.add("ping_seq_ratio", "bridge ping / C echo, one at a time (paired runs)", "×",
               [b / e for b, e in zip(seq["bridge"], seq["echo"])])
    procs.stop(bridge.proc)
    procs.stop(echo)


def connection_limit(args, features):
    """The limit given to both the bridge and the floor: --max-connections, else the bridge's own
    default as its --help states it, else 64 (the pool of the transport before issue 9)."""
    return args.max_connections or features["default_connections"] or 64


def measure_http(report, procs, args, upstream, features):
    scheme = upstream.scheme
    section(f"3. {scheme}: auth.exists through the bridge vs the libcurl multi floor, wrk, and Python's http.client")
    path = h.Upstream.EXISTS_PATH
    limit = connection_limit(args, features)
    extra = []
    if features["max_connections"]:
        extra += ["--max-connections", str(limit)]
    else:
        report.unmeasurable(f"floor_share.{scheme}", "the bridge has no --max-connections, so the floor cannot "
                            f"use the same limit (its pool is fixed); the ratio against a floor at {limit} is in the figures")
    bridge = None
    if upstream.ca_file is not None and not features["ca_file"]:
        why = "the bridge has no --ca-file, so it cannot verify the test CA"
        for key in (f"floor_share.{scheme}", f"wrk_share.{scheme}", f"python_ratio.{scheme}"):
            report.unmeasurable(key, why)
        report.skip(f"the bridge over {scheme}", why)
    else:
        if upstream.ca_file is not None:
            extra += ["--ca-file", str(upstream.ca_file)]
        bridge = h.start_bridge(procs, upstream.url, *extra)
        bridge.sequential("auth.exists", {"email": h.OLI[0]}, args.warmup)
    template = d.exists_template()
    runs = {name: [] for name in ("floor64", "floor64_h1", "floor1", "bridge64", "bridge1", "py_bridge", "py_direct")}
    versions, connections, cost64, cost1 = set(), [], [], []
    def floor64():
        floor = d.curl_floor(upstream, path, args.seconds, args.warmup, 64, limit)
        runs["floor64"].append(floor["calls_per_s"])
        versions.add(floor["http_version"])
        connections.append(floor["connections"])

    def bridge64():
        result = d.raw_drive(bridge.proc, template, args.seconds, args.warmup, 64)
        runs["bridge64"].append(result["calls_per_s"])
        cost64.append(result["driver_cpu_us"])

    for run in range(args.runs):  # interleaved runs: every side sees the same machine load
        # The two sides of the floor ratio run back to back, in turns first, so that each pair sees the
        # same moment of a machine whose speed drifts by tens of percent within seconds.
        pair = [floor64] if bridge is None else [floor64, bridge64] if run % 2 == 0 else [bridge64, floor64]
        for measure in pair:
            measure()
        if upstream.ca_file is not None:  # what HTTP/2 brings: the same floor held to HTTP/1.1
            runs["floor64_h1"].append(d.curl_floor(upstream, path, args.seconds, args.warmup, 64, limit, "1.1")["calls_per_s"])
        runs["floor1"].append(d.curl_floor(upstream, path, args.seconds, args.warmup, 1, limit)["median_us"])
        direct = d.http_sequential(upstream, path, args.seconds)
        runs["py_direct"].append(statistics.median(direct))
        if bridge is None:
            continue
        result = d.raw_drive(bridge.proc, template, args.seconds, args.warmup, 1)
        runs["bridge1"].append(result["median_us"])
        cost1.append(result["driver_cpu_us"])
        runs["py_bridge"].append(statistics.median(bridge.sequential("auth.exists", {"email": h.OLI[0]}, args.seconds)))
    wrk = [d.wrk(upstream, path, args.wrk_seconds) for _ in range(args.wrk_runs)]
    version = "/".join(sorted(versions))
    report.add(f"floor64.{scheme}", f"C libcurl multi floor, {scheme}, 64 in flight, ≤ {limit} connections "
               f"(HTTP/{version}, {statistics.median(connections):.0f} opened)", "calls/s", runs["floor64"])
    if runs["floor64_h1"]:
        report.add(f"floor64_h1.{scheme}", f"C libcurl multi floor, {scheme}, 64 in flight, ≤ {limit} connections, "
                   "HTTP/1.1 only", "calls/s", runs["floor64_h1"])
    report.add(f"floor1_us.{scheme}", f"C libcurl multi floor, {scheme}, one at a time", "µs", runs["floor1"])
    report.add(f"wrk.{scheme}", f"wrk, {scheme}, 64 connections, 2 threads (HTTP/1.1)", "calls/s", wrk)
    report.add(f"py_direct_us.{scheme}", f"Python http.client keep-alive{' + ssl' if upstream.ca_file else ''}, "
               f"{scheme}, one at a time", "µs", runs["py_direct"])
    report.derived(f"floor_wrk.{scheme}", f"C libcurl floor / wrk, {scheme}, 64 in flight", "×",
                   report.figures[f"floor64.{scheme}"]["median"] / report.figures[f"wrk.{scheme}"]["median"], "ratio of medians")
    if bridge is None:
        return
    report.add(f"bridge64.{scheme}", f"bridge auth.exists, {scheme}, 64 in flight (raw C driver)", "calls/s", runs["bridge64"])
    report.add(f"bridge1_us.{scheme}", f"bridge auth.exists, {scheme}, one at a time (raw C driver)", "µs", runs["bridge1"])
    report.add(f"driver_cpu_us.{scheme}", f"raw driver's own CPU per call, {scheme}, 64 in flight / one at a time "
               f"({statistics.median(cost1):.1f} µs)", "µs", cost64)
    report.add(f"py_bridge_us.{scheme}", f"bridge auth.exists from Python (NDJSON pipe), {scheme}, one at a time", "µs",
               runs["py_bridge"])
    shares = [b / f for b, f in zip(runs["bridge64"], runs["floor64"])]
    if features["max_connections"]:
        report.add(f"floor_share.{scheme}", f"bridge / C libcurl floor, {scheme}, 64 in flight, both ≤ {limit} connections "
                   "(paired runs)", "×", shares)
    else:
        report.add(f"floor_share_fixed_pool.{scheme}", f"bridge (its own fixed pool) / C libcurl floor at ≤ {limit} "
                   f"connections, {scheme}, 64 in flight (paired runs; not the target's same-limit figure)", "×", shares)
    report.derived(f"wrk_share.{scheme}", f"bridge / wrk, {scheme}, 64 in flight", "×",
                   report.figures[f"bridge64.{scheme}"]["median"] / report.figures[f"wrk.{scheme}"]["median"], "ratio of medians")
    report.add(f"python_ratio.{scheme}", f"bridge from Python / Python's own http.client, {scheme}, one at a time "
               "(paired runs)", "×", [b / p for b, p in zip(runs["py_bridge"], runs["py_direct"])])
    procs.stop(bridge.proc)


def measure_burst(report, procs, args):
    section(f"4. burst: {BURST_CALLS} calls at once, backend Python http.server with listen backlog {BURST_BACKLOG}")
    server = h.start_burst_server(procs, BURST_BACKLOG)
    path = h.Upstream.EXISTS_PATH
    bridge_times, bridge_errors, python_times, python_errors = [], [], [], []
    try:
        for _ in range(args.burst_runs):
            seconds, errors = d.bridge_burst(procs, server, BURST_CALLS, bound=240)
            bridge_times.append(seconds)
            bridge_errors.append(errors)
            seconds, errors = d.python_burst(server, path, BURST_CALLS)
            python_times.append(seconds)
            python_errors.append(errors)
    finally:
        procs.stop(server.proc)
    report.add("burst_s.bridge", f"bridge, {BURST_CALLS} auth.exists at once (its default options)", "s", bridge_times)
    report.add("burst_errors.bridge", "bridge, error answers in the burst", "errors", bridge_errors)
    report.add("burst_s.python", f"8 keep-alive Python http.client threads, the same {BURST_CALLS} GETs", "s", python_times)
    report.add("burst_errors.python", "8 Python threads, failed calls", "errors", python_errors)
    report.add("burst_errors_max", "bridge, most error answers in any burst", "errors", [max(bridge_errors)])
    report.add("burst_ratio", "bridge burst time / 8 Python threads (paired runs)", "×",
               [b / p for b, p in zip(bridge_times, python_times)])


def measure_connections(report, procs, args, upstreams, features):
    """The choice of a default connection limit: for each limit of --sweep, 64 in flight through the
    floor and the bridge over http and https, the floor with only as many in flight as connections,
    and the burst against the backlog-5 backend (every bridge given --max-connections N)."""
    section(f"5. connection limits {', '.join(map(str, args.sweep))}: 64 in flight, and the burst, per limit")
    if not features["max_connections"]:
        report.skip("the bridge per connection limit", "the bridge has no --max-connections; the floor only")
    server = h.start_burst_server(procs, BURST_BACKLOG)
    try:
        for limit in args.sweep:
            for upstream in upstreams:
                scheme = upstream.scheme
                floor = [d.curl_floor(upstream, h.Upstream.EXISTS_PATH, args.seconds, args.warmup, 64, limit)["calls_per_s"]
                         for _ in range(args.runs)]
                report.add(f"sweep.floor64.{scheme}.{limit}", f"C libcurl floor, {scheme}, 64 in flight, ≤ {limit} connections",
                           "calls/s", floor)
                # libcurl's best on one thread at this limit: as many in flight as connections, so no
                # transfer waits inside libcurl; what a one-loop bridge could reach if its own work cost nothing.
                alone = [d.curl_floor(upstream, h.Upstream.EXISTS_PATH, args.seconds, args.warmup, limit, limit)["calls_per_s"]
                         for _ in range(args.runs)]
                report.add(f"sweep.floor_own.{scheme}.{limit}",
                           f"C libcurl floor, {scheme}, {limit} in flight, ≤ {limit} connections", "calls/s", alone)
                if not features["max_connections"] or (upstream.ca_file is not None and not features["ca_file"]):
                    continue
                extra = ["--max-connections", str(limit)] + (["--ca-file", str(upstream.ca_file)] if upstream.ca_file else [])
                bridge = h.start_bridge(procs, upstream.url, *extra)
                calls = [d.raw_drive(bridge.proc, d.exists_template(), args.seconds, args.warmup, 64)["calls_per_s"]
                         for _ in range(args.runs)]
                procs.stop(bridge.proc)
                report.add(f"sweep.bridge64.{scheme}.{limit}", f"bridge, {scheme}, 64 in flight, --max-connections {limit}",
                           "calls/s", calls)
            if features["max_connections"]:
                bursts = [d.bridge_burst(procs, server, BURST_CALLS, 240, ["--max-connections", str(limit)])
                          for _ in range(args.burst_runs)]
                report.add(f"sweep.burst_s.{limit}", f"bridge burst of {BURST_CALLS}, --max-connections {limit}", "s",
                           [seconds for seconds, _ in bursts])
                report.add(f"sweep.burst_errors.{limit}", f"bridge burst, error answers, --max-connections {limit}",
                           "errors", [errors for _, errors in bursts])
    finally:
        procs.stop(server.proc)


TARGETS = (
    # (figure key, label as in issue 9, kind, limit, target text, the two sides shown beside a ratio)
    ("floor_share.http", "http, 64 in flight: bridge / the C libcurl floor program (same limit)", ">=", 0.75, "≥ 0.75",
     ("bridge64.http", "floor64.http")),
    ("floor_share.https", "https, 64 in flight: bridge / the C libcurl floor program (same limit, HTTP/2 when offered)",
     ">=", 0.75, "≥ 0.75", ("bridge64.https", "floor64.https")),
    ("wrk_share.http", "http, 64 in flight: bridge / wrk on the same nginx", ">=", 0.35, "≥ 0.35", ("bridge64.http", "wrk.http")),
    ("wrk_share.https", "https, 64 in flight: bridge / wrk on the same nginx", ">=", 0.35, "≥ 0.35",
     ("bridge64.https", "wrk.https")),
    ("python_ratio.http", "a call through the bridge from Python / the same call with Python's own keep-alive "
     "`http.client` (http), one at a time", "<=", 1.0, "≤ 1.0", ("py_bridge_us.http", "py_direct_us.http")),
    ("python_ratio.https", "the same over https (Python's `http.client` with `ssl`)", "<=", 1.0, "≤ 1.0",
     ("py_bridge_us.https", "py_direct_us.https")),
    ("ping_seq_ratio", "`ping` one at a time / a C read-write echo on the same pipes (raw driver, no JSON work)",
     "<=", 2.0, "≤ 2", ("ping_seq_us.bridge", "ping_seq_us.echo")),
    ("rss_idle_ratio", "idle RSS / a minimal Foundation + FoundationNetworking program", "<=", 0.75, "≤ 0.75",
     ("idle_rss_mib.bridge", "idle_rss_mib.ref_networking")),
    ("startup_ms.bridge", "start-up to first answer", "<=", 10.0, "≤ 10 ms", None),
    ("burst_errors_max", "300-call burst, backlog-5 backend: errors", "<=", 0, "0", None),
    ("burst_ratio", "300-call burst, backlog-5 backend: time / 8 keep-alive Python threads", "<=", 2.0, "≤ 2×",
     ("burst_s.bridge", "burst_s.python")),
)


def check_targets(report):
    for key, label, kind, limit, text, sides in TARGETS:
        report.target(label, key, limit, kind, text, sides)
