"""Sync a plan with a CalDAV calendar, both ways (install ``mgplan[caldav]``).

``sync`` first reads what the person did in their calendar or tasks app,
then makes the calendar hold exactly the plan:

1. **Read back** (when given the plan's journal): a dose task marked done
   becomes a ``taken`` entry, a cancelled one (or one whose note says
   ``skipped``) a ``skipped`` entry; a note on a task, or a journal note
   (VJOURNAL) in the calendar, in the short syntax of ``mgplan.NOTE_SYNTAX``
   becomes side-effect, stools and rating entries. They are appended to the
   journal one by one, each checked against the journal under its lock, and
   each carries the item's UID and ETag, so a second sync never adds them
   again. Something that does not read is reported with its UID and text,
   and skipped: nothing is guessed. An item the person changed (unticked,
   cancelled instead, a note edited or cancelled) has what was read from it
   taken back by a retraction, and what it says now logged; a deleted item
   takes nothing back.
2. **Re-plan** with those entries: they pass the same checks and rules as
   typed ones, so nothing read from a server can raise a dose or the cap.
3. **Push**: create the missing items, update changed ones in place by UID
   (also when another client changed what one says: the plan's words win,
   and the result says so), and delete the plan's items the plan no longer
   has. What the person recorded on a task (done, cancelled, notes) is kept
   when its text is updated, and a task they closed is never deleted. Every
   write is conditional on the ETag read (If-Match): if another client
   changed an item in between, the sync reads everything again and retries.
   Other items in the calendar are left alone.

Running it twice changes nothing the second time.

Credentials come from the arguments or from the environment
(``MGPLAN_CALDAV_URL``, ``MGPLAN_CALDAV_USERNAME``, ``MGPLAN_CALDAV_PASSWORD``),
never from code.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import urllib.parse
import xml.etree.ElementTree as ET
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import icalendar

from . import ics
from ._errors import ContraindicationError, InvalidInputError, SyncError
from ._journal import AnyEntry, Journal, JournalEntries
from ._model import control_characters
from ._notes import Note, parse_note
from ._outcomes import Taken
from ._schedule import Decision, Schedule
from ._tolerance import ItemSource, MissedDose, Resolved, Retracted, live_positions

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "ENV_PASSWORD",
    "ENV_URL",
    "ENV_USERNAME",
    "SyncResult",
    "UnreadItem",
    "sync",
]

ENV_URL = "MGPLAN_CALDAV_URL"
ENV_USERNAME = "MGPLAN_CALDAV_USERNAME"
ENV_PASSWORD = "MGPLAN_CALDAV_PASSWORD"

# Rounds of read-and-write when other clients keep changing items meanwhile
# (mgplan's convention, not a published figure).
MAX_ROUNDS = 5
# A calendar object larger than this is not one of mgplan's, nor a note (a
# bound against hostile servers; mgplan's largest task is a few kB).
_MAX_ITEM_BYTES = 256 * 1024

_DAV = "{DAV:}"
_CALDAV = "{urn:ietf:params:xml:ns:caldav}"
_QUERY = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:prop><D:getetag/><C:calendar-data/></D:prop>"
    '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
    "</C:calendar-query>"
)


@dataclass(frozen=True, slots=True)
class UnreadItem:
    """A calendar item the sync did not read (yet), and why."""

    uid: str
    text: str
    reason: str

    def __str__(self) -> str:
        text = " ".join(self.text.split())
        if len(text) > 80:
            text = text[:79] + "\u2026"
        return f"{self.uid}: {text!r}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync read, logged, changed in the plan, and pushed (by UID).

    ``updated`` holds every item rewritten; ``overwritten`` those of them
    whose text another client had changed. ``unread`` are items skipped
    because they do not read or were refused; ``waiting`` those read once
    their evening has come or all its doses are ticked off. ``decisions``
    are what the entries read changed in the plan; ``schedule`` is the plan
    as pushed.
    """

    url: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    overwritten: tuple[str, ...] = ()
    logged: tuple[AnyEntry, ...] = ()
    unread: tuple[UnreadItem, ...] = ()
    waiting: tuple[UnreadItem, ...] = ()
    decisions: tuple[Decision, ...] = ()
    schedule: Schedule | None = field(default=None, repr=False)
    rounds: int = 1

    @property
    def changed(self) -> bool:
        """Whether the server's calendar was changed at all."""
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        text = (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged"
        )
        if self.overwritten:
            text += f" ({len(self.overwritten)} changed on the server, put back)"
        return text

    def lines(self) -> list[str]:
        """The summary for a person: what was read, what changed, what was
        pushed, and what could not be read."""
        out: list[str] = []
        if self.logged:
            out.append(f"Read from the calendar into the journal ({len(self.logged)}):")
            out.extend(
                f"  {entry.describe()}"
                + (f": {entry.note}" if isinstance(entry, Retracted) else "")
                for entry in self.logged
            )
        else:
            out.append("Nothing new to read from the calendar.")
        for title, items in (
            ("Not read (fix or delete it in the calendar)", self.unread),
            ("Not read yet", self.waiting),
        ):
            if items:
                out.append(f"{title}:")
                out.extend(f"  {item}" for item in items)
        if self.decisions:
            out.append("What changed in the plan:")
            out.extend(f"  {d.date}  {d.message}" for d in self.decisions)
        elif self.logged:
            out.append("The plan does not change.")
        out.append(f"Synced to {_shown(self.url)}: {self}.")
        return out


