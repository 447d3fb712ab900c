"""Hostile input: each is a one-line error with the documented exit code."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from mgplan._cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "glycinate.toml"


def run(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
    return code, err.getvalue()


def plan_with(tmp_path: Path, old: str, new: str) -> str:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / "plan.toml"
    path.write_text(text.replace(old, new, 1))
    return str(path)


def one_line(err: str) -> str:
    lines = err.splitlines()
    assert lines[0].startswith("mgplan: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")


@pytest.mark.parametrize(
    ("journal", "expected"),
    [("dirjournal", "a regular file"), ("/dev/zero", "a regular file")],
)
def test_journal_that_is_not_a_file(
    tmp_path: Path, journal: str, expected: str
) -> None:
    """A journal path that is a directory or a device: exit 2, no hang."""
    (tmp_path / "dirjournal").mkdir()
    plan = plan_with(tmp_path, "version = 1\n", f'version = 1\njournal = "{journal}"\n')
    for argv in (["show", plan], ["missed", plan, "--date", "2026-12-05"]):
        code, err = run(*argv)
        assert 2 == code
        assert expected in one_line(err)


def test_huge_integer_in_a_journal_line(tmp_path: Path) -> None:
    """A 5,000-digit integer in a journal line names the line."""
    plan = plan_with(tmp_path, "version = 1\n", 'version = 1\njournal = "j.jsonl"\n')
    (tmp_path / "j.jsonl").write_text(
        '{"kind":"missed","date":"2026-12-05","x":' + "1" * 5000 + "}\n"
    )
    code, err = run("show", plan)
    assert 2 == code
    assert "j.jsonl:1:" in one_line(err)


def test_huge_integer_in_a_plan(tmp_path: Path) -> None:
    """A 5,000-digit integer in the plan file is a TOML error."""
    plan = plan_with(tmp_path, "version = 1\n", "version = 1\nx = " + "1" * 5000 + "\n")
    code, err = run("show", plan)
    assert 2 == code
    assert "TOML" in one_line(err)


@pytest.mark.parametrize("zone", ["Europe", "A" * 300])
def test_zone_that_is_a_directory_or_too_long(tmp_path: Path, zone: str) -> None:
    """tz = "Europe" (a directory of zones) or 300 characters: exit 2."""
    plan = plan_with(tmp_path, 'tz = "Europe/Berlin"', f'tz = "{zone}"')
    code, err = run("show", plan)
    assert 2 == code
    assert "IANA time zone" in one_line(err)
    code, err = run("init", str(tmp_path / "new.toml"), "--tz", zone)
    assert 2 == code
    assert "--tz" in one_line(err)


def test_year_9999(tmp_path: Path) -> None:
    """A start in the year 9999 is refused before any date overflows."""
    plan = plan_with(tmp_path, "start_date = 2026-11-02", "start_date = 9999-12-01")
    code, err = run("ics", plan, "-o", str(tmp_path / "p.ics"))
    assert 2 == code
    assert "start_date" in one_line(err)


def test_tiny_unit(tmp_path: Path) -> None:
    """amount_per_unit = 5e-324 is refused, not an OverflowError."""
    plan = plan_with(tmp_path, "amount_per_unit = 50", "amount_per_unit = 5e-324")
    code, err = run("show", plan)
    assert 2 == code
    assert "amount_per_unit" in one_line(err)


def test_source_date_epoch_out_of_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SOURCE_DATE_EPOCH past the year 9999 names the variable."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    code, err = run("ics", str(EXAMPLE), "-o", str(tmp_path / "p.ics"))
    assert 2 == code
    assert "SOURCE_DATE_EPOCH" in one_line(err)


def test_malformed_caldav_url() -> None:
    """sync --url 'http://[bad' is a usage error, not a ValueError."""
    code, err = run("sync", str(EXAMPLE), "--url", "http://[bad", "--username", "a")
    assert 2 == code
    assert "url" in one_line(err)


@pytest.mark.parametrize("amount", ["inf", "nan", "-1", "1e400"])
def test_convert_refuses_non_finite(amount: str) -> None:
    """convert inf mg oxide (or nan) is a usage error."""
    code, err = run("convert", amount, "mg", "oxide")
    assert 2 == code
    assert "positive number" in err


@pytest.mark.parametrize("value", ["0", "true", "20261201"])
def test_a_number_is_not_a_date(tmp_path: Path, value: str) -> None:
    """start_date = 0 was read as 1970-01-01; a number is not a date."""
    plan = plan_with(tmp_path, "start_date = 2026-11-02", f"start_date = {value}")
    code, err = run("show", plan)
    assert 2 == code
    assert "start_date" in one_line(err)
    assert "not a number" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["500mg", "citrate"], "500 mg trimagnesium citrate = 80.8 mg elemental"),
        (["0.5", "g", "citrate"], "500 mg trimagnesium citrate = 80.8 mg elemental"),
        (["500", "mg", "magnesium", "citrate"], "= 80.8 mg elemental"),
        (["500", "Magnesium", "Bisglycinate", "Chelate"], "magnesium bisglycinate"),
        (["12.4", "mmol", "oxide"], "301.4 mg elemental magnesium = 499.8 mg"),
    ],
)
def test_convert_reads_labels(argv: list[str], expected: str) -> None:
    """convert takes glued units, grams, mmol (elemental) and label names."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert 0 == main(["convert", *argv])
    assert expected in out.getvalue()
