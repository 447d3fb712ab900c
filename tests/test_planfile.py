"""Plan files (TOML and JSON) and the side-effect journal."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path

import pytest

import mgplan
from mgplan._planfile import journal_for, starter_plan

EXAMPLE = Path(__file__).parent.parent / "examples" / "glycinate.toml"


class TestPlanFile:
    def test_bundled_example_loads(self) -> None:
        """The example plan file loads with its preset applied."""
        plan_file = mgplan.load_plan(EXAMPLE)
        assert "glycinate-example" == plan_file.regimen.id
        assert 7 == plan_file.regimen.step_interval_days
        assert 10 == plan_file.calendar.alarm_minutes_before

    def test_starter_plan_loads_and_plans(self, tmp_path: Path) -> None:
        """The starter that 'mgplan init' writes is a valid, plannable file."""
        path = tmp_path / "plan.toml"
        path.write_text(starter_plan(start=dt.date(2027, 1, 1), tz="Asia/Tokyo"))
        schedule = mgplan.load_plan(path).plan()
        assert dt.date(2027, 1, 1) == schedule.start
        assert "Asia/Tokyo" == schedule.regimen.tz

    def test_starter_names_the_commands_that_record(self) -> None:
        """The starter's header says how to record the evenings, the nights,
        a side effect and its end (without which a paused plan waits)."""
        header = starter_plan(start=dt.date(2027, 1, 1), tz="UTC").split("format =")[0]
        for command in ("taken", "skipped", "rls", "report", "resolved"):
            assert f"`mgplan {command}`" in header or f"/ `{command}`" in header

    def test_json_plan_file(self, tmp_path: Path) -> None:
        """A JSON plan file with the same content gives the same plan."""
        toml_plan = mgplan.load_plan(EXAMPLE)
        path = tmp_path / "plan.json"
        path.write_text(toml_plan.model_dump_json())
        assert toml_plan == mgplan.load_plan(path)

    def test_error_names_file_line_and_key(self, tmp_path: Path) -> None:
        """A bad value points to the file, the line and the key."""
        path = tmp_path / "plan.toml"
        text = EXAMPLE.read_text().replace('form = "glycinate"', 'form = "unobtainium"')
        path.write_text(text)
        with pytest.raises(mgplan.PlanFileError) as info:
            mgplan.load_plan(path)
        line = text.splitlines().index('form = "unobtainium"') + 1
        assert (path, line) == (info.value.path, info.value.line)
        assert "regimen.product.form" == info.value.field
        assert f"{path}:{line}: regimen.product.form: expected one of" in str(
            info.value
        )

    def test_toml_syntax_error_has_line(self, tmp_path: Path) -> None:
        """Broken TOML is reported with its line."""
        path = tmp_path / "plan.toml"
        path.write_text('format = "mgplan.plan"\nversion = = 1\n')
        with pytest.raises(mgplan.PlanFileError) as info:
            mgplan.load_plan(path)
        assert 2 == info.value.line

    def test_json_syntax_error_has_line(self, tmp_path: Path) -> None:
        """Broken JSON is reported with its line."""
        path = tmp_path / "plan.json"
        path.write_text('{\n  "format": "mgplan.plan",\n  oops\n}')
        with pytest.raises(mgplan.PlanFileError) as info:
            mgplan.load_plan(path)
        assert 3 == info.value.line

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing plan file says how to make one."""
        with pytest.raises(mgplan.PlanFileError, match="mgplan init"):
            mgplan.load_plan(tmp_path / "nope.toml")

    def test_unknown_key(self, tmp_path: Path) -> None:
        """A misspelt key is an error, not ignored."""
        path = tmp_path / "plan.toml"
        path.write_text(EXAMPLE.read_text().replace("end_date", "end_dat"))
        with pytest.raises(mgplan.PlanFileError, match=r"regimen\.end_dat"):
            mgplan.load_plan(path)

    def test_journal_beside_the_plan(self, tmp_path: Path) -> None:
        """The journal is NAME.journal.jsonl beside the plan unless named."""
        plan_file = mgplan.load_plan(EXAMPLE)
        assert (
            tmp_path / "x.journal.jsonl"
            == journal_for(tmp_path / "x.toml", plan_file).path
        )
        named = plan_file.replace(journal="logs/mine.jsonl")
        assert (
            tmp_path / "logs/mine.jsonl" == journal_for(tmp_path / "x.toml", named).path
        )


def _report(day: int) -> mgplan.SideEffectReport:
    return mgplan.SideEffectReport(
        date=dt.date(2026, 12, 1) + dt.timedelta(day % 28),
        symptom="bloating",
        severity="mild",
        note=f"entry {day}",
    )


