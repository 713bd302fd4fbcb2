#!/usr/bin/env python3
"""Paired A/B runs of bridge binaries: the tool behind bench/FINDINGS.md's second pass on issue 9.

    python3 bench/compare.py OLD NEW [...] --url http://127.0.0.1:PORT [--rounds 5] [--depths 1,64]
                             [--seconds 1.5] [-- BRIDGE-OPTIONS...]

For each round and each depth, every binary in turn is started on the URL, driven by the raw C
driver (`.build-bench/ref/pipe_driver`, built by `bench/run`) with `auth.exists` kept DEPTH in flight,
and measured: calls/s, the median round trip (meaningful at depth 1) and the bridge's CPU per call
from /proc, per thread (the HTTP loop's thread and the stdin reader's), so that a change that only
moves work from one thread to the other shows as such. Binaries alternate within each round, so a
machine whose speed drifts (a shared VM) shifts both sides alike; the medians over rounds are printed.
The upstream is yours to start: the nginx `bench/run` configures (`.build-bench/nginx/nginx.conf`), or
the emulator (`scripts/emulator/medusa_emulator.py`). Nothing else should run meanwhile.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DRIVER = Path(__file__).resolve().parent.parent / ".build-bench" / "ref" / "pipe_driver"
TEMPLATE = '{"jsonrpc":"2.0","id":@ID@,"method":"auth.exists","params":{"email":"oli@test.dk"}}'
TICK = os.sysconf("SC_CLK_TCK")


def thread_cpu(pid):
    """Seconds of user + system CPU per thread of `pid`, by thread id."""
    cpu = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = Path(f"/proc/{pid}/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        cpu[tid] = (int(fields[11]) + int(fields[12])) / TICK
    return cpu


def run(binary, url, depth, seconds, options):
    """One measurement: (calls/s, median µs, CPU µs per call of the busiest thread, of the others)."""
    to_bridge, bridge_in = os.pipe()
    bridge_out, from_bridge = os.pipe()
    bridge = subprocess.Popen([binary, "--base-url", url, *options], stdin=to_bridge, stdout=from_bridge,
                              stderr=subprocess.DEVNULL)
    os.close(to_bridge)
    os.close(from_bridge)
    warmup = 0.5
    driver = subprocess.Popen([DRIVER, str(bridge_in), str(bridge_out), str(seconds), str(warmup), str(depth), TEMPLATE],
                              pass_fds=(bridge_in, bridge_out), stdout=subprocess.PIPE)
    try:
        time.sleep(warmup + 0.1)
        before = thread_cpu(bridge.pid)
        time.sleep(seconds - 0.2)
        after = thread_cpu(bridge.pid)
        result = json.loads(driver.communicate(timeout=seconds + 60)[0])
    finally:
        os.close(bridge_in)
        bridge.wait(timeout=30)
        os.close(bridge_out)
    calls = result["calls_per_s"] * (seconds - 0.2)
    used = sorted(((after[t] - before.get(t, 0)) * 1e6 / max(calls, 1) for t in after), reverse=True)
    return result["calls_per_s"], result["median_us"], used[0], sum(used[1:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--depths", default="1,64")
    parser.add_argument("--seconds", type=float, default=1.5)
    args, options = parser.parse_known_args()
    options = [o for o in options if o != "--"]
    if not DRIVER.exists():
        sys.exit(f"compare: {DRIVER} is missing; run bench/run once to build it")
    depths = [int(d) for d in args.depths.split(",")]
    results = {(b, d): [] for b in args.binaries for d in depths}
    for _ in range(args.rounds):
        for depth in depths:
            for binary in args.binaries:
                results[binary, depth].append(run(binary, args.url, depth, args.seconds, options))
    print(f"{'binary':<40} {'depth':>5} {'calls/s':>9} {'median µs':>10} {'busiest thread µs/call':>23} {'others':>7}")
    for (binary, depth), runs in results.items():
        median = [statistics.median(run[i] for run in runs) for i in range(4)]
        print(f"{binary[-40:]:<40} {depth:>5} {median[0]:>9,.0f} {median[1]:>10.1f} {median[2]:>23.1f} {median[3]:>7.1f}")


if __name__ == "__main__":
    main()
