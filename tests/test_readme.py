"""The README's commands and code are the ones that work."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def shell_commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)


def test_readme_opens_with_two_commands() -> None:
    """The first two code blocks are the run command and the test command."""
    fences = re.findall(r"^```(\w*)$", README, flags=re.M)
    openers = fences[::2]
    assert ["sh", "sh"] == openers[:2]
    run, test = shell_commands()[:2]
    assert "pip install" in run
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run calls the README's test command verbatim."""
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert shell_commands()[1] in ci


def test_python_example_runs() -> None:
    """The README's Python example runs and prints what its comments say."""
    code = re.findall(r"```python\n(.*?)\n```", README, flags=re.S)[0]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "2 capsules (200 mg)" in out.stdout
    assert "stepping back to 200 mg for 7 days, then retrying 300 mg once" in out.stdout


def test_python_example_passes_mypy_strict_without_the_plugin(
    tmp_path: Path,
) -> None:
    """As written, with no pydantic plugin: the typed spelling type-checks."""
    code = re.findall(r"```python\n(.*?)\n```", README, flags=re.S)[0]
    example = tmp_path / "example.py"
    example.write_text(code + "\n", "utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\n", "utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(config),
            "--cache-dir",
            str(tmp_path / "cache"),
            str(example),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert 0 == result.returncode, result.stdout + result.stderr


def test_run_command_verbatim_in_a_fresh_venv(tmp_path: Path) -> None:
    """The README's first command works as written, in a fresh copy."""
    checkout = tmp_path / "checkout"
    shutil.copytree(
        ROOT,
        checkout,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis"
        ),
    )
    result = subprocess.run(
        ["bash", "-c", shell_commands()[0]],
        cwd=checkout,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert 0 == result.returncode, result.stderr[-2000:]
    assert "Plan glycinate-example" in result.stdout
    assert "not medical advice" in result.stderr
    assert "from        to" in result.stdout
