"""The engine's output: a dated evening schedule with its audit trail.

A ``Schedule`` holds everything it was planned from (regimen, profile, policy,
reports), so exporters need nothing else and a saved schedule can be re-planned.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import re
import typing
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar

import pydantic

from ._errors import InvalidInputError
from ._journal import JournalEntry
from ._model import Model, strict_json, unvalidated
from ._outcomes import Ferritin, RlsRating, Stools, Taken
from ._product import format_mg
from ._profile import SafetyProfile
from ._regimen import Regimen
from ._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    SideEffectReport,
    TolerancePolicy,
    effective_entries,
)
from ._trial import TrialBlock
from ._words import DISCLAIMER, RED_FLAGS, RED_FLAGS_SHORT, RED_FLAGS_TEXT

__all__ = [
    "DISCLAIMER",
    "RED_FLAGS",
    "RED_FLAGS_SHORT",
    "RED_FLAGS_TEXT",
    "Action",
    "DayEntry",
    "Decision",
    "DoseStep",
    "Intake",
    "Phase",
    "Schedule",
    "ZonedDateTime",
]

_ZONED_RE = re.compile(r"^(?P<iso>[^\[\]]+)\[(?P<zone>[A-Za-z0-9_+\-/]+)\]$")


def _parse_zoned(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if not isinstance(value.tzinfo, zoneinfo.ZoneInfo):
            raise ValueError(
                "expected a datetime with an IANA zone (zoneinfo.ZoneInfo)"
            )
        return value
    if isinstance(value, str):
        match = _ZONED_RE.match(value)
        if match is not None:
            try:
                instant = dt.datetime.fromisoformat(match["iso"])
                zone = zoneinfo.ZoneInfo(match["zone"])
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                pass
            else:
                if instant.tzinfo is not None:
                    return instant.astimezone(zone)
    raise ValueError(
        "expected a zoned date-time such as '2026-12-01T19:00:00+01:00[Europe/Berlin]'"
    )


def _format_zoned(value: dt.datetime) -> str:
    return f"{value.isoformat()}[{value.tzinfo}]"


ZonedDateTime = Annotated[
    dt.datetime,
    pydantic.BeforeValidator(_parse_zoned),
    pydantic.PlainSerializer(_format_zoned, return_type=str),
    pydantic.WithJsonSchema(
        {
            "type": "string",
            "description": "RFC 9557 date-time with offset and IANA zone",
            "examples": ["2026-12-01T19:00:00+01:00[Europe/Berlin]"],
        }
    ),
]
"""An aware datetime that keeps its IANA zone name through JSON (RFC 9557)."""


class Phase(enum.StrEnum):
    """Where a day sits in the titration."""

    BASELINE = "baseline"
    TITRATING = "titrating"
    HOLDING = "holding"
    STEPPED_BACK = "stepped-back"
    PAUSED = "paused"
    MAINTAINING = "maintaining"
    TRIAL_ON = "trial-on"
    TRIAL_OFF = "trial-off"
    STOPPED = "stopped"


_TRIAL = (Phase.TRIAL_ON, Phase.TRIAL_OFF)


class Action(enum.StrEnum):
    """What the engine did on a decision's date."""

    START = "start"
    ADJUST = "adjust"
    INCREASE = "increase"
    REACH_TARGET = "reach-target"
    HOLD = "hold"
    STEP_BACK = "step-back"
    CEILING = "ceiling"
    PAUSE = "pause"
    RESTART = "restart"
    MISSED_RESTART = "missed-restart"
    STOP = "stop"
    CLINICIAN = "clinician"
    SPACING = "spacing"
    SAFETY = "safety"
    NOTE = "note"


# Decisions that go beside the day's dose decision rather than make one:
# what ``Schedule.latest_decision`` passes over on a day with both.
_BESIDE_THE_DOSE = frozenset(
    {Action.NOTE, Action.SAFETY, Action.SPACING, Action.ADJUST}
)


def _conflicts_schema(schema: dict[str, Any]) -> None:
    """The schema reads what ``Intake._no_conflicts`` reads: an empty
    ``conflicts`` list, from schedules written before it went."""
    schema["properties"]["conflicts"] = {
        "type": "array",
        "maxItems": 0,
        "deprecated": True,
        "description": "always empty; no longer written (an intake no time "
        "keeps clear of another medicine is left out, with a decision)",
    }


