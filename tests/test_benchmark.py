"""The benchmark script runs (its timings are read by people, not asserted)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parent.parent / "benchmarks" / "bench.py"


def test_benchmark_script_runs() -> None:
    """bench.py runs to the end and reports every measurement."""
    out = subprocess.run(
        [sys.executable, str(BENCH), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    for label in (
        "plan 365 days, 20 reports",
        "plan 3,650 days, 200 reports",
        "ics, one event per intake",
        "ics, compact",
        "ics, the year logged every evening",
        "FHIR Dosage list",
        "cold start: mgplan --help",
    ):
        assert label in out
