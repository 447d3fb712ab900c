"""CalDAV sync against a real Radicale server started on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import re

import caldav as caldav_client
import icalendar
import pytest

import mgplan
from mgplan import caldav, ics

from .conftest import report
from .radicale_server import PASSWORD, USER
from .test_ics import reference_schedule

D = dt.date.fromisoformat


def push(schedule: mgplan.Schedule, url: str, **options: object) -> caldav.SyncResult:
    return caldav.sync(schedule, url, username=USER, password=PASSWORD, **options)


def server_events(url: str) -> list[tuple[str, str, str]]:
    """(UID, local start, summary) of every event, read with the caldav client."""
    client = caldav_client.DAVClient(url=url, username=USER, password=PASSWORD)
    rows = []
    for obj in client.calendar(url=url).events():
        component = obj.icalendar_component
        start = component.start
        rows.append(
            (
                str(component["UID"]),
                f"{start:%Y-%m-%d %H:%M}",
                str(component["SUMMARY"]),
            )
        )
    return sorted(rows)


def planned(schedule: mgplan.Schedule) -> list[tuple[str, str, str]]:
    cal = ics.to_calendar(schedule)
    return sorted(
        (str(e["UID"]), f"{e.start:%Y-%m-%d %H:%M}", str(e["SUMMARY"]))
        for e in cal.walk("VEVENT")
        if e.get("STATUS") != "CANCELLED"
    )


class TestSync:
    def test_first_sync_creates_every_event(self, url: str) -> None:
        """A first sync creates one event per intake and the review day, and
        nothing else."""
        schedule = reference_schedule()
        result = push(schedule, url)
        assert schedule.review_date is not None
        assert len(list(schedule.intakes())) + 1 == len(result.created)
        assert any("-review@" in uid for uid in result.created)
        assert planned(schedule) == server_events(url)

    def test_second_sync_changes_nothing(self, url: str) -> None:
        """Syncing the same plan again is a no-op."""
        schedule = reference_schedule()
        push(schedule, url)
        again = push(schedule, url, stamp=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        assert not again.changed
        assert len(list(schedule.intakes())) + 1 == again.unchanged  # + review

    def test_regenerated_plan_replaces_without_duplicates(self, url: str) -> None:
        """After a GI report the server holds exactly the new plan: no
        duplicates, nothing stale."""
        push(reference_schedule(), url)
        regenerated = reference_schedule([report("2027-04-05", "severe")])
        result = push(regenerated, url)
        assert result.changed
        assert result.deleted
        stored = server_events(url)
        assert planned(regenerated) == stored
        uids = [uid for uid, _, _ in stored]
        assert len(set(uids)) == len(uids)
        assert not push(regenerated, url).changed

    def test_moved_start_and_new_form_update_in_place(self, url: str) -> None:
        """Same plan id, start moved a week and another product: the sync
        updates the reminders in place and leaves no stale one."""
        first = reference_schedule()
        push(first, url)
        citrate = mgplan.Product(
            name="Magnesium citrate 100 mg", form="citrate", amount_per_unit=100
        )
        moved = first.regimen.replace(start_date=D("2027-03-22"), product=citrate)
        second = mgplan.plan(moved, journal=first.journal, as_of=first.as_of)
        result = push(second, url)
        stored = server_events(url)
        assert planned(second) == stored
        kept = {uid for uid, _, _ in planned(first)} & {uid for uid, _, _ in stored}
        assert kept  # the same evenings kept their UIDs
        assert result.updated

    def test_unrelated_events_are_left_alone(self, url: str) -> None:
        """Events the plan did not make survive every sync."""
        push(reference_schedule(), url)
        client = caldav_client.DAVClient(url=url, username=USER, password=PASSWORD)
        client.calendar(url=url).save_event(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
            "BEGIN:VEVENT\r\nUID:dentist@example.org\r\n"
            "DTSTAMP:20270101T000000Z\r\nDTSTART:20270402T090000Z\r\n"
            "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        push(reference_schedule([report("2027-04-05", "severe")]), url)
        assert "dentist@example.org" in {uid for uid, _, _ in server_events(url)}

    def test_a_changed_dose_text_is_put_back(self, url: str) -> None:
        """Another client changes what an event says (its dose and time) but
        keeps mgplan's properties: the sync puts the plan's words back and
        says so; then it is quiet again."""
        import icalendar

        schedule = reference_schedule()
        push(schedule, url)
        day = schedule.day(D("2027-04-15"))
        uid = ics.uid_for(schedule.plan_id, day.date, day.intakes[-1].slot_index)
        obj = (
            caldav_client.DAVClient(url=url, username=USER, password=PASSWORD)
            .calendar(url=url)
            .object_by_uid(uid)
        )
        cal = icalendar.Calendar.from_ical(obj.data)
        [event] = cal.walk("VEVENT")
        event["SUMMARY"] = "Magnesium: 6 capsules"
        obj.data = cal.to_ical().decode()
        obj.save()
        result = push(schedule, url)
        assert result.overwritten == (uid,)
        assert result.updated == (uid,)
        assert planned(schedule) == server_events(url)
        assert not push(schedule, url).changed

    def test_credentials_from_the_environment(self, url: str) -> None:
        """URL, username and password may come from environment variables."""
        env = {
            caldav.ENV_URL: url,
            caldav.ENV_USERNAME: USER,
            caldav.ENV_PASSWORD: PASSWORD,
        }
        result = caldav.sync(reference_schedule(), environ=env)
        assert result.created


class TestErrors:
    def test_wrong_credentials(self, url: str) -> None:
        """Wrong credentials are a SyncError that says so."""
        with pytest.raises(mgplan.SyncError, match=f"refused the login of '{USER}'"):
            caldav.sync(reference_schedule(), url, username=USER, password="wrong")

    def test_no_password_is_not_a_refusal(self, url: str) -> None:
        """Without a password, the error asks for one rather than blaming it."""
        with pytest.raises(mgplan.SyncError) as info:
            caldav.sync(reference_schedule(), url, username=USER, environ={})
        message = str(info.value)
        assert "asks for a login: give a password ($MGPLAN_CALDAV_PASSWORD)" in message
        assert "refused" not in message

    def test_unreachable_server(self) -> None:
        """A server that does not answer is a SyncError, not a traceback."""
        with pytest.raises(mgplan.SyncError, match="cannot reach"):
            caldav.sync(
                reference_schedule(),
                "http://127.0.0.1:9/cal/",
                username="x",
                password="y",
                timeout=5,
            )
        with pytest.raises(mgplan.SyncError) as info:
            caldav.sync(reference_schedule(), "http://127.0.0.1:9/cal/", timeout=5)
        assert str(info.value).endswith(": connection refused")
        assert "Errno" not in str(info.value)

    def test_no_url(self) -> None:
        """Without a URL anywhere, the error says where one can come from."""
        with pytest.raises(mgplan.InvalidInputError, match=caldav.ENV_URL) as info:
            caldav.sync(reference_schedule(), environ={})
        assert str(info.value).endswith("got nothing")

    def test_control_characters_in_the_url(self) -> None:
        """A URL with a line break is refused, not cleaned up and sent."""
        with pytest.raises(mgplan.InvalidInputError, match="without control"):
            caldav.sync(reference_schedule(), "http://x/\r\nHost: evil", environ={})

    def test_not_http(self) -> None:
        """Only http(s) URLs are accepted."""
        with pytest.raises(mgplan.InvalidInputError, match="http"):
            caldav.sync(reference_schedule(), "ftp://example.org/", environ={})


def test_every_uid_mgplan_writes_is_known_by_its_form() -> None:
    """A client that drops unknown properties loses X-MGPLAN-PLAN; the sync
    then tells the plan's items by the form of their UIDs. Pause notices
    were missing from that form, so such a client's calendar would hold
    them as someone else's (and a push would collide with them)."""
    product = mgplan.Product(
        name="G", form="glycinate", amount_per_unit=50, units_per_container=30
    )
    regimen = mgplan.Regimen(
        id="forms",
        product=product,
        start_date=dt.date(2027, 1, 4),
        tz="Europe/Berlin",
        baseline_days=3,
        start_dose="100 mg",
        target_dose="200 mg",
        maintenance_days=14,
        trial=mgplan.Trial(pairs=2, block_days=7, seed=1),
    )
    severe = mgplan.SideEffectReport(date=dt.date(2027, 1, 12), severity="severe")
    gone = mgplan.Resolved(date=dt.date(2027, 1, 13))
    trial = mgplan.plan(regimen, journal=[severe, gone])
    plain = mgplan.plan(regimen.replace(trial=None), journal=[severe, gone])
    kinds = set()
    for schedule, compact in ((trial, False), (trial, True), (plain, False)):
        data = ics.to_ics(schedule, items="both", refill=True, compact=compact)
        for component in icalendar.Calendar.from_ical(data).walk():
            if component.name not in ("VEVENT", "VTODO"):
                continue
            del component[ics.PLAN_PROPERTY]
            uid = str(component["UID"])
            kind = re.match(r"[a-z]*", uid.removeprefix("forms-"))
            kinds.add(kind.group() if kind and kind.group() else "dose")
            item = caldav._Item("x", "", "", component, component.name, uid)
            assert caldav._ours(item, "forms"), uid
    assert {"pause", "refill", "review", "baseline", "trial", "step", "dose"} <= kinds
