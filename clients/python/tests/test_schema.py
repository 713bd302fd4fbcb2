"""The client's methods against ``schema/openrpc.json``, the one source of truth; in-process.

Decision encoded here (the protocol leaves it to each client): ``initialize`` and
``$/cancelRequest`` are plumbing the client runs itself (the handshake; timeouts and task
cancellation), ``ping`` and ``rpc.discover`` are exposed as ``Bridge.ping()`` and
``Bridge.discover()``, ``session.list`` as ``Bridge.sessions()``, ``session.clear`` as
``Session.clear()``, and each ``auth.*`` method as a snake_case method of ``Auth``.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any, Dict, List, Set

import pytest

import support
from medusa_auth_bridge import (
    AsyncAuth,
    AsyncBridge,
    AsyncCustomerResource,
    AsyncSession,
    Auth,
    Bridge,
    CustomerResource,
    Session,
)
from medusa_auth_bridge._methods import REGISTRY, V2, Method

SYNC_CLASSES = {"Auth": Auth, "Session": Session, "Bridge": Bridge, "CustomerResource": CustomerResource}
ASYNC_CLASSES = {"Auth": AsyncAuth, "Session": AsyncSession, "Bridge": AsyncBridge, "CustomerResource": AsyncCustomerResource}

#: Public methods that are not bridge methods: process lifecycle, session lookup, conveniences.
NOT_WIRE = {
    "Bridge": {"close", "session"},
    "AsyncBridge": {"close", "session", "start"},
    "Auth": {"email_exists"},
    "AsyncAuth": {"email_exists"},
}

#: The client's spelling of a wire param.
CLIENT_NAME = {"customHeaders": "headers"}


@pytest.fixture(scope="module")
def schema() -> Dict[str, Any]:
    return json.loads(support.SCHEMA.read_text())


def schema_params(schema: Dict[str, Any], method: Dict[str, Any]) -> List[str]:
    names = []
    for param in method["params"]:
        if "$ref" in param:
            param = schema["components"]["contentDescriptors"][param["$ref"].rsplit("/", 1)[1]]
        names.append(param["name"])
    return names


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def public_methods(cls: type) -> Set[str]:
    return {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))}


def test_every_schema_method_is_in_the_registry_and_nothing_extra(schema: Dict[str, Any]) -> None:
    in_schema = {m["name"] for m in schema["methods"]}
    registry = {m.wire for m in REGISTRY}
    v2 = {m.wire for m in V2}
    assert in_schema <= registry
    # The Medusa v2 methods come with the bridge's v2 schema (issue 10): all of them or none yet.
    assert registry - in_schema in (set(), v2)


def test_the_registry_sends_exactly_the_params_the_schema_declares(schema: Dict[str, Any]) -> None:
    registry = {m.wire: m for m in REGISTRY}
    for method in schema["methods"]:
        assert sorted(registry[method["name"]].params) == sorted(schema_params(schema, method)), method["name"]


@pytest.mark.parametrize("method", [m for m in REGISTRY if m.surface != "internal"], ids=lambda m: m.wire)
def test_each_exposed_method_exists_on_both_apis_with_the_schemas_params(method: Method) -> None:
    owner, name = method.surface.split(".")
    # A session's name is bound by the Session object; every call also takes a client-side timeout.
    expected = [CLIENT_NAME.get(p, snake(p)) for p in method.params if p not in ("session", "customHeaders")]
    expected += ["headers", "timeout"] if method.scoped else ["timeout"]
    for classes, is_async in ((SYNC_CLASSES, False), (ASYNC_CLASSES, True)):
        function = getattr(classes[owner], name)
        assert inspect.iscoroutinefunction(function) is is_async, f"{classes[owner].__name__}.{name}"
        params = list(inspect.signature(function).parameters)[1:]
        assert params == expected, f"{classes[owner].__name__}.{name}"


@pytest.mark.parametrize("owner", ["Auth", "Session", "Bridge", "CustomerResource"])
def test_the_apis_expose_no_method_the_registry_lacks(owner: str) -> None:
    surfaced = {m.surface.split(".")[1] for m in REGISTRY if m.surface.startswith(owner + ".")}
    for cls in (SYNC_CLASSES[owner], ASYNC_CLASSES[owner]):
        assert public_methods(cls) - NOT_WIRE.get(cls.__name__, set()) == surfaced, cls.__name__


def test_plumbing_methods_are_internal(schema: Dict[str, Any]) -> None:
    internal = {m.wire for m in REGISTRY if m.surface == "internal"}
    assert internal == {"initialize", "$/cancelRequest"}
    notifications = {m["name"] for m in schema["methods"] if m.get("x-notification")}
    assert notifications <= internal
