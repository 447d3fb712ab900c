"""Who the plan is for: the safety profile that sets the daily cap."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pydantic

from ._errors import ContraindicationError, InvalidInputError
from ._model import Date, Model, Text
from ._outcomes import Ferritin
from ._product import EPSILON, format_mg
from ._spacing import SPACING, Medicine, get_spacing_rule

__all__ = [
    "CONDITIONS",
    "UPPER_LIMITS",
    "AgeBand",
    "ClinicianOverride",
    "Condition",
    "ConditionRule",
    "LimitSet",
    "SafetyNote",
    "SafetyProfile",
]

AgeBand = Literal["1-3", "4-8", "9-13", "14-18", "adult"]


class LimitSet(enum.StrEnum):
    """Which authority's upper limit for supplemental magnesium applies."""

    US = "us"
    EU = "eu"


class Condition(enum.StrEnum):
    """Conditions that change whether or how mgplan plans magnesium.

    ``CONDITIONS`` says what each does (refuse, or caution with the consult
    flag) and where that comes from.
    """

    SEVERE_KIDNEY_DISEASE = "severe-kidney-disease"
    HEART_BLOCK = "heart-block"
    MYASTHENIA_GRAVIS = "myasthenia-gravis"
    HYPERMAGNESAEMIA = "hypermagnesaemia"
    BOWEL_OBSTRUCTION = "bowel-obstruction"
    SEVERE_DEHYDRATION = "severe-dehydration"
    KIDNEY_DISEASE = "kidney-disease"
    ACTIVE_DIARRHOEA = "active-diarrhoea"
    INFLAMMATORY_BOWEL_DISEASE = "inflammatory-bowel-disease"
    SHORT_BOWEL = "short-bowel"
    PREGNANCY = "pregnancy"
    BREASTFEEDING = "breastfeeding"
    BRADYCARDIA = "bradycardia"


@dataclass(frozen=True)
class ConditionRule:
    """What a condition does to the plan, in words, with its sources."""

    condition: Condition
    text: str
    effect: Literal["refuse", "caution"]
    why: str
    sources: tuple[str, ...]


def _condition(
    condition: Condition,
    text: str,
    effect: Literal["refuse", "caution"],
    why: str,
    *sources: str,
) -> ConditionRule:
    return ConditionRule(condition, text, effect, why, sources)


_C = Condition
CONDITIONS: Mapping[Condition, ConditionRule] = MappingProxyType(
    {
        rule.condition: rule
        for rule in (
            # Contraindications of oral magnesium [S19], bowel preparations and
            # magnesium hydroxide [S23][S25]: refuse without an override.
            _condition(
                _C.SEVERE_KIDNEY_DISEASE,
                "severe kidney disease (eGFR below 30)",
                "refuse",
                "the kidneys clear magnesium; it builds up when they cannot",
                "S19",
                "S23",
            ),
            _condition(
                _C.HEART_BLOCK,
                "heart block (AV block)",
                "refuse",
                "oral magnesium labels list it as a contraindication",
                "S19",
            ),
            _condition(
                _C.MYASTHENIA_GRAVIS,
                "myasthenia gravis",
                "refuse",
                "magnesium weakens nerve-to-muscle signalling",
                "S19",
            ),
            _condition(
                _C.HYPERMAGNESAEMIA,
                "a high blood magnesium (hypermagnesaemia)",
                "refuse",
                "more magnesium raises it further",
                "S25",
            ),
            _condition(
                _C.BOWEL_OBSTRUCTION,
                "a known or suspected bowel obstruction",
                "refuse",
                "magnesium labels list acute bowel conditions and obstruction as "
                "contraindications",
                "S23",
                "S25",
            ),
            _condition(
                _C.SEVERE_DEHYDRATION,
                "severe dehydration",
                "refuse",
                "a contraindication in magnesium labels; magnesium's laxative "
                "effect loses more water",
                "S25",
                "S27",
            ),
            # Cautions: the plan is made, with the consult flag at the start.
            _condition(
                _C.KIDNEY_DISEASE,
                "reduced kidney function (eGFR 30 to 59)",
                "caution",
                "oral magnesium labels ask for a lower dose and monitoring; mgplan "
                "lowers the default cap to half the upper limit",
                "S19",
                "S27",
            ),
            _condition(
                _C.ACTIVE_DIARRHOEA,
                "active diarrhoea",
                "caution",
                "mgplan's side-effect rules read loose stools as a reaction to "
                "magnesium and cannot tell the two apart; the RLS trials excluded it",
                "S10",
            ),
            _condition(
                _C.INFLAMMATORY_BOWEL_DISEASE,
                "inflammatory bowel disease (Crohn's disease, ulcerative colitis)",
                "caution",
                "a magnesium laxative's label lists active inflammatory bowel "
                "disease as a contraindication, and flares look like side effects",
                "S25",
            ),
            _condition(
                _C.SHORT_BOWEL,
                "short bowel syndrome",
                "caution",
                "absorption and stools differ so much that mgplan's side-effect "
                "rules cannot be read (mgplan's reasoning)",
            ),
            _condition(
                _C.PREGNANCY,
                "pregnancy",
                "caution",
                "restless legs in pregnancy: iron studies come first; the RLS "
                "trials excluded pregnancy",
                "S7",
                "S10",
            ),
            _condition(
                _C.BREASTFEEDING,
                "breastfeeding",
                "caution",
                "magnesium passes into breast milk in small amounts; iron studies "
                "come first for restless legs",
                "S7",
                "S26",
            ),
            _condition(
                _C.BRADYCARDIA,
                "a slow pulse (below 60 a minute)",
                "caution",
                "a slow pulse is also a sign of too much magnesium; the RLS trials "
                "excluded it",
                "S2",
                "S10",
            ),
        )
    }
)
"""What each condition does to the plan, with its sources."""