class Intake(Model, frozen=True, json_schema_extra=_conflicts_schema):
    """One evening intake: when, where in the evening, and how much."""

    at: ZonedDateTime
    slot: str
    slot_index: int = pydantic.Field(ge=0, description="position in Regimen.slots")
    moved_from: dt.time | None = pydantic.Field(
        default=None, description="the slot's time, when spacing moved the intake"
    )
    units: float = pydantic.Field(gt=0)
    elemental_mg: float = pydantic.Field(gt=0)
    compound_mg: float = pydantic.Field(gt=0)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _no_conflicts(cls, data: Any) -> Any:
        # Schedules written before intakes were placed together listed
        # ``conflicts``, the medicines an intake could not be spaced from;
        # now no time clear of them means the intake is left out, with a
        # decision. An empty list still reads; a schedule with an intake
        # beside such a medicine is not one mgplan makes any more.
        if isinstance(data, dict) and "conflicts" in data:
            conflicts = data["conflicts"]
            if conflicts not in ([], ()):
                raise InvalidInputError(
                    "conflicts",
                    "no intake beside a medicine it cannot be spaced from (such "
                    "an intake is left out; plan again to see the decision)",
                    conflicts,
                )
            data = {k: v for k, v in data.items() if k != "conflicts"}
        return data


class DayEntry(Model, frozen=True):
    """One day of the schedule. ``step`` counts ladder rungs from 1 (0: paused)."""

    date: dt.date
    phase: Phase
    step: int = pydantic.Field(ge=0)
    units: float = pydantic.Field(ge=0)
    elemental_mg: float = pydantic.Field(ge=0)
    compound_mg: float = pydantic.Field(ge=0)
    intakes: tuple[Intake, ...] = ()
    missed: bool = False


Cause = Annotated[
    SideEffectReport | MissedDose | Resolved | ClinicianAck,
    pydantic.Field(discriminator="kind"),
]


Logged = JournalEntry  # any journal entry, told apart by its kind


class Decision(Model, frozen=True):
    """A change the engine made, why, and a sentence a person can read."""

    date: dt.date
    action: Action
    message: str
    dose_before_mg: float | None = None
    dose_after_mg: float | None = None
    cause: Cause | None = None
    consult_clinician: bool = False
    suggestion: str = ""
    rule: str = pydantic.Field(
        default="", description="the id of the rule that decided (docs/rules.md)"
    )


_DECISION_FIELDS = frozenset(Decision.__pydantic_fields__)


def made_decision(
    date: dt.date,
    action: Action,
    message: str,
    dose_before_mg: float | None,
    dose_after_mg: float | None,
    cause: Cause | None,
    consult_clinician: bool,
    suggestion: str,
    rule: str,
) -> Decision:
    """A decision the engine made, from every field in order, not validated
    (as ``Model.trusted``, without checking the names at each call: a plan
    makes dozens; a test keeps this list equal to Decision's fields)."""
    return unvalidated(
        Decision,
        {
            "date": date,
            "action": action,
            "message": message,
            "dose_before_mg": dose_before_mg,
            "dose_after_mg": dose_after_mg,
            "cause": cause,
            "consult_clinician": consult_clinician,
            "suggestion": suggestion,
            "rule": rule,
        },
        set(_DECISION_FIELDS),
    )


class DoseStep(Model, frozen=True):
    """A run of consecutive days with the same intakes (same times and units)."""

    sequence: int = pydantic.Field(ge=1)
    start: dt.date
    end: dt.date
    phase: Phase
    units: float
    elemental_mg: float
    compound_mg: float
    intakes: tuple[Intake, ...] = pydantic.Field(
        description="the intakes of the step's first day"
    )

    @property
    def days(self) -> int:
        """Length of the step in days."""
        return (self.end - self.start).days + 1


def step_key(intakes: Iterable[Intake]) -> tuple[Any, ...]:
    """What two days of one dose step share: their intakes' slots, wall
    times and units."""
    return tuple((i.slot, i.at.time(), i.units) for i in intakes)


def dose_step(sequence: int, first: DayEntry, end: dt.date) -> DoseStep:
    """Dose step *sequence*, from *first* to *end*, with *first*'s intakes."""
    return DoseStep(
        sequence=sequence,
        start=first.date,
        end=end,
        phase=first.phase,
        units=first.units,
        elemental_mg=first.elemental_mg,
        compound_mg=first.compound_mg,
        intakes=first.intakes,
    )


# The lists of a schedule written before its journal, one per kind.
_PER_KIND = ("reports", "missed", "resolved", "clinician")


