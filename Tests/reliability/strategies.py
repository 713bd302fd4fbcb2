"""Hypothesis strategies for hostile client input: messages with wrong types in every field, deep
nesting, huge numbers, lone surrogates, invalid UTF-8, NUL bytes, CRLF, partial lines, over-long
lines, big batches, duplicate ids and framing switches.

Generated messages hold ``ID`` placeholders; ``Streams.render`` replaces each with a fresh id in a
random form (integer, string, decimal, exponent, huge integer), so every id in a run is unique and
the answers can be matched exactly. ``DUPLICATE`` placeholders reuse the previous id on purpose.
"""

import json

from hypothesis import strategies as st

from model import KNOWN_METHODS


class _Placeholder:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


ID = _Placeholder("ID")
DUPLICATE = _Placeholder("DUPLICATE")

# A few names every auth.* method reads, plus members no method accepts.
PARAM_NAMES = ["email", "password", "session", "customHeaders", "id", "protocolVersion", "clientInfo",
               "payload", "x", ""]
NETWORK_FREE = ["ping", "session.list", "initialize", "rpc.discover", "$/cancelRequest", "session.clear"]

scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["\u2028", "\u2029", "\u0085", "\x00", "a\nb", "\r\n", "\ufeff", "é", "😀", "oli@test.dk"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(PARAM_NAMES) | st.text(max_size=6), children,
                                               max_size=4)),
    max_leaves=12)

methods = st.one_of(st.sampled_from(sorted(KNOWN_METHODS)), st.sampled_from(NETWORK_FREE),
                    st.text(max_size=12), st.just("rpc.other"))


@st.composite
def params(draw):
    """By-name params with a random JSON type in each field, or by-position ones, or a primitive."""
    kind = draw(st.integers(0, 9))
    if kind <= 5:
        names = draw(st.lists(st.sampled_from(PARAM_NAMES), max_size=4, unique=True))
        return {name: draw(json_values) for name in names}
    if kind <= 7:
        return draw(st.lists(json_values, max_size=3))
    return draw(scalars)


@st.composite
def request_objects(draw):
    """A request or notification with each member kept, dropped or given a wrong type."""
    message = {}
    if draw(st.integers(0, 9)) > 0:
        message["jsonrpc"] = "2.0" if draw(st.integers(0, 6)) > 0 else draw(json_values)
    id_choice = draw(st.integers(0, 12))
    if id_choice <= 7:
        message["id"] = ID
    elif id_choice == 8:
        message["id"] = DUPLICATE
    elif id_choice == 9:
        message["id"] = draw(st.one_of(st.booleans(), st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=3), scalars, max_size=2)))
    elif id_choice == 10:
        message["id"] = None
    # 11, 12: no id (a notification when the rest is valid)
    if draw(st.integers(0, 9)) > 0:
        message["method"] = draw(methods) if draw(st.integers(0, 6)) > 0 else draw(json_values)
    if draw(st.booleans()):
        message["params"] = draw(params())
    order = draw(st.permutations(list(message)))
    return {key: message[key] for key in order}


@st.composite
def batches(draw):
    size = draw(st.sampled_from([0, 1, 2, 3, 5, 8, 1000, 2500]))
    if size > 100:
        # Thousands of cheap requests (one frame), with a sprinkle of notifications.
        return [{"jsonrpc": "2.0", "id": ID, "method": "ping"} if i % 7 else {"jsonrpc": "2.0", "method": "ping"}
                for i in range(size)]
    return draw(st.lists(st.one_of(request_objects(), scalars), min_size=size, max_size=size))


def _deep(depth, open_, close):
    return open_ * depth + close * depth


raw_frames = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([
        b"\x00", b"{\x00}", b'{"jsonrpc":"2.0","id":1\x00,"method":"ping"}', b"\xff\xfe", b"\xc0\xaf",
        b'"\xed\xa0\x80"', b'{"jsonrpc":"2.0","method":"\xf0\x28\x8c\x28"}', b"NaN", b"Infinity", b"[1,]",
        b'{"a":1,}', b"01", b"1.", b"-", b"1e", b'"\\x"', b'"\\u12"', b"tru", b"nul", b"\xef\xbb\xbf{}",
        b"\x0c{}", b'{"jsonrpc":"2.0","method":"ping","params":"\\ud800"}',
        b'{"jsonrpc":"2.0","method":"\\udc00\\ud800"}', b"[" * 100000, b"{" * 3,
    ]),
    st.sampled_from([510, 511, 512, 513, 600, 5000]).map(lambda d: _deep(d, b"[", b"]")),
    st.sampled_from([511, 512, 513]).map(lambda d: b'{"a":' * d + b"1" + b"}" * d),
    st.sampled_from(["1" * 400, "-" + "9" * 5000, "1e999999", "-1E-999999", "0." + "0" * 1000 + "1",
                     "123456789012345678901234567890"]).map(lambda n: b"[" + n.encode() + b"]"),
)


@st.composite
def frames(draw):
    """One message's bytes, possibly mutated: ("json", value) or ("raw", bytes)."""
    kind = draw(st.integers(0, 19))
    if kind <= 10:
        return ("json", draw(request_objects()))
    if kind <= 13:
        return ("json", draw(batches()))
    if kind <= 16:
        return ("raw", draw(raw_frames))
    return ("mutated", draw(request_objects()), draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1, max_size=3)))


ID_FORMS = ("int", "string", "decimal", "exponent", "huge", "negative", "numeric-string")


class Streams:
    """Renders frames to bytes with fresh ids, remembering nothing but the counter."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.counter = 0
        self.last = None

    def fresh_id(self, form):
        self.counter += 1
        n = self.counter
        literal = {
            "int": str(n),
            "string": json.dumps("%s-%d" % (self.prefix, n)),
            "decimal": "%d.5" % n,
            "exponent": "%de3" % n,
            "huge": "%d%030d" % (n, 7),
            "negative": "-%d" % n,
            "numeric-string": json.dumps(str(n)),
        }[form]
        self.last = literal
        return literal

    def render(self, value, forms, ensure_ascii=True):
        """JSON text for a generated value; ids drawn in turn from ``forms``."""
        form_iter = iter(forms * (1 + 1_000_000 // max(1, len(forms))))

        def encode(item):
            if item is ID or (item is DUPLICATE and self.last is None):
                return self.fresh_id(next(form_iter))
            if item is DUPLICATE:
                return self.last
            if isinstance(item, dict):
                return "{" + ",".join(json.dumps(k, ensure_ascii=ensure_ascii) + ":" + encode(v) for k, v in item.items()) + "}"
            if isinstance(item, list):
                return "[" + ",".join(encode(v) for v in item) + "]"
            if isinstance(item, float) and item == int(item) and abs(item) < 1e16:
                return repr(item)
            return json.dumps(item, ensure_ascii=ensure_ascii)

        return encode(value).encode("utf-8", "surrogatepass")

    def frame_bytes(self, frame, forms, ensure_ascii):
        if frame[0] == "raw":
            return frame[1]
        data = self.render(frame[1], forms, ensure_ascii)
        if frame[0] == "mutated":
            data = bytearray(data)
            for op, position, byte in frame[2]:
                at = position % (len(data) + 1)
                if op == 0:
                    data.insert(at, byte)
                elif op == 1 and data:
                    del data[at % len(data)]
                elif op == 2 and data:
                    data[at % len(data)] = byte
                else:
                    del data[at:]
            data = bytes(data)
        return data


separators = st.sampled_from([b"\n", b"\n", b"\n", b"\r\n", b"\n\n", b" \t\n", b"\r\n\r\n", b"\n   \n"])
