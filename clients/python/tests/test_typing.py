"""Type checkers catch a typo in a result field, and the escape hatch reaches Medusa's other fields.

Real processes: mypy (and pyright, when installed) on a small user program. Skipped, with the
reason, where the checker is not installed (they are test-only tools, not client dependencies).
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import support

PROGRAM = '''\
from medusa_auth_bridge import AsyncBridge, Bridge, raw


def sync_user(bridge: Bridge) -> None:
    answer = bridge.auth.exists("a@b.c")
    print(answer["exist"])  # TYPO
    customer = bridge.auth.get_session()["customer"]
    print(customer["frist_name"])  # TYPO
    print(raw(customer)["loyalty_points"], customer.get("first_name"), answer["exists"])
    token: str = bridge.auth.login("a@b.c", "pw")["token"]
    created = bridge.store.customer.create(email="a@b.c")["customer"]
    print(token, created.get("company_name"), created["compnay_name"])  # TYPO
    flag: bool = bridge.auth.email_exists("a@b.c")
    bridge.ping()
    print(flag)


async def async_user(bridge: AsyncBridge) -> None:
    session = await bridge.session("alice").auth.get_token("a@b.c", "pw")
    print(session["acess_token"])  # TYPO
'''


def typo_lines() -> List[int]:
    return [n for n, line in enumerate(PROGRAM.splitlines(), 1) if line.endswith("# TYPO")]


def write_program(tmp_path: Path) -> Path:
    program = tmp_path / "user_program.py"
    program.write_text(PROGRAM)
    return program


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_mypy_strict_flags_each_typo_and_nothing_else(tmp_path: Path) -> None:
    program = write_program(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(program)],
        env={"MYPYPATH": str(support.PACKAGE_ROOT / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    flagged = sorted({int(m) for m in re.findall(r"user_program\.py:(\d+): error", result.stdout)})
    assert flagged == typo_lines(), result.stdout


@pytest.mark.skipif(importlib.util.find_spec("pyright") is None, reason="pyright is not installed")
def test_pyright_flags_each_typo_and_nothing_else(tmp_path: Path) -> None:
    program = write_program(tmp_path)
    (tmp_path / "pyrightconfig.json").write_text(
        '{"extraPaths": ["%s"], "typeCheckingMode": "strict", "reportUnknownMemberType": false, "reportUnknownArgumentType": false}' % (support.PACKAGE_ROOT / "src")
    )
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--project", str(tmp_path), str(program)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    flagged = sorted({int(m) for m in re.findall(r"user_program\.py:(\d+):\d+ - error", result.stdout)})
    assert flagged == typo_lines(), result.stdout


@pytest.mark.skipif(importlib.util.find_spec("pyright") is None, reason="pyright is not installed")
def test_pyright_verifytypes_scores_the_installed_package_at_98_percent_or_more(tmp_path: Path) -> None:
    # --verifytypes reads the package as installed in this interpreter's environment (scripts/test
    # installs this checkout's client there before the tests run).
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "VIRTUAL_ENV": sys.prefix}
    result = subprocess.run(
        [sys.executable, "-m", "pyright", "--verifytypes", "medusa_auth_bridge", "--ignoreexternal", "--outputjson"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=environment,
    )
    report = json.loads(result.stdout)["typeCompleteness"]
    assert report["exportedSymbolCounts"]["withKnownType"] > 0, result.stdout[:2000]
    assert report["completenessScore"] >= 0.98, result.stdout[:2000]
