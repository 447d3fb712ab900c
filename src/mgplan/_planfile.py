"""Plan files: a person's regimen, profile and settings in TOML or JSON.

A plan file sits beside its journal (``NAME.journal.jsonl`` unless the file
names another); ``load_plan`` reads it and ``PlanFile.plan`` makes the
schedule with the journal's reports. Errors name the file, the line where it
can be found, the key, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import textwrap
import tomllib
from pathlib import Path
from typing import Any, Literal

import pydantic

from ._engine import plan
from ._errors import InvalidInputError, PlanFileError, Problem
from ._journal import Journal, JournalEntries, regular_size
from ._model import Model, Text, strict_json
from ._profile import CONDITIONS, SafetyProfile
from ._regimen import Regimen, new_plan_id
from ._schedule import RED_FLAGS, Schedule
from ._tolerance import TolerancePolicy

__all__ = ["CalendarSettings", "PlanFile", "load_plan", "starter_plan"]


class CalendarSettings(Model, frozen=True):
    """How the plan's calendar is exported; credentials never go here."""

    name: Text | None = pydantic.Field(default=None, max_length=200)
    alarm_minutes_before: int = pydantic.Field(default=0, ge=0, le=720)
    title: Literal["form", "product"] = pydantic.Field(
        default="form", description="name events after the salt or the product"
    )
    refill: bool = False
    refill_days_ahead: int = pydantic.Field(default=5, ge=0, le=60)
    compact: bool = False
    items: Literal["events", "tasks", "both"] = pydantic.Field(
        default="events",
        description="dose reminders as events, as tasks (VTODO) or both",
    )
    caldav_url: str | None = pydantic.Field(
        default=None, pattern=r"^https?://", description="the calendar's URL"
    )


class PlanFile(Model, frozen=True):
    """The content of a plan file (format ``mgplan.plan``, version 1)."""

    format: Literal["mgplan.plan"] = "mgplan.plan"
    version: Literal[1] = 1
    regimen: Regimen
    profile: SafetyProfile = pydantic.Field(default_factory=SafetyProfile)
    policy: TolerancePolicy = pydantic.Field(default_factory=TolerancePolicy)
    calendar: CalendarSettings = pydantic.Field(default_factory=CalendarSettings)
    journal: str | None = pydantic.Field(
        default=None,
        description="the journal's path, relative to the plan file; "
        "default: NAME.journal.jsonl beside it",
    )

    def plan(
        self, entries: JournalEntries | None = None, *, as_of: dt.date | None = None
    ) -> Schedule:
        """The schedule, with the journal's entries in the order logged."""
        entries = entries or JournalEntries()
        return plan(
            self.regimen,
            self.profile,
            journal=entries.ordered(),
            policy=self.policy,
            as_of=as_of,
        )


def journal_for(path: str | os.PathLike[str], plan_file: PlanFile) -> Journal:
    """The journal of the plan file at *path*."""
    path = Path(path)
    if plan_file.journal:
        return Journal(path.parent / plan_file.journal)
    return Journal(path.with_name(path.stem + ".journal.jsonl"))


def load_plan(path: str | os.PathLike[str]) -> PlanFile:
    """Read a TOML (``.toml``) or JSON (``.json``) plan file.

    Raises PlanFileError naming the file, the line and the key of a problem.
    """
    path = Path(path)
    return read_plan(path, _plan_text(path))


def _plan_text(path: Path) -> str:
    """The text of the plan file at *path*; PlanFileError if it cannot be
    read as one."""
    try:
        raw = _read_regular(path)
    except PlanFileError:
        raise
    except FileNotFoundError:
        raise PlanFileError(
            path,
            "file",
            "an existing plan file (make one with 'mgplan init')",
            str(path),
        ) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise PlanFileError(
            path,
            "file",
            "a readable plan file",
            getattr(exc, "strerror", None) or str(exc),
        ) from None
    try:
        # utf-8-sig: a byte-order mark (some editors write one) is not content.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PlanFileError(
            path, "file", "UTF-8 text", f"a byte that is not UTF-8 at {exc.start}"
        ) from None


# Far beyond any plan file (the commented starter is ~4 kB): a bound, so that
# a plan path naming /dev/zero or a huge file fails at once.
MAX_PLAN_BYTES = 1024 * 1024


