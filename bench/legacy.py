"""The sections of issue 6's benchmark that issue 9's targets do not cover, kept for comparison
and run only when asked (`bench/run --only emulator memory clients`): the bridge against nginx and
the Medusa emulator next to direct Python and Node calls and URLSession alone (`emulator`), memory
with 100,000 calls and 10,000 sessions (`memory`, `--million` for the growth to 1,000,000), and the
Python and Node clients' own overhead (`clients`).
"""

import asyncio
import json
import statistics
import sys
import time

import drivers as d
import harness as h


def section(title):
    print(f"\n== {title}", flush=True)


# Issue 6: HTTP cost ----------------------------------------------------------------------------------

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
            d.http_sequential(upstream, path, args.warmup)
            pipe.pipelined(method, params, args.warmup)
            bridge_seq, direct_seq, bridge_par, direct_par = [], [], [], []
            for _ in range(args.runs):  # interleaved runs: both sides see the same machine load
                bridge_seq.append(statistics.median(pipe.sequential(method, params, args.seconds)))
                direct_seq.append(statistics.median(d.http_sequential(upstream, path, args.seconds)))
                calls, seconds = pipe.pipelined(method, params, args.seconds)
                bridge_par.append(calls / seconds)
                calls, seconds = d.http_concurrent(upstream, path, args.seconds)
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
                       [d.wrk(upstream, path, args.wrk_seconds) for _ in range(args.wrk_runs)])
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
