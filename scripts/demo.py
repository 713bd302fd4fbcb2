"""A tour of medusa-auth-bridge against the bundled Medusa emulator.

Starts the emulator and the bridge as child processes, writes JSON-RPC requests on the bridge's stdin
(some pipelined, as real clients do), and prints each request and its answer. Access tokens are shown
shortened. Both children are stopped at the end, whatever happens.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bounds every wait: a demo must never hang.
STARTUP_TIMEOUT_S = 30
EXIT_TIMEOUT_S = 10


def shorten(value):
    if isinstance(value, dict):
        return {key: (item[:24] + "…" if key == "access_token" else shorten(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [shorten(item) for item in value]
    return value


def summary(answer):
    customer = (answer.get("result") or {}).get("customer")
    if customer:  # Medusa's whole Customer is there; print the part a reader cares about
        return {"id": answer["id"], "result": {"customer": {k: customer[k] for k in ("id", "email", "first_name", "has_account")},
                           "…": f"{len(customer)} fields in all, orders and shipping_addresses included"}}
    return shorten({k: v for k, v in answer.items() if k != "jsonrpc"})


def main(binary):
    emulator = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts/emulator/medusa_emulator.py"), "--quiet", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    bridge = None
    try:
        url = json.loads(emulator.stdout.readline())["url"]
        print(f"Medusa emulator at {url}\nbridge: {binary} --base-url {url}\n")
        bridge = subprocess.Popen([binary, "--base-url", url], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        next_id = iter(range(1, 1000))

        def send(method, params=None, note=""):
            request = {"jsonrpc": "2.0", "id": next(next_id), "method": method}
            if params is not None:
                request["params"] = params
            line = json.dumps(request)
            print(f"→ {line}" + (f"   # {note}" if note else ""))
            bridge.stdin.write(line.encode() + b"\n")
            bridge.stdin.flush()
            return request["id"]

        pending = {}

        def answer(request_id):
            while request_id not in pending:
                line = bridge.stdout.readline()  # answers are one JSON text per line
                if not line:
                    raise SystemExit("the bridge closed its stdout")
                message = json.loads(line)
                pending[message["id"]] = message
            print(f"← {json.dumps(summary(pending.pop(request_id)), ensure_ascii=False)}\n")

        answer(send("initialize", {"protocolVersion": "1.0", "clientInfo": {"name": "demo"}}))
        answer(send("auth.exists", ["oli@test.dk"], "by position, as medusa-js: exists(email)"))
        answer(send("auth.exists", {"email": "guest@test.dk"}, "a guest customer has no account"))
        answer(send("auth.authenticate", {"email": "oli@test.dk", "password": "wrong"}, "Medusa's 401"))
        print("Pipelined: the login and the session read go out together; the bridge orders them per session.")
        login = send("auth.authenticate", {"email": "oli@test.dk", "password": "test"})
        session = send("auth.getSession")
        answer(login)
        answer(session)
        answer(send("auth.getToken", {"email": "alice@example.com", "password": "alice-password", "session": "alice"},
                    "a second customer in her own session, with a JWT"))
        answer(send("auth.getSession", {"session": "alice"}, "sent with Authorization: Bearer"))
        answer(send("session.list"))
        answer(send("auth.deleteSession", {"session": "alice"}, "logout forgets the cookie and the token"))
        answer(send("auth.getSession", {"session": "alice"}))
        answer(send("nope"))
        bridge.stdin.close()  # end of input: the bridge finishes what is in flight and exits 0
        status = bridge.wait(timeout=EXIT_TIMEOUT_S)
        print(f"bridge exited with status {status}")
        return status
    finally:
        for child in (bridge, emulator):
            if child and child.poll() is None:
                child.kill()
                child.wait(timeout=EXIT_TIMEOUT_S)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