def _read_regular(path: Path) -> bytes:
    """The bytes of the regular file at *path*. A FIFO, device or directory
    is refused before anything is read (a FIFO with no writer blocked for
    ever, /dev/zero filled the memory), and so is a file over the bound."""
    # O_NONBLOCK: opening a FIFO no one writes to returns at once.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        regular_size(path, fd, field="file", what="a plan file", limit=MAX_PLAN_BYTES)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_PLAN_BYTES + 1)
    finally:
        os.close(fd)


def read_plan(path: Path, text: str) -> PlanFile:
    """The plan in *text*, read as the file *path* would be (JSON when it ends
    in ``.json``, else TOML); errors name *path*. ``init`` checks what it is
    about to write with this, before it writes."""
    is_json = path.suffix.lower() == ".json"
    data = _parse_json(path, text) if is_json else _parse_toml(path, text)
    if not isinstance(data, dict):
        raise PlanFileError(path, "file", "a table of settings", type(data).__name__)
    if data.get("format") == "mgplan.schedule":
        raise PlanFileError(
            path,
            "file",
            "a plan file (a schedule, as 'mgplan show --json' writes, is the "
            "output of one: give the plan file it was made from)",
            "a schedule",
        )
    try:
        return PlanFile.__pydantic_validator__.validate_python(data)  # type: ignore[no-any-return]
    except pydantic.ValidationError as exc:
        error = InvalidInputError.from_pydantic(exc)
        line = None if is_json else _toml_line(text, error.field)
        raise PlanFileError.wrap(path, error, line=line) from None


def _parse_toml(path: Path, text: str) -> Any:
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise PlanFileError(
            path, "TOML", "valid TOML of a sensible depth", "nesting too deep"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        reason = re.sub(
            r"\s*\(at (line \d+, column \d+|end of document)\)", "", message
        )
        raise PlanFileError(path, "TOML", "valid TOML", reason, line=line) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise PlanFileError(
            path, "TOML", "valid TOML of a sensible size", str(exc)
        ) from None


def _parse_json(path: Path, text: str) -> Any:
    try:
        return strict_json(text)
    except RecursionError:
        raise PlanFileError(
            path, "JSON", "valid JSON of a sensible depth", "nesting too deep"
        ) from None
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            path, "JSON", "valid JSON", exc.msg, line=exc.lineno
        ) from None
    except ValueError as exc:  # a duplicate key, NaN, a huge integer
        raise PlanFileError(path, "JSON", "valid JSON", str(exc)) from None


# The engine names a setting by its model (Regimen.target_dose); a plan file
# by its table (regimen.target_dose).
_TABLES = {"Regimen.": "regimen.", "SafetyProfile.": "profile.", "policy.": "policy."}


def placed(path: Path, error: InvalidInputError) -> PlanFileError:
    """*error*, which planning raised about the settings of the plan file at
    *path*, as that file's: each field named by its key there
    (``regimen.target_dose``) and, in a TOML file, the line that sets the
    first one."""

    def key(field: str) -> str:
        for model, table in _TABLES.items():
            if field.startswith(model):
                return table + field[len(model) :]
        return field

    problems = [Problem(key(p.field), p.expected, p.received) for p in error.problems]
    line = None
    if path.suffix.lower() != ".json":
        try:
            text = _plan_text(path)
        except PlanFileError:  # gone or changed since it was read
            text = ""
        line = _toml_line(text, problems[0].field) if text else None
    first = problems[0]
    return PlanFileError(
        path, first.field, first.expected, first.received, line=line, problems=problems
    )


