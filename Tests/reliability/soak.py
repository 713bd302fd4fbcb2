#!/usr/bin/env python3
"""Soak run: many mixed calls over many sessions against the emulator, every answer checked.

    python3 Tests/reliability/soak.py --calls 1000000 --sessions 100      # the full run (issue 5)
    python3 Tests/reliability/soak.py --calls 20000 --sessions 100        # what CI runs (test_load.py)

Each session logs in as its own customer (created through the emulator's control API). Calls are
pipelined (up to --window in flight) and drawn from a fixed mix: getSession, exists, authenticate,
getToken, deleteSession, ping, session.list, notifications, batches, unknown methods and bad params.
Because the bridge orders state-changing calls within a session, the answer of every call is known
when it is sent (logged in by cookie or token -> that session's own customer, else 401), so every
answer is checked, not just counted. Memory (RSS) and open descriptors of the bridge are sampled
from /proc throughout; the run fails if an answer is wrong, missing or duplicated, if stdout holds
anything but valid messages, if RSS keeps growing beyond a tolerance computed from the run's own
noise, if descriptors grow, or if the bridge does not exit 0 at EOF.

Binary: --binary, else $MEDUSA_AUTH_BRIDGE, else /tmp/mab/medusa-auth-bridge (outside CI).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import CLOSE_WAIT_SECONDS, Bridge, Deadline, Emulator, bridge_binary, id_key  # noqa: E402

# A call that gets no answer within this long means the bridge lost it (calls here take milliseconds).
STALL_SECONDS = 120.0
# The share of calls before memory and descriptors count: caches, connection pools, the HTTP threads
# (up to 64) and allocator arenas fill during this warm-up. A leak still shows over the other half.
WARM_UP_SHARE = 0.5
# Samples of RSS and descriptors taken over the run.
SAMPLES = 200
# Flatness tolerance floor, as a share of the steady RSS: glibc's per-thread malloc arenas keep settling
# for a few hundred thousand calls (a bridge with ~100 threads creeps by a few MiB, decelerating). At
# 10 % of ~50 MiB a full run (500,000 calls judged) still catches a leak of 10 bytes per call, and the
# CI run (50,000 calls judged) one of ~100 bytes per call, such as the ~90 B per call that an earlier
# HTTP stack (URLSession) leaked (RESULTS.md).
RSS_FLOOR_SHARE = 0.10
# Descriptors: libcurl keeps up to 64 connections to the backend open for reuse (CURLMOPT_MAXCONNECTS,
# CurlLoop), so their number may move with load; growth beyond the warm-up's own range plus this margin
# is a leak.
FD_MARGIN = 8

MIX = [  # (weight, kind)
    (30, "getSession"), (14, "exists"), (4, "authenticate"), (3, "getToken"), (3, "deleteSession"),
    (20, "ping"), (1, "session.list"), (6, "notification"), (5, "batch"), (7, "unknownMethod"), (7, "badParams"),
]


class Session:
    def __init__(self, index):
        self.name = "soak-%d" % index
        self.email = "soak-%d@test.dk" % index
        self.password = "soak-password-%d" % index
        self.cookie = False
        self.token = False


class Soak:
    def __init__(self, calls, sessions, binary, window, seed, log):
        self.total_calls = calls
        self.rng = random.Random(seed)
        self.window = window
        self.log = log
        self.kinds, weights = zip(*[(k, w) for w, k in MIX])
        self.cumulative = []
        total = 0
        for w in weights:
            total += w
            self.cumulative.append(total)
        self.weight_total = total
        self.emulator = Emulator()
        self.sessions = [Session(i) for i in range(sessions)]
        for session in self.sessions:
            self.emulator.control.create_customer(session.email, session.password)
        self.lock = threading.Condition()
        self.pending = {}        # id key -> (kind, check)
        self.answered = 0
        self.unexpected = []     # answers to ids never sent or already answered
        self.wrong = []          # answers that are not what the call must get
        self.counts = {}
        self.bridge = Bridge(["--base-url", self.emulator.url, "--max-retries", "1"], binary=binary,
                             on_responses=self.on_responses)
        self.samples = []        # (calls sent, answered, rss, fds)

    # -- answers ----------------------------------------------------------------------------------

    def on_responses(self, responses):
        with self.lock:
            for response in responses:
                self.check(response)
            self.lock.notify_all()

    def check(self, response):
        entry = self.pending.pop(id_key(response["id"]), None)
        if entry is None:
            self.unexpected.append(response)
            return
        kind, check = entry
        self.answered += 1
        try:
            problem = check(response)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            problem = "malformed: %r" % (error,)
        if problem:
            self.wrong.append((kind, problem, response) if len(self.wrong) < 20 else None)

    # -- calls ------------------------------------------------------------------------------------

    def pick(self):
        roll = self.rng.random() * self.weight_total
        for kind, bound in zip(self.kinds, self.cumulative):
            if roll < bound:
                return kind
        return self.kinds[-1]

    def make_call(self, n):
        """One call: (messages to write, [(id, kind, check)]). Updates the session model as the
        bridge will, since calls of a session that change state are ordered."""
        kind = self.pick()
        self.counts[kind] = self.counts.get(kind, 0) + 1
        session = self.sessions[self.rng.randrange(len(self.sessions))]
        call_id = "c%d" % n if n % 2 else n

        def request(method, params, request_id=call_id):
            message = {"jsonrpc": "2.0", "id": request_id, "method": method}
            if params is not None:
                message["params"] = params
            return message

        if kind == "getSession":
            expect_email = session.email if (session.cookie or session.token) else None
            return [request("auth.getSession", {"session": session.name})], [(call_id, kind, customer_is(expect_email))]
        if kind == "exists":
            return [request("auth.exists", {"email": session.email, "session": session.name})], \
                [(call_id, kind, result_is({"exists": True}))]
        if kind == "authenticate":
            session.cookie = True
            return [request("auth.authenticate", {"email": session.email, "password": session.password,
                                                  "session": session.name})], [(call_id, kind, customer_is(session.email))]
        if kind == "getToken":
            session.token = True
            return [request("auth.getToken", {"email": session.email, "password": session.password,
                                              "session": session.name})], [(call_id, kind, has_token)]
        if kind == "deleteSession":
            session.cookie = session.token = False
            return [request("auth.deleteSession", {"session": session.name})], [(call_id, kind, result_is({}))]
        if kind == "ping":
            return [request("ping", None)], [(call_id, kind, result_is({}))]
        if kind == "session.list":
            return [request("session.list", None)], [(call_id, kind, lists_sessions)]
        if kind == "notification":
            return [{"jsonrpc": "2.0", "method": "auth.exists", "params": {"email": session.email}}], []
        if kind == "unknownMethod":
            return [request("auth.nothing", {})], [(call_id, kind, code_is(-32601))]
        if kind == "badParams":
            return [request("auth.exists", {"email": 42, "session": session.name})], [(call_id, kind, code_is(-32602))]
        # batch: two pings, a getSession and a notification, answered as one array
        expect_email = session.email if (session.cookie or session.token) else None
        ids = ["b%d-%d" % (n, i) for i in range(3)]
        batch = [request("ping", None, ids[0]), request("auth.getSession", {"session": session.name}, ids[1]),
                 {"jsonrpc": "2.0", "method": "ping"}, request("ping", None, ids[2])]
        return [batch], [(ids[0], kind, result_is({})), (ids[1], kind, customer_is(expect_email)),
                         (ids[2], kind, result_is({}))]

    def run(self):
        started = time.monotonic()
        warm_up_end = int(self.total_calls * WARM_UP_SHARE)
        sample_every = max(1, self.total_calls // SAMPLES)
        # Every session logs in first, so most calls exercise a real session.
        sent = 0
        for session in self.sessions:
            message = {"jsonrpc": "2.0", "id": "login-" + session.name, "method": "auth.authenticate",
                       "params": {"email": session.email, "password": session.password, "session": session.name}}
            session.cookie = True
            with self.lock:
                self.pending[id_key(message["id"])] = ("login", customer_is(session.email))
            self.bridge.send(message)
        chunk = max(1, min(self.window // 4, 64))
        while sent < self.total_calls:
            lines = []
            with self.lock:
                deadline = Deadline(STALL_SECONDS)
                while len(self.pending) > self.window - chunk:
                    if deadline.expired() or self.bridge.stdout_closed:
                        raise RuntimeError("no progress: %d calls unanswered for %.0f s" % (len(self.pending), STALL_SECONDS))
                    self.lock.wait(1.0)
                for _ in range(min(chunk, self.total_calls - sent)):
                    messages, owed = self.make_call(sent)
                    for call_id, kind, check in owed:
                        self.pending[id_key(call_id)] = (kind, check)
                    lines.extend(messages)
                    sent += 1
                    if sent % sample_every == 0:
                        self.samples.append((sent, self.answered, self.bridge.rss(), self.bridge.fds()))
                        if self.log and sent % (sample_every * 20) == 0:
                            self.log("%d calls sent, %d answered, RSS %.1f MiB, %d fds" % (
                                sent, self.answered, self.samples[-1][2] / 2 ** 20, self.samples[-1][3]))
            self.bridge.send(b"".join(json.dumps(m, separators=(",", ":")).encode() + b"\n" for m in lines))
        with self.lock:
            deadline = Deadline(STALL_SECONDS)
            while self.pending and not deadline.expired() and not self.bridge.stdout_closed:
                self.lock.wait(1.0)
        final_rss, final_fds = self.bridge.rss(), self.bridge.fds()
        self.samples.append((sent, self.answered, final_rss, final_fds))
        self.bridge.close_stdin()
        status = self.bridge.wait_exit(CLOSE_WAIT_SECONDS)
        self.bridge.wait_stdout_closed()
        elapsed = time.monotonic() - started
        return self.summary(sent, warm_up_end, status, elapsed)

    def summary(self, sent, warm_up_end, status, elapsed):
        steady = [s for s in self.samples if s[0] >= warm_up_end] or self.samples[-2:]
        warm = [s for s in self.samples if s[0] < warm_up_end] or self.samples[:1]
        rss_verdict = flatness([(s[0], s[2]) for s in steady])
        fds_warm = [s[3] for s in warm]
        fds_steady = [s[3] for s in steady]
        fd_limit = max(fds_warm) + (max(fds_warm) - min(fds_warm)) + FD_MARGIN
        result = {
            "calls": sent, "logins": len(self.sessions), "sessions": len(self.sessions),
            "answers_checked": self.answered, "mix": dict(sorted(self.counts.items())),
            "lost": len(self.pending), "unexpected_or_duplicate": len(self.unexpected),
            "wrong": len(self.wrong), "wrong_examples": [w for w in self.wrong if w][:5],
            "bad_stdout": len(self.bridge.bad_output), "exit_status": status,
            "seconds": round(elapsed, 1), "calls_per_second": round(sent / elapsed),
            "rss_mib": {"first": mib(self.samples[0][2]), "after_warm_up": mib(steady[0][2]),
                        "end": mib(steady[-1][2]), "max": mib(max(s[2] for s in self.samples)),
                        "projected_growth": mib(rss_verdict["growth"]), "tolerance": mib(rss_verdict["tolerance"]),
                        "growth_bytes_per_call": round(rss_verdict["slope"], 1)},
            "fds": {"first": self.samples[0][3], "after_warm_up": fds_steady[0], "end": fds_steady[-1],
                    "max": max(s[3] for s in self.samples), "limit": fd_limit},
            "stderr_tail": self.bridge.stderr_bytes()[-500:].decode("utf-8", "replace"),
        }
        problems = []
        if result["lost"]:
            problems.append("%d calls never answered" % result["lost"])
        if result["unexpected_or_duplicate"]:
            problems.append("%d answers to ids not pending" % result["unexpected_or_duplicate"])
        if result["wrong"]:
            problems.append("%d wrong answers, e.g. %r" % (result["wrong"], result["wrong_examples"][:2]))
        if result["bad_stdout"]:
            problems.append("stdout held invalid output: %r" % self.bridge.bad_output[:2])
        if status != 0:
            problems.append("exit status %r" % status)
        if not rss_verdict["flat"]:
            problems.append("RSS grew %.1f MiB over the run (tolerance %.1f MiB)" % (
                mib(rss_verdict["growth"]), mib(rss_verdict["tolerance"])))
        if max(fds_steady) > fd_limit:
            problems.append("descriptors grew to %d (limit %d)" % (max(fds_steady), fd_limit))
        result["problems"] = problems
        return result

    def close(self):
        self.bridge.stop()
        self.emulator.stop()


def flatness(points):
    """Whether memory is flat after warm-up, judged against the run's own noise.

    A least-squares line through (calls, RSS) gives the growth projected over the steady part of the
    run; the tolerance is four standard deviations of the residuals (the allocator's own jitter in
    this run), with a floor of RSS_FLOOR_SHARE of the median (arenas settle slowly)."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    if len(points) < 3:
        return {"flat": True, "growth": 0, "tolerance": 0, "slope": 0.0}
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    var_x = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / var_x if var_x else 0.0
    residuals = [y - (mean_y + slope * (x - mean_x)) for x, y in zip(xs, ys)]
    noise = statistics.pstdev(residuals)
    growth = slope * (xs[-1] - xs[0])
    tolerance = max(4 * noise, RSS_FLOOR_SHARE * statistics.median(ys))
    return {"flat": growth <= tolerance, "growth": growth, "tolerance": tolerance, "slope": slope}


