"""The dose ladder: the regimen's doses fitted to the product and the cap.

Doses are counted in *quanta*: whole units, or half units of a splittable
product, so a dose is always something a person can take and rounding never
drifts. Every amount is rounded *down* to what the product allows. What the
person typed is checked (an error names the field); what a preset or a
default supplied is fitted, and the fit is said in a decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._errors import DoseAboveCapError, InvalidInputError
from ._product import EPSILON, format_mg
from ._regimen import Regimen

__all__ = ["MAX_RUNGS", "MAX_UNITS_PER_DAY", "Ladder", "build_ladder"]

# Safety nets against inputs no real plan has (a 0.001 mg "capsule"); far
# beyond any regimen: 350 mg in 1 mg steps is 350 rungs.
MAX_RUNGS = 1000
MAX_UNITS_PER_DAY = 200


@dataclass(frozen=True, slots=True)
class Ladder:
    """The rungs of a plan, lowest first, in quanta of the product.

    ``start`` is the index of the start dose. When the product allows an
    amount below the start dose, rung 0 is that smallest amount: the plan
    uses it only after a side effect at the start dose.
    """

    quanta: tuple[int, ...]
    start: int
    quantum_mg: float
    per_intake: int
    fitted: tuple[str, ...]

    @property
    def top(self) -> int:
        """The index of the target's rung."""
        return len(self.quanta) - 1


def build_ladder(regimen: Regimen, cap: float, cap_reason: str) -> Ladder:
    """The ladder for *regimen* under a daily *cap* of elemental mg."""
    return _Builder(regimen, cap, cap_reason).build()


