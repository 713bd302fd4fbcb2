"""pytest fixtures: a Medusa emulator and a bridge connected to it, one of each per test.

Registered by the package's ``pytest11`` entry point, so installing ``medusa-auth-bridge`` is all
a suite needs (as moto's or pytest-httpserver's fixtures): no conftest, no checkout.

========================  ====================================================================
``medusa_emulator``       a fresh in-process emulator (Medusa v1 unless marked), stopped after
                          the test; ``.url``, ``.publishable_key``, ``.control`` (faults,
                          recorded requests, clock, reset; see ``Control``)
``medusa_emulator_v2``    the same, Medusa v2 (``/auth/*``, ``/store/customers*``)
``medusa_bridge``         a ``medusa_auth_bridge.Bridge`` on ``medusa_emulator``, closed after
                          the test (a v2 emulator's publishable key is configured for it)
``medusa_bridge_v2``      a ``Bridge`` on ``medusa_emulator_v2`` with its publishable key
========================  ====================================================================

Options, by marker: ``@pytest.mark.medusa_emulator(medusa_version=2, jwt_expires_in=60, ...)``
passes ``start_emulator`` arguments to both emulator fixtures (``medusa_emulator_v2`` is always
v2); ``@pytest.mark.medusa_bridge(auth_type="session", http_timeout=5, ...)`` passes ``Bridge``
options to both bridge fixtures. The bridge binary is found as ``Bridge`` finds it (its
``binary`` option, ``$MEDUSA_AUTH_BRIDGE``, the packaged binary, ...).

Loading this plugin imports neither the emulator nor the client and starts nothing: both are
imported inside the fixtures, so suites that use none of them pay nothing. Disable it with
``-p no:medusa_auth_bridge``.
"""

from typing import TYPE_CHECKING, Any, Dict, Iterator

import pytest

if TYPE_CHECKING:
    from .. import Bridge
    from ._emulator.runner import Emulator

_EMULATOR_MARKER = "medusa_emulator"
_BRIDGE_MARKER = "medusa_bridge"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "%s(**options): start_emulator() options for the medusa_emulator fixtures "
        "(medusa_version=2, jwt_expires_in=..., production=..., ...)" % _EMULATOR_MARKER)
    config.addinivalue_line(
        "markers", "%s(**options): Bridge() options for the medusa_bridge fixtures "
        "(auth_type=..., http_timeout=..., binary=..., ...)" % _BRIDGE_MARKER)


def _marker_options(request: pytest.FixtureRequest, name: str) -> Dict[str, Any]:
    """The keyword arguments of the closest ``name`` marker (test, then class, then module)."""
    marker = request.node.get_closest_marker(name)
    if marker is None:
        return {}
    if marker.args:
        raise TypeError("@pytest.mark.%s takes keyword arguments only" % name)
    return dict(marker.kwargs)


def _emulator(request: pytest.FixtureRequest, **forced: Any) -> Iterator["Emulator"]:
    from ._emulator.runner import start_emulator

    options = _marker_options(request, _EMULATOR_MARKER)
    options.update(forced)
    emulator = start_emulator(**options)
    try:
        yield emulator
    finally:
        emulator.stop()


def _bridge(request: pytest.FixtureRequest, emulator: "Emulator") -> Iterator["Bridge"]:
    from .. import Bridge

    options: Dict[str, Any] = {"base_url": emulator.url}
    if emulator.publishable_key is not None:
        options["publishable_api_key"] = emulator.publishable_key
    options.update(_marker_options(request, _BRIDGE_MARKER))
    bridge = Bridge(**options)
    try:
        yield bridge
    finally:
        bridge.close()


@pytest.fixture
def medusa_emulator(request: pytest.FixtureRequest) -> Iterator["Emulator"]:
    """A Medusa emulator for this test: v1 unless ``@pytest.mark.medusa_emulator(medusa_version=2)``."""
    yield from _emulator(request)


@pytest.fixture
def medusa_emulator_v2(request: pytest.FixtureRequest) -> Iterator["Emulator"]:
    """A Medusa v2 emulator for this test (seeded customers, publishable key, OAuth stubs)."""
    yield from _emulator(request, medusa_version=2)


@pytest.fixture
def medusa_bridge(request: pytest.FixtureRequest,
                  medusa_emulator: "Emulator") -> Iterator["Bridge"]:
    """A ``Bridge`` connected to ``medusa_emulator``; closed after the test."""
    yield from _bridge(request, medusa_emulator)


@pytest.fixture
def medusa_bridge_v2(request: pytest.FixtureRequest,
                     medusa_emulator_v2: "Emulator") -> Iterator["Bridge"]:
    """A ``Bridge`` connected to ``medusa_emulator_v2``, with its publishable key; closed after."""
    yield from _bridge(request, medusa_emulator_v2)
