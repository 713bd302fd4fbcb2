"""Backend and client faults (issue 5, "Faults"), injected through the emulator's control API and by
the test acting as a misbehaving client.

Each case asserts the error code and ``data``, how many attempts reached the emulator (the retry
count), that nothing hangs (every wait bounded) and the exit status. All real processes.
"""

import json
import signal

import pytest

from harness import CLOSE_WAIT_SECONDS, closed_port, pipe_fill, wait_until

OLI = {"email": "oli@test.dk", "password": "test"}
EXISTS_PATH = "/store/auth/oli@test.dk"
# The bridge's cap on a Medusa body (MedusaConfiguration.defaultMaximumBodyBytes).
BODY_CAP_BYTES = 16 << 20
# 250 MB: far enough above the cap that "bounded by the cap" and "follows the body" cannot be confused
# (the emulator streams it; the bridge stops reading at the cap, so it costs well under a second).
BIG_BODY_BYTES = 250_000_000
# Peak memory allowed for it: the cap and the copies made while turning it into an error (libcurl hands
# the body over in chunks and the bridge stops the transfer at the cap; URLSession, the HTTP stack before
# libcurl, read ahead of its delegate and peaked at 43-60 MiB).
BIG_BODY_PEAK_BYTES = 5 * BODY_CAP_BYTES
# SIGTERM grace (3 s) + answers' grace (5 s) + the message begun (2 s) + start-up and scheduling slack.
SIGTERM_EXIT_BOUND_SECONDS = 15.0


def error_of(answer):
    assert "error" in answer, "expected an error, got %r" % (answer,)
    return int(answer["error"]["code"]), answer["error"].get("data")


def finish(bridge):
    """EOF, then exit 0 with only valid messages on stdout."""
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output, bridge.bad_output[:3]


def test_a_refused_connection_is_unreachable_with_reason_refused_after_every_retry(start_bridge):
    bridge = start_bridge("--base-url", "http://127.0.0.1:%d" % closed_port(), "--max-retries", "2")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32002
    assert data["reason"] == "refused" and int(data["attempts"]) == 3 and isinstance(data["detail"], str)
    finish(bridge)


def test_a_backend_slower_than_the_timeout_is_unreachable_with_reason_timeout(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=4000, times=2)
    bridge = start_bridge("--base-url", emulator.url, "--timeout", "1", "--max-retries", "1")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32002 and data["reason"] == "timeout" and int(data["attempts"]) == 2
    assert len(emulator.requests()) == 2
    finish(bridge)


def test_a_timeout_is_per_attempt_so_a_retry_that_answers_in_time_succeeds(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=4000, times=1)
    bridge = start_bridge("--base-url", emulator.url, "--timeout", "1", "--max-retries", "1")
    assert bridge.call("auth.exists", {"email": "oli@test.dk"})["result"] == {"exists": True}
    assert len(emulator.requests()) == 2
    finish(bridge)


def test_a_connection_reset_mid_body_is_unreachable_and_retried_as_a_network_failure(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, reset_mid_body=True, times=1)
    bridge = start_bridge("--base-url", emulator.url)
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32002 and data["reason"] == "other" and int(data["attempts"]) == 1
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, reset_mid_body=True, times=1)
    retrying = start_bridge("--base-url", emulator.url, "--max-retries", "1")
    assert retrying.call("auth.exists", {"email": "oli@test.dk"})["result"] == {"exists": True}
    assert len(emulator.requests()) == 3
    finish(bridge)
    finish(retrying)


def test_503_twice_then_200_succeeds_on_the_third_attempt_with_one_idempotency_key(start_bridge, emulator):
    emulator.control.add_fault(method="POST", path="/store/auth", status=503, times=2)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "3")
    answer = bridge.call("auth.authenticate", OLI)
    assert answer["result"]["customer"]["email"] == "oli@test.dk"
    attempts = emulator.requests()
    assert [r["method"] for r in attempts] == ["POST"] * 3
    keys = {r["headers"].get("idempotency-key") for r in attempts}
    assert len(keys) == 1 and None not in keys
    finish(bridge)


def test_503_more_often_than_the_retries_allow_is_a_medusa_error_with_status_503(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, status=503, body="Service Unavailable", times=5)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "2")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32001 and int(data["status"]) == 503 and data["body"] == "Service Unavailable"
    assert len(emulator.requests()) == 3
    finish(bridge)