# eGFR/CrCl < 30 mL/min: oral magnesium SmPCs list it as a contraindication [S19].
SEVERE_KIDNEY_EGFR = 30.0
# eGFR 30-59 (CKD stage 3): the SmPCs ask for a reduced dose and monitoring in
# renal impairment [S19][S27] but give no number. mgplan's convention: half the
# upper limit, unless a clinician's override sets the cap.
KIDNEY_CAUTION_EGFR = 60.0
KIDNEY_CAUTION_CAP_FRACTION = 0.5
# Age from which mgplan asks for a kidney result when none is recorded: kidney
# function falls with age and the hydroxide SmPC asks for caution in the
# elderly [S23]. The age itself is mgplan's convention.
KIDNEY_CHECK_AGE = 65

# Tolerable upper intake levels for *supplemental* magnesium, elemental mg/day.
# US: IOM 1997 [S3][S16] (not established under 1 year). EU: SCF 2001 [S4][S17],
# 250 mg/day from age 4 and in pregnancy, not established under 4.
UPPER_LIMITS: dict[LimitSet, dict[str, float | None]] = {
    LimitSet.US: {"1-3": 65, "4-8": 110, "9-13": 350, "14-18": 350, "adult": 350},
    LimitSet.EU: {"1-3": None, "4-8": 250, "9-13": 250, "14-18": 250, "adult": 250},
}