def stop_rule(decisions: Sequence[Decision]) -> str | None:
    """The rule of the latest stop among *decisions* (None: no stop): a stop
    by rule ``spacing`` (no evening clear of the other medicines) waits for
    new times, not for a clinician's word."""
    return next((d.rule for d in reversed(decisions) if d.action is Action.STOP), None)


class _Outline(typing.Protocol):
    """What a schedule's pending days tell without all being built
    (``Schedule.planned``; ``_days.Days``)."""

    @property
    def start(self) -> dt.date: ...
    def __call__(self) -> tuple[DayEntry, ...]: ...
    def __len__(self) -> int: ...
    def phase_runs(self) -> list[tuple[dt.date, int, Phase]]: ...
    def entries(self, first: int) -> tuple[DayEntry, ...]: ...
    def entry(self, index: int) -> DayEntry: ...
    def steps(self) -> tuple[DoseStep, ...]: ...
    def same_days(self, other: object) -> bool | None: ...


class Schedule(Model, frozen=True):
    """A dated evening dose schedule, planned by ``mgplan.plan``.

    JSON round-trips without loss (``to_json`` / ``from_json``); the format is
    versioned and its JSON Schema ships as ``schemas/schedule.v1.schema.json``.
    """

    format: Literal["mgplan.schedule"] = "mgplan.schedule"
    version: Literal[1] = 1
    plan_id: str
    regimen: Regimen
    profile: SafetyProfile
    policy: TolerancePolicy
    journal: tuple[Logged, ...] = pydantic.Field(
        default=(),
        description="every journal entry, in the order it was logged (retractions too)",
    )
    as_of: dt.date | None = None
    daily_cap_mg: float = pydantic.Field(gt=0)
    cap_reason: str
    ladder_mg: tuple[float, ...] = pydantic.Field(
        description="the daily dose of each rung, in elemental mg"
    )
    ceiling_mg: float | None = None
    days: tuple[DayEntry, ...]
    decisions: tuple[Decision, ...]
    consult_clinician: bool = pydantic.Field(
        default=False,
        description="a decision since the last clinician acknowledgement asks "
        "to talk to a clinician",
    )
    waiting_for: Literal["resolution", "clinician"] | None = pydantic.Field(
        default=None,
        description="the plan ends paused until the person records that the "
        "symptoms resolved, or stopped until a clinician acknowledges it",
    )
    restart_from: dt.date | None = pydantic.Field(
        default=None,
        description="while it waits for the symptoms to go: the first evening a "
        "recorded resolution restarts it (the day after the shortest pause)",
    )
    suggestions: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER

    @pydantic.model_validator(mode="before")
    @classmethod
    def _per_kind_lists(cls, data: Any) -> Any:
        """Schedules written before ``journal`` kept one list per kind."""
        if (
            isinstance(data, dict)
            and "journal" not in data
            and any(key in data for key in _PER_KIND)
        ):
            legacy: list[Any] = []
            for key in _PER_KIND:
                value = data.get(key)
                if value is not None and not isinstance(value, list):
                    raise InvalidInputError(key, "a list of journal entries", value)
                legacy.extend(value or ())
            data = {k: v for k, v in data.items() if k not in _PER_KIND}
            data["journal"] = legacy
        return data

    # -- days built on first use ------------------------------------------------
    #
    # The engine hands over a schedule whose days are built when first asked
    # for: a year's plan is then ready in about a millisecond, and what only
    # needs the decisions (status, a check of the journal) never pays for a
    # year of days and intakes. Until then ``days`` is not in ``__dict__`` and
    # its builder waits in ``__pydantic_private__``. Every way in that reads
    # the fields without asking for the attribute (serialisation, equality,
    # hashing, pickling, repr, iteration, copies) builds them first; after
    # that the instance is an ordinary one. Two threads that build at once
    # build equal days, and either result is kept.

    @classmethod
    def planned(cls, days: _Outline, **values: Any) -> Schedule:
        """A schedule from values the engine built, its days from *days*
        when first asked for (what it can tell without building them all,
        it is asked until then). Every other field must be given (as
        ``Model.trusted``); none is validated."""
        schedule = cls.trusted(days=(), **values)
        del schedule.__dict__["days"]
        object.__setattr__(schedule, "__pydantic_private__", {"days": days})
        return schedule

    def _build(self) -> None:
        pending = self.__pydantic_private__
        if pending is not None and "days" in pending:
            values = self.__dict__
            if "days" not in values:
                days = pending["days"]()
                # A new dict, swapped in whole: in the fields' order (which
                # is the JSON's), and never seen half made by another thread.
                object.__setattr__(
                    self,
                    "__dict__",
                    {
                        name: days if name == "days" else values[name]
                        for name in type(self).__pydantic_fields__
                    },
                )
            object.__setattr__(self, "__pydantic_private__", None)

    def _outline(self) -> _Outline | None:
        """The engine's records while the days are not built, else None."""
        pending = self.__pydantic_private__
        if pending is None or "days" in self.__dict__:
            return None
        outline: _Outline | None = pending.get("days")
        return outline

    def _count(self) -> int:
        outline = self._outline()
        return len(self.days) if outline is None else len(outline)

    def _phase_runs(self) -> list[tuple[dt.date, int, Phase]]:
        """(first date, number of days, phase) of each run of consecutive
        days in one phase, in order (without building the days)."""
        outline = self._outline()
        if outline is not None:
            return outline.phase_runs()
        runs: list[tuple[dt.date, int, Phase]] = []
        for entry in self.days:
            if runs:
                first, count, phase = runs[-1]
                if phase is entry.phase and first + dt.timedelta(count) == entry.date:
                    runs[-1] = (first, count + 1, phase)
                    continue
            runs.append((entry.date, 1, entry.phase))
        return runs

    def _same_days(self, other: Schedule) -> bool:
        """Whether *other* has the same days: told from the engine's records
        while neither schedule has built its days and both come from one
        planner (a calendar's history asks this of every version), else by
        building and comparing them."""
        mine, theirs = self._outline(), other._outline()
        if mine is not None and theirs is not None:
            told = mine.same_days(theirs)
            if told is not None:
                return told
        return self.days == other.days

    def _days_from(self, index: int) -> Iterable[DayEntry]:
        """The days from *index* on (without building those before it)."""
        outline = self._outline()
        if outline is None:
            return self.days[index:]
        return outline.entries(index)

    if not TYPE_CHECKING:

        def __getattr__(self, name: str) -> Any:
            if name == "days":
                try:
                    pending = object.__getattribute__(self, "__pydantic_private__")
                except AttributeError:
                    pending = None
                if pending is not None and "days" in pending:
                    self._build()
                    return self.__dict__["days"]
            return super().__getattr__(name)

    @pydantic.model_serializer(mode="wrap")
    def _serialize(self, handler: pydantic.SerializerFunctionWrapHandler) -> Any:
        self._build()
        return handler(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Schedule):
            self._build()
            other._build()
        return super().__eq__(other)

    def __hash__(self) -> int:
        self._build()
        return hash(tuple(self.__dict__[name] for name in type(self).model_fields))

    def __getstate__(self) -> dict[Any, Any]:
        self._build()
        return super().__getstate__()

    def __iter__(self) -> Any:
        self._build()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._build()
        return super().__repr_args__()

    def model_copy(
        self, *, update: typing.Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        self._build()
        return super().model_copy(update=update, deep=deep)

    @property
    def _live(self) -> tuple[object, ...]:
        return effective_entries(self.journal)

    @property
    def reports(self) -> tuple[SideEffectReport, ...]:
        """The side-effect reports, by date."""
        return _by_date(e for e in self._live if isinstance(e, SideEffectReport))

    @property
    def missed(self) -> tuple[MissedDose, ...]:
        """The missed evenings, by date."""
        return _by_date(e for e in self._live if isinstance(e, MissedDose))

    @property
    def resolved(self) -> tuple[Resolved, ...]:
        """The days symptoms were recorded as gone, by date."""
        return _by_date(e for e in self._live if isinstance(e, Resolved))

    @property
    def clinician(self) -> tuple[ClinicianAck, ...]:
        """The clinicians' acknowledgements, by date."""
        return _by_date(e for e in self._live if isinstance(e, ClinicianAck))

    @property
    def taken(self) -> tuple[Taken, ...]:
        """The evenings recorded as taken, by date."""
        return _by_date(e for e in self._live if isinstance(e, Taken))

    @property
    def ratings(self) -> tuple[RlsRating, ...]:
        """The nightly restless-legs ratings, by date."""
        return _by_date(e for e in self._live if isinstance(e, RlsRating))

    @property
    def stools(self) -> tuple[Stools, ...]:
        """The stool entries, by date."""
        return _by_date(e for e in self._live if isinstance(e, Stools))

    @property
    def ferritin(self) -> tuple[Ferritin, ...]:
        """The ferritin results, by date."""
        return _by_date(e for e in self._live if isinstance(e, Ferritin))

    @property
    def start(self) -> dt.date:
        """The first day."""
        outline = self._outline()
        if outline is not None and len(outline):
            return outline.start
        return self.days[0].date

    @property
    def end(self) -> dt.date:
        """The last day."""
        outline = self._outline()
        if outline is not None and len(outline):
            return outline.start + dt.timedelta(len(outline) - 1)
        return self.days[-1].date

    @property
    def review_date(self) -> dt.date | None:
        """The day to review whether it helps: the plan's last day, when it
        ends at the maintenance dose (None while paused, stopped or waiting)."""
        if self.waiting_for is not None:
            return None
        runs = self._phase_runs()
        if not runs:
            return None
        first, count, phase = runs[-1]
        done = (Phase.MAINTAINING, Phase.TRIAL_ON, Phase.TRIAL_OFF)
        return first + dt.timedelta(count - 1) if phase in done else None

    def _waiting_since(self) -> dt.date | None:
        """The first day of the pause (or stop) a waiting plan ends in;
        None when it waits for nothing."""
        if self.waiting_for is None:
            return None
        return self._phase_runs()[-1][0]

    def _stopped_by_a_clash(self) -> bool:
        """Whether the plan ends stopped because no evening keeps magnesium
        clear of the other medicines (rule ``spacing``): a clinician's
        acknowledgement does not change that, the medicines' times do."""
        return self.waiting_for == "clinician" and stop_rule(self.decisions) == (
            "spacing"
        )

    def _earliest_restart(self, first: dt.date, last: dt.date) -> dt.date | None:
        """For a pause from *first* to *last* that is over: the day after
        the shortest pause from its latest severe report, worked out from
        the decisions (a stable due date for its task in the calendar).
        While the plan waits, ``restart_from`` is the engine's own answer,
        which this cannot always give: a pause lengthened from a milder
        one's, or one a worse report replaced. None for a pause no severe
        report made (it ends on its own)."""
        severe = [
            d.date
            for d in self.decisions
            if d.rule == "severe-pause"
            and d.action is Action.PAUSE
            and first <= d.date <= last
        ]
        if not severe:
            return None
        days = self.policy.pause_for(self.regimen.step_interval_days)
        return max(severe) + dt.timedelta(days)

    def trial_blocks(self) -> tuple[TrialBlock, ...]:
        """The n-of-1 blocks, when the plan has a trial and reached it."""
        trial = self.regimen.trial
        if trial is None:
            return ()
        first = next((day for day, _, p in self._phase_runs() if p in _TRIAL), None)
        if first is None:
            return ()
        return trial.blocks(first)

    @property
    def safety_notes(self) -> tuple[str, ...]:
        """The start-day safety sentences: overrides, cautions, other magnesium."""
        return tuple(d.message for d in self.decisions if d.action is Action.SAFETY)

    def day(self, date: dt.date) -> DayEntry:
        """The entry for *date*; InvalidInputError outside the plan."""
        count = self._count()
        index = (date - self.start).days
        if not 0 <= index < count:
            raise InvalidInputError(
                "date",
                f"a date within the plan ({self.start.isoformat()} to "
                f"{self.end.isoformat()})",
                date.isoformat(),
            )
        outline = self._outline()
        return self.days[index] if outline is None else outline.entry(index)

    def intakes(self) -> Iterator[Intake]:
        """Every intake in order."""
        for entry in self.days:
            yield from entry.intakes

    def latest_decision(self, date: dt.date) -> Decision | None:
        """The most recent decision on or before *date*; of several on that
        day, the latest about the dose (the start, not the safety notes and
        advice beside it), else the day's last."""
        # Decisions are in date order, so a binary search finds the day.
        decisions = self.decisions
        index = bisect.bisect_right(decisions, date, key=lambda d: d.date)
        if not index:
            return None
        last = decisions[index - 1]
        for i in range(index - 1, -1, -1):
            decision = decisions[i]
            if decision.date != last.date:
                break
            if decision.action not in _BESIDE_THE_DOSE:
                return decision
        return last

    def steps(self) -> tuple[DoseStep, ...]:
        """Runs of consecutive days with identical intakes; paused days end a run."""
        outline = self._outline()
        if outline is not None:
            return outline.steps()
        runs: list[DoseStep] = []
        current: list[DayEntry] = []

        def close() -> None:
            if current:
                runs.append(dose_step(len(runs) + 1, current[0], current[-1].date))
                current.clear()

        for entry in self.days:
            if not entry.intakes:
                close()
                continue
            if current and step_key(current[0].intakes) != step_key(entry.intakes):
                close()
            current.append(entry)
        close()
        return tuple(runs)

    def describe_dose(self, entry: DayEntry) -> str:
        """``2 capsules (200 mg)`` — units first, then elemental mg."""
        if not entry.intakes:
            if entry.step:  # a dose, but a clash leaves every intake out
                return "no dose (every intake left out)"
            return f"no dose ({entry.phase.value})"
        product = self.regimen.product
        units = product.describe_units(entry.units)
        return f"{units} ({format_mg(entry.elemental_mg)})"

    def to_json(self, *, indent: int | None = 2) -> str:
        """The schedule as versioned JSON."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Schedule:
        """A schedule from ``to_json`` output; InvalidInputError if it is not one.

        Besides its shape, the engine's promises are checked again: no day
        above the cap, each day the sum of its intakes, and every intake a
        whole number of the product's units (or halves, if it may be split).
        A schedule edited into a 5,000 mg day is refused, not exported, and
        so is one whose cap differs from its profile's (a cap above the
        limits needs the clinician's override in the profile), or whose
        profile has a contraindication no override allows.
        """
        try:
            data = strict_json(text)
        except ValueError as exc:  # also a key twice, NaN, a huge integer
            raise InvalidInputError("schedule", "valid JSON", str(exc)) from None
        except RecursionError:  # '[' a hundred thousand times
            raise InvalidInputError(
                "schedule", "valid JSON of a sensible depth", "nesting too deep"
            ) from None
        schedule = cls.model_validate(data)
        schedule._check_invariants()
        return schedule

    def _check_invariants(self) -> None:
        # The cap the days are held to is the profile's, worked out again:
        # a schedule whose cap was edited along with its days (5,000 mg a
        # day under a cap of 5,000) was accepted and exported. A cap above
        # the limits needs a clinician's override in the profile, which the
        # schedule carries and its decisions name. And what planning refuses
        # (a contraindication no override allows) is refused here too.
        self.profile.check()
        cap = self.profile.daily_cap_mg
        if abs(self.daily_cap_mg - cap) > 1e-6:
            raise InvalidInputError(
                "daily_cap_mg",
                f"the profile's daily cap, {format_mg(cap)} "
                f"({self.profile.cap_reason})",
                self.daily_cap_mg,
            )
        for i, rung in enumerate(self.ladder_mg):
            if rung > cap + 1e-6:
                raise InvalidInputError(
                    f"ladder_mg[{i}]",
                    f"at most the daily cap of {format_mg(cap)}",
                    rung,
                )
        product = self.regimen.product
        step = product.unit_step
        for i, day in enumerate(self.days):
            where = f"days[{i}]"
            if day.elemental_mg > self.daily_cap_mg + 1e-6:
                raise InvalidInputError(
                    f"{where}.elemental_mg",
                    f"at most the daily cap of {format_mg(self.daily_cap_mg)}",
                    day.elemental_mg,
                )
            total = sum(intake.elemental_mg for intake in day.intakes)
            units = sum(intake.units for intake in day.intakes)
            if abs(total - day.elemental_mg) > 1e-3 or abs(units - day.units) > 1e-6:
                raise InvalidInputError(
                    f"{where}.intakes",
                    f"intakes that add up to the day's {format_mg(day.elemental_mg)}",
                    format_mg(total),
                )
            for j, intake in enumerate(day.intakes):
                steps = intake.units / step
                expected_mg = intake.units * product.elemental_per_unit
                if abs(steps - round(steps)) > 1e-6 or intake.units <= 0:
                    raise InvalidInputError(
                        f"{where}.intakes[{j}].units",
                        f"a whole number of {product.unit_plural}"
                        + (" or halves" if product.splittable else ""),
                        intake.units,
                    )
                if abs(expected_mg - intake.elemental_mg) > 1e-3:
                    raise InvalidInputError(
                        f"{where}.intakes[{j}].elemental_mg",
                        f"{format_mg(expected_mg)}, what the units hold",
                        intake.elemental_mg,
                    )


_E = TypeVar(
    "_E",
    SideEffectReport,
    MissedDose,
    Resolved,
    ClinicianAck,
    Taken,
    RlsRating,
    Stools,
    Ferritin,
)


def _by_date(entries: Iterable[_E]) -> tuple[_E, ...]:
    return tuple(sorted(entries, key=lambda e: e.date))
