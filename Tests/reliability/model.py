"""A reference model of what the bridge must answer for a byte stream on stdin.

Written from the contract (issue 2, "Process and framing" and "JSON-RPC 2.0, to the letter"), not
from the bridge's code: given the bytes a client writes and the bridge's flags, it lists the answers
JSON-RPC requires, as (acceptable ids, acceptable codes). The fuzzer compares the real bridge's
stdout with it: every request with an id answered exactly once, every unreadable message answered
once with id null, notifications never.

Framing rules modelled:
- NDJSON: split on the ``\\n`` byte; one trailing ``\\r`` dropped; whitespace-only lines ignored; a
  last line without ``\\n`` still counts at EOF; a line longer than --max-message-bytes is answered
  once with -32600 (id null).
- auto: the first non-whitespace bytes decide; ``Content-Length:`` (any case) selects LSP framing
  for the whole stream.
- LSP: header blocks end with an empty line; a missing or invalid Content-Length is a -32700 (id
  null) and the block is skipped; a body longer than the limit is skipped and answered -32600; a
  partial body at EOF is dropped (never a message).
"""

import re
from decimal import Decimal

from harness import id_key, strict_loads

MAX_DEPTH = 512
LSP_MAX_HEADER_BYTES = 8192
WHITESPACE = b" \t\n\r"
LSP_PREFIX = b"content-length:"
KNOWN_METHODS = {
    "auth.authenticate", "auth.getSession", "auth.deleteSession", "auth.exists", "auth.getToken",
    "session.list", "session.clear", "initialize", "ping", "rpc.discover", "$/cancelRequest",
    # Medusa v2
    "auth.login", "auth.register", "auth.callback", "auth.refresh", "auth.logout", "auth.resetPassword",
    "auth.updateProvider", "auth.signup", "store.customer.create", "store.customer.retrieve", "store.customer.update",
}

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND = -32700, -32600, -32601
NULL = id_key(None)


class Expect:
    """One answer the bridge owes: its id is one of ``keys``; its error code one of ``codes``
    (None: any outcome, result or error)."""

    __slots__ = ("keys", "codes", "why")

    def __init__(self, keys, codes, why):
        self.keys = frozenset(keys)
        self.codes = codes
        self.why = why

    def accepts(self, response):
        if id_key(response["id"]) not in self.keys:
            return False
        if self.codes is None:
            return True
        return "error" in response and int(response["error"]["code"]) in self.codes

    def __repr__(self):
        return "Expect(%s, %s, %s)" % (sorted(self.keys), self.codes, self.why)


# -- framing --------------------------------------------------------------------------------------

def frame_events(stream, mode, max_bytes, at_start=True):
    """The frame decoder's events for a whole stream: ("message", bytes) | ("too_large",) |
    ("invalid_header",). ``at_start``: the stream is the start of the bridge's input."""
    if at_start and stream.startswith(b"\xef\xbb\xbf"):
        stream = stream[3:]  # a byte order mark at the very start is dropped (RFC 8259 §8.1)
    if mode == "auto":
        stripped = stream.lstrip(WHITESPACE)
        if len(stripped) >= len(LSP_PREFIX) and _lower(stripped[:len(LSP_PREFIX)]) == LSP_PREFIX:
            return _lsp_events(stripped, max_bytes)
        return _ndjson_events(stripped, max_bytes)
    if mode == "lsp":
        return _lsp_events(stream, max_bytes)
    return _ndjson_events(stream, max_bytes)


def _lower(data):
    return bytes(b + 32 if 65 <= b <= 90 else b for b in data)


def _ndjson_events(stream, max_bytes):
    events = []
    for line in stream.split(b"\n"):
        if len(line) > max_bytes + 1:
            events.append(("too_large",))
            continue
        body = line[:-1] if line.endswith(b"\r") else line
        if not body.strip(WHITESPACE):
            continue
        if len(body) > max_bytes:
            events.append(("too_large",))
        else:
            events.append(("message", body))
    return events


