"""Helpers for tests that talk to an emulator: one-shot HTTP calls and the control API.

Usable by any Python test suite (put scripts/emulator on sys.path):
    from .testkit import Control, call
    control = Control(emulator.url)
    control.add_fault(method="GET", path="/store/auth", status=503, times=2)
    control.clock(advance=86400)              # every token issued a day ago has now expired
    control.reset_token("oli@test.dk")        # v2: the token of the last password-reset event
"""

import http.client
import json
import ssl
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union
from urllib.parse import urlsplit

# Every call is bounded: a hung emulator fails the test instead of hanging it.
CALL_TIMEOUT_SECONDS = 10.0


class Result:
    """One HTTP answer: status, header pairs in wire order, body bytes."""

    def __init__(self, status: int, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> Optional[str]:
        values = self.all(name)
        return values[0] if values else None

    def all(self, name: str) -> List[str]:
        lowered = name.lower()
        return [v for k, v in self.headers if k.lower() == lowered]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def cookie(self) -> Optional[str]:
        """``connect.sid=...`` from Set-Cookie, ready for a Cookie header, or None."""
        value = self.header("Set-Cookie")
        return value.split(";", 1)[0] if value else None

    def __repr__(self) -> str:
        return "Result(%d, %r, %r)" % (self.status, self.headers, self.body[:200])


def connect(base_url: str, timeout: float = CALL_TIMEOUT_SECONDS) -> http.client.HTTPConnection:
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def request(connection: http.client.HTTPConnection, method: str, path: str,
            body: Union[str, bytes, None] = None, headers: Optional[Mapping[str, str]] = None,
            json_body: Any = None) -> Result:
    """Send one request on ``connection`` (keep-alive is kept) and read the whole answer."""
    sent = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body)
        sent.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    return Result(response.status, response.getheaders(), response.read())


def call(base_url: str, method: str, path: str, body: Union[str, bytes, None] = None,
         headers: Optional[Mapping[str, str]] = None, json_body: Any = None) -> Result:
    """One request on a fresh connection, closed afterwards."""
    connection = connect(base_url)
    try:
        return request(connection, method, path, body, headers, json_body)
    finally:
        connection.close()


class Control:
    """The emulator's /__emulator/ API."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        result = call(self.url, method, "/__emulator/" + path,
                      json_body=body if body is not None else None)
        if result.status != 200:
            raise AssertionError("control %s %s -> %d %s" % (method, path, result.status, result.text))
        return result.json()

    def requests(self) -> List[Dict[str, Any]]:
        return self._call("GET", "requests")["requests"]

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def add_fault(self, **spec: Any) -> List[Dict[str, Any]]:
        return self._call("POST", "faults", spec)["faults"]

    def faults(self) -> List[Dict[str, Any]]:
        return self._call("GET", "faults")["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def reset(self) -> None:
        self._call("POST", "reset")

    def customers(self) -> List[Dict[str, Any]]:
        return self._call("GET", "customers")["customers"]

    def create_customer(self, email: str, password: Optional[str] = None,
                        has_account: bool = True, **extra: Any) -> Dict[str, Any]:
        body = dict(extra, email=email, password=password, has_account=has_account)
        return self._call("POST", "customers", body)["customer"]

    def delete_customer(self, customer_id: str) -> Dict[str, Any]:
        return self._call("DELETE", "customers/" + customer_id)

    def jwt(self, **body: Any) -> str:
        return self._call("POST", "jwt", body)["token"]

    def sessions(self) -> Dict[str, Dict[str, Any]]:
        return self._call("GET", "sessions")["sessions"]

    def clock(self, advance: Optional[float] = None, offset: Optional[float] = None
              ) -> Dict[str, float]:
        """Read the clock, or move it: ``advance`` seconds on, or to ``offset`` from real time."""
        if advance is None and offset is None:
            return self._call("GET", "clock")
        body = {"advance": advance} if advance is not None else {"offset": offset}
        return self._call("POST", "clock", body)

    def events(self, name: Optional[str] = None) -> List[Dict[str, Any]]:
        return self._call("GET", "events" + ("/" + name if name else ""))["events"]

    def reset_token(self, email: str) -> Optional[str]:
        """The token of the latest ``auth.password_reset`` event for ``email`` (v2), or None."""
        tokens = [e["data"]["token"] for e in self.events("auth.password_reset")
                  if e["data"]["entity_id"] == email]
        return tokens[-1] if tokens else None

    def identities(self) -> List[Dict[str, Any]]:
        return self._call("GET", "identities")["identities"]

    def publishable_keys(self) -> List[Dict[str, Any]]:
        return self._call("GET", "publishable-keys")["publishable_keys"]

    def add_publishable_key(self, title: str = "Emulator key", token: Optional[str] = None
                            ) -> Dict[str, Any]:
        body = {"title": title} if token is None else {"title": title, "token": token}
        return self._call("POST", "publishable-keys", body)["publishable_key"]

    def revoke_publishable_key(self, token: str) -> Dict[str, Any]:
        return self._call("DELETE", "publishable-keys/" + token)["publishable_key"]

    def add_oauth_code(self, provider: str, code: str, profile: Mapping[str, Any]
                       ) -> Dict[str, Any]:
        return self._call("POST", "oauth-codes", {"provider": provider, "code": code,
                                                  "profile": profile})["oauth_codes"]
