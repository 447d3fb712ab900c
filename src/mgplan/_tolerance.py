"""What a person records about the plan (side effects, missed evenings,
resolution, a clinician's word) and the numbers behind the reactions.

The rules themselves are in ``_rules``; this module holds the journal entries
they read. A side-effect report belongs to a *dose evening*: the evening whose
dose it follows (by default the evening before the report's date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal, Self, TypeVar

import pydantic

from ._errors import InvalidInputError
from ._model import Date, Model, Text
from ._words import Severity, Symptom

__all__ = [
    "CTCAE_DIARRHOEA",
    "ClinicianAck",
    "ItemSource",
    "MissedDose",
    "Resolved",
    "Retracted",
    "Severity",
    "SideEffectReport",
    "Symptom",
    "TolerancePolicy",
    "effective_entries",
    "grade_stools",
    "live_positions",
]


# CTCAE v5.0 (NCI 2017), "Diarrhea" [CTCAE5]: grade 1 is an increase of fewer
# than 4 stools a day over baseline, grade 2 an increase of 4-6, grade 3 an
# increase of 7 or more. mgplan maps grades 1/2/3 to mild/moderate/severe, as
# the project's reference notes do. Each row: (fewest stools above baseline,
# severity); the first row whose bound is met, from the top, applies.
CTCAE_DIARRHOEA: tuple[tuple[int, Severity], ...] = (
    (7, Severity.SEVERE),
    (4, Severity.MODERATE),
    (1, Severity.MILD),
)
# Bristol Stool Form Scale types 6 (mushy) and 7 (watery) are the loose end of
# the scale [CTCAE5]; mgplan counts them as at least a mild side effect.
BRISTOL_LOOSE = 6


def grade_stools(above_baseline: int | None, bristol: int | None) -> Severity | None:
    """The severity that stool counts and form imply, or None for none.

    >>> grade_stools(5, None), grade_stools(0, 6), grade_stools(0, 4)
    (<Severity.MODERATE: 'moderate'>, <Severity.MILD: 'mild'>, None)
    """
    graded: Severity | None = None
    if above_baseline is not None:
        for bound, severity in CTCAE_DIARRHOEA:
            if above_baseline >= bound:
                graded = severity
                break
    if bristol is not None and bristol >= BRISTOL_LOOSE and graded is None:
        graded = Severity.MILD
    return graded


class ItemSource(Model, frozen=True):
    """The calendar item a journal entry was read from (``mgplan.caldav.sync``):
    its UID, and the ETag of the version that was read. A later sync skips an
    item whose entries are already in the journal."""

    uid: Text = pydantic.Field(min_length=1, max_length=1000)
    etag: Text = pydantic.Field(default="", max_length=1000)


def _no_sources(value: tuple[ItemSource, ...]) -> bool:
    return not value


# What was read from a calendar carries its item(s); typed entries carry none,
# and their JSON has no "source" at all (journals stay as they were written).
_SOURCE: Any = pydantic.Field(
    default=(),
    max_length=100,
    exclude_if=_no_sources,
    description="the calendar item(s) the entry was read from, when not typed",
)


class SideEffectReport(Model, frozen=True):
    """A GI side effect, reported on ``date``, about the dose of ``dose_date``.

    ``dose_date`` is the evening the symptom follows; it defaults to the
    evening before ``date``. Instead of (or beside) a ``severity``, a report
    may give ``stools_above_baseline`` (stools a day more than the person's
    usual) and a ``bristol`` type: the severity then follows the CTCAE v5
    diarrhoea grades [CTCAE5], and Bristol 6-7 counts as at least mild. When
    both are given the worse one counts.

    >>> SideEffectReport(date="2026-12-10", symptom="diarrhoea",
    ...                  severity="moderate").describe()
    'Moderate diarrhoea on 2026-12-10 (after the evening of 2026-12-09)'
    """

    kind: Literal["side-effect"] = "side-effect"
    date: Date
    dose_date: Date = pydantic.Field(
        default=None,  # type: ignore[assignment]  # filled in below
        description="the evening whose dose the symptom follows; "
        "default: the evening before date",
    )
    symptom: Symptom = Symptom.LOOSE_STOOLS
    severity: Severity | None = None
    stools_above_baseline: int | None = pydantic.Field(
        default=None,
        ge=0,
        le=100,
        description="stools a day above the person's usual (CTCAE v5 grading)",
    )
    bristol: int | None = pydantic.Field(
        default=None, ge=1, le=7, description="Bristol stool form scale type"
    )
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    @pydantic.field_validator("symptom", mode="before")
    @classmethod
    def _dashes(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower().replace("_", "-").replace(" ", "-")
            return {"diarrhea": "diarrhoea", "loose-stool": "loose-stools"}.get(
                value, value
            )
        return value

    @pydantic.model_validator(mode="before")
    @classmethod
    def _default_dose_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("dose_date") is None:
            date = data.get("date")
            if isinstance(date, str):
                try:
                    date = dt.date.fromisoformat(date)
                except ValueError:
                    return data  # the date's own error names it
            if isinstance(date, dt.date) and not isinstance(date, dt.datetime):
                if date == dt.date.min:
                    return {**data, "dose_date": date}
                return {**data, "dose_date": date - dt.timedelta(1)}
        return data

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.dose_date > self.date:
            raise InvalidInputError(
                "dose_date",
                f"an evening on or before the report's date ({self.date.isoformat()})",
                self.dose_date.isoformat(),
            )
        if (
            self.severity is None
            and self.stools_above_baseline is None
            and self.bristol is None
        ):
            raise InvalidInputError(
                "severity",
                "a severity (mild, moderate, severe), or stools_above_baseline "
                "and/or a bristol type to grade it from",
                None,
            )
        return self

    @property
    def grade(self) -> Severity | None:
        """The severity the engine acts on: the worse of stated and graded.

        None when only objective figures were given and they are normal
        (fewer than one stool above baseline, Bristol 1-5): a note.
        """
        above, bristol = self.stools_above_baseline, self.bristol
        if above is None and bristol is None:  # the usual report: a severity
            return self.severity
        graded = grade_stools(above, bristol)
        if self.severity is None:
            return graded
        if graded is None or self.severity.rank >= graded.rank:
            return self.severity
        return graded

    def describe(self) -> str:
        """A short sentence naming the report."""
        grade = self.grade
        text = (
            f"{grade.capitalize()} {self.symptom.text}"
            if grade is not None
            else f"{self.symptom.text.capitalize()} within normal"
        )
        n, bristol = self.stools_above_baseline, self.bristol
        if n is not None or bristol is not None:
            details = []
            if n is not None:
                details.append(f"{n} stool{'s' if n != 1 else ''} a day above usual")
            if bristol is not None:
                details.append(f"Bristol type {bristol}")
            text += f" ({', '.join(details)})"
        return (
            f"{text} on {self.date.isoformat()} "
            f"(after the evening of {self.dose_date.isoformat()})"
        )


class MissedDose(Model, frozen=True):
    """An evening on which the dose was not taken: a ``skipped`` entry.

    Journals written before version 0.2 call the kind ``missed``; both read.
    """

    kind: Literal["skipped", "missed"] = "skipped"
    date: Date
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    def describe(self) -> str:
        """A short sentence naming the entry."""
        return f"Skipped the evening of {self.date.isoformat()}"


class Resolved(Model, frozen=True):
    """The side effects have gone: dated the first day without them.

    After a severe episode the plan stays paused until one of these is
    recorded (and the policy's shortest pause is over).
    """

    kind: Literal["resolved"] = "resolved"
    date: Date
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    def describe(self) -> str:
        """A short sentence naming the entry."""
        return f"Symptoms resolved on {self.date.isoformat()}"


class ClinicianAck(Model, frozen=True):
    """A clinician's acknowledgement, and what it allows from its date on.

    - ``end-stop``: a plan that stopped may resume at the lowest amount; the
      ceiling stays where the side effects put it.
    - ``lift-ceiling``: the ceiling and every dose barred after a side effect
      are lifted; the titration may go on to the target (and a stop ends).
    """

    kind: Literal["clinician"] = "clinician"
    date: Date
    clinician: Text = pydantic.Field(min_length=1, max_length=200)
    allows: Literal["end-stop", "lift-ceiling"]
    note: Text = pydantic.Field(default="", max_length=1000)

    def describe(self) -> str:
        """A short sentence naming the entry."""
        what = {
            "end-stop": "resuming after the stop",
            "lift-ceiling": "lifting the ceiling",
        }[self.allows]
        return f"{self.clinician} agreed to {what} on {self.date.isoformat()}"


_T = TypeVar("_T")


class Retracted(Model, frozen=True):
    """Takes back an earlier journal entry, which then counts as never logged.

    The journal is append-only: nothing logged is rewritten, so a mistake is
    undone by a retraction naming the entry's position (``entry``: 1 for the
    journal's first entry, counting every kind, retractions too).
    """

    kind: Literal["retracted"] = "retracted"
    date: Date
    entry: int = pydantic.Field(
        ge=1, description="the position of the entry taken back"
    )
    note: Text = pydantic.Field(default="", max_length=1000)

    def describe(self) -> str:
        """A short sentence naming the entry."""
        return f"Entry {self.entry} taken back on {self.date.isoformat()}"


def live_positions(log: Sequence[object]) -> frozenset[int]:
    """Positions in *log* (in logging order) of the entries that count: not
    retractions, and not taken back by one.

    Raises InvalidInputError naming ``journal[i].entry`` for a retraction of
    an entry that does not come before it, is itself a retraction, or was
    already taken back.
    """
    taken: set[int] = set()
    kept: list[int] = []
    for i, item in enumerate(log):
        if not isinstance(item, Retracted):
            kept.append(i)
            continue
        target = item.entry - 1
        problem = None
        if target >= i:
            problem = f"an entry before this one (1 to {i})"
        elif isinstance(log[target], Retracted):
            problem = "an entry that is not itself a retraction"
        elif target in taken:
            problem = "an entry not already taken back"
        if problem is not None:
            raise InvalidInputError(f"journal[{i}].entry", problem, item.entry)
        taken.add(target)
    return frozenset(kept).difference(taken)


def effective_entries(log: Sequence[_T]) -> tuple[_T, ...]:
    """The entries of *log* that count (see ``live_positions``), in order."""
    live = live_positions(log)
    return tuple(item for i, item in enumerate(log) if i in live)


class TolerancePolicy(Model, frozen=True):
    """The numbers behind the rules. ``None`` = one step interval.

    - ``hold_days``: how long a mild episode postpones the next increase,
      counted from the report. Metformin goes up after 5-7 days *without* GI
      side effects [NATHAN2009]; semaglutide delays the next increase by one
      4-week step [WEGOVY]. At least one step interval: no increase comes
      within one interval of an episode.
    - ``step_back_days``: days at the lower dose before the single retry, as
      semaglutide's "at most 4 weeks" at the lower dose [WEGOVY]. At least one
      step interval.
    - ``pause_days``: the shortest pause after a severe episode. The pause
      also lasts until the person records that the symptoms resolved; the
      SmPC says "until stools are normal" [S19].
    - ``episode_hours``: reports about evenings this close to the first
      evening of an episode belong to it (mgplan's convention).
    - ``mild_reports_to_step_back`` and ``missed_days_restart`` are mgplan's
      conventions (no published rule exists).
    """

    hold_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    step_back_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    pause_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    episode_hours: int = pydantic.Field(default=48, ge=0, le=24 * 14)
    mild_reports_to_step_back: int = pydantic.Field(default=2, ge=2, le=10)
    missed_days_restart: int = pydantic.Field(default=3, ge=1, le=60)

    def hold_for(self, interval: int) -> int:
        """Days a mild episode postpones the next increase."""
        return max(self.hold_days or interval, interval)

    def step_back_for(self, interval: int) -> int:
        """Days at the lower dose before the retry."""
        return max(self.step_back_days or interval, interval)

    def pause_for(self, interval: int) -> int:
        """The shortest pause after a severe episode."""
        return self.pause_days or interval

    @property
    def episode_days(self) -> int:
        """Whole evenings an episode spans after its first (48 h: 2)."""
        return self.episode_hours // 24
