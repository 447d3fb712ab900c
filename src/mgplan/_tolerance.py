"""What a person reports (GI side effects, missed doses) and how the plan reacts.

The rules follow the published titration pattern for drugs with dose-related
GI intolerance: on intolerance *hold* (delay the next increase) or *step back*
to the previous, tolerated dose and try again later [NATHAN2009][WEGOVY]; on
diarrhoea *pause*, then resume lower once stools are normal [S19].
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

import pydantic

from ._model import Model

__all__ = ["MissedDose", "Severity", "SideEffectReport", "Symptom", "TolerancePolicy"]


class Symptom(enum.StrEnum):
    """A gastrointestinal symptom."""

    LOOSE_STOOLS = "loose-stools"
    DIARRHOEA = "diarrhoea"
    CRAMPING = "cramping"
    BLOATING = "bloating"
    NAUSEA = "nausea"

    @property
    def text(self) -> str:
        """The symptom in a sentence."""
        return self.value.replace("-", " ")


class Severity(enum.StrEnum):
    """How bad the symptom was."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {"mild": 0, "moderate": 1, "severe": 2}[self.value]


class SideEffectReport(Model, frozen=True):
    """A GI side effect on a date, about the dose taken the evening before.

    >>> SideEffectReport(date="2026-12-10", symptom="diarrhoea",
    ...                  severity="moderate").describe()
    'Moderate diarrhoea on 2026-12-10'
    """

    kind: Literal["side-effect"] = "side-effect"
    date: dt.date
    symptom: Symptom
    severity: Severity
    bristol: int | None = pydantic.Field(
        default=None, ge=1, le=7, description="Bristol stool form scale type"
    )
    note: str = pydantic.Field(default="", max_length=1000)

    @pydantic.field_validator("symptom", mode="before")
    @classmethod
    def _dashes(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower().replace("_", "-").replace(" ", "-")
            return {"diarrhea": "diarrhoea", "loose-stool": "loose-stools"}.get(
                value, value
            )
        return value

    def describe(self) -> str:
        """A short sentence naming the report."""
        text = f"{self.severity.value.capitalize()} {self.symptom.text}"
        if self.bristol is not None:
            text += f" (Bristol type {self.bristol})"
        return f"{text} on {self.date.isoformat()}"


class MissedDose(Model, frozen=True):
    """An evening on which the dose was not taken."""

    kind: Literal["missed"] = "missed"
    date: dt.date
    note: str = pydantic.Field(default="", max_length=1000)


class TolerancePolicy(Model, frozen=True):
    """The numbers behind the hold / step-back rules. ``None`` = one step interval.

    Defaults: a hold postpones the next increase by one step interval, the dwell
    a step is given anyway (metformin: 5-7 days per step [NATHAN2009];
    semaglutide: delay the next increase by one 4-week step [WEGOVY]). A step
    back lasts one interval before the single retry, as semaglutide's "at most
    4 weeks" at the lower dose [WEGOVY]. The pause after a severe report also
    lasts one interval: the SmPC says only "until stools are normal" [S19].
    ``missed_days_restart`` is mgplan's convention (no published rule exists):
    three evenings in a row without a dose restart one step lower.
    """

    hold_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    step_back_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    pause_days: int | None = pydantic.Field(default=None, ge=1, le=365)
    mild_reports_to_step_back: int = pydantic.Field(default=2, ge=2, le=10)
    missed_days_restart: int = pydantic.Field(default=3, ge=1, le=60)

    def hold_for(self, interval: int) -> int:
        """Days a mild report postpones the next increase."""
        return self.hold_days or interval

    def step_back_for(self, interval: int) -> int:
        """Days at the lower dose before the retry."""
        return self.step_back_days or interval

    def pause_for(self, interval: int) -> int:
        """Days without a dose after a severe report."""
        return self.pause_days or interval
