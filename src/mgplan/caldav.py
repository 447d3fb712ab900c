"""Push a schedule to a CalDAV calendar (install ``mgplan[caldav]``).

``sync`` makes the calendar hold exactly the plan's events: it creates the
missing ones, updates changed ones in place by UID, deletes the events of this
plan that the plan no longer has, and leaves every other event alone. Running
it twice changes nothing the second time.

Credentials come from the arguments or from the environment
(``MGPLAN_CALDAV_URL``, ``MGPLAN_CALDAV_USERNAME``, ``MGPLAN_CALDAV_PASSWORD``),
never from code.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import icalendar

from . import ics
from ._errors import InvalidInputError, SyncError
from ._schedule import Schedule

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["ENV_PASSWORD", "ENV_URL", "ENV_USERNAME", "SyncResult", "sync"]

ENV_URL = "MGPLAN_CALDAV_URL"
ENV_USERNAME = "MGPLAN_CALDAV_USERNAME"
ENV_PASSWORD = "MGPLAN_CALDAV_PASSWORD"


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync changed, by UID."""

    url: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int

    @property
    def changed(self) -> bool:
        """Whether the server's calendar was changed at all."""
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.deleted)} deleted, {self.unchanged} unchanged"
        )


def sync(
    schedule: Schedule,
    url: str | None = None,
    *,
    username: str | None = None,
    password: str | None = None,
    environ: Mapping[str, str] | None = None,
    create: bool = True,
    timeout: int = 30,
    **options: Unpack[ics.CalendarOptions],
) -> SyncResult:
    """Make the CalDAV calendar at *url* hold the schedule's events.

    *url* is the calendar collection's URL; with *create* a missing calendar
    is made there (MKCALENDAR). Missing arguments come from *environ*
    (default: ``os.environ``). The calendar options are
    ``ics.to_calendar``'s. Raises SyncError if the server cannot be reached,
    refuses the credentials, or fails.
    """
    try:
        from caldav.collection import Calendar
        from caldav.davclient import DAVClient
        from caldav.lib import error as dav_error
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise SyncError(
            "CalDAV sync needs the caldav package: pip install 'mgplan[caldav]'"
        ) from None

    env = os.environ if environ is None else environ
    url = url or env.get(ENV_URL)
    if not url:
        raise InvalidInputError(
            "url", f"a CalDAV calendar URL (argument or ${ENV_URL})"
        )
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise InvalidInputError(
            "url", "a well-formed http:// or https:// URL", url
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInputError("url", "an http:// or https:// URL", url)
    username = username if username is not None else env.get(ENV_USERNAME)
    password = password if password is not None else env.get(ENV_PASSWORD)

    exported = ics.to_calendar(schedule, **options)
    wanted = _resources(exported, schedule.plan_id)
    try:
        client = DAVClient(
            url=url, username=username, password=password, timeout=timeout
        )
        calendar = Calendar(client=client, url=url)
        try:
            existing = calendar.events()
        except dav_error.NotFoundError:
            if not create:
                raise
            response = client.mkcalendar(url)
            if response.status not in (200, 201):
                raise SyncError(
                    f"the CalDAV server at {url} would not create a calendar "
                    f"there (HTTP {response.status})"
                ) from None
            existing = []
        ours = _ours(existing, schedule.plan_id)
        created, updated, unchanged = [], [], 0
        for uid, (text, digest) in wanted.items():
            found = ours.pop(uid, None)
            if found is None:
                calendar.save_event(text)
                created.append(uid)
            elif found[1] != digest:
                found[0].data = text
                found[0].save()
                updated.append(uid)
            else:
                unchanged += 1
        deleted = []
        for uid, (obj, _) in sorted(ours.items()):
            obj.delete()
            deleted.append(uid)
    except dav_error.AuthorizationError:
        raise SyncError(_login_problem(url, username, password)) from None
    except dav_error.DAVError as exc:
        raise SyncError(f"the CalDAV server at {url} failed: {exc}") from None
    except OSError as exc:  # connection refused, DNS, TLS, timeouts
        raise SyncError(
            f"cannot reach the CalDAV server at {url}: {_reason(exc)}"
        ) from None
    return SyncResult(
        url=url,
        created=tuple(created),
        updated=tuple(updated),
        deleted=tuple(deleted),
        unchanged=unchanged,
    )


def _resources(
    calendar: icalendar.Calendar, plan_id: str
) -> dict[str, tuple[str, str]]:
    """One VCALENDAR text per UID (each with the VTIMEZONE), with its hash.

    Cancelled events are left out: on a server they are deleted instead.
    """
    timezones = list(calendar.walk("VTIMEZONE"))
    resources: dict[str, tuple[str, str]] = {}
    for event in calendar.walk("VEVENT"):
        if str(event.get("STATUS", "")) == "CANCELLED":
            continue
        single = icalendar.Calendar.new(prodid=ics.PRODID)
        for timezone in timezones:
            single.add_component(timezone)
        single.add_component(event)
        uid = str(event["UID"])
        resources[uid] = (
            single.to_ical().decode("utf-8"),
            str(event[ics.HASH_PROPERTY]),
        )
    return resources


def _ours(existing: object, plan_id: str) -> dict[str, tuple[Any, str]]:
    """The server's events that belong to this plan, by UID, with their hash."""
    found: dict[str, tuple[Any, str]] = {}
    # The synchronous client returns a list (the async one a coroutine).
    assert isinstance(existing, list)
    for obj in existing:
        try:
            component = obj.icalendar_component
        except (ValueError, KeyError, AttributeError):
            continue  # an event mgplan cannot read is not one of its own
        if str(component.get(ics.PLAN_PROPERTY, "")) != plan_id:
            continue
        uid = str(component.get("UID", ""))
        if uid in found:
            # A duplicate left by another client: keep one, delete the rest.
            obj.delete()
            continue
        found[uid] = (obj, str(component.get(ics.HASH_PROPERTY, "")))
    return found


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