def mib(value):
    return round(value / 2 ** 20, 1)


def customer_is(email):
    def check(response):
        if email is None:
            if "error" not in response or int(response["error"]["code"]) != -32001 or int(response["error"]["data"]["status"]) != 401:
                return "expected 401, got %r" % (response,)
            return None
        if "result" not in response or response["result"]["customer"]["email"] != email:
            return "expected customer %s" % email
        return None
    return check


def result_is(value):
    def check(response):
        return None if response.get("result") == value else "expected result %r" % (value,)
    return check


def code_is(code):
    def check(response):
        return None if "error" in response and int(response["error"]["code"]) == code else "expected error %d" % code
    return check


def has_token(response):
    token = response.get("result", {}).get("access_token")
    return None if isinstance(token, str) and token.count(".") == 2 else "expected an access_token"


def lists_sessions(response):
    sessions = response.get("result", {}).get("sessions")
    return None if isinstance(sessions, list) and sessions else "expected sessions"


def run_soak(calls, sessions, binary=None, window=256, seed=5, log=None):
    soak = Soak(calls, sessions, binary or bridge_binary(), window, seed, log)
    try:
        return soak.run()
    finally:
        soak.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--window", type=int, default=256, help="calls in flight at most (pipelining depth)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--binary", help="the bridge (default $MEDUSA_AUTH_BRIDGE)")
    parser.add_argument("--json", help="also write the summary to this file")
    args = parser.parse_args()

    def log(line):
        sys.stderr.write("soak: %s\n" % line)

    result = run_soak(args.calls, args.sessions, args.binary, args.window, args.seed, log)
    result["machine"] = "%s, %d cores, %s" % (platform.node(), os.cpu_count(), platform.platform())
    result["date"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.json:
        with open(args.json, "w") as out:
            out.write(text + "\n")
    if result["problems"]:
        sys.stderr.write("soak: FAILED: %s\n" % "; ".join(result["problems"]))
        return 1
    sys.stderr.write("soak: OK: %d calls, %d answers checked, nothing lost\n" % (result["calls"], result["answers_checked"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
