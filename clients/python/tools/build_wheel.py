#!/usr/bin/env python3
"""Write the platform wheel of medusa-auth-bridge: this package's source plus the bridge binary.

A wheel is a zip with a ``.dist-info`` folder (PEP 427, PEP 491; core metadata 2.1, PEP 566;
entry points per the PyPA spec), so it is written here with ``zipfile`` and no build backend:
packaging needs no network and no third-party tool. ``scripts/package`` calls this after
building and stripping the binary.

    build_wheel.py --binary PATH --out DIR [--needs FILE] [--glibc 2.35] [--platform TAG]

Tag: ``py3-none-<platform>``. The package is pure Python apart from one standalone executable,
so any CPython 3 on the platform runs it (no ABI tag). With ``--glibc`` (the newest ``GLIBC_``
symbol version the binary needs, which ``scripts/package`` reads with objdump) the platform is
``manylinux_<major>_<minor>_<arch>`` (PEP 600), so pip installs the wheel only on glibc that new or
newer, and never on musl; without it, this machine's ``sysconfig.get_platform()``
(``linux_x86_64``), which pip accepts on any Linux of the architecture. The binary's DT_NEEDED are
only glibc's libraries, libstdc++ and libgcc_s, which PEP 600 allows; libcurl, outside every
manylinux policy, is loaded with dlopen, and the client checks it at launch instead.
``--needs`` lists the shared libraries the binary loads (DT_NEEDED, plus libcurl); the client
checks them at launch and names the package to install when one is missing. The glibc version goes
beside the binary too (``bin/GLIBC``), for the client's check of the running glibc.
The MIT licence text, ``clients/LICENSE``, goes in ``.dist-info/licenses/`` (PEP 639).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import re
import stat
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent  # clients/python
PACKAGE = PROJECT / "src" / "medusa_auth_bridge"
DIST_NAME = "medusa_auth_bridge"  # the wheel's file-name form of "medusa-auth-bridge"
BINARY_IN_WHEEL = "medusa_auth_bridge/bin/medusa-auth-bridge"
NEEDS_IN_WHEEL = "medusa_auth_bridge/bin/NEEDED"
GLIBC_IN_WHEEL = "medusa_auth_bridge/bin/GLIBC"
LICENSE = PROJECT.parent / "LICENSE"  # clients/LICENSE, shared with the npm packages

#: Fixed timestamp (the zip format's earliest, 1980) so the same input gives the same wheel.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def version() -> str:
    text = (PACKAGE / "_version.py").read_text(encoding="utf-8")
    match = re.search(r"__version__\s*=\s*[\"']([^\"']+)[\"']", text)
    if not match:
        raise SystemExit("build_wheel: no __version__ in _version.py")
    return match.group(1)


def platform_tag(glibc: Optional[str] = None) -> str:
    """This machine's platform tag; ``manylinux_2_35_x86_64`` when the binary needs glibc 2.35."""
    plain = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    if glibc is None:
        return plain
    match = re.fullmatch(r"(\d+)\.(\d+)", glibc)
    if not match or not plain.startswith("linux_"):
        raise SystemExit(f"build_wheel: --glibc must look like 2.35 and the platform be Linux, not {glibc!r} on {plain}")
    return f"manylinux_{match.group(1)}_{match.group(2)}_{plain[len('linux_'):]}"


