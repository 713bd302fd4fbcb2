"""Finding the binary: every rule in order, in-process against folders made in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import pytest

from medusa_auth_bridge import BridgeNotFoundError, BridgeStartError, _driver as driver, find_binary
from medusa_auth_bridge import _elf
from medusa_auth_bridge._driver import _pip_source, check_runtime_libraries, find_checkout

NO_PACKAGE = Path("/nonexistent/medusa_auth_bridge/bin/medusa-auth-bridge")


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fake source checkout: Package.swift at the top, this package deep below it."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Package.swift").write_text("// swift-tools-version:6.0\n")
    (root / "clients" / "python" / "src" / "medusa_auth_bridge").mkdir(parents=True)
    return root


def package_dir(checkout: Path) -> Path:
    return checkout / "clients" / "python" / "src" / "medusa_auth_bridge"


def test_an_explicit_binary_wins_over_everything(tmp_path: Path, checkout: Path) -> None:
    explicit = executable(tmp_path / "mine")
    env_binary = executable(tmp_path / "from-env")
    executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    found = find_binary(explicit, environ={"MEDUSA_AUTH_BRIDGE": str(env_binary)}, search_from=[package_dir(checkout)], path="")
    assert found == str(explicit)


def test_an_explicit_binary_that_is_missing_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    env_binary = executable(tmp_path / "from-env")
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(tmp_path / "nope", environ={"MEDUSA_AUTH_BRIDGE": str(env_binary)}, search_from=[tmp_path], path="")
    assert caught.value.searched == [f"binary={str(tmp_path / 'nope')!r}: does not exist"]


def test_the_environment_variable_comes_second(tmp_path: Path, checkout: Path) -> None:
    env_binary = executable(tmp_path / "from-env")
    executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    found = find_binary(environ={"MEDUSA_AUTH_BRIDGE": str(env_binary)}, search_from=[package_dir(checkout)], path="")
    assert found == str(env_binary)


def test_the_environment_variable_set_to_a_missing_file_is_an_error_naming_it(tmp_path: Path, checkout: Path) -> None:
    executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    missing = tmp_path / "typo" / "medusa-auth-bridge"
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={"MEDUSA_AUTH_BRIDGE": str(missing)}, search_from=[package_dir(checkout)], path="")
    assert caught.value.searched == [f"MEDUSA_AUTH_BRIDGE={missing}: does not exist"]
    assert f"MEDUSA_AUTH_BRIDGE={missing}: does not exist" in str(caught.value)


def test_the_environment_variable_set_to_a_non_executable_file_says_so(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.write_text("")
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={"MEDUSA_AUTH_BRIDGE": str(plain)}, search_from=[tmp_path], path="")
    assert caught.value.searched[0].endswith(": is not executable")


def test_an_empty_environment_variable_counts_as_unset(tmp_path: Path) -> None:
    on_path = executable(tmp_path / "bin" / "medusa-auth-bridge")
    assert find_binary(environ={"MEDUSA_AUTH_BRIDGE": ""}, search_from=[tmp_path], path=str(on_path.parent)) == str(on_path)


def test_the_checkouts_release_build_comes_before_its_debug_build(checkout: Path) -> None:
    release = executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    executable(checkout / ".build" / "debug" / "medusa-auth-bridge")
    assert find_binary(environ={}, search_from=[package_dir(checkout)], path="") == str(release)


def test_the_checkouts_debug_build_is_used_when_there_is_no_release_build(tmp_path: Path, checkout: Path) -> None:
    debug = executable(checkout / ".build" / "debug" / "medusa-auth-bridge")
    executable(tmp_path / "bin" / "medusa-auth-bridge")
    assert find_binary(environ={}, search_from=[package_dir(checkout)], path=str(tmp_path / "bin")) == str(debug)


def test_path_comes_last(tmp_path: Path, checkout: Path) -> None:
    on_path = executable(tmp_path / "bin" / "medusa-auth-bridge")
    assert find_binary(environ={}, search_from=[package_dir(checkout)], path=f"/nonexistent:{on_path.parent}") == str(on_path)


def test_path_is_read_from_the_given_environment_by_default(tmp_path: Path) -> None:
    on_path = executable(tmp_path / "bin" / "medusa-auth-bridge")
    assert find_binary(environ={"PATH": str(on_path.parent)}, search_from=[tmp_path]) == str(on_path)


def test_the_packaged_binary_comes_after_the_environment_and_before_the_checkout(tmp_path: Path, checkout: Path) -> None:
    packaged = executable(tmp_path / "site" / "medusa_auth_bridge" / "bin" / "medusa-auth-bridge")
    executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    found = find_binary(environ={}, packaged=packaged, search_from=[package_dir(checkout)], path="")
    assert found == str(packaged)
    env_binary = executable(tmp_path / "from-env")
    assert find_binary(environ={"MEDUSA_AUTH_BRIDGE": str(env_binary)}, packaged=packaged, path="") == str(env_binary)


def test_not_found_lists_every_place_searched_in_order_as_strings(tmp_path: Path, checkout: Path) -> None:
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={}, packaged=NO_PACKAGE, search_from=[package_dir(checkout)], path="/nonexistent")
    assert caught.value.searched == [
        "$MEDUSA_AUTH_BRIDGE: not set",
        f"the packaged binary {NO_PACKAGE}: does not exist (this install is not a platform wheel)",
        f"{checkout / '.build' / 'release' / 'medusa-auth-bridge'}: does not exist",
        f"{checkout / '.build' / 'debug' / 'medusa-auth-bridge'}: does not exist",
        "PATH (/nonexistent): no executable named medusa-auth-bridge",
    ]
    assert "platform wheel" in str(caught.value) and f"`swift build -c release` in {checkout}" in str(caught.value)


def test_not_found_outside_a_checkout_never_suggests_swift_build(tmp_path: Path) -> None:
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={}, packaged=NO_PACKAGE, search_from=[tmp_path], path="")
    assert f"a source checkout above {tmp_path}: no Package.swift found" in caught.value.searched
    assert "swift build" not in str(caught.value)
    assert "install the platform wheel" in str(caught.value) and "MEDUSA_AUTH_BRIDGE" in str(caught.value)


def test_a_directory_named_like_the_binary_is_not_taken(checkout: Path) -> None:
    (checkout / ".build" / "release" / "medusa-auth-bridge").mkdir(parents=True)
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={}, packaged=NO_PACKAGE, search_from=[package_dir(checkout)], path="")
    assert f"{checkout / '.build' / 'release' / 'medusa-auth-bridge'}: is not a file" in caught.value.searched


def test_a_missing_runtime_library_of_the_packaged_binary_names_the_package_to_install(tmp_path: Path) -> None:
    needs = tmp_path / "NEEDED"
    needs.write_text("libc.so.6\nlibcurl.so.4\nlibdefinitely-not-here.so.9\n")
    with pytest.raises(BridgeStartError) as caught:
        check_runtime_libraries("/x/medusa-auth-bridge", needs)
    assert "needs the shared library libdefinitely-not-here.so.9, which is not installed" in str(caught.value)


def test_libcurl_missing_names_the_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    real = ctypes.CDLL

    def without_curl(name: str, *args: object, **kwargs: object) -> object:
        if "curl" in name:
            raise OSError(f"{name}: cannot open shared object file")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(ctypes, "CDLL", without_curl)
    needs = tmp_path / "NEEDED"
    needs.write_text("libcurl.so.4\n")
    with pytest.raises(BridgeStartError, match=r"libcurl\.so\.4.*Debian/Ubuntu: libcurl4"):
        check_runtime_libraries("/x/medusa-auth-bridge", needs)


def test_present_runtime_libraries_pass_and_other_binaries_are_not_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs = tmp_path / "NEEDED"
    needs.write_text("libc.so.6\n")
    check_runtime_libraries("/x/medusa-auth-bridge", needs)
    missing = tmp_path / "MISSING"
    missing.write_text("libmedusa-auth-bridge-absent.so.9\n")
    monkeypatch.setattr(driver, "PACKAGED_NEEDS", missing)
    check_runtime_libraries("/usr/bin/some-other-build")  # built here: its libraries are here
    with pytest.raises(BridgeStartError, match=r"libmedusa-auth-bridge-absent\.so\.9"):
        check_runtime_libraries(str(driver.PACKAGED_BINARY))


def test_a_pip_installed_copy_finds_the_checkout_it_was_installed_from(tmp_path: Path, checkout: Path) -> None:
    release = executable(checkout / ".build" / "release" / "medusa-auth-bridge")
    site_packages = tmp_path / "venv" / "lib" / "site-packages" / "medusa_auth_bridge"
    site_packages.mkdir(parents=True)
    pip_source = checkout / "clients" / "python"
    assert find_binary(environ={}, search_from=[site_packages, pip_source], path="") == str(release)


def test_the_pip_source_is_read_from_pep_610_direct_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.metadata

    class Dist:
        def read_text(self, name: str) -> str:
            assert name == "direct_url.json"
            return json.dumps({"url": (tmp_path / "src dir").as_uri(), "dir_info": {}})

    (tmp_path / "src dir").mkdir()
    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Dist())
    assert _pip_source() == [tmp_path / "src dir"]


def test_a_wheel_file_pip_installed_from_is_not_a_source_to_walk_up_from(
        monkeypatch: pytest.MonkeyPatch, checkout: Path) -> None:
    import importlib.metadata

    wheel = checkout / "dist" / "medusa_auth_bridge-0.1.0-py3-none-manylinux_2_35_x86_64.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"PK")

    class Dist:
        def read_text(self, name: str) -> str:
            return json.dumps({"url": wheel.as_uri(), "archive_info": {}})

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: Dist())
    assert _pip_source() == []


def test_the_checkout_is_the_nearest_folder_with_package_swift(checkout: Path) -> None:
    assert find_checkout(package_dir(checkout)) == checkout
    assert find_checkout(checkout) == checkout


def test_a_packaged_binary_without_its_exec_bit_is_named_as_such_with_repair_advice(tmp_path: Path) -> None:
    packaged = executable(tmp_path / "site" / "medusa_auth_bridge" / "bin" / "medusa-auth-bridge")
    packaged.chmod(0o644)
    with pytest.raises(BridgeNotFoundError) as caught:
        find_binary(environ={}, packaged=packaged, search_from=[tmp_path / "site"], path="")
    assert (
        f"the packaged binary {packaged}: exists but is not executable (chmod +x it or reinstall)"
        in caught.value.searched
    )
    assert f"make {packaged} executable (chmod +x) or reinstall the medusa-auth-bridge wheel" in str(caught.value)
    assert "not a platform wheel" not in str(caught.value)


def elf(path: Path, machine: int = 0, loader: Optional[str] = None) -> str:
    """A minimal 64-bit little-endian ELF header (and a PT_INTERP naming ``loader``): enough for the
    checks that read it, never meant to run. ``machine`` 0 means this machine's."""
    import os
    import struct

    machine = machine or {"x86_64": 62, "aarch64": 183}.get(os.uname().machine, 62)
    interp = (loader + "\0").encode() if loader else b""
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, 0, 64, 0, 0, 64, 56, 1 if loader else 0, 0, 0, 0)
    if loader:
        header += struct.pack("<IIQQQQQQ", 3, 4, 120, 0, 0, len(interp), len(interp), 1)
    path.write_bytes(header + interp)
    path.chmod(0o755)
    return str(path)