def _append_many(path: str, start: int, count: int) -> None:
    journal = mgplan.Journal(path)
    for i in range(start, start + count):
        journal.append(_report(i))


class TestJournal:
    def test_missing_journal_is_empty(self, tmp_path: Path) -> None:
        """A plan with no journal yet has no entries."""
        entries = mgplan.Journal(tmp_path / "none.jsonl").read()
        assert ((), ()) == (entries.reports, entries.missed)

    def test_append_and_read_back(self, tmp_path: Path) -> None:
        """Entries come back as logged, in order, split by kind."""
        journal = mgplan.Journal(tmp_path / "j.jsonl")
        first, missed = _report(1), mgplan.MissedDose(date=dt.date(2026, 12, 4))
        journal.append(first)
        journal.append(missed)
        entries = journal.read()
        assert ((first,), (missed,)) == (entries.reports, entries.missed)

    def test_concurrent_appends_lose_nothing(self, tmp_path: Path) -> None:
        """Four processes appending at once: every entry arrives whole."""
        path = tmp_path / "j.jsonl"
        context = multiprocessing.get_context("spawn")
        workers = [
            context.Process(target=_append_many, args=(str(path), k * 50, 50))
            for k in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
            assert 0 == worker.exitcode
        entries = mgplan.Journal(path).read()
        notes = sorted(r.note for r in entries.reports)
        assert sorted(f"entry {i}" for i in range(200)) == notes

    def test_corrupt_line_is_reported_with_its_number(self, tmp_path: Path) -> None:
        """A broken line is an error naming its line, never skipped."""
        path = tmp_path / "j.jsonl"
        journal = mgplan.Journal(path)
        journal.append(_report(1))
        with path.open("a") as handle:
            handle.write("{not json}\n")
        journal.append(_report(2))
        with pytest.raises(mgplan.PlanFileError) as info:
            journal.read()
        assert 2 == info.value.line
        assert "j.jsonl:2:" in str(info.value)

    def test_half_written_line_is_kept_apart(self, tmp_path: Path) -> None:
        """After a crash mid-line, the next entry starts on a line of its own:
        the broken line is reported and the new entry is kept."""
        path = tmp_path / "j.jsonl"
        journal = mgplan.Journal(path)
        journal.append(_report(1))
        with path.open("ab") as handle:
            handle.write(b'{"kind":"side-effect","date":"2026-1')
        journal.append(_report(2))
        lines = path.read_text().splitlines()
        assert 3 == len(lines)
        assert json.loads(lines[2])["note"] == "entry 2"
        with pytest.raises(mgplan.PlanFileError) as info:
            journal.read()
        assert 2 == info.value.line

    def test_invalid_entry_names_line_and_field(self, tmp_path: Path) -> None:
        """A well-formed line with a bad value names the line and the field."""
        path = tmp_path / "j.jsonl"
        path.write_text(
            '{"kind":"side-effect","date":"2026-12-01",'
            '"symptom":"hiccups","severity":"mild"}\n'
        )
        with pytest.raises(mgplan.PlanFileError) as info:
            mgplan.Journal(path).read()
        assert (1, "entry.side-effect.symptom") == (info.value.line, info.value.field)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_byte_order_mark_is_not_content(tmp_path: Path, suffix: str) -> None:
    """A plan saved with a UTF-8 byte-order mark (some editors write one) was
    refused at line 1 ('Invalid statement'), a mark no one can see."""
    plain = mgplan.load_plan(EXAMPLE)
    path = tmp_path / f"plan{suffix}"
    text = EXAMPLE.read_text() if suffix == ".toml" else plain.model_dump_json()
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert plain == mgplan.load_plan(path)


def test_a_journal_with_a_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    """A journal saved by such an editor, with CRLF line ends, reads with its
    line numbers, and appending keeps what it held."""
    path = tmp_path / "plan.journal.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"kind": "skipped", "date": "2026-12-05"}\r\n'
        b'{"kind": "skipped", "date": "2026-12-06"}\r\n'
    )
    journal = mgplan.Journal(path)
    entries = journal.read()
    assert [dt.date(2026, 12, 5), dt.date(2026, 12, 6)] == [
        e.date for e in entries.ordered()
    ]
    assert (1, 2) == entries.lines
    journal.append(mgplan.MissedDose(date=dt.date(2026, 12, 7)))
    assert path.read_bytes().startswith(b'\xef\xbb\xbf{"kind": "skipped"')
    assert 3 == len(journal.read().ordered())
