#!/usr/bin/env python3
"""Instructions per call of bridge binaries, counted by valgrind (callgrind's `Ir`): the one figure
on this VM that does not move from run to run, so it settles a change that timing cannot (timed
throughput here spreads over ±20 %, see bench/FINDINGS.md). It counts user-space instructions only
(the bridge's own code, Swift's runtime, libc and libcurl), not the kernel's work nor stalls.

    python3 bench/instructions.py OLD NEW ... --url URL [--calls 2000] [--depth 64] [--keep DIR]

Each binary answers CALLS `auth.exists` kept DEPTH in flight, and then 200; the difference divided
by CALLS - 200 is the figure, so start-up and libcurl's loading cancel out. Start an upstream first
(the nginx of `.build-bench/nginx/nginx.conf` that `bench/run` writes, or the emulator). `--keep DIR`
keeps each run's callgrind profile, to read with `callgrind_annotate --inclusive=yes`. Needs
valgrind (Debian: valgrind); valgrind 3.19 cannot read the DWARF 5 of Swift's debug information, so a
copy of each binary without it (`strip -g`) is what runs.
"""
import argparse
import os
import re
import shutil
import subprocess
import tempfile

REQUEST = b'{"jsonrpc":"2.0","id":%d,"method":"auth.exists","params":{"email":"oli@test.dk"}}\n'


def count(binary, url, calls, depth, profile):
    """Callgrind's instruction count for a bridge answering `calls` calls `depth` at a time."""
    bridge = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={profile}", binary, "--base-url", url],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sent = answered = 0

    def send(n):
        nonlocal sent
        bridge.stdin.write(b"".join(REQUEST % (sent + i) for i in range(n)))
        bridge.stdin.flush()
        sent += n

    try:
        send(min(depth, calls))
        while answered < calls:
            chunk = os.read(bridge.stdout.fileno(), 1 << 16)
            if not chunk:
                raise SystemExit(f"{binary} stopped before answering {calls} calls")
            if b'"error"' in chunk:
                raise SystemExit(f"{binary} answered an error (is the upstream at {url}?): {chunk[:300]!r}")
            answered += chunk.count(b"\n")
            send(min(chunk.count(b"\n"), calls - sent))
        bridge.stdin.close()
        bridge.wait(timeout=300)
    finally:
        if bridge.poll() is None:
            bridge.kill()
            bridge.wait()
    found = re.search(r"Collected : (\d+)", bridge.stderr.read().decode())
    if not found:
        raise SystemExit(f"valgrind gave no count for {binary}")
    return int(found.group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binaries", nargs="+")
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--depth", type=int, default=64)
    parser.add_argument("--keep", help="a folder to keep the callgrind profiles in")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind (Debian: apt-get install valgrind)")
    base = 200
    with tempfile.TemporaryDirectory() as work:
        for binary in args.binaries:
            stripped = os.path.join(work, "bridge")
            subprocess.run(["strip", "-g", "-o", stripped, binary], check=True)
            profile = os.path.join(work, "callgrind.out")
            few = count(stripped, args.url, base, args.depth, profile)
            many = count(stripped, args.url, args.calls, args.depth, profile)
            print(f"{binary}: {(many - few) / (args.calls - base):,.0f} instructions per call "
                  f"({args.calls} calls, {args.depth} in flight)")
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                name = binary.strip("/").replace("/", "_") + ".callgrind"
                shutil.copy(profile, os.path.join(args.keep, name))


if __name__ == "__main__":
    main()
