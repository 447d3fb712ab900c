"""iCalendar export: content, stable identity, and independent consumers."""

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ical.calendar_stream import IcsCalendarStream

import mgplan
from mgplan import ics
from mgplan._engine import plan_history

from .conftest import report
from .strategies import scenarios

GOLDEN = Path(__file__).parent / "golden"
BERLIN = "Europe/Berlin"
D = dt.date.fromisoformat


def reference_schedule(extra: list[mgplan.SideEffectReport] = ()) -> mgplan.Schedule:  # type: ignore[assignment]
    """Titration across the 2027-03-28 DST change with a step back."""
    product = mgplan.Product(
        name="Magnesium bisglycinate 100 mg",
        form="glycinate",
        amount_per_unit=100,
        units_per_container=60,
    )
    regimen = mgplan.Regimen(
        id="reference",
        product=product,
        start_date=D("2027-03-15"),
        tz=BERLIN,
        start_dose="100 mg",
        step="100 mg",
        target_dose="300 mg",
        slots=["18:30 with dinner", "20:00 evening", "21:30 at bedtime"],
        maintenance_days=14,
    )
    reports = [report("2027-03-30", "moderate"), *extra]
    return mgplan.plan(regimen, reports=reports, as_of=D("2027-04-10"))


def vevents(data: bytes) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def check_golden(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if os.environ.get("MGPLAN_UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert path.read_bytes() == data, f"{name} changed; MGPLAN_UPDATE_GOLDEN=1"


class TestGolden:
    def test_per_intake(self) -> None:
        """The reference plan's calendar matches its golden file byte for byte."""
        check_golden("reference.ics", ics.to_ics(reference_schedule(), refill=True))

    def test_compact(self) -> None:
        """The compact calendar matches its golden file."""
        check_golden(
            "reference-compact.ics", ics.to_ics(reference_schedule(), compact=True)
        )


class TestContent:
    def test_one_event_per_intake(self) -> None:
        """Every intake is one event, with its dose in units and mg."""
        s = reference_schedule()
        events = [e for e in vevents(ics.to_ics(s)) if e.get("STATUS") != "CANCELLED"]
        review = [e for e in events if "-review@" in str(e["UID"])]
        assert [str(s.review_date)] == [str(e.start) for e in review]
        events = [e for e in events if e not in review]
        assert len(list(s.intakes())) == len(events)
        first = events[0]
        assert "Magnesium bisglycinate: 1 capsule (100 mg elemental)" == str(
            first["SUMMARY"]
        )
        assert dt.timedelta(minutes=15) == first.end - first.start

    def test_description_has_phase_step_and_decision(self) -> None:
        """The description tells the phase, the step and the latest change."""
        s = reference_schedule()
        events = {str(e["UID"]): e for e in vevents(ics.to_ics(s))}
        uid = ics.uid_for("reference", D("2027-03-31"), 0)
        text = str(events[uid]["DESCRIPTION"])
        assert "Step 2 of 3, stepped-back." in text
        assert "stepping back to 200 mg for 7 days" in text
        assert "not medical advice" in text

    def test_wall_clock_across_dst(self) -> None:
        """21:30 in Berlin is 20:30 UTC in winter and 19:30 UTC in summer."""
        events = {str(e["UID"]): e for e in vevents(ics.to_ics(reference_schedule()))}
        winter = events[ics.uid_for("reference", D("2027-03-27"), 2)].start
        summer = events[ics.uid_for("reference", D("2027-03-29"), 2)].start
        assert "21:30" == f"{winter:%H:%M}" == f"{summer:%H:%M}"
        assert dt.time(20, 30) == winter.astimezone(dt.UTC).time()
        assert dt.time(19, 30) == summer.astimezone(dt.UTC).time()

    def test_vtimezone_present_for_tzid(self) -> None:
        """The calendar carries the VTIMEZONE its TZID refers to."""
        cal = icalendar.Calendar.from_ical(ics.to_ics(reference_schedule()))
        assert [BERLIN] == [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
        assert set() == cal.get_missing_tzids()

    def test_calendar_properties(self) -> None:
        """PRODID, METHOD:PUBLISH and the calendar's name are set."""
        cal = ics.to_calendar(reference_schedule(), name="Evening magnesium")
        assert "PUBLISH" == str(cal["METHOD"])
        assert ics.PRODID == str(cal["PRODID"])
        assert "Evening magnesium" == cal.calendar_name

    def test_alarm_offset(self) -> None:
        """The display alarm fires at the dose time by default, or as asked."""
        s = reference_schedule()
        at_dose = vevents(ics.to_ics(s))[0].walk("VALARM")[0]
        assert dt.timedelta(0) == at_dose["TRIGGER"].dt
        assert "DISPLAY" == str(at_dose["ACTION"])
        early = vevents(ics.to_ics(s, alarm_before=dt.timedelta(minutes=10)))[0]
        assert dt.timedelta(minutes=-10) == early.walk("VALARM")[0]["TRIGGER"].dt
        silent = vevents(ics.to_ics(s, alarm_before=None))[0]
        assert [] == silent.walk("VALARM")

    @pytest.mark.parametrize(
        ("option", "value"),
        [
            ("alarm_before", 10),
            ("alarm_before", dt.timedelta(minutes=-10)),
            ("duration", "15 minutes"),
            ("refill", "yes"),
            ("refill_days_ahead", -1),
            ("title", "salt"),
            ("name", 7),
        ],
    )
    def test_wrong_option_types(self, option: str, value: object) -> None:
        """A wrong type or range is InvalidInputError naming the option."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            ics.to_ics(reference_schedule(), **{option: value})  # type: ignore[arg-type]
        assert option == info.value.field

    def test_titles_can_use_the_product(self) -> None:
        """title="product" names events after the product."""
        first = vevents(ics.to_ics(reference_schedule(), title="product"))[0]
        assert str(first["SUMMARY"]).startswith("Magnesium bisglycinate 100 mg: ")

    def test_refill_reminder(self) -> None:
        """A 60-capsule box runs out on the day its 60th capsule is taken;
        the reminder comes 5 days ahead, with an alarm."""
        s = reference_schedule()
        events = vevents(ics.to_ics(s, refill=True))
        refills = [e for e in events if "refill" in str(e["UID"])]
        used, runs_out = 0.0, None
        for entry in s.days:
            used += entry.units
            if used >= 60:
                runs_out = entry.date
                break
        assert runs_out is not None
        assert runs_out - dt.timedelta(5) == refills[0].start
        assert f"container 1 runs out on {runs_out}" in str(refills[0]["SUMMARY"])
        assert refills[0].walk("VALARM")
        later = vevents(ics.to_ics(s, refill=True, refill_days_ahead=0))
        assert runs_out == next(e for e in later if "refill" in str(e["UID"])).start

    def test_refill_needs_container_size(self, regimen: mgplan.Regimen) -> None:
        """Asking for refills without units_per_container names the field."""
        with pytest.raises(mgplan.InvalidInputError, match="units_per_container"):
            ics.to_calendar(mgplan.plan(regimen), refill=True)

    def test_no_intakes(self, regimen: mgplan.Regimen) -> None:
        """A schedule without any intake cannot be exported (the first
        evening always has one, so the schedule is emptied by hand)."""
        planned = mgplan.plan(regimen.replace(end_date=D("2026-12-03")))
        s = planned.model_copy(
            update={
                "days": tuple(
                    d.model_copy(update={"intakes": ()}) for d in planned.days
                )
            }
        )
        with pytest.raises(mgplan.InvalidInputError, match="at least one intake"):
            ics.to_calendar(s)


class TestIdentity:
    def test_uids_are_stable_across_regeneration(self) -> None:
        """Regenerating after a report keeps every unchanged intake's UID."""
        before = {str(e["UID"]) for e in vevents(ics.to_ics(reference_schedule()))}
        after = vevents(ics.to_ics(reference_schedule([report("2027-04-08", "mild")])))
        assert before <= {str(e["UID"]) for e in after}

    def test_sequence_rises_only_where_content_changed(self) -> None:
        """A mild report bumps SEQUENCE on the days it changed, nowhere else."""
        old = {str(e["UID"]): e for e in vevents(ics.to_ics(reference_schedule()))}
        new = {
            str(e["UID"]): e
            for e in vevents(
                ics.to_ics(reference_schedule([report("2027-04-08", "mild")]))
            )
        }
        changed = unchanged = 0
        for uid, event in old.items():
            same = (str(event["SUMMARY"]), str(event["DESCRIPTION"]), event.start) == (
                str(new[uid]["SUMMARY"]),
                str(new[uid]["DESCRIPTION"]),
                new[uid].start,
            )
            if same and event.get("STATUS") == new[uid].get("STATUS"):
                assert event["SEQUENCE"] == new[uid]["SEQUENCE"]
                unchanged += 1
            else:
                assert new[uid]["SEQUENCE"] > event["SEQUENCE"]
                changed += 1
        assert changed
        assert unchanged

    def test_paused_intakes_are_cancelled(self) -> None:
        """A severe report's pause cancels the intakes it removes, by UID."""
        old = {str(e["UID"]) for e in vevents(ics.to_ics(reference_schedule()))}
        events = vevents(
            ics.to_ics(reference_schedule([report("2027-04-05", "severe")]))
        )
        cancelled = {str(e["UID"]) for e in events if e.get("STATUS") == "CANCELLED"}
        assert ics.uid_for("reference", D("2027-04-05"), 0) in cancelled
        assert cancelled <= old
        active = {str(e["UID"]) for e in events if e.get("STATUS") != "CANCELLED"}
        assert not cancelled & active


class TestConsumers:
    """Independent parsers agree with the schedule."""

    def expected(self, s: mgplan.Schedule) -> list[tuple[str, str]]:
        product = s.regimen.product
        return [
            (
                f"{i.at:%Y-%m-%d %H:%M}",
                f"Magnesium bisglycinate: {product.describe_units(i.units)} "
                f"({i.elemental_mg:g} mg elemental)",
            )
            for i in s.intakes()
        ]

    def test_ical_strict_parser(self) -> None:
        """The strict `ical` package reads the same intakes at the same times."""
        s = reference_schedule()
        cal = IcsCalendarStream.calendar_from_ics(ics.to_ics(s).decode())
        got = sorted(
            (f"{e.dtstart.astimezone(s.regimen.zone):%Y-%m-%d %H:%M}", e.summary)
            for e in cal.events
            if not e.summary.startswith("Review")
            and str(e.status or "") != "EventStatus.CANCELLED"
            and "CANCELLED" not in str(e.status)
        )
        assert sorted(self.expected(s)) == got

    def test_vobject(self) -> None:
        """vobject reads the same count, local times and summaries."""
        s = reference_schedule()
        cal = vobject.readOne(ics.to_ics(s).decode())
        got = sorted(
            (
                f"{e.dtstart.value.astimezone(s.regimen.zone):%Y-%m-%d %H:%M}",
                e.summary.value,
            )
            for e in cal.vevent_list
            if not e.summary.value.startswith("Review")
            and getattr(getattr(e, "status", None), "value", "") != "CANCELLED"
        )
        assert sorted(self.expected(s)) == got

    def test_recurring_ical_events_expands_compact_mode(self) -> None:
        """Compact mode's RRULEs expand to exactly the schedule's intakes."""
        s = reference_schedule()
        cal = icalendar.Calendar.from_ical(ics.to_ics(s, compact=True))
        occurrences = recurring_ical_events.of(cal).between(
            s.start, s.end + dt.timedelta(1)
        )
        got = sorted(
            (f"{o.start.astimezone(s.regimen.zone):%Y-%m-%d %H:%M}", str(o["SUMMARY"]))
            for o in occurrences
            if o.get("STATUS") != "CANCELLED"
            and not str(o["SUMMARY"]).startswith("Review")
        )
        assert sorted(self.expected(s)) == got


class TestWrite:
    def test_write_and_replace(self, tmp_path: Path) -> None:
        """write_ics writes the file and replaces an old one whole."""
        target = tmp_path / "plan.ics"
        target.write_bytes(b"old")
        ics.write_ics(reference_schedule(), target)
        assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")
        assert [target] == list(tmp_path.iterdir())

    def test_failed_write_keeps_old_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the final rename fails, the old file stays and no temp file is left."""
        target = tmp_path / "plan.ics"
        target.write_bytes(b"old")

        def refuse(src: str, dst: str) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(os, "replace", refuse)
        with pytest.raises(mgplan.ExportError, match="Permission denied"):
            ics.write_ics(reference_schedule(), target)
        assert b"old" == target.read_bytes()
        assert [target] == list(tmp_path.iterdir())

    def test_target_is_a_folder(self, tmp_path: Path) -> None:
        """A path that is a folder is an ExportError, and the folder is untouched."""
        (tmp_path / "plan.ics").mkdir()
        with pytest.raises(mgplan.ExportError):
            ics.write_ics(reference_schedule(), tmp_path / "plan.ics")
        assert (tmp_path / "plan.ics").is_dir()

    def test_missing_folder(self, tmp_path: Path) -> None:
        """Writing into a folder that does not exist is an ExportError."""
        with pytest.raises(mgplan.ExportError, match="cannot write"):
            ics.write_ics(reference_schedule(), tmp_path / "nope" / "plan.ics")


def _naive_sequences(s: mgplan.Schedule, compact: bool) -> dict[str, int]:
    """SEQUENCE by brute force: re-plan each prefix of the log from scratch."""
    versions = [
        mgplan.plan(s.regimen, s.profile, journal=s.journal[:k], policy=s.policy)
        for k in range(len(s.journal))
    ]
    versions.append(s)
    seq: dict[str, int] = {}
    state: dict[str, object] = {}
    for v in versions:
        cal = ics.to_calendar(v, compact=compact)
        now = {
            str(e["UID"]): (
                str(e["SUMMARY"]),
                str(e["DESCRIPTION"]),
                e.start,
                str(e.get("RRULE", "")),
            )
            for e in cal.walk("VEVENT")
            if e.get("STATUS") != "CANCELLED"
        }
        for uid, content in now.items():
            if uid in state and state[uid] != content:
                seq[uid] = seq.get(uid, 0) + 1
            state[uid] = content
        for uid in list(state):
            if uid not in now and state[uid] is not None:
                seq[uid] = seq.get(uid, 0) + 1
                state[uid] = None
    return seq


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_history_matches_replanning(scenario: tuple) -> None:  # type: ignore[type-arg]
    """The snapshot-based history equals planning every prefix of the log
    anew, and the SEQUENCE numbers equal a brute-force count."""
    regimen, reports, missed = scenario
    s = mgplan.plan(regimen, reports=reports, missed=missed)
    history = plan_history(s)
    assert len(s.journal) == len(history)
    for k, (cut, version) in enumerate(history):
        assert cut == min(e.date for e in s.journal[k:])
        assert mgplan.plan(regimen, journal=s.journal[:k]) == version
    if any(e.intakes for e in s.days):
        for compact in (False, True):
            got = {
                str(e["UID"]): int(e["SEQUENCE"])
                for e in ics.to_calendar(s, compact=compact).walk("VEVENT")
            }
            naive = _naive_sequences(s, compact)
            assert {u: n for u, n in naive.items() if n} == {
                u: n for u, n in got.items() if n
            }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(),
    st.one_of(
        st.sampled_from(["P", "Gly, 100; caps \\ 2", "Magnésium\\N citrate"]),
        # Any printable name: escapes, and folds that must not split a
        # character (CJK, emoji, combining marks) or an escape.
        st.text(
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=120,
        ).filter(str.strip),
    ),
    st.fixed_dictionaries(
        {
            "compact": st.booleans(),
            "items": st.sampled_from(["events", "tasks", "both"]),
            "alarm_before": st.sampled_from(
                [None, dt.timedelta(0), dt.timedelta(minutes=15), dt.timedelta(hours=2)]
            ),
            "refill": st.booleans(),
            "title": st.sampled_from(["form", "product"]),
            "duration": st.sampled_from([ics.DEFAULT_DURATION, dt.timedelta(hours=1)]),
            "stamp": st.sampled_from(
                [
                    None,
                    dt.datetime(2027, 5, 1, 12, 30, tzinfo=dt.UTC),
                    dt.datetime(2027, 5, 1, 12, 30, tzinfo=ZoneInfo(BERLIN)),
                ]
            ),
        }
    ),
)
def test_written_bytes_are_icalendars(
    scenario: tuple,  # type: ignore[type-arg]
    name: str,
    options: ics.CalendarOptions,
) -> None:
    """``to_ics`` writes each item's lines itself: byte for byte what
    icalendar writes for ``to_calendar``'s calendar, whatever the options,
    with cancelled items, all-day events, escaped text and folding."""
    regimen, reports, missed = scenario
    product = regimen.product.model_copy(
        update={"name": name, "units_per_container": 30}
    )
    s = mgplan.plan(regimen.replace(product=product), reports=reports, missed=missed)
    if not any(e.intakes for e in s.days):
        return
    assert ics._serialize(ics.to_calendar(s, **options)) == ics.to_ics(s, **options)


class TestTasks:
    """Dose tasks (VTODO): one per intake, DUE with TZID, never repeating."""

    def test_one_task_per_intake(self) -> None:
        s = reference_schedule()
        cal = icalendar.Calendar.from_ical(
            ics.to_ics(s, items="tasks", alarm_before=dt.timedelta(minutes=10))
        )
        todos = [t for t in cal.walk("VTODO") if t.get("STATUS") != "CANCELLED"]
        assert len(list(s.intakes())) == len(todos)
        first = todos[0]
        assert "NEEDS-ACTION" == str(first["STATUS"])
        assert first.decoded("DUE") == next(s.intakes()).at
        assert "TZID=Europe/Berlin" in first.to_ical().decode().replace("\r\n ", "")
        assert str(first["UID"]).endswith("-task@mgplan")
        assert "RRULE" not in first
        (alarm,) = first.walk("VALARM")
        assert "END" == alarm["TRIGGER"].params["RELATED"]
        assert dt.timedelta(minutes=-10) == alarm["TRIGGER"].dt
        # Tasks only: no dose events (the review day stays an event).
        assert all("-review@" in str(e["UID"]) for e in cal.walk("VEVENT"))

    def test_compact_tasks_are_still_one_per_intake(self) -> None:
        s = reference_schedule()
        cal = icalendar.Calendar.from_ical(ics.to_ics(s, items="both", compact=True))
        todos = [t for t in cal.walk("VTODO") if t.get("STATUS") != "CANCELLED"]
        assert len(list(s.intakes())) == len(todos)
        assert any("RRULE" in e for e in cal.walk("VEVENT"))

    def test_a_change_cancels_tasks_and_raises_sequence(self) -> None:
        """As for events: a step back cancels the tasks it replaced."""
        s = reference_schedule([report("2027-04-05", "severe")])
        cal = icalendar.Calendar.from_ical(ics.to_ics(s, items="tasks"))
        cancelled = [t for t in cal.walk("VTODO") if t.get("STATUS") == "CANCELLED"]
        assert cancelled
        assert all(int(t["SEQUENCE"]) >= 1 for t in cancelled)
        assert all("take no magnesium" in str(t["DESCRIPTION"]) for t in cancelled)

    def test_other_parsers_read_the_tasks(self) -> None:
        import vobject
        from ical.calendar_stream import IcsCalendarStream

        s = reference_schedule()
        data = ics.to_ics(s, items="tasks").decode()
        written = len(icalendar.Calendar.from_ical(data).walk("VTODO"))
        assert written > len(list(s.intakes()))  # the cancelled ones too
        assert written == len(vobject.readOne(data).vtodo_list)
        assert written == len(IcsCalendarStream.calendar_from_ics(data).todos)

    def test_unknown_items_is_refused(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            ics.to_ics(reference_schedule(), items="todos")  # type: ignore[typeddict-item]
        assert "items" == info.value.field


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from("abc \\^;,:ÄÖ½—€😀𝄞") | st.characters(),
        max_size=400,
    ).map(lambda s: s.replace("\r", "").replace("\n", ""))
)
def test_folding_matches_icalendar(line: str) -> None:
    """mgplan's fast folding writes exactly what icalendar's does, for any
    line: ASCII, multi-byte characters, escapes at a fold."""
    from icalendar.parser.string import _foldline

    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates: text mgplan never writes
    assert ics._fold(line) == _foldline(line)


def test_serialize_matches_to_ical() -> None:
    """A whole calendar serialises byte for byte as icalendar's to_ical()."""
    calendar = ics.to_calendar(reference_schedule(), refill=True, items="both")
    assert ics._serialize(calendar) == calendar.to_ical()