def pyproject() -> Dict[str, object]:
    import tomllib  # Python 3.11+: packaging runs on the build machine only

    with open(PROJECT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def metadata(project: Dict[str, object], readme: str) -> str:
    # Core metadata 2.4 (PEP 639): the licence as an SPDX expression, and its text's file.
    lines = [
        "Metadata-Version: 2.4",
        f"Name: {project['name']}",
        f"Version: {version()}",
        f"Summary: {project.get('description', '')}",
        f"Requires-Python: {project.get('requires-python', '>=3.9')}",
        f"License-Expression: {dict(project.get('license', {})).get('text', '')}",  # type: ignore[arg-type]
        "License-File: LICENSE",
    ]
    lines += [f"Classifier: {c}" for c in project.get("classifiers", [])]  # type: ignore[union-attr]
    lines += ["Description-Content-Type: text/markdown", "", readme]
    return "\n".join(lines)


def entry_points(project: Dict[str, object]) -> str:
    sections: List[str] = []
    scripts = project.get("scripts") or {}
    if scripts:
        sections.append("[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items()))  # type: ignore[union-attr]
    for group, entries in (project.get("entry-points") or {}).items():  # type: ignore[union-attr]
        sections.append(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()))
    return "\n".join(sections)


def source_files() -> Iterator[Tuple[str, Path]]:
    """(path in the wheel, file) for every file of the package but caches and a local bin/."""
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE.parent)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if relative.parts[:2] == ("medusa_auth_bridge", "bin"):
            continue  # only the binary given on the command line goes there
        yield relative.as_posix(), path


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build(
    binary: Path, out: Path, needs: Optional[Path] = None, platform: Optional[str] = None, glibc: Optional[str] = None
) -> Path:
    project = dict(pyproject()["project"])  # type: ignore[arg-type]
    tag = f"py3-none-{platform or platform_tag(glibc)}"
    dist_info = f"{DIST_NAME}-{version()}.dist-info"
    wheel_path = out / f"{DIST_NAME}-{version()}-{tag}.whl"
    out.mkdir(parents=True, exist_ok=True)
    records: List[str] = []

    with zipfile.ZipFile(wheel_path, "w", compression=zipfile.ZIP_DEFLATED) as wheel:

        def add(name: str, data: bytes, executable: bool = False) -> None:
            info = zipfile.ZipInfo(name, ZIP_TIME)
            mode = 0o755 if executable else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
            records.append(f"{name},{_record_hash(data)},{len(data)}")

        for name, path in source_files():
            add(name, path.read_bytes())
        add(BINARY_IN_WHEEL, binary.read_bytes(), executable=True)
        if needs is not None:
            add(NEEDS_IN_WHEEL, needs.read_bytes())
        if glibc is not None:
            add(GLIBC_IN_WHEEL, f"{glibc}\n".encode())
        add(f"{dist_info}/licenses/LICENSE", LICENSE.read_bytes())
        readme = (PROJECT / "README.md").read_text(encoding="utf-8")
        add(f"{dist_info}/METADATA", metadata(project, readme).encode())
        wheel_meta = f"Wheel-Version: 1.0\nGenerator: medusa-auth-bridge build_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n"
        add(f"{dist_info}/WHEEL", wheel_meta.encode())
        points = entry_points(project)
        if points:
            add(f"{dist_info}/entry_points.txt", points.encode())
        add(f"{dist_info}/top_level.txt", b"medusa_auth_bridge\n")
        records.append(f"{dist_info}/RECORD,,")
        info = zipfile.ZipInfo(f"{dist_info}/RECORD", ZIP_TIME)
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        wheel.writestr(info, "\n".join(records) + "\n", compress_type=zipfile.ZIP_DEFLATED)
    return wheel_path


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", type=Path, required=True, help="the bridge executable to ship")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the wheel into")
    parser.add_argument("--needs", type=Path, help="file listing the shared libraries the binary loads")
    parser.add_argument("--glibc", help="the glibc the binary needs (2.35): tags the wheel manylinux_2_35_<arch>")
    parser.add_argument("--platform", help="platform tag (default: manylinux_<glibc>_<arch> with --glibc, else linux_<arch>)")
    args = parser.parse_args(argv)
    if not (args.binary.is_file() and os.access(args.binary, os.X_OK)):
        parser.error(f"--binary {args.binary} is not an executable file")
    path = build(args.binary, args.out, args.needs, args.platform, args.glibc)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
