#!/usr/bin/env python3
"""Where a thread's CPU goes, by the bridge's own functions: reads a `perf record --call-graph dwarf`
profile and charges each sample to the innermost frame that is the bridge's own Swift code or a libcurl
entry point (curl_multi_perform, curl_multi_poll, curl_easy_*), so that malloc, retain/release and the
kernel are charged to whoever called them. libcurl is built without frame pointers, hence DWARF.

    perf record --call-graph dwarf,16384 -F 999 -p BRIDGE_PID -o bridge.perf -- sleep 3
    python3 bench/attribute.py bridge.perf [--thread TID] [--top 40]

`perf script -i bridge.perf -F tid | sort | uniq -c` lists the threads by samples (the busiest is the
HTTP loop at 64 in flight). Needs `perf` (Debian: linux-perf) and `swift demangle`.
"""
import argparse
import collections
import re
import subprocess

OWN = re.compile(r"^\$s(6Bridge|11MedusaStore|10CurlEngine|4JSON|7JSONRPC|18medusa_auth_bridge)")
CURL = re.compile(r"^curl_(multi_perform|multi_poll|multi_add_handle|multi_remove_handle|multi_info_read|easy_\w+)$")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--thread")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    script = subprocess.run(["perf", "script", "-i", args.profile, "-F", "tid,ip,sym,dso"],
                            capture_output=True, text=True, check=True).stdout
    charged = collections.Counter()
    total = 0
    for block in script.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines or (args.thread and lines[0].split()[0] != args.thread):
            continue
        total += 1
        label = None
        for frame in lines[1:]:
            symbol = re.sub(r"\+0x[0-9a-f]+", "", (frame.split(None, 1) + [""])[1]).split(" (")[0]
            if OWN.match(symbol) or CURL.match(symbol):
                label = symbol
                break
        charged[label or "(outside the bridge's code: runtime, libc or kernel at the top of the stack)"] += 1
    names = [name for name, _ in charged.most_common(args.top)]
    mangled = [name for name in names if name.startswith("$s")]
    demangled = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(mangled),
                               capture_output=True, text=True).stdout.splitlines()
    readable = dict(zip(mangled, demangled))
    print(f"{total} samples")
    for name in names:
        print(f"{100 * charged[name] / max(total, 1):5.1f} %  {readable.get(name, name)[:150]}")


if __name__ == "__main__":
    main()