def host() -> str:
    import os

    return _elf.machine_name(os.uname().machine)


def test_a_binary_for_another_architecture_is_refused_naming_both(tmp_path: Path) -> None:
    binary = elf(tmp_path / "medusa-auth-bridge", machine=22)
    with pytest.raises(BridgeStartError) as caught:
        check_runtime_libraries(binary)
    assert str(caught.value) == (
        f"{binary} is built for s390x, and this machine is {host()}: it is not a medusa-auth-bridge for this platform"
    )


def test_the_bridge_refuses_a_binary_for_another_architecture_before_starting_it(tmp_path: Path) -> None:
    from medusa_auth_bridge import Bridge

    binary = elf(tmp_path / "medusa-auth-bridge", machine=22)
    with pytest.raises(BridgeStartError, match=r"is built for s390x, and this machine is "):
        Bridge(base_url="http://127.0.0.1:9", binary=binary)


def test_a_binary_whose_loader_is_missing_names_the_loader_and_the_glibc_recorded(tmp_path: Path) -> None:
    loader = str(tmp_path / "no-such" / "ld-musl-x86_64.so.1")
    binary = elf(tmp_path / "medusa-auth-bridge", loader=loader)
    (tmp_path / "GLIBC").write_text("2.35\n")
    with pytest.raises(BridgeStartError) as caught:
        check_runtime_libraries(binary)
    assert str(caught.value) == (
        f"{binary} cannot start: its loader {loader} is missing; this binary needs glibc 2.35 or newer "
        "(musl-based Linux, such as Alpine, is not supported)"
    )


