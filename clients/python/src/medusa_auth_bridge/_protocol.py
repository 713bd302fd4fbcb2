"""Wire format only: encoding requests, splitting the byte stream into lines, reading responses.

No I/O and no Medusa here, so every rule is testable in-process. The bridge speaks
newline-delimited JSON-RPC 2.0 (https://www.jsonrpc.org/specification): one compact JSON text
per line, ``\\n``-terminated, both ways.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Union, cast

from ._errors import BridgeError, BridgeVersionError
from ._version import __version__

JSONRPC_VERSION = "2.0"

#: The protocol version this client was built for; ``initialize`` refuses any other.
PROTOCOL_VERSION = "1.0"

#: LSP 3.17's cancellation notification, which the bridge honours with a -32800 answer.
CANCEL_METHOD = "$/cancelRequest"

CLIENT_NAME = "medusa-auth-bridge-python"

RequestId = Union[int, str]


def encode(message: Mapping[str, Any]) -> bytes:
    """One message as one line.

    ``ensure_ascii`` escapes every non-ASCII character, U+2028 and U+0085 included, so no reader,
    however it splits lines, can cut a message in two; ``allow_nan=False`` because NaN is not JSON.
    """
    text = json.dumps(message, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.encode("ascii") + b"\n"


def request(request_id: RequestId, method: str, params: Optional[Mapping[str, Any]]) -> bytes:
    message: Dict[str, Any] = {"jsonrpc": JSONRPC_VERSION, "id": request_id, "method": method}
    if params is not None:
        message["params"] = params
    return encode(message)


def cancel_notification(request_id: RequestId) -> bytes:
    """``$/cancelRequest``: a notification, so it has no ``id`` member (JSON-RPC 2.0 section 4.1)."""
    return encode({"jsonrpc": JSONRPC_VERSION, "method": CANCEL_METHOD, "params": {"id": request_id}})


class LineSplitter:
    """Cuts a byte stream into lines at the ``\\n`` byte and nowhere else.

    Never ``str.splitlines()`` (it also splits at U+2028, U+0085, ...) and never per-chunk UTF-8
    decoding (a chunk may end inside a character). No length limit, unlike asyncio's 64 KiB
    ``readline``; the search resumes where the last one stopped, so a long line costs linear time.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._scanned = 0  # bytes of _buffer already known to hold no b"\n"

    def feed(self, chunk: bytes) -> List[bytes]:
        self._buffer += chunk
        lines: List[bytes] = []
        start = 0
        search_from = self._scanned
        while True:
            end = self._buffer.find(b"\n", search_from)
            if end < 0:
                break
            lines.append(bytes(self._buffer[start:end]))
            start = search_from = end + 1
        if start:
            del self._buffer[:start]
        self._scanned = len(self._buffer)
        return lines

    @property
    def pending(self) -> int:
        """Bytes received after the last newline (a line still being written)."""
        return len(self._buffer)


def decode(line: bytes) -> Optional[Any]:
    """Parse one line; None for a blank line. Raises ValueError on anything that is not JSON.

    A trailing ``\\r`` is JSON whitespace, so CRLF lines parse as they are.
    """
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except RecursionError:
        # Nested deeper than Python's stack allows: garbage like any other line, not the end of
        # the reader that met it (which would fail every call while the bridge is alive).
        raise ValueError("JSON nested too deeply to read") from None


class Response:
    """The parts of a JSON-RPC response the connection needs: which call, and its outcome.

    ``error`` is the raw error object: the connection turns it into an exception that names the
    call's method and session.
    """

    __slots__ = ("id", "result", "error")

    def __init__(self, request_id: Any, result: Any, error: Any) -> None:
        self.id = request_id
        self.result = result
        self.error = error


def as_response(message: Any) -> Optional[Response]:
    """A response to one of our requests, or None for anything else (requests, batches, junk).

    The bridge never sends us requests; a response without our id (``"id": null`` after a parse
    error) cannot be matched to a call, so it is treated as unmatched too.
    """
    if not isinstance(message, dict) or "id" not in message:
        return None
    if "error" in message:
        return Response(message["id"], None, message["error"])
    if "result" in message:
        return Response(message["id"], message["result"], None)
    return None


def initialize_params() -> Dict[str, Any]:
    return {
        "protocolVersion": PROTOCOL_VERSION,
        "clientInfo": {"name": CLIENT_NAME, "version": __version__},
    }


def check_initialize_result(result: Any) -> Dict[str, Any]:
    """Accept the bridge's ``initialize`` result only if it names our protocol version."""
    spoken = result.get("protocolVersion") if isinstance(result, dict) else None
    if spoken != PROTOCOL_VERSION:
        raise BridgeVersionError(PROTOCOL_VERSION, bridge_version=spoken, data=result)
    return cast(Dict[str, Any], result)


def version_error(error: BridgeError) -> Optional[BridgeVersionError]:
    """The bridge's -32602 answer to ``initialize`` with ``data.supported``, as BridgeVersionError."""
    data = error.data
    if error.code == -32602 and isinstance(data, dict) and isinstance(data.get("supported"), list):
        return BridgeVersionError(
            PROTOCOL_VERSION, supported=[str(v) for v in data["supported"]], code=error.code, data=data
        )
    return None