def test_409_with_retry_after_waits_that_long_before_the_retry(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, status=409, headers={"Retry-After": "2"}, times=1)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "1")
    assert bridge.call("auth.exists", {"email": "oli@test.dk"})["result"] == {"exists": True}
    first, second = emulator.requests()
    # Retry-After (2 s) replaced the 0.5 s backoff: a lower bound, not a speed assertion.
    assert second["received_at"] - first["received_at"] >= 1.9
    finish(bridge)


def test_409_with_a_retry_after_beyond_five_minutes_is_not_retried(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, status=409, headers={"Retry-After": "301"}, times=1)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "3")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32001 and int(data["status"]) == 409
    assert len(emulator.requests()) == 1
    finish(bridge)


def test_500_is_never_retried_and_carries_medusas_error_fields(start_bridge, emulator):
    body = json.dumps({"code": "unknown_error", "type": "unknown_error", "message": "An unknown error occurred."})
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, status=500, body=body, times=3)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "3")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32001
    assert data == {"status": 500, "type": "unknown_error", "message": "An unknown error occurred.", "code": "unknown_error"}
    assert len(emulator.requests()) == 1
    finish(bridge)


def test_a_2xx_with_garbage_is_a_bad_response_with_the_body_and_is_not_retried(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, garbage=True, times=3)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "3")
    code, data = error_of(bridge.call("auth.exists", {"email": "oli@test.dk"}))
    assert code == -32003 and int(data["status"]) == 200
    assert data["body"].startswith("<html>this is not JSON")
    assert len(emulator.requests()) == 1
    finish(bridge)


def test_a_100_mb_body_is_cut_at_the_cap_and_answered_bad_response(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path="/store/auth", huge_bytes=100_000_000, times=1)
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "2")
    code, data = error_of(bridge.call("auth.getSession"))
    assert code == -32003 and int(data["status"]) == 200
    assert data["body"].startswith('{"customer":{"id":"cus_huge"') and len(data["body"]) <= 1025
    assert len(emulator.requests()) == 1, "a bad 2xx body is not retried"
    assert bridge.call("ping")["result"] == {}
    finish(bridge)


