"""medusa_auth_bridge.testing: lazy imports, the pytest plugin's fixtures, and its command.

Every test here runs a real process: ``python -c`` for import checks, and a nested pytest run in a
temporary folder for the plugin (loaded from this checkout's source with ``-p``, other plugins
off). Each child is bounded by CHILD_TIMEOUT_SECONDS and always ends before its test does. The
bridge fixtures need the real binary (``bridge_binary`` from the suite's conftest).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Dict, List, Optional

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src"
#: A nested pytest run starts an interpreter and a few emulators (or bridges): seconds at most;
#: this only bounds a hung child.
CHILD_TIMEOUT_SECONDS = 120
PLUGIN = "medusa_auth_bridge.testing.pytest_plugin"


def child_env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(SOURCE), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    env.pop("PYTEST_ADDOPTS", None)
    env.update(extra)
    return env


def run_pytest(folder: Path, files: Dict[str, str], *args: str,
               env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    """pytest on ``files`` (name -> source) in ``folder``, with the plugin from this checkout."""
    for name, source in files.items():
        (folder / name).write_text(textwrap.dedent(source))
    command = [sys.executable, "-m", "pytest", "-q", "-p", PLUGIN, "-p", "no:cacheprovider",
               *args, str(folder)]
    return subprocess.run(command, cwd=folder, env=env or child_env(), capture_output=True,
                          text=True, timeout=CHILD_TIMEOUT_SECONDS)


def imported_modules(code: str) -> List[str]:
    """The ``medusa_auth_bridge.testing`` modules loaded after running ``code`` in a fresh child."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules " \
                   "if m.startswith('medusa_auth_bridge.testing'))))"
    result = subprocess.run([sys.executable, "-c", probe], env=child_env(), capture_output=True,
                            text=True, timeout=CHILD_TIMEOUT_SECONDS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_importing_the_client_imports_nothing_of_the_emulator() -> None:
    assert imported_modules("import medusa_auth_bridge") == []
    assert imported_modules("import medusa_auth_bridge.testing") == ["medusa_auth_bridge.testing"]


def test_a_name_of_the_testing_module_loads_the_emulator_on_first_use() -> None:
    modules = imported_modules("from medusa_auth_bridge.testing import start_emulator")
    assert "medusa_auth_bridge.testing._emulator.runner" in modules


def test_a_suite_that_uses_no_fixture_loads_no_emulator_and_starts_no_thread(tmp_path: Path) -> None:
    result = run_pytest(tmp_path, {"test_plain.py": """
        import sys, threading

        def test_nothing_of_the_emulator_is_loaded():
            assert "medusa_auth_bridge.testing.pytest_plugin" in sys.modules
            assert not [m for m in sys.modules if m.startswith("medusa_auth_bridge.testing._")]
            assert threading.active_count() == 1
    """})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_the_emulator_fixtures_serve_v1_and_v2_and_stop_after_each_test(tmp_path: Path) -> None:
    urls = tmp_path / "urls.txt"
    result = run_pytest(tmp_path, {"test_emulators.py": """
        import pytest
        from medusa_auth_bridge.testing import call

        URLS = %r

        def remember(emulator):
            with open(URLS, "a") as out:
                out.write(emulator.url + "\\n")

        def test_v1(medusa_emulator):
            remember(medusa_emulator)
            assert medusa_emulator.medusa_version == 1 and medusa_emulator.publishable_key is None
            assert call(medusa_emulator.url, "GET", "/store/auth/oli@test.dk").json() == {"exists": True}

        def test_v2(medusa_emulator_v2):
            remember(medusa_emulator_v2)
            answer = call(medusa_emulator_v2.url, "POST", "/auth/customer/emailpass",
                          json_body={"email": "oli@test.dk", "password": "test"})
            assert answer.status == 200 and "token" in answer.json()

        @pytest.mark.medusa_emulator(medusa_version=2, publishable_key="pk_marked")
        def test_marked(medusa_emulator):
            assert medusa_emulator.publishable_key == "pk_marked"

        def test_each_test_gets_a_fresh_emulator(medusa_emulator):
            medusa_emulator.control.create_customer("new@example.com", "pw")
            assert len(medusa_emulator.control.customers()) == 5
    """ % str(urls)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    from medusa_auth_bridge.testing import call

    for url in urls.read_text().split():
        with pytest.raises(OSError):
            call(url, "GET", "/health")


def test_the_bridge_fixtures_use_their_emulators_and_the_v2_publishable_key(
        tmp_path: Path, bridge_binary: Path) -> None:
    result = run_pytest(tmp_path, {"test_bridges.py": """
        import pytest
        from medusa_auth_bridge import NotFoundError, UnauthorizedError

        def test_v1(medusa_bridge):
            medusa_bridge.auth.authenticate(email="oli@test.dk", password="test")
            assert medusa_bridge.auth.get_session()["customer"]["email"] == "oli@test.dk"

        def test_v2(medusa_bridge_v2, medusa_emulator_v2):
            with pytest.raises(NotFoundError):  # v1's route does not exist on a v2 backend
                medusa_bridge_v2.auth.get_session()
            (sent,) = medusa_emulator_v2.control.requests()
            assert sent["headers"]["x-publishable-api-key"] == medusa_emulator_v2.publishable_key

        @pytest.mark.medusa_bridge(publishable_api_key="pk_from_marker")
        def test_marked(medusa_bridge, medusa_emulator):
            with pytest.raises(UnauthorizedError):
                medusa_bridge.auth.get_session()
            (sent,) = medusa_emulator.control.requests()
            assert sent["headers"]["x-publishable-api-key"] == "pk_from_marker"
    """}, env=child_env(MEDUSA_AUTH_BRIDGE=str(bridge_binary)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def spawn_command(*command: str) -> subprocess.Popen:
    return subprocess.Popen(list(command), env=child_env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def first_line(process: subprocess.Popen, timeout: float) -> str:
    """The child's first stdout line, or "" after ``timeout`` seconds (read on a thread: a pipe's
    readline has no timeout of its own)."""
    result: List[str] = []
    assert process.stdout is not None
    stdout = process.stdout
    reader = threading.Thread(target=lambda: result.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


def announce_and_stop(process: subprocess.Popen) -> Dict[str, object]:
    """The start-up line; then SIGTERM, and the exit must be 0 with nothing more on stdout."""
    try:
        line = first_line(process, CHILD_TIMEOUT_SECONDS)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=CHILD_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    assert line, "the emulator printed no start-up line within %s s" % CHILD_TIMEOUT_SECONDS
    assert (process.returncode, out) == (0, "")
    return json.loads(line)


def test_python_dash_m_runs_the_emulator_command() -> None:
    process = spawn_command(sys.executable, "-m", "medusa_auth_bridge.testing",
                            "--medusa-version", "2", "--quiet")
    announced = announce_and_stop(process)
    assert announced["medusa_version"] == 2 and str(announced["url"]).startswith("http://")


def test_a_bad_flag_is_a_usage_error_naming_the_command() -> None:
    result = subprocess.run([sys.executable, "-m", "medusa_auth_bridge.testing", "--medusa-version",
                             "7"], env=child_env(), capture_output=True, text=True,
                            timeout=CHILD_TIMEOUT_SECONDS)
    assert result.returncode == 2 and result.stdout == ""
    assert "python -m medusa_auth_bridge.testing" in result.stderr
    assert "--medusa-version" in result.stderr


def installed_environment() -> Dict[str, str]:
    """This interpreter's environment without this checkout's source: the installed package."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        env.pop(name, None)
    return env


def test_the_installed_console_script_and_pytest_entry_point_work(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "medusa-emulator"
    if not command.is_file():
        pytest.skip("medusa-auth-bridge is not pip-installed in this interpreter's environment")
    process = subprocess.Popen([str(command), "--quiet"], env=installed_environment(),
                               cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert announce_and_stop(process)["port"]
    (tmp_path / "test_autoloaded.py").write_text(textwrap.dedent("""
        def test_the_fixture_comes_from_the_entry_point(medusa_emulator_v2):
            assert medusa_emulator_v2.control.clock()["offset"] == 0
    """))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(tmp_path)], cwd=tmp_path, env=installed_environment(),
                            capture_output=True, text=True, timeout=CHILD_TIMEOUT_SECONDS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