def test_without_a_recorded_glibc_the_newest_glibc_version_the_binary_names_is_given(tmp_path: Path) -> None:
    binary = elf(tmp_path / "bridge", loader=str(tmp_path / "missing-ld.so"))
    with open(binary, "ab") as f:
        f.write(b"GLIBC_2.17\0GLIBC_2.34\0GLIBC_2.9\0GLIBC_2.2.5\0")
    with pytest.raises(BridgeStartError, match=r"this binary needs glibc 2\.34 or newer"):
        check_runtime_libraries(binary)


def test_a_packaged_binary_needing_a_newer_glibc_than_the_running_one_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = elf(tmp_path / "medusa-auth-bridge")
    (tmp_path / "GLIBC").write_text("2.35\n")
    monkeypatch.setattr(_elf, "running_glibc", lambda: "2.31")
    with pytest.raises(BridgeStartError) as caught:
        check_runtime_libraries(binary)
    assert str(caught.value) == f"{binary} needs glibc 2.35 or newer, and this system has glibc 2.31"
    for fine in ("2.35", "2.100", None):
        monkeypatch.setattr(_elf, "running_glibc", lambda: fine)
        check_runtime_libraries(binary)


def test_the_running_glibc_is_read_from_confstr_and_the_interpreter_is_this_machine() -> None:
    import os
    import sys

    version = os.confstr("CS_GNU_LIBC_VERSION") if "CS_GNU_LIBC_VERSION" in os.confstr_names else None
    expected = version.split(" ", 1)[1] if version and version.startswith("glibc ") else None
    assert _elf.running_glibc() == expected
    header = _elf.read_header(os.path.realpath(sys.executable))
    assert header is not None and header[0] == host()
