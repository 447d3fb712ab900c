"""Reading back from a real Radicale: the caldav client plays the person's
phone (ticks tasks off, cancels them, writes notes), mgplan syncs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import caldav as caldav_client
import icalendar
import pytest

import mgplan
from mgplan import caldav, ics

from .radicale_server import PASSWORD, USER

D = dt.date.fromisoformat
BERLIN = "Europe/Berlin"
TODAY = D("2027-03-13")


def regimen(**changes: Any) -> mgplan.Regimen:
    """100 mg for a week, then 200 mg; one evening dose at 21:00."""
    values: dict[str, Any] = {
        "id": "phone",
        "product": mgplan.Product(
            name="Magnesium glycinate 100 mg", form="glycinate", amount_per_unit=100
        ),
        "start_date": D("2027-03-01"),
        "tz": BERLIN,
        "start_dose": "100 mg",
        "step": "100 mg",
        "target_dose": "200 mg",
        "slots": ["21:00"],
    }
    return mgplan.Regimen(**{**values, **changes})


def planned(journal: Path, base: mgplan.Regimen | None = None) -> mgplan.Schedule:
    entries = mgplan.Journal(journal).read()
    return mgplan.plan(base or regimen(), journal=entries.ordered(), as_of=TODAY)


def sync(schedule: mgplan.Schedule, url: str, journal: Path) -> caldav.SyncResult:
    return caldav.sync(
        schedule,
        url,
        journal=journal,
        username=USER,
        password=PASSWORD,
        items="tasks",
        stamp=dt.datetime(2027, 3, 13, tzinfo=dt.UTC),
    )


def calendar(url: str) -> Any:
    client = caldav_client.DAVClient(url=url, username=USER, password=PASSWORD)
    return client.calendar(url=url)


def task_uid(date: str, slot: int = 0) -> str:
    return f"phone-{date.replace('-', '')}-s{slot}-task@mgplan"


def edit(url: str, uid: str, change: Callable[[icalendar.Component], None]) -> None:
    """Change one item as a phone app would: read it, change it, save it."""
    obj = calendar(url).object_by_uid(uid)
    cal = icalendar.Calendar.from_ical(obj.data)
    component = next(
        c for c in cal.subcomponents if c.name in ("VTODO", "VEVENT", "VJOURNAL")
    )
    change(component)
    obj.data = cal.to_ical().decode()
    obj.save()


def complete(at: dt.datetime) -> Callable[[icalendar.Component], None]:
    def change(todo: icalendar.Component) -> None:
        todo["STATUS"] = "COMPLETED"
        todo.add("COMPLETED", at.astimezone(dt.UTC))
        todo.add("PERCENT-COMPLETE", 100)

    return change


def cancel(todo: icalendar.Component) -> None:
    todo["STATUS"] = "CANCELLED"


def add_note(text: str) -> Callable[[icalendar.Component], None]:
    def change(todo: icalendar.Component) -> None:
        todo["DESCRIPTION"] = f"{todo['DESCRIPTION']}\n{text}"

    return change


def add_journal_note(url: str, uid: str, day: dt.date, text: str) -> None:
    calendar(url).save_journal(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\n"
        f"BEGIN:VJOURNAL\r\nUID:{uid}\r\nDTSTAMP:20270313T080000Z\r\n"
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}\r\nSUMMARY:{text}\r\n"
        "END:VJOURNAL\r\nEND:VCALENDAR\r\n"
    )


def server_tasks(url: str) -> dict[str, icalendar.Component]:
    found = {}
    for obj in calendar(url).todos(include_completed=True):
        component = obj.icalendar_component
        found[str(component["UID"])] = component
    return found


def journal_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def evening(date: str, hour: int = 21, minute: int = 5) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{date}T{hour:02}:{minute:02}").replace(
        tzinfo=__import__("zoneinfo").ZoneInfo(BERLIN)
    )


class TestReadBack:
    def test_ticks_skips_and_a_note_step_the_plan_back(
        self, url: str, tmp_path: Path
    ) -> None:
        """Ten doses ticked off, two skipped (cancelled, and 'skipped' in
        the notes), a moderate side effect noted: the journal gets each once,
        the plan steps back, the server's later tasks say the lower dose, and
        a second sync changes nothing."""
        journal = tmp_path / "plan.journal.jsonl"
        first = sync(planned(journal), url, journal)
        assert first.created
        assert not first.logged
        assert len(server_tasks(url)) == len(list(planned(journal).intakes()))

        for day in range(1, 11):
            edit(
                url,
                task_uid(f"2027-03-{day:02}"),
                complete(evening(f"2027-03-{day:02}")),
            )
        edit(url, task_uid("2027-03-10"), add_note("loose stools moderate"))
        edit(url, task_uid("2027-03-11"), cancel)
        edit(url, task_uid("2027-03-12"), add_note("Skipped"))
        edit(url, task_uid("2027-03-12"), cancel)

        before = planned(journal)
        assert before.day(D("2027-03-14")).elemental_mg == 200
        result = sync(before, url, journal)

        kinds = [(e.kind, e.date.isoformat()) for e in result.logged]
        assert kinds.count(("taken", "2027-03-01")) == 1
        assert sum(1 for k, _ in kinds if k == "taken") == 10
        assert ("skipped", "2027-03-11") in kinds
        assert ("skipped", "2027-03-12") in kinds
        reports = [e for e in result.logged if isinstance(e, mgplan.SideEffectReport)]
        assert len(reports) == 1
        assert reports[0].severity == "moderate"
        assert reports[0].dose_date == D("2027-03-10")
        assert not result.unread
        # Each journal line names the task it came from, and its ETag.
        lines = journal_lines(journal)
        assert len(lines) == 13
        assert all(line["source"][0]["uid"].endswith("-task@mgplan") for line in lines)
        assert all(line["source"][0]["etag"] for line in lines)
        taken_first = next(line for line in lines if line["date"] == "2027-03-01")
        assert taken_first["at"] == "21:05:00"

        after = planned(journal)
        assert any(d.action == "step-back" for d in result.decisions)
        assert after.day(D("2027-03-14")).elemental_mg == 100
        tasks = server_tasks(url)
        assert "1 capsule" in str(tasks[task_uid("2027-03-14")]["SUMMARY"])
        # What the person recorded stays on their tasks.
        ticked = tasks[task_uid("2027-03-10")]
        assert str(ticked["STATUS"]) == "COMPLETED"
        assert "loose stools moderate" in str(ticked["DESCRIPTION"])
        assert str(tasks[task_uid("2027-03-11")]["STATUS"]) == "CANCELLED"

        again = sync(after, url, journal)
        assert not again.logged
        assert not again.changed
        assert not again.unread
        assert len(journal_lines(journal)) == 13

    def test_a_journal_note_in_the_calendar(self, url: str, tmp_path: Path) -> None:
        """A VJOURNAL in the short syntax becomes entries dated by it; one
        that does not read is reported with its UID and text, and skipped,
        on every sync until it is fixed."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        add_journal_note(url, "note-1@phone", D("2027-03-12"), "legs 6 sleep 4")
        add_journal_note(url, "note-2@phone", D("2027-03-12"), "legs sometimes")
        result = sync(planned(journal), url, journal)
        [rating] = result.logged
        assert isinstance(rating, mgplan.RlsRating)
        assert (rating.date, rating.night, rating.sleep_satisfaction) == (
            D("2027-03-11"),
            6,
            4,
        )
        [unread] = result.unread
        assert unread.uid == "note-2@phone"
        assert unread.text == "legs sometimes"
        assert "note" in unread.reason
        again = sync(planned(journal), url, journal)
        assert not again.logged
        assert [u.uid for u in again.unread] == ["note-2@phone"]
        assert len(journal_lines(journal)) == 1

    def test_symptoms_gone_restarts_a_paused_plan(
        self, url: str, tmp_path: Path
    ) -> None:
        """A severe report pauses the plan until the symptoms have gone: the
        calendar shows the pause, and a journal note 'symptoms gone' records
        it from the phone (dated the first day without them), as 'mgplan
        resolved' would; the plan restarts and the notice says when."""
        journal = tmp_path / "plan.journal.jsonl"
        base = regimen(start_dose="200 mg")  # above the lowest dose: a pause
        mgplan.Journal(journal).append(
            mgplan.SideEffectReport(date=D("2027-03-04"), severity="severe")
        )
        paused = planned(journal, base)
        assert "resolution" == paused.waiting_for
        sync(paused, url, journal)
        notice_uid = "phone-pause-20270304@mgplan"
        notice = calendar(url).object_by_uid(notice_uid).icalendar_component
        assert "mgplan resolved" in str(notice["DESCRIPTION"])

        add_journal_note(url, "gone@phone", D("2027-03-12"), "Symptoms gone")
        result = sync(planned(journal, base), url, journal)
        [resolved] = result.logged
        assert isinstance(resolved, mgplan.Resolved)
        assert D("2027-03-12") == resolved.date
        assert "gone@phone" == resolved.source[0].uid
        restarted = planned(journal, base)
        assert restarted.waiting_for is None
        assert any(d.action == "restart" for d in result.decisions)
        notice = calendar(url).object_by_uid(notice_uid).icalendar_component
        assert "Magnesium restarts on 2027-03-12" in str(notice["DESCRIPTION"])
        assert not sync(restarted, url, journal).logged

        def cancelled(note: icalendar.Component) -> None:
            note["STATUS"] = "CANCELLED"

        # Cancelled on the phone: taken back, and the plan waits again.
        edit(url, "gone@phone", cancelled)
        result = sync(restarted, url, journal)
        assert ["retracted"] == [e.kind for e in result.logged]
        assert "resolution" == planned(journal, base).waiting_for

    def test_ticking_off_the_pause_task_restarts_the_plan(
        self, url: str, tmp_path: Path
    ) -> None:
        """With tasks, a severe pause has a task due when the shortest pause
        is over; ticking it off records the symptoms as gone on the day it
        was ticked, the plan restarts, the task stays done; unticking takes
        the resolution back."""
        journal = tmp_path / "plan.journal.jsonl"
        base = regimen(start_dose="200 mg")  # above the lowest dose: a pause
        mgplan.Journal(journal).append(
            mgplan.SideEffectReport(date=D("2027-03-04"), severity="severe")
        )
        sync(planned(journal, base), url, journal)
        uid = ics.pause_task_uid("phone", D("2027-03-04"))
        task = server_tasks(url)[uid]
        assert D("2027-03-11") == task.decoded("DUE")
        assert "tick this off when the symptoms have gone" in str(task["SUMMARY"])

        edit(url, uid, complete(evening("2027-03-12", 8, 30)))
        result = sync(planned(journal, base), url, journal)
        [resolved] = result.logged
        assert isinstance(resolved, mgplan.Resolved)
        assert (D("2027-03-12"), uid) == (resolved.date, resolved.source[0].uid)
        restarted = planned(journal, base)
        assert restarted.waiting_for is None
        assert restarted.day(D("2027-03-12")).intakes
        assert "COMPLETED" == str(server_tasks(url)[uid]["STATUS"])
        assert not sync(restarted, url, journal).logged

        def reopen(todo: icalendar.Component) -> None:
            todo["STATUS"] = "NEEDS-ACTION"
            del todo["COMPLETED"]
            del todo["PERCENT-COMPLETE"]

        edit(url, uid, reopen)
        result = sync(restarted, url, journal)
        assert ["retracted"] == [e.kind for e in result.logged]
        assert "resolution" == planned(journal, base).waiting_for

    def test_a_calendar_of_events_is_read_without_exporting_tasks(
        self, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """mgplan's own task text is what tells a person's words on a task
        from its own; a calendar without tasks never needs it, so a sync of
        events reads the notes without exporting the plan's tasks too (for
        a year's plan, most of a sync's time)."""

        def no_tasks(*_: object) -> frozenset[str]:
            raise AssertionError("exported the tasks of a calendar without any")

        monkeypatch.setattr(caldav, "_own_lines", no_tasks)
        journal = tmp_path / "plan.journal.jsonl"

        def events_sync() -> caldav.SyncResult:
            return caldav.sync(
                planned(journal),
                url,
                journal=journal,
                username=USER,
                password=PASSWORD,
                stamp=dt.datetime(2027, 3, 13, tzinfo=dt.UTC),
            )

        events_sync()
        add_journal_note(url, "note-1@phone", D("2027-03-12"), "legs 6 sleep 4")
        [rating] = events_sync().logged
        assert isinstance(rating, mgplan.RlsRating)
        assert D("2027-03-11") == rating.date

    def test_the_future_waits(self, url: str, tmp_path: Path) -> None:
        """A task ticked off before its evening is not read until it comes."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        edit(url, task_uid("2027-03-20"), complete(evening("2027-03-13")))
        result = sync(planned(journal), url, journal)
        assert not result.logged
        [waiting] = result.waiting
        assert waiting.uid == task_uid("2027-03-20")
        assert "has not come" in waiting.reason
        # The ticked task is kept as the person left it.
        assert str(server_tasks(url)[task_uid("2027-03-20")]["STATUS"]) == "COMPLETED"

    def test_typed_entries_are_not_doubled(self, url: str, tmp_path: Path) -> None:
        """An evening already logged on the command line is not logged again
        from its task; a contradicting task is reported, the journal kept."""
        journal = tmp_path / "plan.journal.jsonl"
        mgplan.Journal(journal).append(mgplan.Taken(date=D("2027-03-02")))
        mgplan.Journal(journal).append(mgplan.MissedDose(date=D("2027-03-03")))
        sync(planned(journal), url, journal)
        edit(url, task_uid("2027-03-02"), complete(evening("2027-03-02")))
        edit(url, task_uid("2027-03-03"), complete(evening("2027-03-03")))
        result = sync(planned(journal), url, journal)
        assert not result.logged
        [conflict] = result.unread
        assert conflict.uid == task_uid("2027-03-03")
        assert "records the evening of 2027-03-03 as skipped" in conflict.reason
        assert len(journal_lines(journal)) == 2

    def test_changed_dose_text_is_put_back(self, url: str, tmp_path: Path) -> None:
        """A client that changes what a task says (here the dose) is
        overwritten by the plan, and the result says so."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        uid = task_uid("2027-03-15")

        def four_capsules(todo: icalendar.Component) -> None:
            todo["SUMMARY"] = "Magnesium: 4 capsules"

        edit(url, uid, four_capsules)
        result = sync(planned(journal), url, journal)
        assert result.overwritten == (uid,)
        assert "changed on the server, put back" in str(result)
        assert "4 capsules" not in str(server_tasks(url)[uid]["SUMMARY"])


class TestConflicts:
    def test_a_change_between_read_and_write_is_not_lost(
        self, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another client ticks a task off (with ratings) after mgplan read
        it and before mgplan writes it: the write is refused (If-Match), the
        sync reads again, logs the tick and ratings, and keeps them on the
        task."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        uid = task_uid("2027-03-05")

        def wrong_dose(todo: icalendar.Component) -> None:
            todo["SUMMARY"] = "Magnesium: 9 capsules"

        edit(url, uid, wrong_dose)  # the sync will put it back: a write
        original = caldav._Server.put
        raced: list[str] = []

        def put(self: Any, href: str, text: str, etag: str | None) -> None:
            if not raced and uid in text:
                raced.append(href)
                edit(url, uid, complete(evening("2027-03-05")))
                edit(url, uid, add_note("legs 3 sleep 7"))
            original(self, href, text, etag)

        monkeypatch.setattr(caldav._Server, "put", put)
        result = sync(planned(journal), url, journal)
        assert raced
        assert result.rounds == 2
        kinds = sorted(e.kind for e in result.logged)
        assert kinds == ["rls", "taken"]
        task = server_tasks(url)[uid]
        assert str(task["STATUS"]) == "COMPLETED"
        assert "legs 3 sleep 7" in str(task["DESCRIPTION"])
        assert "9 capsules" not in str(task["SUMMARY"])
        monkeypatch.undo()
        again = sync(planned(journal), url, journal)
        assert not again.logged
        assert not again.changed


class TestTwoDosesAnEvening:
    def regimen(self) -> mgplan.Regimen:
        return regimen(slots=["19:00 with dinner", "21:30 at bedtime"])

    def test_one_ticked_one_cancelled_is_the_ticked_share(
        self, url: str, tmp_path: Path
    ) -> None:
        """Of an evening's two doses, one ticked off and one cancelled: taken,
        with the units of the ticked one. One ticked and one still open: the
        evening waits."""
        journal = tmp_path / "plan.journal.jsonl"
        schedule = planned(journal, self.regimen())
        day = schedule.day(D("2027-03-09"))
        assert [i.slot_index for i in day.intakes] == [0, 1]
        sync(schedule, url, journal)
        edit(url, task_uid("2027-03-09", 0), complete(evening("2027-03-09", 19)))
        edit(url, task_uid("2027-03-09", 1), cancel)
        edit(url, task_uid("2027-03-10", 0), complete(evening("2027-03-10", 19)))
        result = sync(planned(journal, self.regimen()), url, journal)
        [taken] = result.logged
        assert isinstance(taken, mgplan.Taken)
        assert (taken.date, taken.units) == (D("2027-03-09"), day.intakes[0].units)
        [waiting] = result.waiting
        assert waiting.uid == task_uid("2027-03-10", 0)
        assert "1 of the 2 doses" in waiting.reason


class TestPush:
    def test_a_closed_task_the_plan_drops_stays(self, url: str, tmp_path: Path) -> None:
        """A task the person ticked off is their record: when the plan no
        longer has that dose (a shorter plan), the sync leaves it."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        edit(url, task_uid("2027-03-20"), complete(evening("2027-03-12")))
        shorter = regimen(end_date=D("2027-03-15"))
        result = sync(planned(journal, shorter), url, journal)
        assert task_uid("2027-03-21") in result.deleted
        assert task_uid("2027-03-20") not in result.deleted
        assert task_uid("2027-03-20") in server_tasks(url)

    def test_an_object_that_does_not_read_is_named_and_left(self) -> None:
        """A calendar object that is not iCalendar (Radicale refuses to store
        one, other servers may not) is left alone and named by its file."""

        class Recorder:
            url = "http://127.0.0.1/cal/"

            def __init__(self) -> None:
                self.calls: list[str] = []

            def put(self, href: str, text: str, etag: str | None) -> None:
                self.calls.append(f"PUT {href}")

            def delete(self, href: str, etag: str) -> None:
                self.calls.append(f"DELETE {href}")

        broken = caldav._parse_item(
            "http://127.0.0.1/cal/broken.ics", '"1"', "BEGIN:VCALENDAR\r\nBEGIN:VTO"
        )
        assert broken.component is None
        server = Recorder()
        schedule = mgplan.plan(regimen(end_date=D("2027-03-02")), as_of=TODAY)
        pushed = caldav._push(server, [broken], schedule, {"items": "tasks"})  # type: ignore[arg-type]
        assert [u.uid for u in pushed.unread] == ["broken.ics"]
        assert all("broken" not in call for call in server.calls)
        assert len(pushed.created) == 2


class TestChangedInTheCalendar:
    """The calendar item is where an entry read from it is kept: when the
    person changes the item, the journal follows (by a retraction, so the
    line read first is never lost)."""

    def test_unticking_and_cancelling_instead(self, url: str, tmp_path: Path) -> None:
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        uid = task_uid("2027-03-04")
        edit(url, uid, complete(evening("2027-03-04")))
        assert [e.kind for e in sync(planned(journal), url, journal).logged] == [
            "taken"
        ]

        def reopen(todo: icalendar.Component) -> None:
            todo["STATUS"] = "NEEDS-ACTION"
            for name in ("COMPLETED", "PERCENT-COMPLETE"):
                todo.pop(name, None)

        edit(url, uid, reopen)
        result = sync(planned(journal), url, journal)
        [retraction] = result.logged
        assert isinstance(retraction, mgplan.Retracted)
        assert retraction.entry == 1
        assert uid in retraction.note
        assert not planned(journal).taken

        edit(url, uid, cancel)
        result = sync(planned(journal), url, journal)
        assert [e.kind for e in result.logged] == ["skipped"]
        edit(url, uid, complete(evening("2027-03-04", 22)))
        result = sync(planned(journal), url, journal)
        assert [e.kind for e in result.logged] == ["retracted", "taken"]
        assert [e.date for e in planned(journal).taken] == [D("2027-03-04")]
        assert not planned(journal).missed
        assert len(journal_lines(journal)) == 5  # nothing rewritten
        assert not sync(planned(journal), url, journal).logged

    def test_an_edited_or_cancelled_note(self, url: str, tmp_path: Path) -> None:
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        add_journal_note(url, "note@phone", D("2027-03-12"), "legs 6")
        sync(planned(journal), url, journal)

        def seven(note: icalendar.Component) -> None:
            note["SUMMARY"] = "legs 7"

        edit(url, "note@phone", seven)
        result = sync(planned(journal), url, journal)
        assert [e.kind for e in result.logged] == ["retracted", "rls"]
        [rating] = planned(journal).ratings
        assert rating.night == 7

        def cancelled(note: icalendar.Component) -> None:
            note["STATUS"] = "CANCELLED"

        edit(url, "note@phone", cancelled)
        result = sync(planned(journal), url, journal)
        assert [e.kind for e in result.logged] == ["retracted"]
        assert not planned(journal).ratings


class TestTwoSyncsAtOnce:
    def test_what_another_sync_logged_meanwhile_is_not_logged_again(
        self, url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Another sync logs the same ticks after this one read the journal
        and before it appends: the check under the journal's lock sees them,
        and each evening is in the journal once."""
        journal = tmp_path / "plan.journal.jsonl"
        sync(planned(journal), url, journal)
        for day in ("2027-03-01", "2027-03-02", "2027-03-03"):
            edit(url, task_uid(day), complete(evening(day)))
        original = mgplan.Journal.append
        other: list[caldav.SyncResult] = []

        def append(self: mgplan.Journal, entry: Any, **kwargs: Any) -> Any:
            if not other:
                monkeypatch.setattr(mgplan.Journal, "append", original)
                other.append(sync(planned(journal), url, journal))
                monkeypatch.setattr(mgplan.Journal, "append", append)
            return original(self, entry, **kwargs)

        monkeypatch.setattr(mgplan.Journal, "append", append)
        result = sync(planned(journal), url, journal)
        assert len(other[0].logged) == 3
        assert not result.logged
        assert not result.unread
        assert [line["date"] for line in journal_lines(journal)] == [
            "2027-03-01",
            "2027-03-02",
            "2027-03-03",
        ]


def test_preconditions_of_writes() -> None:
    """A new item is written If-None-Match: *, an update or delete If-Match
    its ETag; a weak ETag, which never matches, is not sent."""

    class Response:
        status = 204

    class Client:
        def __init__(self) -> None:
            self.sent: list[tuple[str, dict[str, str]]] = []

        def request(
            self, url: str, method: str, body: str, headers: dict[str, str]
        ) -> Response:
            self.sent.append((method, headers))
            return Response()

    client = Client()
    server = caldav._Server(client, "http://127.0.0.1/cal/")
    server.put("http://127.0.0.1/cal/a.ics", "x", None)
    server.put("http://127.0.0.1/cal/a.ics", "x", '"abc"')
    server.put("http://127.0.0.1/cal/a.ics", "x", 'W/"abc"')
    server.delete("http://127.0.0.1/cal/a.ics", '"abc"')
    server.delete("http://127.0.0.1/cal/a.ics", 'W/"abc"')
    preconditions = [
        {k: v for k, v in headers.items() if k.startswith("If-")}
        for _, headers in client.sent
    ]
    assert preconditions == [
        {"If-None-Match": "*"},
        {"If-Match": '"abc"'},
        {},
        {"If-Match": '"abc"'},
        {},
    ]


class TestHostileServer:
    """What a misbehaving server sends is a SyncError or a reported item,
    never a traceback, and nothing is logged from it."""

    class Client:
        def __init__(self, status: int, raw: str) -> None:
            self.status, self.raw = status, raw

        def request(self, url: str, method: str, body: str, headers: object) -> Any:
            return self

    def items(self, status: int, raw: str) -> Any:
        server = caldav._Server(self.Client(status, raw), "http://127.0.0.1/cal/")
        return server.items()

    def test_not_xml(self) -> None:
        with pytest.raises(mgplan.SyncError, match="not XML"):
            self.items(207, "<html>oops")

    def test_an_error_status(self) -> None:
        with pytest.raises(mgplan.SyncError, match=r"refused REPORT \(HTTP 500\)"):
            self.items(500, "")

    def test_no_calendar(self) -> None:
        assert self.items(404, "") is None

    def test_odd_objects(self) -> None:
        """Objects without data, a failed propstat, broken or huge data: the
        readable ones are read, the rest come back without a component."""
        big = "BEGIN:VCALENDAR\r\n" + "X-A:" + "a" * 300_000 + "\r\nEND:VCALENDAR\r\n"
        raw = (
            '<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav">'
            "<D:response><D:href>/cal/</D:href><D:propstat><D:prop>"
            "<D:getetag/></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
            "</D:propstat></D:response>"
            "<D:response><D:href>/cal/gone.ics</D:href><D:propstat><D:prop>"
            "<C:calendar-data>BEGIN:VCALENDAR</C:calendar-data></D:prop>"
            "<D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>"
            "<D:response><D:href>/cal/broken.ics</D:href><D:propstat><D:prop>"
            '<D:getetag>"1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR\r\nBEGIN:'
            "</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
            "</D:propstat></D:response>"
            "<D:response><D:href>/cal/big.ics</D:href><D:propstat><D:prop>"
            f'<D:getetag>"2"</D:getetag><C:calendar-data>{big}'
            "</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
            "</D:propstat></D:response>"
            "<D:response><D:href>/cal/note.ics</D:href><D:propstat><D:prop>"
            '<D:getetag>"3"</D:getetag><C:calendar-data>BEGIN:VCALENDAR\r\n'
            "VERSION:2.0\r\nPRODID:x\r\nBEGIN:VJOURNAL\r\nUID:n@x\r\n"
            "DTSTAMP:20270313T080000Z\r\nDTSTART;VALUE=DATE:20270312\r\n"
            "SUMMARY:legs 2\r\nEND:VJOURNAL\r\nEND:VCALENDAR\r\n"
            "</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
            "</D:propstat></D:response></D:multistatus>"
        )
        found = {item.href.rsplit("/", 1)[-1]: item for item in self.items(207, raw)}
        assert sorted(found) == ["big.ics", "broken.ics", "note.ics"]
        assert found["broken.ics"].component is None
        assert found["big.ics"].component is None
        assert (found["note.ics"].kind, found["note.ics"].uid) == ("VJOURNAL", "n@x")
        assert found["note.ics"].etag == '"3"'


def test_a_task_at_100_percent_is_done_and_kept() -> None:
    """A client that marks a task done only by PERCENT-COMPLETE:100 has it
    read as taken, and so also kept when the plan drops it: one notion of
    done for reading and for pushing."""
    todo = icalendar.Todo()
    todo.add("PERCENT-COMPLETE", 100)
    assert caldav._state(todo) == "done"
    assert caldav._closed(todo)
    assert caldav._state(icalendar.Todo()) == "open"
