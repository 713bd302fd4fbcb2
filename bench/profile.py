#!/usr/bin/env python3
"""Instruction counts per call (valgrind callgrind; `perf` has no instruction counter on this VM)
for the figures bench.py reports as missed. Run after `bench/run` has built everything:

    python3 bench/profile.py [--calls N]

Drives the release bridge under callgrind with the same raw NDJSON pipe as bench.py (one at a time
and 64 in flight), subtracts a start-up-only run, and prints instructions per call grouped by
shared object (the bridge's SessionGate apart), plus urlsession_get under callgrind for the HTTP
stack alone. Raw callgrind files stay in .build-bench/prof/ for callgrind_annotate.
"""

import argparse
import collections
import os
import re
import subprocess

import harness as h

PROF = h.BUILD / "prof"
SHIM = h.REF / "dispatch_main_shim.so"  # see bench/ref/dispatch_main_shim.c


def callgrind(name, argv):
    out = PROF / f"{name}.callgrind"
    env = dict(os.environ, LD_PRELOAD=str(SHIM))
    prefix = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    return prefix + [str(a) for a in argv], env, out


def by_object(path):
    text = subprocess.run(["callgrind_annotate", "--inclusive=no", "--auto=no", "--threshold=100", str(path)],
                          capture_output=True, text=True, timeout=300).stdout
    totals = collections.Counter()
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
        if not match or "PROGRAM TOTALS" in line:
            continue
        cost, rest = int(match.group(1).replace(",", "")), match.group(2)
        obj = re.search(r"\[([^\]]+)\]\s*$", rest)
        name = obj.group(1).rsplit("/", 1)[-1] if obj else "?"
        if "SessionGate" in rest:
            name = "bridge: SessionGate"
        elif name in ("medusa-auth-bridge", "?"):
            name = "bridge: everything else"
        totals[name] += cost
    return totals


def bridge_run(name, method, params, calls, depth, base_url):
    argv, env, out = callgrind(name, [h.BRIDGE, "--base-url", base_url])
    proc = h.PROCS.start(argv, log_name=f"profile-{name}", env=env)
    pipe = h.PipeDriver(proc)
    pipe.call("ping")
    if calls:
        if depth == 1:
            for _ in range(calls):
                pipe.call(method, params)
        else:
            pipe.pipelined(method, params, 0, depth=depth, total=calls, bound=600)
    h.PROCS.stop(proc, grace=60)
    return by_object(out)


def report(title, totals, base, calls):
    print(f"\n{title}: instructions per call")
    per_call = collections.Counter({k: (v - base.get(k, 0)) / calls for k, v in totals.items()})
    total = sum(v for v in per_call.values() if v > 0)
    for name, cost in per_call.most_common(12):
        if cost > 0:
            print(f"  {cost:12,.0f}  {100 * cost / total:5.1f}%  {name}")
    print(f"  {total:12,.0f}  total")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--only-exists-64", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    PROF.mkdir(parents=True, exist_ok=True)
    try:
        nginx = h.start_nginx(h.PROCS)
        base = bridge_run("startup", None, None, 0, 1, nginx.url)
        for method, params in (("ping", None), ("auth.exists", {"email": h.OLI[0]})):
            for depth in (1, 64):
                if args.only_exists_64 and (method, depth) != ("auth.exists", 64):
                    continue
                name = f"{method}-{depth}"
                totals = bridge_run(name, method, params, args.calls, depth, nginx.url)
                report(f"bridge {method}, {depth} in flight", totals, base, args.calls)
        # urlsession_get runs for a time, not a count: a 0.01 s run is its start-up base, and each run's
        # calls come from its own output (plus the warm-up round of `concurrency` calls).
        runs = {}
        for label, seconds, concurrency in (("base", 0.01, 1), ("1", 10, 1), ("64", 10, 64)):
            argv, env, out = callgrind(f"urlsession-{label}",
                                       [h.REF / "urlsession_get", nginx.url + h.Upstream.EXISTS_PATH, seconds, concurrency])
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
            calls = int(re.search(r'"calls": (\d+)', done.stdout).group(1)) + concurrency
            runs[label] = (by_object(out), calls)
        base_totals, base_calls = runs["base"]
        for label in ("1", "64"):
            totals, calls = runs[label]
            report(f"urlsession_get alone, {label} in flight", totals, base_totals, calls - base_calls)
    finally:
        h.PROCS.stop_all()


if __name__ == "__main__":
    main()
