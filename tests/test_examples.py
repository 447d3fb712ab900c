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
    "pause_and_restart.py": [
        "Waiting for: resolution",
        "FHIR request status on 2027-03-20: on-hold",
        "Magnesium paused: none these evenings (2027-03-10 to 2027-03-17)",
        "on 2027-03-17 at the earliest",
        "[severe-pause] The pause is over (symptoms resolved on 2027-03-21)",
        "Magnesium restarts on 2027-03-21: 1 capsule (100 mg)",
        "Ceiling: 100 mg elemental a day",
        "not medical advice",
    ],
    "other_medicines.py": [
        "[spacing] ferrous sulfate is taken at 20:00, in the evening",
        "The 19:00 (with dinner) intake is left out",
        "(ask a clinician or pharmacist)",
        "[missed-gap] 10 evenings in a row without magnesium, every intake left "
        "out (2027-03-10 to 2027-03-19): restarting at the start dose",
        "2027-03-15: no dose (every intake left out)",
        "2027-03-20: 1 capsule (100 mg)",
        "not medical advice",
    ],
    "phone_notes.py": [
        "Moderate loose stools on 2027-03-11 (after the evening of 2027-03-10)",
        "Skipped the evening of 2027-03-11",
        "Not read: note: expected a whole number after 'legs'",
        "[moderate-step-back]",
        "Tonight (2027-03-13): 1 capsule (100 mg)",
        "not medical advice",
    ],
    "ten_weeks.py": [
        "[mild-hold] Mild loose stools",
        "Verdict: improved.",
        "Adherence: taken 61 of 63 evenings",
        "not proof that magnesium helps",
    ],
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


def test_ten_weeks_plan_file_is_the_script() -> None:
    """examples/ten_weeks.toml with its journal is what ten_weeks.py builds:
    the same journal, the same schedule, the same review."""
    import runpy

    import mgplan

    script = runpy.run_path(str(EXAMPLES / "ten_weeks.py"), run_name="example")
    today = script["TODAY"]
    plan_file = mgplan.load_plan(EXAMPLES / "ten_weeks.toml")
    from_file = plan_file.plan(
        mgplan.Journal(EXAMPLES / "ten_weeks.journal.jsonl").read(), as_of=today
    )
    built = mgplan.plan(
        script["regimen"], script["profile"], journal=script["journal"](), as_of=today
    )
    assert built.journal == from_file.journal
    assert built.days == from_file.days
    assert mgplan.review(built) == mgplan.review(from_file)
    assert "improved" == mgplan.review(from_file).verdict
