"""A tour of medusa-auth-bridge against the bundled Medusa emulator, Medusa v1 then v2.

Starts the emulator and the bridge as child processes, writes JSON-RPC requests on the bridge's stdin
(some pipelined, as real clients do), and prints each request and its answer. Tokens are shown
shortened. Both children are stopped at the end of each tour, whatever happens.

    python3 scripts/demo.py BRIDGE [--medusa-version 1|2] [--auth-type jwt|session]
"""

import argparse
import json
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bounds every wait: a demo must never hang.
STARTUP_TIMEOUT_S = 30
EXIT_TIMEOUT_S = 10
SECRET_KEYS = ("access_token", "token")


# Bodies longer than this (Express's HTML 404 page) are cut in the printout.
BODY_CHARS = 60


def shorten(value):
    if isinstance(value, dict):
        return {key: (item[:24] + "…" if key in SECRET_KEYS and isinstance(item, str)
                      else item[:BODY_CHARS] + "…" if key in ("body", "message") and isinstance(item, str)
                      and len(item) > BODY_CHARS else shorten(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [shorten(item) for item in value]
    return value


def summary(answer):
    result = answer.get("result") or {}
    customer = result.get("customer")
    if customer:  # Medusa's whole Customer is there; print the part a reader cares about
        short = {k: customer[k] for k in ("id", "email", "first_name", "phone", "has_account") if k in customer}
        rest = {k: v for k, v in result.items() if k != "customer"}
        return {"id": answer["id"], "result": {"customer": short, **shorten(rest),
                                               "…": f"{len(customer)} fields in all"}}
    return shorten({k: v for k, v in answer.items() if k != "jsonrpc"})


class Tour:
    """One emulator and one bridge for it, with a printed request/answer log."""

    def __init__(self, binary, emulator_args, bridge_args):
        self.emulator = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts/emulator/medusa_emulator.py"), "--quiet", "--exit-on-stdin-eof"]
            + emulator_args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.bridge = None
        self.address = json.loads(self.emulator.stdout.readline())
        self.url = self.address["url"]
        arguments = [binary, "--base-url", self.url] + bridge_args(self.address)
        shown = " ".join(a if not a.startswith("pk_") else a[:10] + "…" for a in arguments)
        print(f"Medusa emulator at {self.url}\nbridge: {shown}\n")
        self.bridge = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.ids = iter(range(1, 1000))
        self.pending = {}

    def send(self, method, params=None, note=""):
        request = {"jsonrpc": "2.0", "id": next(self.ids), "method": method}
        if params is not None:
            request["params"] = params
        line = json.dumps(request)
        print(f"→ {json.dumps(shorten(request))}" + (f"   # {note}" if note else ""))
        self.bridge.stdin.write(line.encode() + b"\n")
        self.bridge.stdin.flush()
        return request["id"]

    def answer(self, request_id):
        while request_id not in self.pending:
            line = self.bridge.stdout.readline()  # answers are one JSON text per line
            if not line:
                raise SystemExit("the bridge closed its stdout")
            message = json.loads(line)
            self.pending[message["id"]] = message
        message = self.pending.pop(request_id)
        print(f"← {json.dumps(summary(message), ensure_ascii=False)}\n")
        return message

    def call(self, method, params=None, note=""):
        return self.answer(self.send(method, params, note))

    def control(self, path):
        """The emulator's test-only control API (what a mail inbox would show, for the reset token)."""
        with urllib.request.urlopen(self.url + path, timeout=STARTUP_TIMEOUT_S) as response:
            return json.loads(response.read())

    def close(self):
        status = None
        if self.bridge and self.bridge.poll() is None:
            self.bridge.stdin.close()  # end of input: the bridge finishes what is in flight and exits 0
            status = self.bridge.wait(timeout=EXIT_TIMEOUT_S)
            print(f"bridge exited with status {status}\n")
        for child in (self.bridge, self.emulator):
            if child and child.poll() is None:
                child.kill()
                child.wait(timeout=EXIT_TIMEOUT_S)
        return status


def tour_v1(tour):
    print("== Medusa v1: /store/auth, as @medusajs/medusa-js ==\n")
    tour.call("initialize", {"protocolVersion": "1.0", "clientInfo": {"name": "demo"}})
    tour.call("auth.exists", ["oli@test.dk"], "by position, as medusa-js: exists(email)")
    tour.call("auth.exists", {"email": "guest@test.dk"}, "a guest customer has no account")
    tour.call("auth.authenticate", {"email": "oli@test.dk", "password": "wrong"}, "Medusa's 401")
    print("Pipelined: the login and the session read go out together; the bridge orders them per session.")
    login = tour.send("auth.authenticate", {"email": "oli@test.dk", "password": "test"})
    session = tour.send("auth.getSession")
    tour.answer(login)
    tour.answer(session)
    tour.call("auth.getToken", {"email": "alice@example.com", "password": "alice-password", "session": "alice"},
              "a second customer in her own session, with a JWT")
    tour.call("auth.getSession", {"session": "alice"}, "sent with Authorization: Bearer")
    tour.call("session.list")
    tour.call("auth.deleteSession", {"session": "alice"}, "logout forgets the cookie and the token")
    tour.call("auth.getSession", {"session": "alice"})
    tour.call("auth.login", {"email": "oli@test.dk", "password": "test"}, "a v2 method on a v1 backend: data.hint says so")
    tour.call("nope")


def tour_v2(tour, auth_type):
    print(f"== Medusa v2: /auth/* and /store/customers*, as @medusajs/js-sdk (--auth-type {auth_type}) ==\n")
    tour.call("initialize", {"protocolVersion": "1.0", "clientInfo": {"name": "demo"}})
    tour.call("auth.login", {"email": "oli@test.dk", "password": "wrong"}, "v2's 401 keeps type and message")
    print("Pipelined: the login and the customer read go out together; the bridge orders them per session.")
    login = tour.send("auth.login", {"email": "oli@test.dk", "password": "test"})
    me = tour.send("store.customer.retrieve", {"fields": "id,email,first_name,has_account"})
    tour.answer(login)
    tour.answer(me)
    tour.call("store.customer.update", {"phone": "+45 12 34 56 78"})
    tour.call("auth.refresh", None, "a fresh token replaces the session's")
    tour.call("auth.signup", {"email": "jane@example.com", "password": "jane-password", "first_name": "Jane",
                              "session": "jane"}, "register + create the customer + log in, in one call")
    tour.call("auth.register", {"email": "sam@example.com", "password": "sam-password", "session": "sam"},
              "the same by hand: 1. register")
    tour.call("store.customer.create", {"email": "sam@example.com", "first_name": "Sam", "session": "sam"},
              "2. create the customer with the registration token")
    tour.call("auth.login", {"email": "sam@example.com", "password": "sam-password", "session": "sam"},
              "3. log in again so the token carries the customer")
    tour.call("auth.resetPassword", {"identifier": "alice@example.com"}, "Medusa mails a reset token")
    reset = tour.control("/__emulator/events/auth.password_reset")["events"][-1]["data"]["token"]
    print("(the emulator's control API shows the token the email would carry)\n")
    tour.call("auth.updateProvider", {"token": reset, "password": "alice-new-password"})
    tour.call("auth.login", {"email": "alice@example.com", "password": "alice-new-password", "session": "alice"},
              "the new password works")
    start = tour.call("auth.login", {"provider": "google", "session": "nora"}, "an OAuth login starts with {location}")
    state = urllib.parse.parse_qs(urllib.parse.urlparse(start["result"]["location"]).query)["state"][0]
    tour.call("auth.callback", {"provider": "google", "query": {"code": "google-code-new", "state": state},
                                "session": "nora"}, "the provider sent the customer back with ?code&state")
    tour.call("store.customer.create", {"email": "new.google@example.com", "session": "nora"},
              "a first social login has no customer yet")
    tour.call("auth.refresh", {"session": "nora"}, "now the token carries it")
    tour.call("session.list")
    tour.call("auth.logout", None, "forgets the token (and ends Medusa's session in session mode)")
    tour.call("store.customer.retrieve")
    tour.call("auth.getSession", None, "a v1 method on a v2 backend: data.hint says so")


def main(argv):
    parser = argparse.ArgumentParser(description="A tour of medusa-auth-bridge against the bundled emulator.")
    parser.add_argument("binary")
    parser.add_argument("--medusa-version", type=int, choices=(1, 2), help="tour one version only (default: both)")
    parser.add_argument("--auth-type", choices=("jwt", "session"), default="jwt", help="the v2 tour's auth type")
    args = parser.parse_args(argv)
    status = 0
    if args.medusa_version in (None, 1):
        tour = Tour(args.binary, [], lambda address: [])
        try:
            tour_v1(tour)
        finally:
            status = tour.close() or status
    if args.medusa_version in (None, 2):
        tour = Tour(args.binary, ["--medusa-version", "2"],
                    lambda address: ["--publishable-api-key", address["publishable_key"], "--auth-type", args.auth_type])
        try:
            tour_v2(tour, args.auth_type)
        finally:
            status = tour.close() or status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