def _toml_line(text: str, field: str) -> int | None:
    """The line where *field* (e.g. ``regimen.product.form``) is set, if found."""
    parts = [p for p in re.split(r"\.|\[\d+\]", field) if p]
    if not parts:
        return None
    table: list[str] = []
    best = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.split("#", 1)[0].strip()
        header = re.fullmatch(r"\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
        if header:
            table = [p.strip().strip('"') for p in header.group(1).split(".")]
            if table == parts:
                best = best or number
            continue
        key = re.match(r"([A-Za-z0-9_\-\".]+)\s*=", stripped)
        if key:
            dotted = table + [p.strip('"') for p in key.group(1).split(".")]
            if dotted == parts[: len(dotted)] and len(dotted) >= len(parts) - 1:
                if dotted == parts:
                    return number
                best = best or number
    return best


def starter_plan(*, start: dt.date, tz: str, plan_id: str | None = None) -> str:
    """A commented starter plan file for *start* in zone *tz*.

    Its id is *plan_id*, or a new unique one (``new_plan_id``).
    """
    flags = "\n".join(
        textwrap.fill(sign, 72, initial_indent="#   - ", subsequent_indent="#     ")
        for sign, _ in RED_FLAGS
    )
    refuse = ", ".join(
        f'"{c.value}"' for c, rule in CONDITIONS.items() if rule.effect == "refuse"
    )
    caution = ", ".join(
        f'"{c.value}"' for c, rule in CONDITIONS.items() if rule.effect == "caution"
    )
    return _STARTER.format(
        plan_id=plan_id or new_plan_id(),
        start=start.isoformat(),
        tz=tz,
        red_flags=flags,
        refuse=textwrap.fill(refuse, 72, initial_indent="# ", subsequent_indent="# "),
        caution=textwrap.fill(caution, 72, initial_indent="# ", subsequent_indent="# "),
    )


_STARTER = """\
# mgplan plan file. mgplan is a planning aid, not medical advice:
# talk to a clinician before you start, and about any side effect.
#
# Stop magnesium and get medical help if you have:
{red_flags}
#
# What you record goes into the journal beside this file
# (NAME.journal.jsonl): `mgplan taken` / `skipped` each evening, `mgplan rls`
# for each night's ratings, `mgplan report` for a side effect and
# `mgplan resolved` once it has gone (a plan paused for it restarts then).

format = "mgplan.plan"
version = 1

[regimen]
# The plan's id: calendar reminders are named after it, so keep it when you
# change the start date or the product, and give each plan its own.
id = "{plan_id}"
# A named ladder fills what you do not set: "gentle" (50 mg steps every
# 14 days to 200 mg), "standard" (100 mg, +50 mg a week, to 200 mg) or
# "hornyak" (100 mg, +100 mg a week, to 300 mg over three evening slots).
preset = "standard"
start_date = {start}
tz = "{tz}"
# Evenings without magnesium first, rating your legs and sleep each night:
# the review compares the weeks on magnesium with them (0 to skip).
baseline_days = 7
# Doses in elemental mg ("150 mg") or in units of the product ("2 capsules").
# start_dose = "100 mg"
# step = "50 mg"
# step_interval_days = 7
# target_dose = "200 mg"
# A day's dose above this is split across the evening slots.
# max_single_dose = "125 mg"
slots = ["19:00 with dinner", "21:30 at bedtime"]
# Days at the target before the plan ends (or set end_date = 2027-06-30).
maintenance_days = 56

[regimen.product]
name = "Magnesium bisglycinate 50 mg"
# One of the forms `mgplan forms` lists (glycinate, citrate, oxide, ...).
form = "glycinate"
# The label's amount per unit, and whether it is elemental magnesium (US
# Supplement Facts) or the compound's mass ("500 mg glycinate" on the front).
amount_per_unit = 50
basis = "elemental"
unit = "capsule"
splittable = false
units_per_container = 120

[profile]
# "us" (350 mg/day for adults) or "eu" (250 mg/day).
limit_set = "us"
age_band = "adult"
# Your age in years (from 65, mgplan asks for a kidney result) and your
# latest eGFR in mL/min/1.73 m² (below 60 lowers the cap; below 30 refuses).
# age = 67
# egfr = 75
# Conditions that refuse planning without a clinician override:
{refuse}.
# Conditions that plan, with a reason to talk to a clinician first:
{caution}.
conditions = []
# Magnesium a day from antacids, laxatives and multivitamins (and, under the
# EU limit, fortified food and mineral water): it counts against the cap.
other_magnesium_mg = 0
# Other medicines, so that magnesium keeps its distance from them
# (`mgplan` knows tetracyclines, quinolones, levothyroxine, iron, the RLS
# medicines, ...; any other gets 4 h, the magnesium labels' advice).
# A course has start/end dates; a weekly one its weekdays:
# [[profile.medicines]]
# name = "levothyroxine"
# times = ["07:00"]
# [[profile.medicines]]
# name = "doxycycline"
# times = ["08:00", "20:00"]
# start = 2026-12-10
# end = 2026-12-16
# [profile.override]
# clinician = "Dr ..."
# reason = "..."
# date = 2026-12-01
# daily_cap_mg = 400
# allow_conditions = ["heart-block"]
# allow_medicines = ["raltegravir"]

[calendar]
alarm_minutes_before = 0
refill = true
"""
