"""The README's examples run as written: this client -> the real binary -> the emulator they start.

Real processes: each self-contained ``python`` block of clients/python/README.md (those that start
their own emulator) runs in a fresh interpreter with the bridge binary the other end-to-end tests
use; a line the README shows with ``# value`` or ``print(error)  # message`` must be printed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

import support

pytestmark = pytest.mark.e2e


def examples() -> List[str]:
    text = (support.PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "start_emulator" in b and "import" in b]


def test_the_readme_has_v1_v2_and_asyncio_examples() -> None:
    found = examples()
    assert len(found) == 3
    assert any("auth.login" in b for b in found) and any("authenticate" in b for b in found)
    assert any("asyncio.run" in b for b in found)


@pytest.mark.parametrize("index", range(3))
def test_a_readme_example_runs_as_written(index: int, bridge_binary: Path, tmp_path: Path) -> None:
    code = examples()[index]
    script = tmp_path / "example.py"
    script.write_text(code)
    env = dict(os.environ, MEDUSA_AUTH_BRIDGE=str(bridge_binary), PYTHONPATH=str(support.PACKAGE_ROOT / "src"))
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    for expected in re.findall(r"print\(error\)\s+# (.+)", code):
        assert expected.strip() in printed
    if "email_exists(\"oli@test.dk\"))" in code:
        assert printed[0] == "True"


def test_the_readmes_pytest_files_pass_with_the_packages_plugin(bridge_binary: Path, tmp_path: Path) -> None:
    text = (support.PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"<!-- check-packages: pytest file -->\s*```python\n(.*?)```", text, re.S)
    assert len(blocks) == 2
    (tmp_path / "test_readme.py").write_text("\n\n".join(blocks))
    env = dict(os.environ, MEDUSA_AUTH_BRIDGE=str(bridge_binary), PYTHONPATH=str(support.PACKAGE_ROOT / "src"))
    # The plugin by module name, whether or not this environment has the package installed.
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:medusa_auth_bridge",
               "-p", "medusa_auth_bridge.testing.pytest_plugin", "test_readme.py"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
