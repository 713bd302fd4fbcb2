"""The sync API is generated from the asyncio one and must be current; in-process.

``_sync_resources.py`` is written by ``tools/generate_sync.py`` from ``_async_resources.py``; this
test renders it again and compares, so an edit of either file alone fails here.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from types import ModuleType

import support
from medusa_auth_bridge import _async_resources, _sync_resources

GENERATOR = support.PACKAGE_ROOT / "tools" / "generate_sync.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sync", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_sync"] = module
    spec.loader.exec_module(module)
    return module


def test_the_generated_sync_api_is_current() -> None:
    generator = load_generator()
    assert generator.TARGET.read_text(encoding="utf-8") == generator.render(), (
        "clients/python/src/medusa_auth_bridge/_sync_resources.py is stale: run "
        "python3 clients/python/tools/generate_sync.py"
    )


def test_every_async_method_has_a_sync_twin_with_the_same_parameters_and_docstring() -> None:
    for name, async_cls in vars(_async_resources).items():
        if not (inspect.isclass(async_cls) and name.startswith("Async") and async_cls.__module__ in ("medusa_auth_bridge", _async_resources.__name__)):
            continue
        sync_cls = getattr(_sync_resources, name[len("Async"):])
        for member, function in vars(async_cls).items():
            if not inspect.iscoroutinefunction(function):
                continue
            twin = getattr(sync_cls, member)
            assert not inspect.iscoroutinefunction(twin), f"{sync_cls.__name__}.{member}"
            assert list(inspect.signature(twin).parameters) == list(inspect.signature(function).parameters)
            assert inspect.getdoc(twin) == inspect.getdoc(function)
