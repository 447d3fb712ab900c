"""Who the plan is for: the safety profile that sets the daily cap."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Literal

import pydantic

from ._errors import ContraindicationError, InvalidInputError
from ._model import Model
from ._product import format_mg
from ._spacing import Medicine

__all__ = [
    "UPPER_LIMITS",
    "AgeBand",
    "ClinicianOverride",
    "Condition",
    "LimitSet",
    "SafetyProfile",
]

AgeBand = Literal["1-3", "4-8", "9-13", "14-18", "adult"]


class LimitSet(enum.StrEnum):
    """Which authority's upper limit for supplemental magnesium applies."""

    US = "us"
    EU = "eu"


class Condition(enum.StrEnum):
    """Conditions under which oral magnesium is contraindicated [S19]."""

    SEVERE_KIDNEY_DISEASE = "severe-kidney-disease"
    HEART_BLOCK = "heart-block"
    MYASTHENIA_GRAVIS = "myasthenia-gravis"


_CONDITION_TEXT = {
    Condition.SEVERE_KIDNEY_DISEASE: "severe kidney disease (eGFR below 30)",
    Condition.HEART_BLOCK: "heart block (AV block)",
    Condition.MYASTHENIA_GRAVIS: "myasthenia gravis",
}

# eGFR/CrCl < 30 mL/min: oral magnesium SmPCs list it as a contraindication [S19].
SEVERE_KIDNEY_EGFR = 30.0

# Tolerable upper intake levels for *supplemental* magnesium, elemental mg/day.
# US: IOM 1997 [S3][S16] (not established under 1 year). EU: SCF 2001 [S4][S17],
# 250 mg/day from age 4 and in pregnancy, not established under 4.
UPPER_LIMITS: dict[LimitSet, dict[str, float | None]] = {
    LimitSet.US: {"1-3": 65, "4-8": 110, "9-13": 350, "14-18": 350, "adult": 350},
    LimitSet.EU: {"1-3": None, "4-8": 250, "9-13": 250, "14-18": 250, "adult": 250},
}


class ClinicianOverride(Model, frozen=True):
    """A clinician's recorded decision to plan beyond the default safety rules.

    It may set a different daily cap and allow listed conditions; both need the
    clinician's name and a reason, and both are shown in the schedule.
    """

    clinician: str = pydantic.Field(min_length=1, max_length=120)
    reason: str = pydantic.Field(min_length=1, max_length=500)
    date: dt.date
    daily_cap_mg: float | None = pydantic.Field(default=None, gt=0, le=2000)
    allow_conditions: tuple[Condition, ...] = ()


class SafetyProfile(Model, frozen=True):
    """The person's limits: age band, limit set, conditions, clinician override.

    >>> SafetyProfile().daily_cap_mg
    350.0
    >>> SafetyProfile(limit_set="eu").daily_cap_mg
    250.0
    """

    age_band: AgeBand = "adult"
    sex: Literal["female", "male"] | None = None
    limit_set: LimitSet = LimitSet.US
    conditions: tuple[Condition, ...] = ()
    egfr: float | None = pydantic.Field(
        default=None, ge=0, le=250, description="mL/min/1.73 m²"
    )
    override: ClinicianOverride | None = None
    medicines: tuple[Medicine, ...] = pydantic.Field(
        default=(),
        description="other medicines and their daily times, for spacing",
    )

    @property
    def effective_conditions(self) -> tuple[Condition, ...]:
        """Recorded conditions plus those implied by measurements (eGFR)."""
        found = list(dict.fromkeys(self.conditions))
        if (
            self.egfr is not None
            and self.egfr < SEVERE_KIDNEY_EGFR
            and Condition.SEVERE_KIDNEY_DISEASE not in found
        ):
            found.append(Condition.SEVERE_KIDNEY_DISEASE)
        return tuple(found)

    @property
    def upper_limit_mg(self) -> float | None:
        """The authority's supplemental upper limit, or None if not established."""
        limit = UPPER_LIMITS[self.limit_set][self.age_band]
        return None if limit is None else float(limit)

    @property
    def daily_cap_mg(self) -> float:
        """The most elemental mg a day the plan may schedule."""
        if self.override is not None and self.override.daily_cap_mg is not None:
            return float(self.override.daily_cap_mg)
        limit = self.upper_limit_mg
        if limit is None:
            raise InvalidInputError(
                "SafetyProfile.override.daily_cap_mg",
                f"a clinician-set cap: no {self.limit_set.value.upper()} upper limit "
                f"is established for age band {self.age_band}",
                None,
            )
        return limit

    @property
    def cap_reason(self) -> str:
        """Where the cap comes from, in words."""
        if self.override is not None and self.override.daily_cap_mg is not None:
            o = self.override
            return (
                f"clinician override by {o.clinician} on {o.date.isoformat()}: "
                f"{o.reason}"
            )
        authority = {LimitSet.US: "US (IOM)", LimitSet.EU: "EU (SCF)"}[self.limit_set]
        band = "adults" if self.age_band == "adult" else f"age {self.age_band}"
        return (
            f"{authority} upper limit for supplemental magnesium, {band}: "
            f"{format_mg(self.daily_cap_mg)}/day"
        )

    def check(self) -> None:
        """Raise ContraindicationError for a condition no override allows."""
        allowed = set(self.override.allow_conditions) if self.override else set()
        blocked = [c for c in self.effective_conditions if c not in allowed]
        if blocked:
            raise ContraindicationError(
                [c.value for c in blocked], [_CONDITION_TEXT[c] for c in blocked]
            )
