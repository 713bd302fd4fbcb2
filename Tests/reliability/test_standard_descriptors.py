"""The bridge started with a standard descriptor closed or unread, as a careless parent leaves them:
stdout still carries the protocol only, and the bridge neither hangs nor dies of SIGPIPE.

Each child is started through `sh -c 'exec ...'` so that the shell closes the descriptor and the
bridge inherits exactly that; every wait is bounded, and every child is gone when its test ends.
"""

import json
import os
import subprocess

import pytest

BOUND_SECONDS = 20
UNKNOWN = b'{"jsonrpc":"2.0","id":1,"method":"nope"}\n'
PING = b'{"jsonrpc":"2.0","id":2,"method":"ping"}\n'


def run(command, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL, data=b""):
    child = subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr)
    try:
        out, _ = child.communicate(data if stdin == subprocess.PIPE else None, timeout=BOUND_SECONDS)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, out


def test_with_stderr_closed_the_logs_do_not_reach_stdout(binary):
    # Debug level logs at start, per message and at the end; none of it may land among the answers.
    code, out = run(["sh", "-c", 'exec "$0" --log-level debug 2>&-', binary], data=UNKNOWN + PING)
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [answer["id"] for answer in answers] == [1, 2]
    assert answers[0]["error"]["code"] == -32601 and answers[1]["result"] == {}


def test_with_stdin_closed_the_bridge_sees_its_input_end_and_exits(binary):
    code, out = run(["sh", "-c", 'exec "$0" --log-level debug 0<&-', binary], stdin=subprocess.DEVNULL)
    assert (code, out) == (0, b"")


def test_a_stderr_nobody_reads_is_no_reason_to_die(binary):
    # --log-level info writes at start; the pipe's read end is closed, so that write gets EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        code, out = run([binary, "--log-level", "info"], stderr=write_end, data=PING)
    finally:
        os.close(write_end)
    assert code == 0, "exit status %s (-13 is SIGPIPE)" % code
    assert json.loads(out) == {"jsonrpc": "2.0", "id": 2, "result": {}}
