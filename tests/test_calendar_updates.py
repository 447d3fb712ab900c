"""Calendar updates in logging order: every export replaces the one before.

A calendar app keeps an event until an export with a higher SEQUENCE says
otherwise, so successive exports must never lower a SEQUENCE, must raise it
on every change, and must mark every intake that disappeared as CANCELLED
with a higher SEQUENCE.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import icalendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan import ics
from mgplan._cli import main

from .strategies import resolutions, scenarios

D = dt.date.fromisoformat
EXAMPLE = Path(__file__).parent.parent / "examples" / "glycinate.toml"


def _events(data: bytes) -> dict[str, tuple[int, bool, tuple[str, ...]]]:
    """UID -> (SEQUENCE, cancelled, what a calendar shows)."""
    found = {}
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        content = (
            str(event["SUMMARY"]),
            str(event["DESCRIPTION"]),
            str(event.start),
            str(event.get("RRULE", "")),
        )
        cancelled = str(event.get("STATUS", "")) == "CANCELLED"
        found[str(event["UID"])] = (int(event["SEQUENCE"]), cancelled, content)
    return found


def _check_update(before: bytes, after: bytes) -> None:
    old, new = _events(before), _events(after)
    for uid, (seq, cancelled, content) in old.items():
        assert uid in new, f"{uid} vanished without CANCELLED"
        seq2, cancelled2, content2 = new[uid]
        assert seq2 >= seq, f"{uid}: SEQUENCE fell from {seq} to {seq2}"
        if (cancelled2, content2) != (cancelled, content):
            assert seq2 > seq, f"{uid} changed without a higher SEQUENCE"


@st.composite
def logging_orders(draw: st.DrawFn) -> tuple[mgplan.Regimen, list[object]]:
    """A regimen and its journal in an arbitrary logging order: same-day
    entries, back-dated ones, resolutions."""
    regimen, reports, missed = draw(scenarios())
    resolved = draw(resolutions(regimen.start_date, 40))
    log: list[object] = draw(st.permutations([*reports, *missed, *resolved]))
    return regimen, log


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logging_orders(), st.booleans())
def test_successive_exports_update_cleanly(
    scenario: tuple[mgplan.Regimen, list[object]], compact: bool
) -> None:
    """Export after each entry, in logging order: SEQUENCE never falls,
    rises on every change, and vanished intakes come back CANCELLED."""
    regimen, log = scenario
    previous: bytes | None = None
    for count in range(len(log) + 1):
        s = mgplan.plan(regimen, journal=log[:count])  # type: ignore[arg-type]
        if not any(e.intakes for e in s.days):
            continue
        data = ics.to_ics(s, compact=compact)
        if previous is not None:
            _check_update(previous, data)
        previous = data


def test_same_day_mild_then_severe_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """report mild, export, report severe the same day, export: the
    reminders inside the pause are CANCELLED with a higher SEQUENCE."""
    monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
    plan = tmp_path / "plan.toml"
    plan.write_text(EXAMPLE.read_text())

    def run(*argv: str) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            assert 0 == main(list(argv))

    run("report", str(plan), "--severity", "mild")
    run("ics", str(plan), "-o", str(tmp_path / "a.ics"))
    run("report", str(plan), "--severity", "severe")
    run("ics", str(plan), "-o", str(tmp_path / "b.ics"))
    a = (tmp_path / "a.ics").read_bytes()
    b = (tmp_path / "b.ics").read_bytes()
    _check_update(a, b)
    before, after = _events(a), _events(b)
    cancelled = [uid for uid, (_, c, _) in after.items() if c]
    assert cancelled
    for uid in cancelled:
        assert after[uid][0] > before[uid][0]


class TestPlanIds:
    def test_init_writes_a_unique_id(self, tmp_path: Path) -> None:
        """Two plans made with init never share an id."""
        ids = []
        for name in ("a.toml", "b.toml"):
            path = tmp_path / name
            with contextlib.redirect_stdout(io.StringIO()):
                assert 0 == main(["init", str(path), "--tz", "UTC"])
            regimen = mgplan.load_plan(path).regimen
            assert regimen.typed("id")
            ids.append(regimen.id)
        assert ids[0] != ids[1]

    def test_export_without_an_id_warns(self) -> None:
        """A calendar of a regimen without an id warns that UIDs may clash."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        regimen = mgplan.Regimen(product=product, start_date=D("2027-01-04"), tz="UTC")
        with pytest.warns(mgplan.MgplanWarning, match="Regimen.id is not set"):
            ics.to_ics(mgplan.plan(regimen))

    def test_uids_survive_a_new_start_and_form(self) -> None:
        """UIDs are plan id + date + slot: moving the start a week or
        switching the form keeps every shared evening's UID."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=100)
        regimen = mgplan.Regimen(
            id="mine",
            product=product,
            start_date=D("2027-01-04"),
            tz="UTC",
            end_date=D("2027-02-28"),
        )
        citrate = mgplan.Product(name="C", form="citrate", amount_per_unit=100)
        moved = regimen.replace(start_date=D("2027-01-11"), product=citrate)

        def uids(r: mgplan.Regimen) -> set[str]:
            return {
                str(e["UID"])
                for e in icalendar.Calendar.from_ical(ics.to_ics(mgplan.plan(r))).walk(
                    "VEVENT"
                )
            }

        before, after = uids(regimen), uids(moved)
        assert after <= before  # every evening of the new plan keeps its UID
        assert {f"mine-202701{d}-s0@mgplan" for d in range(11, 32)} <= after


def test_cli_warning_is_one_line(tmp_path: Path) -> None:
    """The CLI turns mgplan's warnings into one line on stderr."""
    text = EXAMPLE.read_text().replace('id = "glycinate-example"\n', "")
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        assert 0 == main(["ics", str(plan), "-o", str(tmp_path / "p.ics")])
    lines = err.getvalue().splitlines()
    assert 1 == len(lines)
    assert lines[0].startswith("mgplan: warning: Regimen.id is not set")