class _Builder:
    def __init__(self, regimen: Regimen, cap: float, cap_reason: str) -> None:
        self.r = regimen
        self.cap = cap
        self.cap_reason = cap_reason
        product = regimen.product
        self.product = product
        self.q_mg = product.elemental_per_unit * product.unit_step
        self.fitted: list[str] = []

    def units(self, quanta: int) -> str:
        return self.product.describe_units(quanta * self.product.unit_step)

    def dose(self, quanta: int) -> str:
        return f"{format_mg(quanta * self.q_mg)} ({self.units(quanta)})"

    def fit(self, field: str, what: str, asked: str, why: str, got: str) -> None:
        origin = self.r.origin(field)
        text = f"{origin} {what} of {asked}".strip()
        self.fitted.append(f"{text[0].upper()}{text[1:]} {why}: the plan {got}.")

    def build(self) -> Ladder:
        r, q_mg = self.r, self.q_mg
        if q_mg > self.cap + EPSILON:
            raise DoseAboveCapError(
                "Regimen.product.amount_per_unit",
                q_mg,
                self.cap,
                # Why the cap is what it is (less other sources, a condition),
                # and that nothing smaller can be taken.
                f"{self.cap_reason}; the least of this product that can be "
                f"taken is {self.product.describe_units(self.product.unit_step)}",
            )
        cap_q = math.floor(self.cap / q_mg + EPSILON)
        # Target: at most the cap, rounded down to whole (or half) units.
        target_q = math.floor(r.target_mg / q_mg + EPSILON)
        if r.target_mg > self.cap + EPSILON:
            if r.typed("target_dose"):
                raise DoseAboveCapError(
                    "Regimen.target_dose",
                    r.target_mg,
                    self.cap,
                    self.cap_reason,
                    str(r.target_dose),
                )
            target_q = cap_q
            self.fit(
                "target_dose",
                "target dose",
                format_mg(r.target_mg),
                f"is above the daily cap of {format_mg(self.cap)} ({self.cap_reason})",
                f"aims for {self.dose(target_q)}",
            )
        elif abs(r.target_mg - target_q * q_mg) > 0.05 and target_q >= 1:
            self.fit(
                "target_dose",
                "target dose",
                format_mg(r.target_mg),
                f"is not a whole number of {self.product.unit_plural}",
                f"aims for {self.dose(target_q)}, rounded down",
            )

        # Start: rounded down; never below one quantum.
        start_q = math.floor(r.start_mg / q_mg + EPSILON)
        if start_q < 1:
            smallest = f"{self.units(1)} of {self.product.name} ({format_mg(q_mg)})"
            if r.typed("start_dose"):
                raise InvalidInputError(
                    "Regimen.start_dose",
                    f"at least the smallest amount of the product, {smallest}; "
                    "choose a smaller strength"
                    + ("" if self.product.splittable else " or a scored tablet")
                    + " to start lower",
                    str(r.start_dose),
                )
            start_q = 1
            self.fit(
                "start_dose",
                "start dose",
                format_mg(r.start_mg),
                f"is less than the smallest amount of the product, {smallest}",
                f"starts at {self.dose(1)}",
            )
        elif abs(r.start_mg - start_q * q_mg) > 0.05:
            self.fit(
                "start_dose",
                "start dose",
                format_mg(r.start_mg),
                f"is not a whole number of {self.product.unit_plural}",
                f"starts at {self.dose(start_q)}, rounded down",
            )
        if start_q > target_q:
            if r.typed("start_dose") or target_q < 1:
                # A typed start above what the target allows under the cap.
                raise InvalidInputError(
                    "Regimen.start_dose",
                    f"at most the target dose the plan can reach, "
                    f"{self.dose(max(target_q, 1))}",
                    str(r.start_dose),
                )
            self.fit(
                "start_dose",
                "start dose",
                format_mg(start_q * q_mg),
                f"is above the target ({self.dose(target_q)})",
                f"starts at {self.dose(target_q)}",
            )
            start_q = target_q

        # Step: rounded down, at least one quantum.
        step_q = math.floor(r.step_mg / q_mg + EPSILON)
        if step_q < 1:
            step_q = 1
            self.fit(
                "step",
                "step",
                format_mg(r.step_mg),
                f"is smaller than {self.units(1)} ({format_mg(q_mg)})",
                f"steps {self.dose(1)} at a time",
            )
        elif abs(r.step_mg - step_q * q_mg) > 0.05:
            self.fit(
                "step",
                "step",
                format_mg(r.step_mg),
                f"is not a whole number of {self.product.unit_plural}",
                f"steps {self.dose(step_q)} at a time, rounded down",
            )
        if (target_q - start_q) / step_q + 1 > MAX_RUNGS:
            raise InvalidInputError(
                "Regimen.step",
                f"a step that reaches the target in at most {MAX_RUNGS} steps",
                str(r.step),
            )

        if target_q * self.product.unit_step > MAX_UNITS_PER_DAY:
            raise InvalidInputError(
                "Regimen.product.amount_per_unit",
                f"a unit large enough that the target is at most "
                f"{MAX_UNITS_PER_DAY} units a day",
                f"{self.product.amount_per_unit:g} mg per {self.product.unit}",
            )
        per_intake, target_q = self._intakes(start_q, target_q)
        quanta = [*range(start_q, target_q, step_q), target_q]
        start = 0
        if start_q > 1:
            # The smallest amount the product allows, below the start dose:
            # used only after a side effect at the start dose.
            quanta.insert(0, 1)
            start = 1
        return Ladder(
            quanta=tuple(quanta),
            start=start,
            quantum_mg=q_mg,
            per_intake=per_intake,
            fitted=tuple(self.fitted),
        )

    def _intakes(self, start_q: int, target_q: int) -> tuple[int, int]:
        """The largest intake in quanta, and the target the slots allow."""
        r, q_mg = self.r, self.q_mg
        slots = len(r.slots)
        per_intake = math.floor(r.max_single_mg / q_mg + EPSILON)
        if per_intake < 1:
            if r.typed("max_single_dose"):
                raise InvalidInputError(
                    "Regimen.max_single_dose",
                    f"at least the smallest amount of the product "
                    f"({self.units(1)}, {format_mg(q_mg)})",
                    str(r.max_single_dose),
                )
            per_intake = 1
            self.fit(
                "max_single_dose",
                "largest single intake",
                format_mg(r.max_single_mg),
                f"is less than {self.units(1)} ({format_mg(q_mg)})",
                f"takes up to {self.dose(1)} at once",
            )
        needed = math.ceil(target_q / per_intake)
        if needed <= slots:
            return per_intake, target_q
        if not r.typed("max_single_dose"):
            fitted = math.ceil(target_q / slots)
            self.fit(
                "max_single_dose",
                "largest single intake",
                format_mg(r.max_single_mg),
                f"would need {needed} evening intakes for {self.dose(target_q)} "
                f"and there {'are' if slots != 1 else 'is'} {slots} slot"
                f"{'s' if slots != 1 else ''}",
                f"takes up to {self.dose(fitted)} at once",
            )
            return fitted, target_q
        if not r.typed("target_dose") and per_intake * slots >= start_q:
            fitted = per_intake * slots
            self.fit(
                "target_dose",
                "target dose",
                format_mg(target_q * q_mg),
                f"needs {needed} intakes of at most "
                f"{format_mg(r.max_single_mg)} and there "
                f"{'are' if slots != 1 else 'is'} {slots} slot"
                f"{'s' if slots != 1 else ''}",
                f"aims for {self.dose(fitted)}",
            )
            return per_intake, fitted
        raise InvalidInputError(
            "Regimen.slots",
            f"{needed} evening slots: {format_mg(target_q * q_mg)} a day in "
            f"intakes of at most {format_mg(r.max_single_mg)} takes {needed} "
            "intakes (add slots, or raise max_single_dose)",
            f"{slots} slot{'s' if slots != 1 else ''}",
        )