_INT = re.compile(r"^[+-]?[0-9]+$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an RFC 9110 field name


def _lsp_events(stream, max_bytes):
    events = []
    index = 0
    count = len(stream)
    pending = bytearray()
    while index < count:
        byte = stream[index]
        index += 1
        if not pending and byte in WHITESPACE:
            continue
        pending.append(byte)
        end = None
        if byte == 0x0A:
            if len(pending) >= 2 and pending[-2] == 0x0A:
                end = len(pending) - 2
            elif len(pending) >= 3 and pending[-3] == 0x0A and pending[-2] == 0x0D:
                end = len(pending) - 3
        if end is None:
            if len(pending) > LSP_MAX_HEADER_BYTES:
                pending = bytearray()
                events.append(("invalid_header",))
            continue
        block = bytes(pending[:end]).decode("utf-8", "replace")
        pending = bytearray()
        length = None
        malformed = False
        for line in re.split(r"\r\n|\n|\r", block):
            if not line:
                continue
            name, colon, value = line.partition(":")
            if not colon or not _TOKEN.match(name):
                malformed = True  # no header: answered -32700, the announced frame still read
                continue
            if name.lower() == "content-length":
                value = value.strip(" \t")
                length = int(value) if _INT.match(value) and abs(int(value)) < 2 ** 63 else None
        if length is None or length < 0:
            events.append(("invalid_header",))
            continue
        if malformed:
            events.append(("invalid_header",))
        if length > max_bytes:
            events.append(("too_large",))
            index += length
        elif length == 0:
            events.append(("message", b""))
        else:
            if index + length > count:
                events.append(("invalid_header",))  # a partial body at EOF: answered -32700
                return events
            events.append(("message", stream[index:index + length]))
            index += length
    if pending:
        events.append(("invalid_header",))  # headers without their blank line at EOF: answered -32700
    return events


# -- JSON-RPC ---------------------------------------------------------------------------------------

def parse_json(frame):
    """The value a strict RFC 8259 parser (UTF-8 only, depth <= 512) reads, or raises ValueError."""
    try:
        text = frame.decode("utf-8")
        value = strict_loads(text)
    except (UnicodeDecodeError, RecursionError) as error:
        raise ValueError(str(error)) from None
    if _depth(value) > MAX_DEPTH:
        raise ValueError("too deep")
    return value


def _depth(value):
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def _has_surrogate(text):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def _id_keys(value):
    """The ids an answer may carry for request id ``value``.

    A string id holding a lone surrogate (only expressible as a ``\\u`` escape) cannot be held by a
    Swift String, so the bridge answers it as unreadable (id null); test_bad_input.py pins that. The
    model also accepts the exact echo (what a bridge keeping raw id text would send).
    """
    if isinstance(value, str) and _has_surrogate(value):
        return {id_key(value), NULL}
    return {id_key(value)}


def _request_answer(value):
    """The answer one request object owes, or None for a valid notification."""
    if not isinstance(value, dict):
        return Expect({NULL}, {INVALID_REQUEST}, "not an object")
    has_id = "id" in value
    raw_id = value.get("id")
    if has_id and not (raw_id is None or isinstance(raw_id, (str, Decimal))):
        return Expect({NULL}, {INVALID_REQUEST}, "id of a wrong type")
    keys = _id_keys(raw_id) if has_id else {NULL}
    if value.get("jsonrpc") != "2.0":
        return Expect(keys, {INVALID_REQUEST}, "jsonrpc is not 2.0")
    if not isinstance(value.get("method"), str):
        return Expect(keys, {INVALID_REQUEST}, "method is not a string")
    if "params" in value and not isinstance(value["params"], (list, dict)):
        return Expect(keys, {INVALID_REQUEST}, "params is a primitive")
    if not has_id:
        return None
    if value["method"] not in KNOWN_METHODS:
        # An unreadable (lone-surrogate) id is an invalid request before its method is looked at.
        codes = {METHOD_NOT_FOUND, INVALID_REQUEST} if NULL in keys else {METHOD_NOT_FOUND}
        return Expect(keys, codes, "unknown method")
    return Expect(keys, None, "request")


def expected_answers(stream, mode="auto", max_bytes=16 << 20, at_start=True):
    """Every answer the bridge owes for ``stream``, flattened (batch answers count per element).

    Also returns the number of stdout messages (a batch answer is one message)."""
    answers = []
    messages = 0
    for event in frame_events(stream, mode, max_bytes, at_start):
        if event[0] == "too_large":
            answers.append(Expect({NULL}, {INVALID_REQUEST}, "message over the size limit"))
            messages += 1
            continue
        if event[0] == "invalid_header":
            answers.append(Expect({NULL}, {PARSE_ERROR}, "LSP header without a valid Content-Length"))
            messages += 1
            continue
        try:
            value = parse_json(event[1])
        except ValueError:
            answers.append(Expect({NULL}, {PARSE_ERROR}, "not JSON"))
            messages += 1
            continue
        if isinstance(value, list):
            if not value:
                answers.append(Expect({NULL}, {INVALID_REQUEST}, "empty batch"))
                messages += 1
                continue
            owed = [a for a in (_request_answer(item) for item in value) if a is not None]
            answers.extend(owed)
            messages += 1 if owed else 0
        else:
            owed = _request_answer(value)
            if owed is not None:
                answers.append(owed)
                messages += 1
    return answers, messages


def match(expected, responses):
    """Pairs answers with expectations; returns (unanswered expectations, unexpected responses).

    Exact ids first, then the few expectations that accept several ids, so the matching is unique
    whenever the test uses distinct ids."""
    by_key = {}
    loose = []
    for expect in expected:
        if len(expect.keys) == 1:
            by_key.setdefault(next(iter(expect.keys)), []).append(expect)
        else:
            loose.append(expect)
    unexpected = []
    leftovers = []
    for response in responses:
        candidates = by_key.get(id_key(response["id"]), [])
        hits = [i for i, e in enumerate(candidates) if e.accepts(response)]
        # With duplicate ids, an answer accepted by a specific expectation must not take the one that
        # accepts any outcome, which a later answer of that id may need.
        hit = min(hits, key=lambda i: candidates[i].codes is None) if hits else None
        if hit is None:
            leftovers.append(response)
        else:
            candidates.pop(hit)
    for response in leftovers:
        hit = next((i for i, e in enumerate(loose) if e.accepts(response)), None)
        if hit is None:
            unexpected.append(response)
        else:
            loose.pop(hit)
    unanswered = [e for group in by_key.values() for e in group] + loose
    return unanswered, unexpected
