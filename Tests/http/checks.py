"""Assertions every test file of the HTTP suite shares."""

# The bridge exits at EOF once the calls in flight are answered; tests keep those short.
EXIT_SECONDS = 20


def error_of(answer):
    """``(code, message, data)`` of an error answer; fails the test on a result."""
    assert "error" in answer, "expected an error, got %r" % (answer,)
    error = answer["error"]
    return int(error["code"]), error["message"], error.get("data") or {}


def result_of(answer):
    """The result of an answer; fails the test on an error."""
    assert "result" in answer, "expected a result, got %r" % (answer,)
    return answer["result"]


def finish(bridge):
    """EOF on stdin: the bridge answers what is in flight and exits 0 with only valid output."""
    bridge.close_stdin()
    assert bridge.wait_exit(EXIT_SECONDS) == 0, bridge.stderr_bytes()[-2000:]
    bridge.wait_stdout_closed()
    assert not bridge.bad_output, bridge.bad_output[:3]


def offered_codings(request):
    """The content codings an Accept-Encoding field offers (q > 0), identity and * aside."""
    codings = []
    for item in (request.header("Accept-Encoding") or "").split(","):
        name, _, params = item.strip().partition(";")
        q = params.strip()[2:] if params.strip().lower().startswith("q=") else "1"
        if name and name.lower() not in ("identity", "*") and float(q) > 0:
            codings.append(name.lower())
    return codings


def strings_of(value):
    """Every string in a decoded JSON value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, member in value.items() for text in [key] + strings_of(member)]
    if isinstance(value, list):
        return [text for member in value for text in strings_of(member)]
    return []
