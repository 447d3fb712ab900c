"""Hostile input: each is a one-line error with the documented exit code."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import mgplan
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


@pytest.mark.parametrize("value", ["true", "false"])
def test_a_boolean_is_not_a_number(tmp_path: Path, value: str) -> None:
    """amount_per_unit = true was read as 1 mg; a boolean is not a number."""
    plan = plan_with(tmp_path, "amount_per_unit = 50", f"amount_per_unit = {value}")
    code, err = run("show", plan)
    assert 2 == code
    line = one_line(err)
    assert "amount_per_unit" in line
    assert "a number, not true or false" in line


def test_a_boolean_in_a_journal_line(tmp_path: Path) -> None:
    """ "bristol": true in a journal line names the line, not Bristol type 1."""
    plan = plan_with(tmp_path, "version = 1\n", 'version = 1\njournal = "j.jsonl"\n')
    (tmp_path / "j.jsonl").write_text(
        '{"kind":"side-effect","date":"2026-12-05","severity":"mild","bristol":true}\n'
    )
    code, err = run("show", plan)
    assert 2 == code
    line = one_line(err)
    assert "j.jsonl:1:" in line
    assert "not true or false" in line


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


def test_a_short_time_says_what_a_time_looks_like(tmp_path: Path) -> None:
    """Not pydantic's 'in a valid time format, input is too short'."""
    plan = plan_with(tmp_path, '"19:00 with dinner"', '"19 with dinner"')
    code, err = run("show", plan)
    assert 2 == code
    assert "expected a time such as '21:30'" in one_line(err)


def test_a_schedule_given_as_a_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """show on a schedule JSON says it is a schedule, not 14 field errors."""
    schedule = tmp_path / "schedule.json"
    assert 0 == main(["show", str(EXAMPLE), "--json"])
    schedule.write_text(capsys.readouterr().out)
    code, err = run("show", str(schedule))
    assert 2 == code
    line = one_line(err)
    assert "a schedule" in line
    assert "give the plan file it was made from" in line
    assert "problems" not in line


def test_write_errors_have_no_errno_prefix(tmp_path: Path) -> None:
    """'[Errno 2]' is for programmers; the message says what failed."""
    target = tmp_path / "missing" / "plan.ics"
    code, err = run("ics", str(EXAMPLE), "-o", str(target))
    assert 1 == code
    assert f"mgplan: cannot write {target}: No such file or directory" == one_line(err)


