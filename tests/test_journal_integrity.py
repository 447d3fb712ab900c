"""The journal: appends checked under their lock, retractions, undo."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest

import mgplan
from mgplan._cli import main

D = dt.date.fromisoformat
EXAMPLE = Path(__file__).parent.parent / "examples" / "glycinate.toml"


def _plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(EXAMPLE.read_text())
    return path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


class TestRetractions:
    def test_a_retracted_entry_counts_as_never_logged(self) -> None:
        """A plan with an entry and its retraction is the plan without it."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="r", product=product, start_date=D("2027-01-04"), tz="UTC"
        )
        severe = mgplan.SideEffectReport(date=D("2027-01-10"), severity="severe")
        undone = mgplan.plan(
            regimen,
            journal=[severe, mgplan.Retracted(date=D("2027-01-11"), entry=1)],
        )
        assert undone.days == mgplan.plan(regimen).days
        assert () == undone.reports
        assert 2 == len(undone.journal)

    @pytest.mark.parametrize(
        ("target", "expected"),
        [
            (3, "an entry before this one"),
            (1, "not already taken back"),
            (2, "not itself a retraction"),
        ],
    )
    def test_bad_targets(self, target: int, expected: str) -> None:
        """A retraction must name an earlier entry that still counts."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="r", product=product, start_date=D("2027-01-04"), tz="UTC"
        )
        miss = mgplan.MissedDose(date=D("2027-01-05"))
        log: list[object] = [miss, mgplan.Retracted(date=D("2027-01-06"), entry=1)]
        log.append(mgplan.Retracted(date=D("2027-01-06"), entry=target))
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.plan(regimen, journal=log)  # type: ignore[arg-type]
        assert "journal[2].entry" == info.value.field
        assert expected in info.value.expected


class TestUndo:
    @pytest.mark.parametrize("argv", [[], ["--entry", "1"], ["--entry", "0"]])
    def test_nothing_to_take_back(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
    ) -> None:
        """undo on a journal with nothing that counts says so, with or
        without --entry (which offered 'an entry that counts (1 to 0)')."""
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        plan = _plan(tmp_path)
        code, _, err = _run("undo", str(plan), *argv)
        assert 2 == code
        assert (
            "mgplan: journal: expected an entry to take back, got 'no entry "
            "that counts'" == err.splitlines()[0]
        )
        assert not (tmp_path / "plan.journal.jsonl").exists()

    def test_undo_takes_back_the_latest(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """report, undo: the plan is as before, and the journal keeps both."""
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        plan = _plan(tmp_path)
        before = mgplan.load_plan(plan).plan(as_of=D("2026-12-10")).days
        assert 0 == _run("report", str(plan), "--severity", "severe")[0]
        code, out, _ = _run("undo", str(plan))
        assert 0 == code
        assert "Took back entry 1 (line 1): Severe" in out
        journal = (tmp_path / "plan.journal.jsonl").read_text().splitlines()
        assert 2 == len(journal)
        assert "retracted" == json.loads(journal[1])["kind"]
        after = mgplan.load_plan(plan)
        entries = mgplan.Journal(tmp_path / "plan.journal.jsonl").read()
        assert before == after.plan(entries, as_of=D("2026-12-10")).days

    def test_a_journal_the_plan_refuses_names_the_line_and_undo_fixes_it(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A hand-written entry from before the start: every command names
        its line and points to undo; undo --entry takes it back."""
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        plan = _plan(tmp_path)
        journal = tmp_path / "plan.journal.jsonl"
        journal.write_text(
            json.dumps({"kind": "missed", "date": "2026-12-05"})
            + "\n"
            + json.dumps({"kind": "missed", "date": "2026-01-01"})
            + "\n"
        )
        code, _, err = _run("show", str(plan))
        assert 2 == code
        assert "plan.journal.jsonl:2" in err
        assert "mgplan undo" in err
        assert 0 == _run("undo", str(plan), "--entry", "2")[0]
        assert 0 == _run("show", str(plan))[0]

    def test_an_entry_refused_as_it_is_logged_is_named_by_its_option(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An entry the plan refuses while it is being logged was named as a
        line of the journal ('plan.journal.jsonl:2: date: ...; mgplan undo
        takes an entry back'), though it was never written: it is named by
        the option that set it, and nothing is said of undo."""
        monkeypatch.setenv("MGPLAN_TODAY", "2026-12-10")
        plan = _plan(tmp_path)
        journal = tmp_path / "plan.journal.jsonl"
        assert 0 == _run("taken", str(plan), "--date", "2026-12-05")[0]
        before = journal.read_bytes()
        code, _, err = _run("skipped", str(plan), "--date", "2026-12-05")
        assert 2 == code
        assert err.splitlines()[0] == (
            "mgplan: --date: expected an evening not already recorded as "
            "taken, got 'skipped on 2026-12-05'"
        )
        assert before == journal.read_bytes()
        # A problem of the journal itself is still named by its line.
        journal.write_bytes(before + b'{"kind": "missed", "date": "2026-01-01"}\n')
        code, _, err = _run("skipped", str(plan), "--date", "2026-12-06")
        assert 2 == code
        assert "plan.journal.jsonl:2" in err
        assert "mgplan undo" in err

    def test_nothing_to_undo(self, tmp_path: Path) -> None:
        """Undo on an empty journal is a one-line error."""
        code, _, err = _run("undo", str(_plan(tmp_path)))
        assert 2 == code
        assert err.startswith("mgplan: ")


def test_the_check_sees_the_journal_as_it_is_when_appending(tmp_path: Path) -> None:
    """Two commands read the journal, then both take back entry 1. Each is
    valid against what it read; the check runs under the append's lock
    against the journal as it is then, so the second is refused and the
    journal still plans."""
    from mgplan._tolerance import effective_entries

    path = tmp_path / "plan.journal.jsonl"
    journal = mgplan.Journal(path)
    journal.append(mgplan.MissedDose(date=D("2026-12-05")))
    stale = journal.read()  # what both commands saw

    def check(entries: mgplan.JournalEntries) -> None:
        effective_entries(entries.log)

    undo = mgplan.Retracted(date=D("2026-12-06"), entry=1)
    effective_entries(stale.adding(undo).log)  # valid against the stale view
    journal.append(undo, check=check)
    with pytest.raises(mgplan.InvalidInputError, match="not already taken back"):
        journal.append(undo, check=check)
    assert 2 == len(journal.read().log)
