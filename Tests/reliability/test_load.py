"""Load (issue 5, "Load"): a short soak in CI and backpressure against a client that does not read.

The full soak is one documented command (see RESULTS.md):
    python3 Tests/reliability/soak.py --calls 1000000 --sessions 100
CI runs the same code with fewer calls. Real processes only.
"""

import os

import pytest

from harness import CLOSE_WAIT_SECONDS, pipe_fill, wait_until
from soak import run_soak

# 100,000 mixed calls over 100 sessions: ~40 s on 2 cores with a debug build. The second half is
# judged (soak.WARM_UP_SHARE); fewer calls could not tell a leak of ~150 bytes per call (which this run
# catches: +7 MiB against a ~5 MiB tolerance) from malloc arenas settling.
CI_SOAK_CALLS = int(os.environ.get("RELIABILITY_SOAK_CALLS", "100000"))
BACKPRESSURE_REQUESTS = 100_000
# Linux's default pipe buffer; the stall is reached when both of the bridge's pipes are nearly full.
PIPE_BYTES = 65536
# A pipe is full when its 16 pages are taken; a writer blocked on a write larger than what is left (the
# bridge writes the answers of one round of its loop together) can leave the last page partly empty.
PAGE_BYTES = 4096
# How long the stall must hold (consecutive polls with no byte consumed) before it is measured.
STALL_POLLS = 25


def read_bytes_consumed(pid):
    """rchar from /proc/PID/io: every byte the process has read (here: only stdin)."""
    with open("/proc/%d/io" % pid) as io:
        for line in io:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    raise AssertionError("no rchar in /proc/%d/io" % pid)


@pytest.fixture(scope="module")
def short_soak(binary):
    """One short soak for the module; the tests below read different parts of its result."""
    return run_soak(CI_SOAK_CALLS, 100, binary)


def test_a_short_soak_answers_every_mixed_call_over_100_sessions_correctly_and_loses_nothing(short_soak):
    result = short_soak
    assert result["lost"] == 0 and result["unexpected_or_duplicate"] == 0, result
    assert result["wrong"] == 0, result["wrong_examples"]
    assert result["bad_stdout"] == 0 and result["exit_status"] == 0, result
    assert result["answers_checked"] >= CI_SOAK_CALLS


def test_a_short_soak_opens_no_more_descriptors_after_warm_up_than_during_it(short_soak):
    # The limit comes from the run itself: the warm-up's highest count plus its own range and a margin.
    fds = short_soak["fds"]
    assert fds["end"] <= fds["limit"], fds
    assert not [p for p in short_soak["problems"] if "descriptors" in p], fds


def test_a_short_soak_keeps_resident_memory_flat_after_warm_up(short_soak):
    # Tolerance from the run itself (soak.flatness): four standard deviations of RSS around its trend
    # over the judged half, at least 10 % of the steady RSS.
    assert not [p for p in short_soak["problems"] if "RSS" in p], short_soak["rss_mib"]