def sync(
    schedule: Schedule,
    url: str | None = None,
    *,
    journal: Journal | str | os.PathLike[str] | None = None,
    replan: Callable[[JournalEntries], Schedule] | None = None,
    today: dt.date | None = None,
    username: str | None = None,
    password: str | None = None,
    environ: Mapping[str, str] | None = None,
    create: bool = True,
    timeout: int = 30,
    **options: Unpack[ics.CalendarOptions],
) -> SyncResult:
    """Read back what the calendar at *url* records, then push the plan.

    With *journal* (the plan's journal file) the calendar is read first and
    what it records is appended there (see the module's notes); without it
    the sync only pushes. *replan* makes the plan from journal entries
    (default: ``mgplan.plan`` with the schedule's regimen, profile, policy
    and ``as_of``); *today* is the last evening that can be read (default:
    the schedule's ``as_of``, else today in the plan's zone).

    *url* is the calendar collection's URL; with *create* a missing calendar
    is made there (MKCALENDAR). Missing arguments come from *environ*
    (default: ``os.environ``). The calendar options are
    ``ics.to_calendar``'s. Raises SyncError if the server cannot be reached,
    refuses the credentials, or fails.
    """
    try:
        from caldav.davclient import DAVClient
        from caldav.lib import error as dav_error
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise SyncError(
            "CalDAV sync needs the caldav package: pip install 'mgplan[caldav]'"
        ) from None

    env = os.environ if environ is None else environ
    url = _check_url(url or env.get(ENV_URL))
    username = username if username is not None else env.get(ENV_USERNAME)
    password = password if password is not None else env.get(ENV_PASSWORD)
    ics._check_options(**ics._with_defaults(options))  # before any request
    reader: _Reader | None = None
    if journal is not None:
        reader = _Reader(
            schedule,
            journal if isinstance(journal, Journal) else Journal(journal),
            replan or _replanner(schedule),
            today if today is not None else _today(schedule),
            options,
        )
    shown = _shown(url)  # in messages: without a password in it
    try:
        client = DAVClient(
            url=url, username=username, password=password, timeout=timeout
        )
        server = _Server(client, url)
        current = schedule
        rounds = 0
        while True:
            rounds += 1
            if rounds > MAX_ROUNDS:
                raise SyncError(
                    f"the calendar at {shown} kept changing while mgplan synced "
                    f"({MAX_ROUNDS} tries); what was read is in the journal: "
                    "sync again"
                )
            items = server.items()
            if items is None:
                if not create:
                    raise SyncError(f"there is no calendar at {shown}")
                server.make_calendar(options.get("name") or _name(schedule))
                items = []
            if reader is not None:
                current = reader.read(items, current)
            try:
                pushed = _push(server, items, current, options)
            except _Conflict:
                continue  # another client wrote meanwhile: read again
            break
    except dav_error.AuthorizationError:
        raise SyncError(_login_problem(shown, username, password)) from None
    except dav_error.DAVError as exc:
        raise SyncError(f"the CalDAV server at {shown} failed: {exc}") from None
    except OSError as exc:  # connection refused, DNS, TLS, timeouts
        raise SyncError(
            f"cannot reach the CalDAV server at {shown}: {_reason(exc)}"
        ) from None
    known = set(schedule.decisions)
    return SyncResult(
        url=url,
        created=pushed.created,
        updated=pushed.updated,
        deleted=pushed.deleted,
        unchanged=pushed.unchanged,
        overwritten=pushed.overwritten,
        logged=tuple(reader.logged) if reader else (),
        unread=(*(reader.unread if reader else ()), *pushed.unread),
        waiting=tuple(reader.waiting) if reader else (),
        decisions=tuple(d for d in current.decisions if d not in known),
        schedule=current,
        rounds=rounds,
    )


def _shown(url: str) -> str:
    """*url* as a message shows it: a password written into it (the
    ``user:password@`` form) replaced by ``***``, so that an error on a
    terminal, in a log or in a bug report does not give it away."""
    scheme, sep, rest = url.partition("://")
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    userinfo, at, host = authority.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}{rest[len(authority) :]}"


