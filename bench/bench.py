#!/usr/bin/env python3
"""The benchmark of issue 9's performance targets: every figure side by side with its floor in one
run, each the median over repeated runs with min and max, and each target as a ratio against a floor
measured in the same run. Run it through `bench/run`, which installs and builds what it needs
first. Prints the figures and the targets table, writes bench/results/<time>.json and
bench/results/latest.md (`--publish` also writes bench/RESULTS.md). What each figure measures is
said in bench/README.md.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import harness as h
import issue9
import legacy

SECTIONS = ("startup", "pipe", "http", "https", "burst")
OPT_IN_SECTIONS = ("connections",)
LEGACY_SECTIONS = ("emulator", "memory", "clients")


class Report:
    def __init__(self):
        self.figures = {}
        self.targets = []
        self.skipped = []
        self.reasons = {}
        self.failed = False

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
        print(f"  {label:<100} {fmt(figure['median'], unit):>10} {unit:<7} [{fmt(figure['min'], unit)} – "
              f"{fmt(figure['max'], unit)}]", flush=True)
        return figure

    def derived(self, key, label, unit, value, note=""):
        figure = {"label": label, "unit": unit, "median": value, "min": None, "max": None, "runs": None, "note": note}
        self.figures[key] = figure
        print(f"  {label:<100} {fmt(value, unit):>10} {unit:<7} ({note})", flush=True)
        return figure

    def unmeasurable(self, key, why):
        """`key` cannot be measured with this bridge; its target row says why."""
        self.reasons[key] = why

    def target(self, label, key, limit, kind, limit_text, sides=None):
        """`kind` '<=' or '>='; the status gives measured / limit. `sides`: the keys of a ratio's
        numerator and denominator, whose medians are shown beside it."""
        figure = self.figures.get(key)
        if figure is None:
            why = self.reasons.get(key, "not measured in this run: " + ("see the sections that failed, below, and --only"
                                                                         if self.failed else "see --only"))
            self.targets.append({"label": label, "target": limit_text, "measured": None, "status": f"not measurable: {why}"
                                 if key in self.reasons else why})
            return
        measured = figure["median"] if key != "burst_errors_max" else figure["max"]
        met = measured <= limit if kind == "<=" else measured >= limit
        ratio = f" ({measured / limit:.2f}× the limit)" if limit else ""
        detail = ""
        if sides and all(side in self.figures for side in sides):
            first, second = (self.figures[side] for side in sides)
            detail = f" ({fmt(first['median'], first['unit'])} vs {fmt(second['median'], second['unit'])} {second['unit']})"
        self.targets.append({
            "label": label, "target": limit_text, "measured": measured, "unit": figure["unit"], "limit": limit,
            "kind": kind, "met": met, "range": [figure["min"], figure["max"]], "detail": detail,
            "status": f"{'met' if met else 'MISSED'}{ratio}",
        })

    def skip(self, what, why):
        self.skipped.append({"what": what, "why": why})
        print(f"  SKIPPED {what}: {why}", flush=True)


class SectionRunner:
    """Runs one section; a failure (an error answer, a program that fails or overruns its bound)
    is reported, the processes that section started are stopped, and the run goes on, so that one
    broken figure does not cost the others."""

    def __init__(self, report, procs):
        self.report = report
        self.procs = procs

    def __call__(self, name, measure, *arguments):
        running = list(self.procs.live)
        try:
            measure(*arguments)
        except (h.BenchError, subprocess.SubprocessError, OSError, ValueError) as error:
            self.report.failed = True
            self.report.skip(f"section {name} (failed)", f"{type(error).__name__}: {error}"[:500])
            for proc in [p for p in self.procs.live if p not in running]:
                self.procs.stop(proc)


def fmt(value, unit):
    if value is None:
        return "–"
    if unit == "calls/s":
        return f"{value:,.0f}"
    if unit in ("µs", "ms", "MiB"):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if unit == "s":
        return f"{value:.2f}"
    if unit == "×":
        return f"{value:.2f}"
    return f"{value:g}"


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
        "bridge": bridge_described(),
    }


def bridge_described():
    """The binary measured: its path, `--version`, and for the default build the commit of Sources."""
    text = f"{h.BRIDGE} ({command_output([str(h.BRIDGE), '--version']) or 'no --version'})"
    if h.BRIDGE == h.DEFAULT_BRIDGE:
        source = command_output(["git", "-C", str(h.ROOT), "log", "-1", "--format=%h %s", "--", "Sources", "Package.swift"])
        modified = command_output(["git", "-C", str(h.ROOT), "status", "--porcelain", "--", "Sources"])
        text += f", built from {source[:100]}" + (" (Sources modified)" if modified else "")
    return text



def markdown(result):
    m, s = result["machine"], result["settings"]
    lines = [
        "# Benchmark results (issue 9's performance targets)",
        "",
        f"Latest run: {result['started']} — `{result['command']}` — {result['wall_seconds']:.0f} s. Each figure is the median "
        f"of {s['runs']} runs of {s['seconds']} s after {s['warmup']} s of warm-up (wrk: {s['wrk_runs']} runs of "
        f"{s['wrk_seconds']} s; start-up: {s['spawns']} spawns; burst: {s['burst_runs']} bursts) with [min – max]; a ratio "
        "is the median of per-run ratios where both sides ran in the same round, else the ratio of medians. "
        f"Connection limit given to the bridge and the C floor: {s['connection_limit']}. Regenerate with "
        "`bench/run --publish`; what each figure measures is said in bench/README.md.",
        "",
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['memory']}, kernel {m['kernel']}, {m['swift']}, Python {m['python']}, "
        f"{m['nginx']}, {m['wrk']}, libcurl {m['libcurl']}. Bridge measured: {m['bridge']}; options it offers: "
        f"{', '.join(k for k, v in result['bridge_features'].items() if v is True) or 'neither --max-connections nor --ca-file'}. "
        f"Load average at start {' '.join(m['loadavg_start'])}, at end {' '.join(m['loadavg_end'])}.",
        "",
        "## Targets of issue 9",
        "",
        "| figure | target | measured (median) | [min – max] | status |",
        "|---|---|---|---|---|",
    ]
    for t in result["targets"]:
        if t.get("measured") is None:
            lines.append(f"| {t['label']} | {t['target']} | – | – | {t['status']} |")
        else:
            lo, hi = t["range"]
            rng = "–" if lo is None else f"{fmt(lo, t['unit'])} – {fmt(hi, t['unit'])}"
            lines.append(f"| {t['label']} | {t['target']} | {fmt(t['measured'], t['unit'])} {t['unit']}{t['detail']} | {rng} | "
                         f"{t['status']} |")
    lines += ["", "## All figures", "", "| figure | median | min | max | unit |", "|---|---|---|---|---|"]
    for figure in result["figures"].values():
        lines.append(f"| {figure['label']} | {fmt(figure['median'], figure['unit'])} | {fmt(figure['min'], figure['unit'])} | "
                     f"{fmt(figure['max'], figure['unit'])} | {figure['unit']} |")
    if result["skipped"]:
        lines += ["", "## Not measured in this run", ""]
        lines += [f"- {s['what']}: {s['why']}" for s in result["skipped"]]
    return "\n".join(lines) + "\n"


def options():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bridge", type=Path, help="the bridge binary to measure (default: bench/run's release build)")
    parser.add_argument("--max-connections", type=int, help="connection limit for the bridge and the C floor (default: "
                        "the bridge's own default from its --help, else 64)")
    parser.add_argument("--tls-dir", type=Path, default=h.BUILD / "tls", help="the test CA and certificate (bench/run makes them)")
    parser.add_argument("--runs", type=int, default=5, help="repeated runs per figure (default 5)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one run (default 1.0)")
    parser.add_argument("--spawns", type=int, default=20, help="spawns per start-up figure (default 20)")
    parser.add_argument("--burst-runs", type=int, default=3, help="bursts of 300 calls (default 3)")
    parser.add_argument("--quick", action="store_true", help="a smoke run of the harness in seconds: 1 run of 0.2 s, "
                        "3 spawns, 1 burst; its figures mean nothing")
    parser.add_argument("--only", nargs="+", choices=SECTIONS + OPT_IN_SECTIONS + LEGACY_SECTIONS,
                        help="run only these sections; connections (the --sweep of limits) and "
                        f"{', '.join(LEGACY_SECTIONS)} (issue 6's) run only when named")
    parser.add_argument("--sweep", type=lambda text: [int(n) for n in text.split(",")], default=[2, 4, 8, 16, 32, 64],
                        help="connections: the limits to compare (default 2,4,8,16,32,64)")
    parser.add_argument("--calls", type=int, default=100_000, help="memory: calls before the reading (default 100,000)")
    parser.add_argument("--sessions", type=int, default=10_000, help="memory: sessions held for the reading")
    parser.add_argument("--million", action="store_true", help="memory: also run to 10× --calls for the growth figure")
    parser.add_argument("--publish", action="store_true", help="write the Markdown of this run to bench/RESULTS.md")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.seconds, args.spawns, args.burst_runs = 1, 0.2, 3, 1
        args.calls, args.sessions = min(args.calls, 2000), min(args.sessions, 200)
    args.warmup = min(0.3, args.seconds / 2)
    args.wrk_runs = 1 if args.quick else max(3, args.runs // 2 + 1)
    args.wrk_seconds = 1.0 if args.quick else max(2.0, args.seconds * 2)
    return args


# Settings in the caller's environment that would change what is measured: a proxy (curl, the
# floor program and the engine honour them), a CA bundle, or the bridge's own MEDUSA_* options.
# The bridge gets its options from the command line only, so both sides run alike.
ENVIRONMENT_REMOVED = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                       "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE")


def clean_environment():
    removed = [name for name in os.environ if name in ENVIRONMENT_REMOVED or name.startswith("MEDUSA_")]
    for name in removed:
        del os.environ[name]
    if removed:
        print(f"bench: ignoring {', '.join(sorted(removed))} from the environment", file=sys.stderr)


def main():
    args = options()
    clean_environment()
    if args.bridge:
        h.BRIDGE = (Path(os.environ.get("BENCH_CALLER_DIR", ".")) / args.bridge).resolve()
        if "debug" in h.BRIDGE.parts:
            print(f"bench: warning: {h.BRIDGE} looks like a debug build; the targets are for release builds", file=sys.stderr)
    for needed in (h.BRIDGE, h.REF / "echo", h.REF / "echo_c", h.REF / "ping_networking", h.REF / "pipe_driver",
                   h.REF / "curl_floor", args.tls_dir / "ca.pem"):
        if not needed.exists():
            sys.exit(f"bench: {needed} is missing; run bench/run, which builds it")
    sections = set(args.only or SECTIONS)
    features = h.bridge_features(h.BRIDGE)
    report = Report()
    report.calls = args.calls
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    began = time.monotonic()
    info = machine()  # before the run: the load average it shows is the one the run started with
    print(f"bridge {h.BRIDGE}: {features}", flush=True)
    procs = h.PROCS
    try:
        nginx, nginx_tls = h.start_nginx(procs, args.tls_dir)
        print(f"nginx on {nginx.url} and {nginx_tls.url}", flush=True)
        run = SectionRunner(report, procs)
        if "startup" in sections:
            run("startup", issue9.measure_startup, report, procs, args, nginx.url)
        if "pipe" in sections:
            run("pipe", issue9.measure_pipe, report, procs, args, nginx.url)
        for upstream in (nginx, nginx_tls):
            if upstream.scheme in sections:
                run(upstream.scheme, issue9.measure_http, report, procs, args, upstream, features)
        if "burst" in sections:
            run("burst", issue9.measure_burst, report, procs, args)
        if "connections" in sections:
            run("connections", issue9.measure_connections, report, procs, args, (nginx, nginx_tls), features)
        if "emulator" in sections:
            run("emulator", lambda: legacy.measure_http(report, procs, args, [nginx, h.start_emulator(procs)]))
        if "memory" in sections:
            run("memory", legacy.measure_memory, report, procs, args, nginx)
        if "clients" in sections:
            legacy.section("the clients' own overhead (client call -> result), against nginx")
            run("clients", legacy.measure_python_client, report, args, nginx)
            run("clients (Node)", legacy.measure_node_client, report, args, nginx)
    except KeyboardInterrupt:
        print("\nbench: interrupted; stopping every process it started", file=sys.stderr)
        raise
    finally:
        procs.stop_all()
    issue9.check_targets(report)
    info["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    settings = {k: getattr(args, k) for k in ("runs", "seconds", "warmup", "wrk_runs", "wrk_seconds", "spawns", "burst_runs",
                                                "calls", "sessions", "million", "quick")}
    settings["connection_limit"] = issue9.connection_limit(args, features)
    result = {
        "started": started,
        "command": "bench/run " + " ".join(a for a in sys.argv[1:] if not a.startswith("--tls-dir") and a != str(args.tls_dir)),
        "wall_seconds": time.monotonic() - began,
        "settings": settings,
        "machine": info,
        "bridge_features": {"--max-connections": features["max_connections"], "--ca-file": features["ca_file"]},
        "figures": report.figures,
        "targets": report.targets,
        "skipped": report.skipped,
    }
    issue9.section("targets of issue 9")
    for t in report.targets:
        shown = "–" if t.get("measured") is None else f"{fmt(t['measured'], t['unit'])} {t['unit']}"
        print(f"  {t['label'][:90]:<90} {shown:>12}  {t['target']:<8} {t['status']}{t.get('detail', '')}")
    results_dir = h.BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"{stamp}.json", "latest.json"):
        (results_dir / name).write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
    text = markdown(result)
    (results_dir / "latest.md").write_text(text)
    if args.publish:
        if args.quick:
            sys.exit("bench: --publish refuses a --quick run (its figures mean nothing); bench/results/latest.md has it")
        (h.BENCH / "RESULTS.md").write_text(text)
    print(f"\nwrote bench/results/{stamp}.json and bench/results/latest.md" + (" and bench/RESULTS.md" if args.publish else ""))


if __name__ == "__main__":
    main()