def test_a_client_that_writes_100000_requests_without_reading_stalls_the_bridge_at_bounded_memory_and_gets_every_answer_once_it_reads(
        start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    stdin_fd, stdout_fd = bridge.process.stdin.fileno(), bridge.process.stdout.fileno()
    # Baseline: a bridge that has started and answered (its answer sits unread in the pipe).
    bridge.send(b'{"jsonrpc":"2.0","id":-1,"method":"ping"}\n')
    wait_until(lambda: pipe_fill(stdout_fd) > 0, 30.0, "the first answer")
    baseline = bridge.rss()
    lines = [b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(BACKPRESSURE_REQUESTS)]
    total = sum(len(line) for line in lines)
    bridge.send(b"".join(lines))
    state = {"last": -1, "steady": 0}

    def stalled():
        consumed = read_bytes_consumed(bridge.pid)
        full = pipe_fill(stdout_fd) > PIPE_BYTES - PAGE_BYTES and pipe_fill(stdin_fd) > PIPE_BYTES - 200
        state["steady"] = state["steady"] + 1 if (full and consumed == state["last"]) else 0
        state["last"] = consumed
        return state["steady"] >= STALL_POLLS

    wait_until(stalled, 60.0, "the bridge stalling on a client that does not read")
    consumed = read_bytes_consumed(bridge.pid)
    # Reading pauses at 512 frames in flight (plus one 64 KiB read): a small part of the 4 MB sent.
    assert consumed < total // 4, "the bridge read %d of %d bytes although nobody reads its answers" % (consumed, total)
    grown = bridge.rss() - baseline
    assert grown < 16 << 20, "RSS grew %d MiB while stalled" % (grown >> 20)
    assert bridge.process.poll() is None
    bridge.start_reading()
    bridge.wait_for(lambda b: b.response_count() >= BACKPRESSURE_REQUESTS + 1, 120.0, "100,000 answers")
    bridge.wait_written()
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output
    ids = sorted(int(r["id"]) for r in bridge.responses)
    assert ids == list(range(-1, BACKPRESSURE_REQUESTS)), "every request answered exactly once"
    assert all(r["result"] == {} for r in bridge.responses)


def kernel_writes_pipes_without_waiting():
    """Whether pwritev2's RWF_NOWAIT works on a pipe here, which the bridge needs to go on while stdout
    is full (it falls back to waiting in write(2) where it does not)."""
    read_end, write_end = os.pipe()
    try:
        os.pwritev(write_end, [b"x"], -1, os.RWF_NOWAIT)
        return True
    except OSError:
        return False
    finally:
        os.close(read_end)
        os.close(write_end)


# Enough pings that their answers (~40 bytes each) overflow stdout's pipe, and few enough that those
# left unwritten stay far below the 512 calls at which the bridge stops reading.
PINGS_TO_FILL_STDOUT = 2_000


def fill_stdout(bridge):
    """Writes PINGS_TO_FILL_STDOUT pings to a bridge whose stdout nobody reads, and waits until its pipe is
    full; returns stdout's descriptor."""
    stdout_fd = bridge.process.stdout.fileno()
    bridge.send(b"".join(b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(PINGS_TO_FILL_STDOUT)))
    wait_until(lambda: pipe_fill(stdout_fd) > PIPE_BYTES - PAGE_BYTES, 30.0, "stdout's pipe filling up")
    return stdout_fd


@pytest.mark.skipif(not kernel_writes_pipes_without_waiting(), reason="this kernel cannot write a pipe without waiting")
def test_a_client_slow_to_read_its_answers_does_not_stop_the_bridge_reading_and_sending_other_calls(start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    stdout_fd = fill_stdout(bridge)
    # stdout stays full from here until the client reads: a bridge waiting in write(2) would neither
    # read this call nor send its request.
    bridge.send(b'{"jsonrpc":"2.0","id":"probe","method":"auth.exists","params":{"email":"probe@test.dk"}}\n')
    wait_until(lambda: any("probe" in r["path"] for r in emulator.requests()), 30.0,
               "the call read while stdout is full reaching the backend")
    assert pipe_fill(stdout_fd) > PIPE_BYTES - PAGE_BYTES, "the client read nothing, so stdout must still be full"
    bridge.start_reading()
    bridge.wait_for(lambda b: b.response_count() >= PINGS_TO_FILL_STDOUT + 1, 60.0, "every answer")
    assert bridge.answer("probe") == {"jsonrpc": "2.0", "id": "probe", "result": {"exists": False}}
    ids = sorted(r["id"] for r in bridge.responses if r["id"] != "probe")
    assert ids == list(range(PINGS_TO_FILL_STDOUT)), "every ping answered exactly once, in full"
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    assert not bridge.bad_output


@pytest.mark.skipif(not kernel_writes_pipes_without_waiting(), reason="this kernel cannot write a pipe without waiting")
def test_a_bridge_waiting_for_room_on_stdout_exits_when_the_client_closes_it(start_bridge, emulator):
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False)
    stdout_fd = bridge.process.stdout.fileno()
    # An HTTP call first, so that the wait for room is libcurl's poll (before it, the loop's own).
    bridge.send(b'{"jsonrpc":"2.0","id":"first","method":"auth.exists","params":{"email":"first@test.dk"}}\n')
    wait_until(lambda: pipe_fill(stdout_fd) > 0, 30.0, "the first answer")
    fill_stdout(bridge)
    bridge.process.stdout.close()
    # The reader is gone: the write the bridge was waiting to finish fails (EPIPE), and it exits.
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0


def test_a_stdout_handed_over_non_blocking_gets_every_answer_when_it_fills_up(start_bridge, emulator):
    # Some parents make their pipes O_NONBLOCK, and the child's end shares the flag: a write(2) then
    # fails with EAGAIN whenever the pipe is full, which must mean "wait", never "stdout is closed".
    bridge = start_bridge("--base-url", emulator.url, read_stdout=False, nonblocking_stdout=True)
    fill_stdout(bridge)
    bridge.start_reading()
    bridge.wait_for(lambda b: b.response_count() >= PINGS_TO_FILL_STDOUT, 60.0, "every answer")
    assert sorted(r["id"] for r in bridge.responses) == list(range(PINGS_TO_FILL_STDOUT))
    bridge.close_stdin()
    assert bridge.wait_exit(CLOSE_WAIT_SECONDS) == 0
    assert not bridge.bad_output
