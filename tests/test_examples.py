"""The scripts in examples/ run, and say what they are meant to say."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent.parent / "examples"

EXPECTED = {
    "glycinate_plan.py": [
        "Tonight (2026-12-10): 3 capsules (150 mg)",
        "not medical advice",
    ],
    "oxide_step_back.py": [
        "[step-back] Moderate loose stools",
        "[ceiling]",
        "Ceiling: 120.6 mg",
    ],
    "custom_product.py": ["23.9 mg elemental", "EU (SCF) upper limit"],
}


def test_every_example_is_checked() -> None:
    """Each script in examples/ has expectations here."""
    assert sorted(EXPECTED) == sorted(p.name for p in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs(name: str) -> None:
    """The example exits 0 and prints what it promises."""
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert 0 == out.returncode, out.stderr
    for text in EXPECTED[name]:
        assert text in out.stdout
