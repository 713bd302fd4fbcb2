#!/usr/bin/env python3
"""Instruction counts per call (valgrind callgrind; `perf` has no instruction counter on this VM)
and system calls per request (strace) for the figures bench.py reports as missed. Run after `bench/run` has built everything:

    python3 bench/profile_bridge.py [--calls N]

Drives the release bridge under callgrind with the same raw NDJSON pipe as bench.py (one at a time
and 64 in flight), subtracts a start-up-only run, and prints instructions per call grouped by
shared object (the bridge's SessionGate apart), plus the system calls per request of
urlsession_get and socket_get (the HTTP stack alone). Raw callgrind files stay in .build-bench/prof/ for callgrind_annotate.
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
        # The HTTP stack alone: urlsession_get hangs under valgrind 3.19, so count its system calls
        # per request with strace instead (socket_get beside it), one at a time and 64 in flight.
        for program in ("urlsession_get", "socket_get"):
            for concurrency in (1, 64):
                summary = PROF / f"{program}-{concurrency}.strace"
                argv = ["strace", "-f", "-c", "-o", summary, h.REF / program, nginx.url + h.Upstream.EXISTS_PATH, 2,
                        concurrency]
                done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=120)
                calls = int(re.search(r'"calls": (\d+)', done.stdout).group(1)) + concurrency
                print(f"\n{program}, {concurrency} in flight, under strace: {calls} requests; system calls per request")
                for line in summary.read_text().splitlines():
                    fields = line.split()
                    if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
                        count = int(fields[3])
                        if count / calls >= 0.5:
                            print(f"  {count / calls:8.1f}  {fields[-1]}")
                    elif fields and fields[-1] == "total":
                        print(f"  {int(fields[2]) / calls:8.1f}  total")
    finally:
        h.PROCS.stop_all()


if __name__ == "__main__":
    main()
