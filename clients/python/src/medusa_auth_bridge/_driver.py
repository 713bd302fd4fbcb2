"""Finding the bridge binary, and nothing else (as Playwright's ``_driver.py`` finds its driver).

Order, first match wins (``clients/PARITY.md``, "Binary discovery"):
1. the ``binary=`` argument;
2. the ``MEDUSA_AUTH_BRIDGE`` environment variable (set but missing is an error, never a fallback:
   a typo must not silently run another build);
3. the packaged binary, ``medusa_auth_bridge/bin/medusa-auth-bridge``, which the platform wheel
   holds (``scripts/package``);
4. the release, then the debug build of the source checkout holding this package (the first folder
   with ``Package.swift`` above this file or, for a copy pip installed from a checkout, above the
   folder pip installed it from, as recorded in PEP 610's ``direct_url.json``);
5. ``PATH``.
When nothing matches, BridgeNotFoundError lists every place tried, why it did not fit, and how to
get a binary.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

from ._elf import why_it_cannot_run
from ._errors import BridgeNotFoundError, BridgeStartError
from ._options import StrPath

BINARY_NAME = "medusa-auth-bridge"
BINARY_ENV = "MEDUSA_AUTH_BRIDGE"
DISTRIBUTION_NAME = "medusa-auth-bridge"

_HERE = Path(__file__).resolve().parent

#: Where the platform wheel puts the binary, and the list of shared libraries it still loads
#: from the system (one soname a line, written by ``scripts/package`` from the ELF's DT_NEEDED,
#: plus libcurl.so.4, which the binary loads with dlopen).
PACKAGED_BINARY = _HERE / "bin" / BINARY_NAME
PACKAGED_NEEDS = _HERE / "bin" / "NEEDED"

#: The oldest glibc the packaged binary runs on (``2.35``), beside it in the wheel and in the npm
#: platform package: ``scripts/package`` reads it from the binary's GLIBC_ symbol versions.
GLIBC_FILE = "GLIBC"
#: What the search says of a packaged binary that is there but cannot be run (same in Node).
NOT_EXECUTABLE = "exists but is not executable (chmod +x it or reinstall)"

#: The package that provides each library the packaged binary may need, for the error message.
_PROVIDERS = {
    "libstdc++.so.6": "Debian/Ubuntu: libstdc++6; Fedora/RHEL: libstdc++",
    "libgcc_s.so.1": "Debian/Ubuntu: libgcc-s1; Fedora/RHEL: libgcc",
    "libcurl.so.4": "Debian/Ubuntu: libcurl4 (libcurl4t64 on Debian 13 and Ubuntu 24.04); Fedora/RHEL: libcurl",
    "libxml2.so.2": "Debian/Ubuntu: libxml2; Fedora/RHEL: libxml2",
    "libz.so.1": "Debian/Ubuntu: zlib1g; Fedora/RHEL: zlib",
}


def find_binary(
    binary: Optional[StrPath] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    packaged: Optional[Path] = None,
    search_from: Optional[Sequence[Path]] = None,
    path: Optional[str] = None,
) -> str:
    """The path of the bridge binary to run; raises BridgeNotFoundError naming every place searched.

    ``environ``, ``packaged``, ``search_from`` (folders whose ancestors may be the checkout) and
    ``path`` (a PATH string) default to the real environment and this package's locations; tests
    pass their own.
    """
    env = os.environ if environ is None else environ
    searched: List[str] = []

    if binary is not None:
        found = _executable(Path(binary))
        if found:
            return found
        searched.append(f"binary={os.fspath(binary)!r}: {_why_not(Path(binary))}")
        raise BridgeNotFoundError(_not_found_message(searched, None, explicit=True), searched)

    from_env = env.get(BINARY_ENV)
    if from_env:
        found = _executable(Path(from_env))
        if found:
            return found
        searched.append(f"{BINARY_ENV}={from_env}: {_why_not(Path(from_env))}")
        raise BridgeNotFoundError(_not_found_message(searched, None, explicit=True), searched)
    searched.append(f"${BINARY_ENV}: not set")

    bundled = PACKAGED_BINARY if packaged is None else packaged
    found = _executable(bundled)
    if found:
        return found
    # There but without its exec bit: the wheel's install is damaged, and the advice is to repair it.
    broken = bundled if bundled.is_file() else None
    if broken is not None:
        why = NOT_EXECUTABLE
    elif bundled.exists():
        why = _why_not(bundled)
    else:
        why = "does not exist (this install is not a platform wheel)"
    searched.append(f"the packaged binary {bundled}: {why}")

    starts = list(search_from) if search_from is not None else [_HERE, *_pip_source()]
    checkout = next((c for c in map(find_checkout, starts) if c is not None), None)
    if checkout is None:
        above = " or ".join(str(start) for start in starts)
        searched.append(f"a source checkout above {above}: no Package.swift found")
    else:
        for configuration in ("release", "debug"):
            candidate = checkout / ".build" / configuration / BINARY_NAME
            found = _executable(candidate)
            if found:
                return found
            searched.append(f"{candidate}: {_why_not(candidate)}")

    search_path = env.get("PATH", os.defpath) if path is None else path
    found = shutil.which(BINARY_NAME, path=search_path)
    if found:
        return found
    searched.append(f"PATH ({search_path}): no executable named {BINARY_NAME}")
    raise BridgeNotFoundError(_not_found_message(searched, checkout, explicit=False, broken=broken), searched)


def _not_found_message(
    searched: List[str], checkout: Optional[Path], *, explicit: bool, broken: Optional[Path] = None
) -> str:
    lines = "\n".join(f"  - {place}" for place in searched)
    if explicit:
        advice = "Point it at an executable medusa-auth-bridge, or leave it unset to search the usual places."
    elif broken is not None:
        advice = f"To get a binary: make {broken} executable (chmod +x) or reinstall the medusa-auth-bridge wheel."
    else:
        advice = (
            "To get a binary: install the platform wheel of medusa-auth-bridge, which holds it "
            "(`pip install medusa_auth_bridge-<version>-<platform>.whl`, built by `scripts/package`), "
            f"set {BINARY_ENV} to a binary's path, pass binary=..., or put it on PATH."
        )
        if checkout is not None:
            advice += f" In this checkout: run `swift build -c release` in {checkout}."
    return f"medusa-auth-bridge binary not found. Searched, in order:\n{lines}\n{advice}"


def check_runtime_libraries(binary: str, needs: Optional[Path] = None) -> None:
    """Fail now, saying why, if the binary cannot run here; for the packaged binary, also name the
    package to install if a library it loads is missing.

    Any ELF binary: built for another architecture, or its loader missing (musl-based Linux), is a
    BridgeStartError saying so (``_elf``); one with a ``GLIBC`` file beside it (the packaged
    binaries) is refused when this system's glibc is older than the file says. Without these the
    kernel's "Exec format error" or "No such file or directory" (for a file that exists) would be
    all the caller saw, and an old glibc only the loader's one line.
    Libraries: without the check a missing libcurl (which the bridge loads with dlopen) would show
    only when the first HTTP call fails, and libstdc++ as the loader's one line ("error while
    loading shared libraries"). Other binaries were built here, so their libraries are here.
    """
    reason = why_it_cannot_run(binary, _recorded_glibc(Path(binary)))
    if reason is not None:
        raise BridgeStartError(f"{binary} {reason}", binary)
    listing = PACKAGED_NEEDS if needs is None else needs
    if needs is None and Path(binary) != PACKAGED_BINARY:
        return
    try:
        sonames = [line.strip() for line in listing.read_text().splitlines() if line.strip()]
    except OSError:
        return
    import ctypes

    for soname in sonames:
        try:
            ctypes.CDLL(soname)
        except OSError:
            provider = _PROVIDERS.get(soname, "your system's package manager")
            raise BridgeStartError(
                f"the packaged medusa-auth-bridge needs the shared library {soname}, which is not "
                f"installed: install it ({provider})",
                binary,
            ) from None


def _recorded_glibc(binary: Path) -> Optional[str]:
    """The glibc version the package recorded beside the binary (``GLIBC_FILE``), if any."""
    try:
        value = (binary.parent / GLIBC_FILE).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return None
    return value or None


def _pip_source() -> List[Path]:
    """The local folder pip installed this package from, if it recorded one (PEP 610).

    Only a folder (``pip install ./clients/python``): a wheel or an archive pip installed from may
    sit in some checkout's ``dist/``, whose build is not this install's binary.
    """
    import json
    import urllib.parse

    from importlib.metadata import PackageNotFoundError, distribution

    try:
        text = distribution(DISTRIBUTION_NAME).read_text("direct_url.json")
    except (PackageNotFoundError, OSError):
        return []
    try:
        url = json.loads(text or "null")["url"]
    except (ValueError, TypeError, KeyError):
        return []
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme != "file":
        return []
    source = Path(urllib.parse.unquote(parsed.path))
    return [source] if source.is_dir() else []


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
