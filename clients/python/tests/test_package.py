"""The package as installed users meet it: import cost, public names, standalone docs; in-process and fresh interpreters.

Real processes: fresh ``python3`` interpreters, to see what ``import medusa_auth_bridge`` loads
(a timing assert would be flaky; the modules loaded are what costs the time).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import medusa_auth_bridge
import support

#: Modules the package needs only once a bridge starts; importing it must not load them.
HEAVY = ("subprocess", "asyncio", "json", "threading", "concurrent.futures", "ctypes", "urllib.request", "logging")


def test_importing_the_package_loads_none_of_the_modules_it_needs_only_to_run_a_bridge() -> None:
    probe = (
        "import sys; before = set(sys.modules); import medusa_auth_bridge; "
        "loaded = sorted(set(sys.modules) - before); print(' '.join(loaded))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", probe],
        env={"PYTHONPATH": str(support.PACKAGE_ROOT / "src")},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    loaded = set(out.split())
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "medusa_auth_bridge._api" not in loaded and "medusa_auth_bridge._errors" not in loaded


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in medusa_auth_bridge.__all__:
        assert getattr(medusa_auth_bridge, name) is not None, name
    assert set(medusa_auth_bridge.__all__) <= set(dir(medusa_auth_bridge))
    with pytest.raises(AttributeError):
        medusa_auth_bridge.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


#: Documents that exist only outside the repository; nothing users receive may point at them.
# Spelled in pieces so that this file is not itself a reference to what it looks for.
OUTSIDE = re.compile("|".join(re.escape(part) for part in (
    "../" + "shared", "/work/" + "shared", "medusa-store-" + "auth.md", "medusa-v2-" + "auth.md",
    "STDIO-" + "NOTES.md", "STYLE" + ".md", "CONTRACT" + ".md",
)))


def test_no_file_of_the_python_client_refers_to_documents_outside_the_repository() -> None:
    offenders = [
        str(path.relative_to(support.PACKAGE_ROOT))
        for path in support.PACKAGE_ROOT.rglob("*")
        if path.is_file()
        and path.suffix in (".py", ".md", ".toml", ".txt", ".cfg")
        and "build" not in path.parts
        and path.name != "test_package.py"
        and OUTSIDE.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_the_readme_starts_with_the_install_line_a_user_types() -> None:
    text = (support.PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    first_code = re.search(r"```(?:sh|console|bash)?\n(.*?)```", text, re.S)
    assert first_code is not None and first_code.group(1).strip().splitlines()[0].startswith("pip install ")
    assert text.index(first_code.group(0)) < text.index("## ")