def _check_url(url: str | None) -> str:
    if not url:
        raise InvalidInputError(
            "url", f"a CalDAV calendar URL (argument or ${ENV_URL})"
        )
    if control_characters(url):  # urlsplit would drop CR/LF silently
        raise InvalidInputError(
            "url", "a URL without control characters (line breaks, tabs)", _shown(url)
        )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InvalidInputError(
            "url", "a well-formed http:// or https:// URL", _shown(url)
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError("url", "an http:// or https:// URL", _shown(url))
    return url if url.endswith("/") else url + "/"


def _name(schedule: Schedule) -> str:
    return f"Magnesium: {schedule.regimen.product.name}"


def _today(schedule: Schedule) -> dt.date:
    if schedule.as_of is not None:
        return schedule.as_of
    return dt.datetime.now(zoneinfo.ZoneInfo(schedule.regimen.tz)).date()


def _replanner(schedule: Schedule) -> Callable[[JournalEntries], Schedule]:
    from ._engine import plan

    def replan(entries: JournalEntries) -> Schedule:
        return plan(
            schedule.regimen,
            schedule.profile,
            journal=entries.ordered(),
            policy=schedule.policy,
            as_of=schedule.as_of,
        )

    return replan


# -- the server -----------------------------------------------------------


class _Conflict(Exception):
    """An item changed on the server since it was read (HTTP 412)."""


@dataclass(slots=True)
class _Item:
    """One calendar object on the server."""

    href: str
    etag: str
    text: str
    component: Any = None  # the VEVENT, VTODO or VJOURNAL; None: unreadable
    kind: str = ""
    uid: str = ""

    @property
    def source(self) -> ItemSource:
        return ItemSource(uid=self.uid[:1000], etag=self.etag[:1000])


class _Server:
    """The few requests a sync makes, through the caldav client's session
    (which handles authentication)."""

    def __init__(self, client: Any, url: str) -> None:
        self.client = client
        self.url = url

    def items(self) -> list[_Item] | None:
        """Every object in the calendar, with its ETag; None if no calendar."""
        response = self.client.request(
            self.url,
            "REPORT",
            _QUERY,
            {"Depth": "1", "Content-Type": 'application/xml; charset="utf-8"'},
        )
        if response.status == 404:
            return None
        _check(response, self.url, "REPORT")
        raw = response.raw
        body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        try:
            root = ET.fromstring(body)
        except ET.ParseError as exc:
            raise SyncError(
                f"the CalDAV server at {_shown(self.url)} sent a reply that is "
                f"not XML ({exc})"
            ) from None
        items = []
        for response_element in root.iter(f"{_DAV}response"):
            href = response_element.findtext(f"{_DAV}href")
            if not href:
                continue
            etag = data = None
            for propstat in response_element.iter(f"{_DAV}propstat"):
                if " 200 " not in (propstat.findtext(f"{_DAV}status") or " 200 "):
                    continue
                etag = propstat.findtext(f".//{_DAV}getetag") or etag
                data = propstat.findtext(f".//{_CALDAV}calendar-data") or data
            if data is None:
                continue  # the collection itself, or an object without data
            items.append(_parse_item(urllib.parse.urljoin(self.url, href), etag, data))
        return items

    def make_calendar(self, name: str) -> None:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            f"<D:set><D:prop><D:displayname>{escape(name)}</D:displayname>"
            "<C:supported-calendar-component-set>"
            '<C:comp name="VEVENT"/><C:comp name="VTODO"/><C:comp name="VJOURNAL"/>'
            "</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>"
        )
        response = self.client.request(
            self.url,
            "MKCALENDAR",
            body,
            {"Content-Type": 'application/xml; charset="utf-8"'},
        )
        if response.status not in (200, 201):
            raise SyncError(
                f"the CalDAV server at {_shown(self.url)} would not create a calendar "
                f"there (HTTP {response.status})"
            )

    def put(self, href: str, text: str, etag: str | None) -> None:
        """Store *text* at *href*: over the version *etag* (If-Match), or as
        a new object (If-None-Match) when *etag* is None."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag is None:
            headers["If-None-Match"] = "*"
        elif _strong(etag):
            headers["If-Match"] = etag
        response = self.client.request(href, "PUT", text, headers)
        if response.status == 412:
            raise _Conflict(href)
        _check(response, href, "PUT")

    def delete(self, href: str, etag: str) -> None:
        headers = {"If-Match": etag} if _strong(etag) else {}
        response = self.client.request(href, "DELETE", "", headers)
        if response.status == 412:
            raise _Conflict(href)
        if response.status != 404:  # already gone: as good as deleted
            _check(response, href, "DELETE")


def _strong(etag: str) -> bool:
    """Whether *etag* can be an If-Match precondition: a weak ETag (W/"...")
    never matches one (RFC 9110 13.1.1), so with it the write goes out
    unconditionally rather than failing every time."""
    return bool(etag) and not etag.startswith("W/")


def _check(response: Any, url: str, method: str) -> None:
    if not 200 <= response.status < 300:
        raise SyncError(
            f"the CalDAV server at {_shown(url)} refused {method} "
            f"(HTTP {response.status})"
        )


def _parse_item(href: str, etag: str | None, data: str) -> _Item:
    item = _Item(href=href, etag=etag or "", text=data)
    if len(data) > _MAX_ITEM_BYTES:
        return item
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError):
        return item
    for kind in ("VTODO", "VEVENT", "VJOURNAL"):
        found = calendar.walk(kind)
        if found:
            item.component, item.kind = found[0], kind
            item.uid = str(found[0].get("UID", ""))
            break
    return item


# -- reading back ---------------------------------------------------------

_TASK_UID = re.compile(r"(?P<plan>.+)-(?P<date>\d{8})-s(?P<slot>\d{1,3})-task@mgplan")
_PAUSE_TASK_UID = re.compile(r"(?P<plan>.+)-pause-(?P<date>\d{8})-task@mgplan")


@dataclass(slots=True)
class _Task:
    item: _Item
    evening: dt.date
    slot: int
    note: Note | None  # None: its note does not read
    state: str  # "done", "skipped" or "open"
    completed: dt.datetime | None


class _Reader:
    """Reads what the calendar records into the journal, once."""

    def __init__(
        self,
        schedule: Schedule,
        journal: Journal,
        replan: Callable[[JournalEntries], Schedule],
        today: dt.date,
        options: Mapping[str, Any],
    ) -> None:
        # A task's own text is the same whatever else is exported.
        self.options = {**options, "items": "tasks"}
        self.schedule = schedule
        self.journal = journal
        self.replan = replan
        self.today = today
        self.current = schedule
        self.logged: list[AnyEntry] = []
        self.unread: list[UnreadItem] = []
        self.waiting: list[UnreadItem] = []

    def read(self, items: list[_Item], current: Schedule) -> Schedule:
        """Make the journal hold what *items* record: append what is new,
        take back what was read from an item that now says otherwise. The
        plan with the journal as it then is. *current* is the plan the
        server's items were last pushed from (mgplan's own text on them)."""
        self.unread.clear()
        self.waiting.clear()
        self.current = current
        entries = self.journal.read()
        # mgplan's own task text, exported only when there are tasks to read.
        own_lines: frozenset[str] | None = None
        tasks: dict[dt.date, list[_Task]] = {}
        # What each item read cleanly says now, by UID; and what to log.
        said: dict[str, list[AnyEntry]] = {}
        statuses: dict[dt.date, Taken | MissedDose | None] = {}
        wanted: list[tuple[_Item, AnyEntry]] = []
        for item in items:
            pause = _PAUSE_TASK_UID.fullmatch(item.uid)
            if item.kind == "VTODO" and pause is not None:
                found = self._pause_task(item, pause)
                if found is not None:
                    said[item.uid] = found
                    wanted.extend((item, entry) for entry in found)
            elif item.kind == "VTODO":
                if own_lines is None:
                    own_lines = _own_lines(current, self.options)
                task = self._task(item, own_lines)
                if task is not None:
                    tasks.setdefault(task.evening, []).append(task)
            elif item.kind == "VJOURNAL":
                found = self._journal_note(item)
                if found is not None:
                    said[item.uid] = found
                    wanted.extend((item, entry) for entry in found)
        for evening in sorted(tasks):
            group = sorted(tasks[evening], key=lambda t: t.slot)
            read = self._evening(evening, group)
            if read is None:
                continue
            status, notes = read
            statuses[evening] = status
            if status is not None:
                wanted.append((group[0].item, status))
            for task in group:
                said[task.item.uid] = [e for i, e in notes if i is task.item]
            wanted.extend(notes)

        def check(joined: JournalEntries) -> None:
            # Under the journal's lock: another sync may have logged the
            # same thing since this one read the journal.
            *before, entry = joined.log
            if _already_there(JournalEntries(log=tuple(before)), entry):
                raise _AlreadyThere
            self.replan(joined)  # refuses what the plan refuses

        def log(item: _Item, entry: AnyEntry) -> bool:
            try:
                self.journal.append(entry, check=check)
            except _AlreadyThere:
                return False
            except (InvalidInputError, ContraindicationError) as exc:
                self.unread.append(UnreadItem(item.uid, _said(item), str(exc)))
                return False
            self.logged.append(entry)
            return True

        by_uid = {item.uid: item for item in items}
        for position, uid in self._changed(entries, said, statuses):
            retraction = Retracted(
                date=self.today,
                entry=position,
                note=f"no longer so in the calendar ({uid})"[:1000],
            )
            log(by_uid[uid], retraction)
        entries = self.journal.read()
        recorded = _Recorded(entries)
        for item, entry in wanted:
            if isinstance(entry, Taken | MissedDose):
                other = recorded.evening(entry)
                if other is not None:
                    if not isinstance(other, type(entry)):
                        self._conflict(item, entry.date, other)
                    continue
            elif recorded.has(entry):
                continue
            if log(item, entry):
                recorded.add(entry)
        # The journal as it is now: another command may have appended too.
        return self.replan(self.journal.read())

    def _changed(
        self,
        entries: JournalEntries,
        said: dict[str, list[AnyEntry]],
        statuses: dict[dt.date, Taken | MissedDose | None],
    ) -> list[tuple[int, str]]:
        """The entries (1-based position, item UID) read from items
        that now say otherwise: an evening unticked or ticked differently, a
        note changed or cancelled. Items missing from the server, or that do
        not read now, take nothing back."""
        live = live_positions(entries.log)
        now_said = {uid: [_bare(e) for e in found] for uid, found in said.items()}
        changed = []
        for index, entry in enumerate(entries.log):
            sources = _sources(entry)
            if index not in live or not sources:
                continue
            uids = [s.uid for s in sources]
            if not all(uid in said for uid in uids):
                continue
            if isinstance(entry, Taken | MissedDose):
                if entry.date not in statuses:
                    continue
                now = statuses[entry.date]
                if now is not None and isinstance(now, type(entry)):
                    continue
            elif any(_bare(entry) in now_said[uid] for uid in uids):
                continue
            changed.append((index + 1, uids[0]))
        return changed

    def _conflict(self, item: _Item, evening: dt.date, other: AnyEntry) -> None:
        said = "taken" if isinstance(other, Taken) else "skipped"
        self.unread.append(
            UnreadItem(
                item.uid,
                _said(item),
                f"the journal records the evening of {evening} as {said}; "
                "the calendar says otherwise: the journal is kept "
                "('mgplan undo' takes an entry back)",
            )
        )

    def _task(self, item: _Item, own_lines: frozenset[str]) -> _Task | None:
        match = _TASK_UID.fullmatch(item.uid)
        if match is None or match["plan"] != self.schedule.plan_id:
            return None
        try:
            evening = dt.datetime.strptime(match["date"], "%Y%m%d").date()
        except ValueError:
            return None
        component = item.component
        text = _person_text(component, own_lines)
        note: Note | None = Note()
        if text:
            try:
                # About the evening's dose and the night after: its day is
                # the morning after (read once it has come).
                note = parse_note(
                    text,
                    evening=evening,
                    day=evening + dt.timedelta(1),
                    source=(item.source,),
                )
            except InvalidInputError as exc:
                self.unread.append(UnreadItem(item.uid, text, str(exc)))
                note = None
        state = "skipped" if note is not None and note.skipped else _state(component)
        completed = _instant(component, "COMPLETED")
        return _Task(item, evening, int(match["slot"]), note, state, completed)

    def _evening(
        self, evening: dt.date, tasks: list[_Task]
    ) -> tuple[Taken | MissedDose | None, list[tuple[_Item, AnyEntry]]] | None:
        """What the tasks of one evening say: taken, skipped or not yet
        (None), and their notes' entries; None if they cannot be read now
        (the evening has not come, or a note does not read)."""
        closed = [t for t in tasks if t.state != "open"]
        noted = [(t, t.note) for t in tasks if t.note is not None and t.note.entries]
        if evening > self.today:
            for task in {id(t): t for t in (*closed, *(t for t, _ in noted))}.values():
                self._wait(task, f"the evening of {evening} has not come yet")
            return None
        if any(t.note is None for t in tasks):
            return None  # a note that does not read (reported): nothing guessed
        notes: list[tuple[_Item, AnyEntry]] = []
        for task, note in noted:
            if evening + dt.timedelta(1) > self.today:
                self._wait(task, "a note is read from the morning after its evening")
            else:
                notes.extend((task.item, e) for e in note.entries)
        if not closed:
            return None, notes
        if len(closed) < len(tasks):
            for task in closed:
                self._wait(
                    task,
                    f"{len(closed)} of the {len(tasks)} doses of the evening "
                    f"of {evening} ticked off or cancelled: read once all are",
                )
            return None, notes
        status = self._status(evening, tasks)
        if status is None:
            return None  # how much was taken cannot be told (reported)
        return status, notes

    def _wait(self, task: _Task, why: str) -> None:
        self.waiting.append(UnreadItem(task.item.uid, _said(task.item), why))

    def _status(
        self, evening: dt.date, tasks: list[_Task]
    ) -> Taken | MissedDose | None:
        """The taken or skipped entry of an evening whose doses are all
        ticked off or cancelled."""
        sources = tuple(t.item.source for t in tasks)
        done = [t for t in tasks if t.state == "done"]
        if not done:
            return MissedDose(
                date=evening, note="cancelled in the calendar", source=sources
            )
        units: float | None = None
        if len(done) < len(tasks):
            units = self._units(evening, done)
            if units is None:
                return None
        return _taken(evening, done, units, self.current, sources)

    def _units(self, evening: dt.date, done: list[_Task]) -> float | None:
        """The units of the doses ticked off, from the plan of that evening."""
        try:
            day = self.current.day(evening)
        except (KeyError, ValueError, InvalidInputError):
            day = None
        by_slot = {i.slot_index: i.units for i in day.intakes} if day else {}
        if any(t.slot not in by_slot for t in done):
            self.unread.append(
                UnreadItem(
                    done[0].item.uid,
                    _said(done[0].item),
                    f"the plan has no such dose on the evening of {evening}: "
                    "cannot tell how much was taken",
                )
            )
            return None
        return sum(by_slot[t.slot] for t in done)

    def _pause_task(self, item: _Item, match: re.Match[str]) -> list[AnyEntry] | None:
        """What a pause's task (its UID's *match*) says: the symptoms have
        gone, from the day it was ticked off (none while it is open or
        cancelled); None if it is not this plan's, or ticked off on a day to
        come."""
        if match["plan"] != self.schedule.plan_id:
            return None
        if _state(item.component) != "done":
            return []  # unticked: what was read from it is taken back
        completed = _instant(item.component, "COMPLETED")
        day = _local_day(completed, self.schedule) if completed else None
        day = day or self.today  # ticked without a time: read as today
        if day > self.today:
            self.waiting.append(
                UnreadItem(item.uid, _said(item), f"ticked off on {day}, to come")
            )
            return None
        return [
            Resolved(date=day, note="ticked off in the calendar", source=(item.source,))
        ]

    def _journal_note(self, item: _Item) -> list[AnyEntry] | None:
        """The entries a journal note says (none once cancelled); None if it
        is not read now (not a person's note, no date, a day to come, or a
        text that does not read)."""
        component = item.component
        if component.get(ics.PLAN_PROPERTY) is not None:
            return None  # made by a plan (of mgplan, not a person's note)
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            return []
        text = _said(item)
        start = component.get("DTSTART") or component.get("CREATED")
        day = _local_day(getattr(start, "dt", None), self.schedule)
        if day is None:
            self.unread.append(UnreadItem(item.uid, text, "a note without a date"))
            return None
        if day > self.today:
            self.waiting.append(
                UnreadItem(item.uid, text, f"dated {day}, which has not come yet")
            )
            return None
        try:
            note = parse_note(
                text,
                evening=day - dt.timedelta(1),
                day=day,
                skip_allowed=False,
                source=(item.source,),
            )
        except InvalidInputError as exc:
            self.unread.append(UnreadItem(item.uid, text, str(exc)))
            return None
        return list(note.entries)


def _taken(
    evening: dt.date,
    done: list[_Task],
    units: float | None,
    schedule: Schedule,
    sources: tuple[ItemSource, ...],
) -> Taken:
    """Taken on *evening*, at the time the first dose was ticked off when
    that time falls on the evening (otherwise the time is not known)."""
    regimen = schedule.regimen
    for task in done:
        if task.completed is None:
            continue
        at = Taken.at_time(task.completed, regimen.tz, boundary=regimen.day_boundary)
        if at.date == evening:
            return Taken(
                date=evening,
                at=at.at,
                units=units,
                note="ticked off in the calendar",
                source=sources,
            )
    return Taken(
        date=evening, units=units, note="ticked off in the calendar", source=sources
    )


class _AlreadyThere(Exception):
    """The entry is in the journal already (logged by another sync meanwhile)."""


def _already_there(entries: JournalEntries, entry: AnyEntry) -> bool:
    """Whether the journal already holds *entry*: the same entry read from the
    same item, the same evening taken or skipped, or, for a retraction, an
    entry already taken back."""
    recorded = _Recorded(entries)
    if isinstance(entry, Retracted):
        return entry.entry - 1 not in recorded.live
    if isinstance(entry, Taken | MissedDose):
        return recorded.evening(entry) is not None
    return recorded.has(entry)


class _Recorded:
    """What the journal records now (live entries): the evenings taken or
    skipped, and the entries read from calendar items by UID, to tell an
    entry already there (equal but for the item's version) from a new one."""

    def __init__(self, entries: JournalEntries) -> None:
        self.evenings: dict[dt.date, AnyEntry] = {}
        self.by_uid: dict[str, list[dict[str, Any]]] = {}
        self.live = live_positions(entries.log)
        for index, entry in enumerate(entries.log):
            if index in self.live:
                self.add(entry)

    def add(self, entry: AnyEntry) -> None:
        if isinstance(entry, Taken | MissedDose):
            self.evenings.setdefault(entry.date, entry)
        for source in _sources(entry):
            self.by_uid.setdefault(source.uid, []).append(_bare(entry))

    def evening(self, entry: Taken | MissedDose) -> AnyEntry | None:
        return self.evenings.get(entry.date)

    def has(self, entry: AnyEntry) -> bool:
        bare = _bare(entry)
        return any(bare in self.by_uid.get(s.uid, ()) for s in _sources(entry))


def _sources(entry: AnyEntry) -> tuple[ItemSource, ...]:
    """The calendar items *entry* was read from (none for typed entries and
    the kinds without a source)."""
    sources: tuple[ItemSource, ...] = getattr(entry, "source", ())
    return sources


def _bare(entry: AnyEntry) -> dict[str, Any]:
    """*entry* without the version of the item it was read from: equal for
    the same entry read again (its kind included)."""
    return entry.model_dump(exclude={"source"})


def _said(item: _Item) -> str:
    """What a person wrote on an item: its summary, notes and comments."""
    component = item.component
    if component is None:
        return item.text[:200]
    parts = [str(component.get("SUMMARY", ""))]
    parts.append(str(component.get("DESCRIPTION", "")))
    parts.extend(str(c) for c in _all(component, "COMMENT"))
    return "\n".join(p for p in parts if p.strip())


def _person_text(component: Any, own_lines: frozenset[str]) -> str:
    """What a person added to one of mgplan's tasks: its comments, and the
    lines of its notes (DESCRIPTION) that mgplan never wrote."""
    comments = [str(c) for c in _all(component, "COMMENT")]
    return "\n".join([*comments, *_added_lines(component, own_lines)])


def _added_lines(component: Any, own_lines: frozenset[str]) -> list[str]:
    """The lines of *component*'s DESCRIPTION that are not mgplan's own
    (*own_lines*, stripped)."""
    description = str(component.get("DESCRIPTION", "")).replace("\r\n", "\n")
    return [
        line
        for line in description.split("\n")
        if line.strip() and line.strip() not in own_lines
    ]


def _all(component: Any, name: str) -> list[Any]:
    found = component.get(name)
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def _instant(component: Any, name: str) -> dt.datetime | None:
    prop = component.get(name)
    value = getattr(prop, "dt", None)
    return value if isinstance(value, dt.datetime) else None


def _local_day(value: object, schedule: Schedule) -> dt.date | None:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.date()  # floating: the local wall clock
        return value.astimezone(zoneinfo.ZoneInfo(schedule.regimen.tz)).date()
    if isinstance(value, dt.date):
        return value
    return None


# -- pushing ----------------------------------------------------------------


@dataclass(slots=True)
class _Pushed:
    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    unchanged: int = 0
    overwritten: tuple[str, ...] = ()
    unread: tuple[UnreadItem, ...] = ()


@dataclass(slots=True)
class _Wanted:
    component: Any
    calendar: Any  # the VCALENDAR to upload: VTIMEZONEs and the component


def _own_lines(schedule: Schedule, options: Mapping[str, Any]) -> frozenset[str]:
    """Every line of text mgplan wrote for the plan's items, stripped."""
    _, lines = ics._to_calendar(schedule, **options, own_lines=True)
    return frozenset(line.strip() for line in lines)


def _export(
    schedule: Schedule, options: Mapping[str, Any]
) -> tuple[dict[str, _Wanted], frozenset[str]]:
    """One calendar per UID to upload (cancelled items left out: on a server
    they are deleted), and every line of text mgplan writes for the plan,
    stripped."""
    calendar, lines = ics._to_calendar(schedule, **options, own_lines=True)
    timezones = list(calendar.walk("VTIMEZONE"))
    wanted: dict[str, _Wanted] = {}
    for component in (*calendar.walk("VEVENT"), *calendar.walk("VTODO")):
        if str(component.get("STATUS", "")) == "CANCELLED":
            continue
        single = icalendar.Calendar.new(prodid=ics.PRODID)
        for timezone in timezones:
            single.add_component(timezone)
        single.add_component(component)
        wanted[str(component["UID"])] = _Wanted(component, single)
    return wanted, frozenset(line.strip() for line in lines)


def _ours(item: _Item, plan_id: str) -> bool:
    """Whether *item* is one of this plan's: by its plan property, or, for a
    client that drops unknown properties, by the form of its UID."""
    component = item.component
    if component is None or item.kind == "VJOURNAL":
        return False
    plan = component.get(ics.PLAN_PROPERTY)
    if plan is not None:
        return str(plan) == plan_id
    uid = item.uid
    return (
        uid.startswith(f"{plan_id}-")
        and uid.endswith(f"@{ics.UID_DOMAIN}")
        and (
            re.fullmatch(
                re.escape(plan_id)
                + r"-(\d{8}-s\d+(-task)?|step-\d{8}-s\d+|refill-\d+|review"
                r"|baseline-\d{8}|trial-\d+|pause-\d{8}(-task)?)@"
                + re.escape(ics.UID_DOMAIN),
                uid,
            )
            is not None
        )
    )


def _push(
    server: _Server, items: list[_Item], schedule: Schedule, options: Mapping[str, Any]
) -> _Pushed:
    """Make the server hold *schedule*'s items; _Conflict on a 412."""
    wanted, own_lines = _export(schedule, options)
    found: dict[str, _Item] = {}
    pushed = _Pushed()
    extra: list[_Item] = []
    for item in items:
        if _ours(item, schedule.plan_id):
            if item.uid in found:
                extra.append(item)  # a duplicate left by another client
            else:
                found[item.uid] = item
        elif item.component is None:
            pushed.unread += (
                UnreadItem(
                    item.href.rsplit("/", 1)[-1],
                    item.text[:200],
                    "not an iCalendar object mgplan can read; left alone",
                ),
            )
    created: list[str] = []
    updated: list[str] = []
    overwritten: list[str] = []
    deleted: list[str] = []
    for uid, want in wanted.items():
        existing = found.pop(uid, None)
        if existing is None:
            href = server.url + urllib.parse.quote(uid, safe="@") + ".ics"
            server.put(href, ics._serialize(want.calendar).decode("utf-8"), None)
            created.append(uid)
            continue
        merged = _merge(want, existing.component, own_lines)
        if _says(existing.component) == _says(merged.component):
            pushed.unchanged += 1
            continue
        if str(existing.component.get(ics.HASH_PROPERTY, "")) == str(
            want.component[ics.HASH_PROPERTY]
        ):
            overwritten.append(uid)  # the plan did not change it: someone else
        text = ics._serialize(merged.calendar).decode("utf-8")
        server.put(existing.href, text, existing.etag)
        updated.append(uid)
    for item in sorted((*found.values(), *extra), key=lambda i: i.uid):
        if item.kind == "VTODO" and _closed(item.component):
            pushed.unchanged += 1  # the person's record: never deleted
            continue
        server.delete(item.href, item.etag)
        deleted.append(item.uid)
    pushed.created, pushed.updated = tuple(created), tuple(updated)
    pushed.overwritten, pushed.deleted = tuple(overwritten), tuple(deleted)
    return pushed


_KEPT = ("STATUS", "COMPLETED", "PERCENT-COMPLETE", "COMMENT")


def _state(component: Any) -> str:
    """What a person did with a task: "skipped" (cancelled), "done" (status,
    completion time or 100 %), or "open"."""
    status = str(component.get("STATUS", "")).upper()
    if status == "CANCELLED":
        return "skipped"
    done = component.get("COMPLETED") is not None
    if status == "COMPLETED" or done or str(component.get("PERCENT-COMPLETE")) == "100":
        return "done"
    return "open"


def _closed(component: Any) -> bool:
    return _state(component) != "open"


def _merge(want: _Wanted, server: Any, own_lines: frozenset[str]) -> _Wanted:
    """The plan's item, keeping what the person recorded on the server's
    copy of a task: done or cancelled, comments, and lines they added to its
    notes."""
    if want.component.name != "VTODO" or server.name != "VTODO":
        return want
    added = _added_lines(server, own_lines)
    person = {
        name: _all(server, name) for name in _KEPT if server.get(name) is not None
    }
    if str(server.get("STATUS", "")).upper() not in ("COMPLETED", "CANCELLED"):
        person.pop("STATUS", None)  # the plan's NEEDS-ACTION stands
    if not added and not person:
        return want
    component = icalendar.Todo()
    for name, value in want.component.property_items(recursive=False):
        if name in ("BEGIN", "END") or name in person:
            continue
        if name == "DESCRIPTION" and added:
            value = icalendar.vText("\n".join([str(value), *added]))
        component.add(name, value, encode=False)
    for name, values in person.items():
        for value in values:
            component.add(name, value, encode=False)
    for sub in want.component.subcomponents:
        component.add_component(sub)
    single = icalendar.Calendar.new(prodid=ics.PRODID)
    for timezone in want.calendar.walk("VTIMEZONE"):
        single.add_component(timezone)
    single.add_component(component)
    return _Wanted(component, single)


_COMPARED = (
    "SUMMARY",
    "DESCRIPTION",
    "DTSTART",
    "DTEND",
    "DUE",
    "RRULE",
    "STATUS",
    "COMPLETED",
    "PERCENT-COMPLETE",
    "COMMENT",
    ics.HASH_PROPERTY,
)


def _says(component: Any) -> tuple[object, ...]:
    """What an item says, as compared between the plan and the server: the
    texts, the times as instants (however a client wrote the zone)."""
    said: list[object] = []
    for name in _COMPARED:
        values = _all(component, name)
        out: list[object] = []
        for value in values:
            moment = getattr(value, "dt", None)
            if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
                out.append(moment.astimezone(dt.UTC))
            elif moment is not None:
                out.append(moment)
            elif hasattr(value, "to_ical"):
                raw = value.to_ical()
                text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                out.append(text.replace("\r\n", "\n").strip())
            else:
                out.append(str(value).strip())
        said.append(tuple(out))
    return tuple(said)


def _login_problem(url: str, username: str | None, password: str | None) -> str:
    """What to say when the server answers 401/403, by what was given."""
    missing = [
        what
        for what, value in (
            (f"a username (${ENV_USERNAME})", username),
            (f"a password (${ENV_PASSWORD})", password),
        )
        if not value
    ]
    if missing:
        return f"the CalDAV server at {url} asks for a login: give " + (
            " and ".join(missing)
        )
    return f"the CalDAV server at {url} refused the login of {username!r}"


def _reason(exc: BaseException) -> str:
    """The operating system's words for a failed connection ("connection
    refused", "name or service not known"), without errno numbers and the
    client library's wrapping; the whole text when there are none."""
    seen: set[int] = set()
    found: BaseException | None = exc
    deepest: OSError | None = None
    while found is not None and id(found) not in seen:
        seen.add(id(found))
        if isinstance(found, OSError):
            deepest = found
        # requests and urllib3 keep the cause in args or in .reason.
        inner = [
            a
            for a in (*found.args, getattr(found, "reason", None))
            if isinstance(a, BaseException)
        ]
        found = found.__cause__ or found.__context__ or (inner[0] if inner else None)
    if deepest is None:
        return str(exc) or type(exc).__name__
    text = deepest.strerror or str(deepest)
    text = re.sub(r"\[Errno -?\d+\]\s*", "", text).strip()
    return (text[:1].lower() + text[1:]) or type(deepest).__name__
