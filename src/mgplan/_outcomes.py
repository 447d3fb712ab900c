"""What a person records to answer "is it helping?": doses taken, nightly
restless-legs ratings, stools, and ferritin.

The engine reads ``taken`` (with ``skipped``, the ``MissedDose`` entry) for
adherence; the review reads the rest. Stool entries also feed the tolerance
model's objective grading (see ``Stools.as_report``).

The rating scales are mgplan's own wording, free to use. They are not the
International RLS Study Group Rating Scale (IRLS) or the RLS-6, whose texts
are licensed; a person who scores the IRLS on their own licensed copy can
record its total (0-40) in ``irls_total``.
"""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections.abc import Sequence
from typing import Literal, Self

import pydantic

from ._errors import InvalidInputError
from ._model import Date, Model, Text, WallClock
from ._tolerance import _SOURCE, ItemSource, SideEffectReport, grade_stools
from ._words import Symptom

__all__ = [
    "DAY_BOUNDARY",
    "RATING_SCALES",
    "Ferritin",
    "RlsRating",
    "Stools",
    "Taken",
    "evening_of",
    "graded_stools",
]

DAY_BOUNDARY = dt.time(4, 0)
"""A dose taken after midnight and before this counts for the evening before
(mgplan's convention: an evening dose taken late is still that evening's)."""


def evening_of(
    at: dt.datetime, tz: str | dt.tzinfo, boundary: dt.time = DAY_BOUNDARY
) -> dt.date:
    """The evening a dose taken at *at* belongs to, in the plan's zone.

    *at* may be aware (any zone: it is converted) or naive (taken as the
    plan's local wall clock). Before *boundary* on the local clock, it is
    the evening before.

    >>> evening_of(dt.datetime(2027, 3, 28, 1, 30), "Europe/Berlin")
    datetime.date(2027, 3, 27)
    """
    zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    local = at.astimezone(zone).replace(tzinfo=None) if at.tzinfo else at
    day = local.date()
    return day - dt.timedelta(1) if local.time() < boundary else day


class Taken(Model, frozen=True):
    """The evening's dose was taken (all of it, unless ``units`` says less).

    ``date`` is the evening; ``at`` the local wall-clock time it was taken,
    when known (after midnight for a late dose: see ``evening_of``).
    """

    kind: Literal["taken"] = "taken"
    date: Date
    at: WallClock | None = pydantic.Field(
        default=None, description="local time the dose was taken, e.g. '21:40'"
    )
    units: float | None = pydantic.Field(
        default=None,
        ge=0,
        le=100,
        description="units taken, when not the whole evening's dose",
    )
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    @classmethod
    def at_time(
        cls,
        at: dt.datetime,
        tz: str | dt.tzinfo,
        *,
        boundary: dt.time = DAY_BOUNDARY,
        units: float | None = None,
        note: str = "",
    ) -> Taken:
        """The entry for a dose taken at *at* (the after-midnight rule applied)."""
        zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
        local = at.astimezone(zone) if at.tzinfo else at
        return cls(
            date=evening_of(at, zone, boundary),
            at=local.time().replace(tzinfo=None, second=0, microsecond=0),
            units=units,
            note=note,
        )

    def describe(self) -> str:
        """A short sentence naming the entry."""
        when = f" at {self.at:%H:%M}" if self.at is not None else ""
        amount = f" ({self.units:g} units)" if self.units is not None else ""
        return f"Took the evening's dose of {self.date.isoformat()}{when}{amount}"


# The nightly ratings, in mgplan's own words. Each is 0 to 10. For the first
# three, higher is worse; for sleep satisfaction, higher is better.
RATING_SCALES: dict[str, tuple[str, bool]] = {
    "falling_asleep": (
        "Restless legs while falling asleep: 0 none, 10 the worst you can imagine",
        False,
    ),
    "night": (
        "Restless legs during the night (waking, getting up to move): 0 none, "
        "10 the worst you can imagine",
        False,
    ),
    "day_rest": (
        "Restless legs when sitting or lying at rest during the day: 0 none, "
        "10 the worst you can imagine",
        False,
    ),
    "sleep_satisfaction": (
        "How satisfied you are with last night's sleep: 0 not at all, 10 fully",
        True,
    ),
}
"""Field name -> (the question, whether higher is better)."""

_Rating = pydantic.Field(default=None, ge=0, le=10)