def test_sync_without_a_url_names_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not 'url: ... got None': the option, where else a URL comes from."""
    monkeypatch.delenv("MGPLAN_CALDAV_URL", raising=False)
    code, err = run("sync", str(EXAMPLE))
    assert 2 == code
    line = one_line(err)
    assert line.startswith("mgplan: --url: expected the calendar's URL")
    assert line.endswith("got nothing")


def test_unwritable_journal_exits_1(tmp_path: Path) -> None:
    """A journal that cannot be written is a failed operation (exit 1), as
    documented, not bad input (exit 2); nothing is logged."""
    journal = tmp_path / "missing" / "j.jsonl"
    plan = plan_with(tmp_path, "version = 1\n", f'version = 1\njournal = "{journal}"\n')
    code, err = run("missed", plan, "--date", "2026-12-05")
    assert 1 == code
    line = one_line(err)
    assert f"cannot write the journal {journal}" in line
    assert "nothing was logged" in line
    assert not journal.exists()


@pytest.mark.parametrize(
    "day", ["0001-01-01", "1969-12-31", "2200-01-01", "9999-12-31"]
)
@pytest.mark.parametrize(
    "argv",
    [
        ["tonight", "--date"],
        ["show", "--date"],
        ["review", "--date"],
        ["report", "--symptom", "nausea", "--severity", "mild", "--date"],
        ["ferritin", "--ng-ml", "40", "--date"],
        ["taken", "--at"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_date_argument_out_of_range(
    tmp_path: Path, argv: list[str], day: str
) -> None:
    """--date 0001-01-01 was an OverflowError (the evening before it does not
    exist) and --date 9999-12-31 a plan 'ended': every date argument is
    checked against the range plan dates have, a usage error."""
    plan = plan_with(tmp_path, "", "")
    value = f"{day}T21:00" if argv[-1] == "--at" else day
    code, err = run(argv[0], plan, *argv[1:], value)
    assert 2 == code
    assert not (tmp_path / "plan.journal.jsonl").exists()
    assert "Traceback" not in err
    assert f"{argv[-1]}: expected a date" in err
    assert "from 1970-01-01 to 2199-12-31" in err


@pytest.mark.parametrize(
    ("argv", "variable", "value"),
    [
        (["tonight"], "MGPLAN_TODAY", "0001-01-01"),
        (["tonight"], "MGPLAN_TODAY", "9999-12-31"),
        (
            ["report", "--symptom", "nausea", "--severity", "mild"],
            "MGPLAN_TODAY",
            "9999-12-31",
        ),
        (["taken"], "MGPLAN_NOW", "0001-01-01T00:00"),
        (["taken"], "MGPLAN_NOW", "9999-12-31T23:59"),
        (["rls", "--sleep", "3"], "MGPLAN_NOW", "0001-01-01T06:00"),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else value,
)
def test_a_clock_out_of_range(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    variable: str,
    value: str,
) -> None:
    """MGPLAN_TODAY (or MGPLAN_NOW) out of range names the variable; it was an
    OverflowError, or a report logged in the year 9999."""
    monkeypatch.setenv(variable, value)
    plan = plan_with(tmp_path, "", "")
    code, err = run(argv[0], plan, *argv[1:])
    assert 2 == code
    assert one_line(err).startswith(f"mgplan: {variable}: expected a date")
    assert not (tmp_path / "plan.journal.jsonl").exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda d: mgplan.SideEffectReport(date=d, symptom="nausea", severity="mild"),
        lambda d: mgplan.MissedDose(date=d),
        lambda d: mgplan.Resolved(date=d),
        lambda d: mgplan.Ferritin(date=d, ng_ml=40),
        lambda d: mgplan.Stools(date=d, count=2),
    ],
    ids=["report", "missed", "resolved", "ferritin", "stools"],
)
@pytest.mark.parametrize("day", [dt.date.min, dt.date(1969, 12, 31), dt.date.max])
def test_an_entry_out_of_range(make: Callable[[dt.date], object], day: dt.date) -> None:
    """An entry dated 9999-12-31 made the engine overflow (the evening after
    it does not exist): every entry's date is in mgplan's range, checked
    where the entry is made."""
    with pytest.raises(mgplan.InvalidInputError) as info:
        make(day)
    assert info.value.field.endswith(".date")
    assert "a date from 1970-01-01 to 2199-12-31" == info.value.expected


def test_a_schedule_nested_too_deep() -> None:
    """Schedule.from_json of '[' a hundred thousand times: an InvalidInputError,
    not a RecursionError."""
    with pytest.raises(mgplan.InvalidInputError) as info:
        mgplan.Schedule.from_json("[" * 100_000)
    assert "schedule" == info.value.field
    assert "nesting too deep" in str(info.value)


# ``python -m mgplan`` with its address space bounded to 2 GB where the
# platform can bound it (set in the child itself: preexec_fn is unsafe
# beside threads, and the CalDAV tests run a server in one).
_CHILD = """
import runpy, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
except (ImportError, ValueError, OSError):
    pass
sys.argv[0] = "mgplan"
runpy.run_module("mgplan", run_name="__main__", alter_sys=True)
"""


def run_child(*argv: str) -> subprocess.CompletedProcess[str]:
    """``mgplan *argv`` in a child process with a time limit and a memory
    limit: a case that used to hang or fill the memory fails there instead
    of taking the test run with it."""
    return subprocess.run(
        [sys.executable, "-c", _CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "MGPLAN_TODAY": "2026-12-10"},
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("which", ["plan", "journal"])
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, which: str) -> None:
    """A plan or journal path naming a FIFO no one writes to: mgplan blocked
    in open() for ever. It is refused as not a regular file."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    if which == "plan":
        plan = str(fifo)
    else:
        plan = plan_with(tmp_path, "version = 1\n", 'version = 1\njournal = "fifo"\n')
    done = run_child("show", plan)
    assert 2 == done.returncode
    assert "expected a regular file, got 'a FIFO or device'" in one_line(done.stderr)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/dev/zero", "a regular file, got 'a FIFO or device'"),
        ("/dev/urandom", "a regular file, got 'a FIFO or device'"),
        (".", "a regular file, got 'a directory'"),
        ("big.toml", "a plan file of at most 1 MB, got '1048577 bytes'"),
    ],
)
def test_a_plan_path_that_is_not_a_plan_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, expected: str
) -> None:
    """A plan path naming /dev/zero filled the memory (MemoryError, exit 1)
    and /dev/urandom read for ever; a directory or an oversized file are
    refused too, before anything is read."""
    if path.startswith("/dev/") and not Path(path).exists():
        pytest.skip(f"no {path} here")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.toml").write_bytes(b"#" * (1024 * 1024 + 1))
    done = run_child("show", path)
    assert 2 == done.returncode
    assert f"file: expected {expected}" in one_line(done.stderr)


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:s3cret@127.0.0.1:9/cal/",  # nothing listens on port 9
        "http://alice:s3cret@[bad/cal",
        "ftp://alice:s3cret@example.org/cal",
    ],
)
def test_a_password_in_the_url_is_not_shown(url: str) -> None:
    """sync echoed a URL's user:password@ in its errors, onto the terminal
    and into any log of it; the password is shown as ***."""
    code, err = run("sync", str(EXAMPLE), "--url", url)
    assert code in (1, 2)
    line = one_line(err)
    assert "s3cret" not in err
    assert "alice:***@" in line


