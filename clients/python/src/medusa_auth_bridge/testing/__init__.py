"""A Medusa backend for tests: the emulator, its control API, and a pytest plugin.

The emulator answers Medusa's customer auth routes as Medusa does, v1 (``/store/auth``, the
default) or v2 (``/auth/*`` and ``/store/customers*``, ``medusa_version=2``), with seeded
customers, fault injection, a request log and a clock a test can move::

    from medusa_auth_bridge.testing import start_emulator

    with start_emulator(medusa_version=2) as medusa:
        medusa.url, medusa.publishable_key, medusa.control.reset()

From a shell: ``medusa-emulator --medusa-version 2`` (one JSON line with the URL on stdout).
With pytest the fixtures ``medusa_emulator``, ``medusa_emulator_v2``, ``medusa_bridge`` and
``medusa_bridge_v2`` are available once the package is installed (see ``pytest_plugin``).

Importing this module starts nothing and imports nothing of the emulator: each name below is
loaded on first use (PEP 562).
"""

from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from ._emulator.runner import Emulator, main, start_emulator
    from ._emulator.testkit import Control, Result, call
    from ._emulator.v2_data import SEED_PUBLISHABLE_KEY

_EXPORTS = {
    "Emulator": "runner",
    "start_emulator": "runner",
    "main": "runner",
    "Control": "testkit",
    "Result": "testkit",
    "call": "testkit",
    "SEED_PUBLISHABLE_KEY": "v2_data",
}

__all__ = ["Control", "Emulator", "Result", "SEED_PUBLISHABLE_KEY", "call", "main",
           "start_emulator"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    import importlib

    value = getattr(importlib.import_module("._emulator." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(list(globals()) + __all__)