class RlsRating(Model, frozen=True):
    """One night's ratings, each 0-10 (see ``RATING_SCALES``), dated by the
    evening before the night. At least one is given.

    ``irls_total`` (0-40) is the total a person scored on their own copy of
    the IRLS; mgplan does not ship that scale's text.
    """

    kind: Literal["rls"] = "rls"
    date: Date
    falling_asleep: int | None = _Rating
    night: int | None = _Rating
    day_rest: int | None = _Rating
    sleep_satisfaction: int | None = _Rating
    irls_total: int | None = pydantic.Field(default=None, ge=0, le=40)
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    @pydantic.model_validator(mode="after")
    def _something_rated(self) -> Self:
        if all(getattr(self, name) is None for name in (*RATING_SCALES, "irls_total")):
            raise InvalidInputError(
                "falling_asleep",
                "at least one rating (falling_asleep, night, day_rest, "
                "sleep_satisfaction: 0-10; or irls_total: 0-40)",
            )
        return self

    def ratings(self) -> dict[str, int]:
        """The scales rated, by name (irls_total included when given)."""
        names = (*RATING_SCALES, "irls_total")
        return {n: v for n in names if (v := getattr(self, n)) is not None}

    def describe(self) -> str:
        """A short sentence naming the entry."""
        parts = ", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in self.ratings().items()
        )
        return f"Ratings for the night after {self.date.isoformat()}: {parts}"


class Stools(Model, frozen=True):
    """A day's stools: how many, and the loosest Bristol type (1-7)."""

    kind: Literal["stools"] = "stools"
    date: Date
    count: int = pydantic.Field(ge=0, le=50, description="stools that day")
    bristol: int | None = pydantic.Field(
        default=None, ge=1, le=7, description="the loosest Bristol type that day"
    )
    note: Text = pydantic.Field(default="", max_length=1000)
    source: tuple[ItemSource, ...] = _SOURCE

    def as_report(self, usual: float | None) -> SideEffectReport | None:
        """This day as a side-effect report for the tolerance model, or None
        when it is within normal: more stools than *usual* (the baseline's
        median, when known) or a loose Bristol type (6-7) grade it by CTCAE
        v5, as a typed report's figures do."""
        above = None if usual is None else max(0, round(self.count - usual))
        if grade_stools(above, self.bristol) is None:
            return None
        return SideEffectReport(
            date=self.date,
            symptom=Symptom.LOOSE_STOOLS,
            stools_above_baseline=above,
            bristol=self.bristol,
            note=f"from the stools entry of {self.date.isoformat()}",
        )

    def describe(self) -> str:
        """A short sentence naming the entry."""
        form = f", Bristol type {self.bristol}" if self.bristol is not None else ""
        plural = "s" if self.count != 1 else ""
        return f"{self.count} stool{plural} on {self.date.isoformat()}{form}"


class Ferritin(Model, frozen=True):
    """A serum ferritin result (ng/mL, equal to µg/L), with transferrin
    saturation when measured, dated by the blood draw."""

    kind: Literal["ferritin"] = "ferritin"
    date: Date
    ng_ml: float = pydantic.Field(gt=0, le=100_000, description="ferritin, ng/mL")
    tsat_percent: float | None = pydantic.Field(
        default=None, ge=0, le=100, description="transferrin saturation, %"
    )
    note: Text = pydantic.Field(default="", max_length=1000)

    def describe(self) -> str:
        """A short sentence naming the entry."""
        tsat = (
            f", TSAT {self.tsat_percent:g} %" if self.tsat_percent is not None else ""
        )
        return f"Ferritin {self.ng_ml:g} ng/mL{tsat} on {self.date.isoformat()}"


def graded_stools(
    stools: Sequence[Stools],
    dose_start: dt.date,
    made: dict[tuple[int, float | None], SideEffectReport | None] | None = None,
) -> list[SideEffectReport]:
    """The stool entries from *dose_start* on that grade as a side effect, as
    reports. The usual count is the median of those before *dose_start* (the
    baseline), when there are any; without it only the Bristol type grades.

    *made* keeps the reports made, by entry and usual count, for the next
    call with the same entries (a plan's history grades them for every
    version of its journal)."""
    before = sorted(e.count for e in stools if e.date < dose_start)
    usual = statistics.median(before) if before else None
    if made is None:
        made = {}
    reports = []
    for e in stools:
        if e.date < dose_start:
            continue
        key = (id(e), usual)
        if key in made:
            report = made[key]
        else:
            report = made[key] = e.as_report(usual)
        if report is not None:
            reports.append(report)
    return reports