@pytest.mark.parametrize(
    "argv",
    [
        ["ics", "PLAN", "-o"],
        ["summary", "PLAN", "-o"],
        ["fhir", "PLAN", "-o"],
        ["chart", "PLAN", "-o"],
        ["show"],
        ["init"],
    ],
    ids=lambda argv: argv[0],
)
def test_an_empty_path(tmp_path: Path, argv: list[str]) -> None:
    """An empty path was taken as '.', the folder: 'cannot write .: Device
    or resource busy' (exit 1). It is a usage error."""
    plan = plan_with(tmp_path, "", "")
    code, err = run(*(plan if a == "PLAN" else a for a in argv), "")
    assert 2 == code
    assert "expected a file path, got ''" in err


@pytest.mark.parametrize("command", ["ics", "summary", "fhir"])
def test_an_output_that_is_a_folder(tmp_path: Path, command: str) -> None:
    """-o naming a folder says so (it said 'Device or resource busy')."""
    plan = plan_with(tmp_path, "", "")
    code, err = run(command, plan, "-o", str(tmp_path))
    assert 1 == code
    assert one_line(err) == f"mgplan: cannot write {tmp_path}: it is a folder"
    assert {"plan.toml"} == {p.name for p in tmp_path.iterdir()}


@pytest.mark.parametrize(
    "argv",
    [
        ["report", str(EXAMPLE), "--severity", "mild", "--symptom"],
        ["convert", "mg", "oxide"],
        ["tonight", str(EXAMPLE), "--date"],
        ["rls", str(EXAMPLE), "--sleep"],
    ],
    ids=lambda argv: argv[0],
)
def test_a_long_value_is_cut_in_the_error(argv: list[str]) -> None:
    """An argument of 5,000 characters was echoed whole in its one-line
    error; it is cut at 80, as the library's errors cut what they echo."""
    value = "9" * 5000
    args = [argv[0], value, *argv[1:]] if argv[0] == "convert" else [*argv, value]
    code, err = run(*args)
    assert 2 == code
    line = err.splitlines()[0]
    assert "'" + "9" * 76 + "..." in line
    assert len(line) < 300


@pytest.mark.parametrize(
    ("old", "new", "key", "received"),
    [
        (
            "amount_per_unit = 50",
            "amount_per_unit = 350.0001",
            "regimen.product.amount_per_unit",
            "'350.0001 mg'",  # rounded it read '350 mg', the cap itself
        ),
        (
            "amount_per_unit = 50",
            "amount_per_unit = 0.1",
            "regimen.product.amount_per_unit",
            "'0.1 mg per capsule'",
        ),
    ],
)
def test_a_setting_planning_refuses_is_named_as_in_the_file(
    tmp_path: Path, old: str, new: str, key: str, received: str
) -> None:
    """A setting the planner refuses (not the loader) was named by its model
    ('Regimen.product.amount_per_unit') with no line; it is named by its key
    in the file, with the line that sets it."""
    plan = plan_with(tmp_path, old, new)
    number = 1 + Path(plan).read_text().splitlines().index(new)
    code, err = run("show", plan)
    assert 2 == code
    line = one_line(err)
    assert line.startswith(f"mgplan: {plan}:{number}: {key}: expected ")
    assert line.endswith(f", got {received}")