class ClinicianOverride(Model, frozen=True):
    """A clinician's recorded decision to plan beyond the default safety rules.

    It may set a different daily cap, allow listed conditions and allow
    medicines magnesium should not be combined with; all need the clinician's
    name and a reason, and the schedule's first decisions say them.
    Allowing severe kidney disease needs a cap the clinician sets.
    """

    clinician: Text = pydantic.Field(min_length=1, max_length=120)
    reason: Text = pydantic.Field(min_length=1, max_length=500)
    date: Date
    daily_cap_mg: float | None = pydantic.Field(default=None, gt=0, le=2000)
    allow_conditions: tuple[Condition, ...] = ()
    allow_medicines: tuple[str, ...] = pydantic.Field(
        default=(),
        description="medicines magnesium is not recommended with (raltegravir)",
    )

    @pydantic.field_validator("allow_medicines")
    @classmethod
    def _known_medicines(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(get_spacing_rule(name).id for name in value)

    @pydantic.model_validator(mode="after")
    def _cap_for_kidneys(self) -> ClinicianOverride:
        if (
            Condition.SEVERE_KIDNEY_DISEASE in self.allow_conditions
            and self.daily_cap_mg is None
        ):
            raise InvalidInputError(
                "daily_cap_mg",
                "a daily cap the clinician sets when allowing severe kidney "
                "disease (the default cap assumes healthy kidneys)",
                None,
            )
        return self

    def describe(self) -> str:
        """Who decided what, when and why, in one sentence."""
        allowed = [CONDITIONS[c].text for c in self.allow_conditions]
        allowed += [SPACING[m].name for m in self.allow_medicines]
        parts = []
        if allowed:
            parts.append("allows " + ", ".join(allowed))
        if self.daily_cap_mg is not None:
            parts.append(f"sets the daily cap to {format_mg(self.daily_cap_mg)}")
        what = "; ".join(parts) if parts else "records a review"
        return (
            f"Clinician override by {self.clinician} on {self.date.isoformat()}: "
            f"{what}. Reason: {self.reason}"
        )


@dataclass(frozen=True)
class SafetyNote:
    """A sentence for the start of a plan, and whether it asks for a clinician."""

    message: str
    consult: bool


class SafetyProfile(Model, frozen=True):
    """The person's limits: age, limit set, conditions, medicines, override.

    >>> SafetyProfile().daily_cap_mg
    350.0
    >>> SafetyProfile(limit_set="eu").daily_cap_mg
    250.0
    >>> SafetyProfile(other_magnesium_mg=100).daily_cap_mg
    250.0
    """

    age_band: AgeBand = "adult"
    age: int | None = pydantic.Field(
        default=None, ge=1, le=120, description="years; sets age_band if not given"
    )
    sex: Literal["female", "male"] | None = None
    limit_set: LimitSet = LimitSet.US
    conditions: tuple[Condition, ...] = ()
    egfr: float | None = pydantic.Field(
        default=None, ge=0, le=250, description="mL/min/1.73 m²"
    )
    other_magnesium_mg: float = pydantic.Field(
        default=0,
        ge=0,
        le=5000,
        description="elemental mg a day from other non-food sources: antacids, "
        "laxatives, multivitamins (and, under the EU limit, fortified food and "
        "mineral water)",
    )
    override: ClinicianOverride | None = None
    ferritin: Ferritin | None = pydantic.Field(
        default=None,
        description="the latest ferritin result before the plan (later ones "
        "go into the journal)",
    )
    medicines: tuple[Medicine, ...] = pydantic.Field(
        default=(),
        description="other medicines and their daily times, for spacing",
    )

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> SafetyProfile:
        if self.age is not None:
            band = _band_for(self.age)
            if "age_band" in self.model_fields_set and band != self.age_band:
                raise InvalidInputError(
                    "age_band",
                    f"the band of age {self.age} ({band}), or leave it out",
                    self.age_band,
                )
            object.__setattr__(self, "age_band", band)
        if self.sex == "male":
            for condition in (Condition.PREGNANCY, Condition.BREASTFEEDING):
                if condition in self.conditions:
                    raise InvalidInputError(
                        "conditions",
                        f"no {condition.value} with sex 'male'",
                        condition.value,
                    )
        limit = self._limit_mg()
        if limit is not None and self.other_magnesium_mg >= limit - EPSILON:
            raise InvalidInputError(
                "other_magnesium_mg",
                f"less than the daily cap of {format_mg(limit)}, which it counts "
                "against: with this much magnesium from other sources there is "
                "no room for a supplement",
                f"{self.other_magnesium_mg:g} mg",
            )
        return self

    @property
    def effective_conditions(self) -> tuple[Condition, ...]:
        """Recorded conditions plus those implied by measurements (eGFR)."""
        found = list(dict.fromkeys(self.conditions))
        if self.egfr is not None:
            if self.egfr < SEVERE_KIDNEY_EGFR:
                implied = Condition.SEVERE_KIDNEY_DISEASE
            elif self.egfr < KIDNEY_CAUTION_EGFR:
                implied = Condition.KIDNEY_DISEASE
            else:
                implied = None
            if implied is not None and implied not in found:
                found.append(implied)
        return tuple(found)

    @property
    def upper_limit_mg(self) -> float | None:
        """The authority's supplemental upper limit, or None if not established."""
        limit = UPPER_LIMITS[self.limit_set][self.age_band]
        return None if limit is None else float(limit)

    def _override_cap(self) -> float | None:
        if self.override is not None and self.override.daily_cap_mg is not None:
            return float(self.override.daily_cap_mg)
        return None

    def _kidney_caution(self) -> bool:
        return Condition.KIDNEY_DISEASE in self.effective_conditions

    def _limit_mg(self) -> float | None:
        """The cap before other magnesium is counted (None: not established)."""
        cap = self._override_cap()
        if cap is not None:
            return cap
        limit = self.upper_limit_mg
        if limit is not None and self._kidney_caution():
            limit = round(limit * KIDNEY_CAUTION_CAP_FRACTION, 1)
        return limit

    @property
    def daily_cap_mg(self) -> float:
        """The most elemental mg a day the plan may schedule.

        The upper limit (or the clinician's cap) less the magnesium from other
        non-food sources, which the upper limits count too [S3][S4].
        """
        limit = self._limit_mg()
        if limit is None:
            raise InvalidInputError(
                "SafetyProfile.override.daily_cap_mg",
                f"a clinician-set cap: no {self.limit_set.value.upper()} upper limit "
                f"is established for age band {self.age_band}",
                None,
            )
        return round(limit - self.other_magnesium_mg, 6)

    @property
    def cap_reason(self) -> str:
        """Where the cap comes from, in words."""
        o = self.override
        if o is not None and o.daily_cap_mg is not None:
            text = (
                f"clinician override by {o.clinician} on {o.date.isoformat()}: "
                f"{o.reason}"
            )
        else:
            authority = {LimitSet.US: "US (IOM)", LimitSet.EU: "EU (SCF)"}[
                self.limit_set
            ]
            band = "adults" if self.age_band == "adult" else f"age {self.age_band}"
            limit = self.upper_limit_mg
            text = (
                f"{authority} upper limit for supplemental magnesium, {band}: "
                f"{format_mg(limit or 0)}/day"
            )
            if self._kidney_caution():
                text += (
                    f", halved to {format_mg(self._limit_mg() or 0)}/day for "
                    "reduced kidney function (mgplan's convention)"
                )
        if self.other_magnesium_mg:
            text += (
                f", less {format_mg(self.other_magnesium_mg)}/day from other "
                f"sources: {format_mg(self.daily_cap_mg)}/day"
            )
        return text

    def check(self) -> None:
        """Raise ContraindicationError for what no override allows.

        That is a condition marked "refuse" in ``CONDITIONS``, or a medicine
        magnesium is not recommended with even spaced (``SpacingRule.avoid``).
        """
        allowed = set(self.override.allow_conditions) if self.override else set()
        blocked = [
            c
            for c in self.effective_conditions
            if CONDITIONS[c].effect == "refuse" and c not in allowed
        ]
        codes = [c.value for c in blocked]
        texts = [CONDITIONS[c].text for c in blocked]
        allowed_medicines = set(self.override.allow_medicines) if self.override else ()
        for medicine in self.medicines:
            rule = medicine.rule
            if rule.avoid and rule.id not in allowed_medicines:
                codes.append(rule.id)
                texts.append(rule.describe())
        if codes:
            raise ContraindicationError(codes, texts)

    def notes(self) -> tuple[SafetyNote, ...]:
        """The safety sentences for the plan's start: overrides and cautions."""
        notes = []
        if self.override is not None:
            notes.append(SafetyNote(self.override.describe() + ".", consult=False))
        allowed = set(self.override.allow_conditions) if self.override else set()
        for condition in self.effective_conditions:
            rule = CONDITIONS[condition]
            if rule.effect == "caution":
                notes.append(
                    SafetyNote(
                        f"With {rule.text}, talk to a clinician before you start: "
                        f"{rule.why}.",
                        consult=True,
                    )
                )
            elif condition in allowed and self.override is not None:
                notes.append(
                    SafetyNote(
                        f"Planned despite {rule.text} because "
                        f"{self.override.clinician} allowed it on "
                        f"{self.override.date.isoformat()} ({self.override.reason}); "
                        f"{rule.why}.",
                        consult=True,
                    )
                )
        if self.age_band in ("1-3", "4-8"):
            notes.append(
                SafetyNote(
                    f"For a child aged {self.age_band}, talk to a clinician before "
                    "you start: in young children magnesium can raise the blood "
                    "level, especially with dehydration or kidney problems.",
                    consult=True,
                )
            )
        if (
            self.egfr is None
            and self.age is not None
            and self.age >= KIDNEY_CHECK_AGE
            and not self._kidney_caution()
        ):
            notes.append(
                SafetyNote(
                    f"At {self.age}, ask for a kidney function test (eGFR) if you "
                    "have none recent, and record it: the kidneys clear magnesium.",
                    consult=False,
                )
            )
        if self.other_magnesium_mg:
            notes.append(
                SafetyNote(
                    f"{format_mg(self.other_magnesium_mg)} a day of magnesium from "
                    "other sources counts against the daily cap: "
                    f"{format_mg(self.daily_cap_mg)} is left for this plan.",
                    consult=False,
                )
            )
        return tuple(notes)


def _band_for(age: int) -> AgeBand:
    if age <= 3:
        return "1-3"
    if age <= 8:
        return "4-8"
    if age <= 13:
        return "9-13"
    if age <= 18:
        return "14-18"
    return "adult"
