"""The platform wheel writer (tools/build_wheel.py): a valid wheel around a given binary; in-process.

Installing the wheel and using it is ``scripts/check-packages``'s job; this checks the archive
itself against the wheel format (PEP 427: names, tags, RECORD hashes) with a stand-in binary.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import signal
import stat
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import support

if sys.version_info < (3, 11):
    pytest.skip("build_wheel.py reads pyproject.toml with tomllib (Python 3.11+)", allow_module_level=True)


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_wheel", support.PACKAGE_ROOT / "tools" / "build_wheel.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_wheel"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    binary = tmp_path / "medusa-auth-bridge"
    binary.write_bytes(b"\x7fELF stand-in")
    binary.chmod(0o755)
    needs = tmp_path / "NEEDED"
    needs.write_text("libcurl.so.4\n")
    return load().build(binary, tmp_path / "dist", needs, "linux_x86_64")


def test_the_wheel_is_named_and_tagged_for_any_python_3_on_the_platform(wheel: Path) -> None:
    assert wheel.name == "medusa_auth_bridge-0.1.0-py3-none-linux_x86_64.whl"
    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read("medusa_auth_bridge-0.1.0.dist-info/WHEEL").decode()
        metadata = archive.read("medusa_auth_bridge-0.1.0.dist-info/METADATA").decode()
    assert "Tag: py3-none-linux_x86_64" in meta and "Root-Is-Purelib: false" in meta
    assert "Name: medusa-auth-bridge\n" in metadata and "Version: 0.1.0\n" in metadata


def test_the_binary_is_inside_with_its_exec_bit_and_its_library_list(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        info = archive.getinfo("medusa_auth_bridge/bin/medusa-auth-bridge")
        assert stat.S_IMODE(info.external_attr >> 16) == 0o755
        assert archive.read("medusa_auth_bridge/bin/NEEDED") == b"libcurl.so.4\n"
        names = archive.namelist()
    assert "medusa_auth_bridge/__init__.py" in names and "medusa_auth_bridge/py.typed" in names
    assert "medusa_auth_bridge/testing/pytest_plugin.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_console_script_and_the_pytest_plugin_are_declared(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        points = archive.read("medusa_auth_bridge-0.1.0.dist-info/entry_points.txt").decode()
    assert "[console_scripts]\nmedusa-emulator = medusa_auth_bridge.testing:main" in points
    assert "[pytest11]\nmedusa_auth_bridge = medusa_auth_bridge.testing.pytest_plugin" in points


def test_record_lists_every_file_with_its_hash_and_size(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        record = archive.read("medusa_auth_bridge-0.1.0.dist-info/RECORD").decode().splitlines()
        rows = {line.split(",")[0]: line.split(",")[1:] for line in record}
        assert set(rows) == set(archive.namelist())
        for name, (digest, size) in rows.items():
            if name.endswith("RECORD"):
                assert (digest, size) == ("", "")
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert (digest, size) == (f"sha256={expected}", str(len(data))), name


def test_the_glibc_the_binary_needs_makes_the_tag_manylinux_and_goes_beside_the_binary(tmp_path: Path) -> None:
    binary = tmp_path / "medusa-auth-bridge"
    binary.write_bytes(b"\x7fELF stand-in")
    binary.chmod(0o755)
    built = load().build(binary, tmp_path / "dist", None, None, "2.35")
    arch = load().platform_tag().split("_", 1)[1]
    # pip installs a manylinux_2_35 wheel only on glibc 2.35 or newer, and never on musl (PEP 600).
    assert built.name == f"medusa_auth_bridge-0.1.0-py3-none-manylinux_2_35_{arch}.whl"
    with zipfile.ZipFile(built) as archive:
        assert f"Tag: py3-none-manylinux_2_35_{arch}" in archive.read("medusa_auth_bridge-0.1.0.dist-info/WHEEL").decode()
        assert archive.read("medusa_auth_bridge/bin/GLIBC") == b"2.35\n"


def test_the_mit_licence_text_is_in_the_wheel_and_named_by_its_metadata(wheel: Path) -> None:
    licence = (support.PACKAGE_ROOT.parent / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "the medusa-auth-bridge authors" in licence
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("medusa_auth_bridge-0.1.0.dist-info/licenses/LICENSE").decode() == licence
        metadata = archive.read("medusa_auth_bridge-0.1.0.dist-info/METADATA").decode()
    assert "Metadata-Version: 2.4\n" in metadata
    assert "License-Expression: MIT\n" in metadata and "License-File: LICENSE\n" in metadata


def test_scripts_package_refuses_versions_that_disagree_naming_all_three(tmp_path: Path) -> None:
    """A copy of scripts/package in a tree whose _version.py says 0.2.0 while the bridge and
    package.json say their own: it stops before writing anything, naming each version."""
    import shutil

    binary = support.real_binary()
    if binary is None:
        pytest.skip("no bridge build to package (swift build)")
    repo = support.PACKAGE_ROOT.parent.parent
    tree = tmp_path / "repo"
    (tree / "scripts").mkdir(parents=True)
    shutil.copy2(repo / "scripts" / "package", tree / "scripts" / "package")
    version_file = tree / "clients" / "python" / "src" / "medusa_auth_bridge" / "_version.py"
    version_file.parent.mkdir(parents=True)
    version_file.write_text('__version__ = "0.2.0"\n')
    (tree / "clients" / "node").mkdir(parents=True)
    (tree / "clients" / "node" / "package.json").write_text('{"name": "medusa-auth-bridge", "version": "0.3.0"}\n')
    bridge_version = subprocess.run(
        [str(binary), "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()[1]
    # A session of its own, so that a timeout stops the script's children too, not only the shell.
    package = subprocess.Popen(
        [str(tree / "scripts" / "package"), "--binary", str(binary)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        _, stderr = package.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(package.pid, signal.SIGKILL)
        package.communicate()
        raise
    assert package.returncode == 1, stderr
    assert (
        f"versions disagree: the bridge's --version says '{bridge_version}', "
        "clients/python/src/medusa_auth_bridge/_version.py '0.2.0', clients/node/package.json '0.3.0'"
    ) in stderr
    assert not (tree / "dist").exists()
