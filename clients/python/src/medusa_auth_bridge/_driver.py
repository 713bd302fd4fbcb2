"""Finding the bridge binary, and nothing else (as Playwright's ``_driver.py`` finds its driver).

Order, first match wins:
1. the ``binary=`` argument;
2. the ``MEDUSA_AUTH_BRIDGE`` environment variable (set but missing is an error, never a fallback:
   a typo must not silently run another build);
3. the release, then the debug build of the source checkout holding this package (the first folder
   with ``Package.swift`` above this file or, for a copy pip installed from a checkout, above the
   folder pip installed it from, as recorded in PEP 610's ``direct_url.json``):
   ``.build/release`` and ``.build/debug``;
4. ``PATH``.
When nothing matches, BridgeNotFoundError lists every place tried and why it did not fit.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import List, Mapping, Optional, Sequence, Tuple, Union

from ._errors import BridgeNotFoundError

BINARY_NAME = "medusa-auth-bridge"
BINARY_ENV = "MEDUSA_AUTH_BRIDGE"
DISTRIBUTION_NAME = "medusa-auth-bridge"

_HERE = Path(__file__).resolve().parent

StrPath = Union[str, "os.PathLike[str]"]


def find_binary(
    binary: Optional[StrPath] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    search_from: Optional[Sequence[Path]] = None,
    path: Optional[str] = None,
) -> str:
    """The path of the bridge binary to run; raises BridgeNotFoundError naming every place searched.

    ``environ``, ``search_from`` (folders whose ancestors may be the checkout) and ``path`` (a PATH
    string) default to the real environment and this package's locations; tests pass their own.
    """
    env = os.environ if environ is None else environ
    searched: List[Tuple[str, str]] = []

    if binary is not None:
        found = _executable(Path(binary))
        if found:
            return found
        searched.append((f"binary={os.fspath(binary)!r}", _why_not(Path(binary))))
        raise BridgeNotFoundError(searched)

    from_env = env.get(BINARY_ENV)
    if from_env:
        found = _executable(Path(from_env))
        if found:
            return found
        searched.append((f"{BINARY_ENV}={from_env}", _why_not(Path(from_env))))
        raise BridgeNotFoundError(searched)
    searched.append((f"${BINARY_ENV}", "not set"))

    starts = list(search_from) if search_from is not None else [_HERE, *_pip_source()]
    checkout = next((c for c in map(find_checkout, starts) if c is not None), None)
    if checkout is None:
        above = " or ".join(str(start) for start in starts)
        searched.append((f"a source checkout above {above}", "no Package.swift found"))
    else:
        for configuration in ("release", "debug"):
            candidate = checkout / ".build" / configuration / BINARY_NAME
            found = _executable(candidate)
            if found:
                return found
            searched.append((str(candidate), _why_not(candidate)))

    search_path = env.get("PATH", os.defpath) if path is None else path
    found = shutil.which(BINARY_NAME, path=search_path)
    if found:
        return found
    searched.append((f"PATH ({search_path})", f"no executable named {BINARY_NAME}"))
    raise BridgeNotFoundError(searched)


def _pip_source() -> List[Path]:
    """The local folder pip installed this package from, if it recorded one (PEP 610)."""
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        text = distribution(DISTRIBUTION_NAME).read_text("direct_url.json")
    except (ImportError, PackageNotFoundError, OSError):
        return []
    try:
        url = json.loads(text or "null")["url"]
    except (ValueError, TypeError, KeyError):
        return []
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        return []
    return [Path(urllib.request.url2pathname(parsed.path))]


def find_checkout(start: Path) -> Optional[Path]:
    """The nearest folder at or above ``start`` that holds ``Package.swift``, if any."""
    for folder in (start, *start.parents):
        if (folder / "Package.swift").is_file():
            return folder
    return None


def _executable(candidate: Path) -> Optional[str]:
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    return None


def _why_not(candidate: Path) -> str:
    if not candidate.exists():
        return "does not exist"
    if not candidate.is_file():
        return "is not a file"
    return "is not executable"