def test_a_body_far_over_the_cap_costs_memory_near_the_cap_not_near_the_body(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path="/store/auth", huge_bytes=BIG_BODY_BYTES, times=1)
    bridge = start_bridge("--base-url", emulator.url)
    assert bridge.call("ping")["result"] == {}
    baseline = bridge.peak_rss()
    code, _ = error_of(bridge.call("auth.getSession"))
    assert code == -32003
    grown = bridge.peak_rss() - baseline
    # The bridge may hold its 16 MiB cap and copies of it, never the body.
    assert grown < BIG_BODY_PEAK_BYTES, "peak RSS grew %d MiB for a %d MB body" % (grown >> 20, BIG_BODY_BYTES // 10 ** 6)


def test_a_redirect_to_another_host_is_not_followed_and_no_credential_reaches_it(start_bridge, emulator, start_emulator):
    other = start_emulator("--host", "127.0.0.2")  # another host of the loopback range, another origin
    bridge = start_bridge("--base-url", emulator.url, "--max-retries", "2", "--publishable-api-key", "pk_redirect_secret",
                          "--header", "X-Configured: configured-secret")
    assert "result" in bridge.call("auth.authenticate", dict(OLI, session="s"))
    assert "result" in bridge.call("auth.getToken", dict(OLI, session="s"))
    faults = [("GET", "/store/auth", 302), ("GET", EXISTS_PATH, 301), ("POST", "/store/auth/token", 307),
              ("DELETE", "/store/auth", 308), ("POST", "/store/auth", 303)]
    for method, path, status in faults:
        emulator.control.add_fault(method=method, path=path, redirect=other.url + path, status=status, times=1)
    custom = {"X-Per-Call": "per-call-secret", "Authorization": "Bearer per-call-token"}
    calls = [("auth.getSession", {"session": "s", "customHeaders": custom}),
             ("auth.exists", {"email": "oli@test.dk", "session": "s", "customHeaders": custom}),
             ("auth.getToken", dict(OLI, session="s", customHeaders=custom)),
             ("auth.deleteSession", {"session": "s", "customHeaders": custom}),
             ("auth.authenticate", dict(OLI, session="s", customHeaders=custom))]
    for (method, params), (_, _, status) in zip(calls, faults):
        code, data = error_of(bridge.call(method, params))
        assert code == -32001 and int(data["status"]) == status
    assert other.requests(path_prefix="/") == [], "a request followed the redirect to the other host"
    sent = [r for r in emulator.requests() if r["headers"].get("x-per-call")]
    assert len(sent) == 5, "each redirecting call reached the origin once (3xx is not retried)"
    finish(bridge)


def test_closing_stdin_mid_request_still_answers_it_then_exits_0(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=1500, times=1)
    bridge = start_bridge("--base-url", emulator.url)
    bridge.request("auth.exists", {"email": "oli@test.dk"}, id="slow")
    bridge.request("ping", id="quick")
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert bridge.answers_for("slow")[0]["result"] == {"exists": True}
    assert bridge.answers_for("quick")[0]["result"] == {}


def test_a_client_that_closes_stdout_makes_the_bridge_exit_0_instead_of_dying_of_sigpipe(start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    bridge.process.stdout.close()
    for i in range(20):
        bridge.request("ping", id=i)
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    assert b"Fatal error" not in bridge.stderr_bytes()


def test_a_client_that_closes_stdout_while_a_call_is_in_flight_gets_a_clean_exit(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=1000, times=1)
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    bridge.request("auth.exists", {"email": "oli@test.dk"}, id="in-flight")
    emulator_saw = lambda: len(emulator.requests()) == 1  # noqa: E731
    wait_until(emulator_saw, 10.0, "the request reaching the emulator")
    bridge.process.stdout.close()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0


def test_sigterm_with_100_requests_in_flight_answers_every_one_and_exits_0(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=1000, times=100)
    bridge = start_bridge("--base-url", emulator.url)
    for i in range(100):
        bridge.request("auth.exists", {"email": "oli@test.dk", "session": "s%d" % (i % 10)}, id=i)
    wait_until(lambda: len(emulator.requests()) >= 50, 30.0, "50 requests reaching the emulator")
    bridge.process.send_signal(signal.SIGTERM)
    assert bridge.wait_exit(SIGTERM_EXIT_BOUND_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output
    for i in range(100):
        (answer,) = bridge.answers_for(i)
        assert answer.get("result") == {"exists": True} or int(answer["error"]["code"]) == -32800, answer


def test_sigterm_with_100_requests_slower_than_the_grace_period_cancels_them_and_exits_0(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=20000, times=100)
    # Enough connections for every request to be at the server; with fewer, the rest wait in the
    # bridge's queue and are cancelled there, which the wait below could not see.
    bridge = start_bridge("--base-url", emulator.url, env={"MEDUSA_MAX_CONNECTIONS": "100"})
    for i in range(100):
        bridge.request("auth.exists", {"email": "oli@test.dk"}, id=i)
    wait_until(lambda: len(emulator.requests()) >= 50, 30.0, "50 requests reaching the emulator")
    bridge.process.send_signal(signal.SIGTERM)
    assert bridge.wait_exit(SIGTERM_EXIT_BOUND_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output
    codes = sorted(int(bridge.answers_for(i)[0]["error"]["code"]) for i in range(100) if len(bridge.answers_for(i)) == 1)
    assert codes == [-32800] * 100


def test_sigterm_while_the_client_reads_nothing_still_ends_the_process_with_status_0_within_the_bound(start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    bridge.send(b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(20000)))
    stdout_fd = bridge.process.stdout.fileno()
    wait_until(lambda: pipe_fill(stdout_fd) > 60000, 30.0, "the bridge filling its stdout pipe")
    bridge.process.send_signal(signal.SIGTERM)
    assert bridge.wait_exit(SIGTERM_EXIT_BOUND_SECONDS) == 0


# Enough back-to-back request+cancel pairs that a race losing ~1 % of them shows up in every run.
CANCEL_PAIRS = 400


def test_every_request_cancelled_right_after_it_is_written_still_gets_exactly_one_answer(start_bridge, emulator):
    emulator.control.add_fault(method="GET", path=EXISTS_PATH, delay_ms=300, times=None)
    bridge = start_bridge("--base-url", emulator.url)
    bridge.send(b"".join(
        b'{"jsonrpc":"2.0","id":%d,"method":"auth.exists","params":{"email":"oli@test.dk","session":"c%d"}}\n'
        b'{"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":%d}}\n' % (i, i % 50, i) for i in range(CANCEL_PAIRS)))
    bridge.close_stdin()
    try:
        bridge.wait_for(lambda b: b.stdout_closed, 30.0, "the end of stdout after EOF")
    finally:
        answered = {int(r["id"]) for r in bridge.responses}
        missing = sorted(set(range(CANCEL_PAIRS)) - answered)
    assert not missing, "%d cancelled requests never answered, e.g. %r" % (len(missing), missing[:5])
    assert len(bridge.responses) == CANCEL_PAIRS
    for answer in bridge.responses:
        assert answer.get("result") == {"exists": True} or int(answer["error"]["code"]) == -32800, answer
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
