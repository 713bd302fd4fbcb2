"""What stdout holds when the bridge exits while its client is not reading (README, "JSON-RPC details").

The client below reads nothing until its stdout pipe is full, so the bridge is in the middle of an
answer (rpc.discover's, tens of KiB) when it stops waiting for the reader: after SIGTERM, or after the
end of stdin. The client starts reading only once the bridge has decided to exit (its log says so, or
it has exited), which is the case the bridge's last wait is for: the message begun is finished, no other
is started, and stdout ends on a whole message. All real processes; every wait bounded.
"""

import signal

import pytest

from harness import encode_line, lsp_frame, pipe_fill, wait_until

# rpc.discover answers are tens of KiB: 40 of them are several times a 64 KiB pipe.
CALLS = 40
# A pipe holds 64 KiB; the bridge has filled it once this much sits unread.
PIPE_FULL_BYTES = 60000
# After SIGTERM: 3 s for calls, 5 s for the answers to be taken, then the decision; slack for a loaded
# machine. After EOF with --timeout 1 --max-retries 0: 6 s without an answer taken, then 5 s.
DECISION_SECONDS = {"sigterm": 20.0, "eof": 25.0}
# The bridge's wait for the message begun (2 s), with slack.
EXIT_AFTER_READING_SECONDS = 10.0
DECISION_LOG = b"exiting with"


def request(framing, call_id):
    message = {"jsonrpc": "2.0", "id": call_id, "method": "rpc.discover"}
    return lsp_frame(encode_line(message)[:-1]) if framing == "lsp" else encode_line(message)


@pytest.mark.parametrize("how, framing", [("sigterm", "ndjson"), ("eof", "lsp")])
def test_a_client_that_reads_only_once_the_bridge_is_exiting_gets_the_message_begun_whole_and_nothing_cut(
        start_bridge, emulator, how, framing):
    bridge = start_bridge("--base-url", emulator.url, "--timeout", "1", "--max-retries", "0", "--framing", framing,
                          framing=framing, read_stdout=False)
    bridge.send(b"".join(request(framing, i) for i in range(CALLS)))
    stdout_fd = bridge.process.stdout.fileno()
    wait_until(lambda: pipe_fill(stdout_fd) > PIPE_FULL_BYTES, 30.0, "the bridge filling its stdout pipe")
    bridge.wait_written()
    if how == "sigterm":
        bridge.process.send_signal(signal.SIGTERM)
    else:
        bridge.close_stdin()
    wait_until(lambda: DECISION_LOG in bridge.stderr_bytes() or bridge.process.poll() is not None,
               DECISION_SECONDS[how], "the bridge deciding to exit")
    bridge.start_reading()
    assert bridge.wait_exit(EXIT_AFTER_READING_SECONDS) == 0
    bridge.wait_stdout_closed()
    assert not bridge.bad_output, [(why, len(data), data[-60:]) for why, data in bridge.bad_output]
    # The answers read are the first ones, whole, in order; more than the pipe held, since the message
    # begun was finished; the ones never begun are dropped whole, never cut.
    ids = [int(answer["id"]) for answer in bridge.responses]
    assert ids == list(range(len(ids))) and 0 < len(ids) < CALLS, ids
    assert all(answer["result"]["openrpc"] for answer in bridge.responses)
    assert bridge.output_bytes > PIPE_FULL_BYTES
