"""Export a schedule as FHIR R5 ``Dosage`` entries, or a ``MedicationRequest``.

Pure functions returning JSON-ready dicts; no FHIR library is needed at run
time. The mapping:

- one ``Dosage`` per dose step (``sequence`` 1, 2, …), bounded by
  ``timing.repeat.boundsPeriod`` (dates, local to the plan);
- ``frequency``/``period``/``periodUnit`` = n times in 1 day, with the wall
  clock times in ``timeOfDay`` (FHIR ``time`` has no zone: local time). Never
  ``when`` as well: rule tim-10 forbids both;
- ``doseAndRate.doseQuantity`` in UCUM ``mg`` of *elemental* magnesium. FHIR has
  no field for "elemental", so ``text`` and ``patientInstruction`` say it, with
  the units of the product and the compound's mass;
- a step whose intakes differ in amount (2 capsules with dinner, 1 at
  bedtime) becomes one Dosage per amount with the *same* sequence number,
  which FHIR reads as "taken concurrently";
- oral route (SNOMED CT 26643006) and the daily cap as ``maxDosePerPeriod``.

Paused days have no Dosage: nothing is taken.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ._product import format_mg
from ._schedule import DISCLAIMER, RED_FLAGS_TEXT, Intake, Schedule

__all__ = ["ORAL_ROUTE", "UCUM", "to_dosages", "to_medication_request"]

UCUM = "http://unitsofmeasure.org"
ORAL_ROUTE: dict[str, Any] = {
    "coding": [
        {
            "system": "http://snomed.info/sct",
            "code": "26643006",
            "display": "Oral route",
        }
    ]
}


def _mg_quantity(mg: float) -> dict[str, Any]:
    return {"value": round(mg, 3), "unit": "mg", "system": UCUM, "code": "mg"}


def to_dosages(schedule: Schedule) -> list[dict[str, Any]]:
    """The schedule as FHIR R5 Dosage entries, one (or one per amount) a step."""
    product = schedule.regimen.product
    form = product.magnesium_form
    dosages: list[dict[str, Any]] = []
    for step in schedule.steps():
        groups: dict[float, list[Intake]] = {}
        for intake in step.intakes:
            groups.setdefault(intake.units, []).append(intake)
        for units, intakes in groups.items():
            mg = intakes[0].elemental_mg
            compound = intakes[0].compound_mg
            times = [i.at.time().replace(tzinfo=None) for i in intakes]
            clock = ", ".join(f"{t:%H:%M}" for t in times)
            text = (
                f"{format_mg(mg)} elemental magnesium (as {form.name}; "
                f"{product.describe_units(units)}, {compound:.0f} mg of the salt) "
                f"by mouth every evening at {clock}, from {step.start} to "
                f"{step.end}"
            )
            dosages.append(
                {
                    "sequence": step.sequence,
                    "text": text,
                    "patientInstruction": (
                        f"Take {product.describe_units(units)} of {product.name} "
                        f"at {clock} ({schedule.regimen.tz} time). {DISCLAIMER}"
                    ),
                    "timing": {
                        "repeat": {
                            "boundsPeriod": {
                                "start": step.start.isoformat(),
                                "end": step.end.isoformat(),
                            },
                            "frequency": len(intakes),
                            "period": 1,
                            "periodUnit": "d",
                            "timeOfDay": [_fhir_time(t) for t in times],
                        }
                    },
                    "route": ORAL_ROUTE,
                    "doseAndRate": [{"doseQuantity": _mg_quantity(mg)}],
                    "maxDosePerPeriod": [
                        {
                            "numerator": _mg_quantity(schedule.daily_cap_mg),
                            "denominator": {
                                "value": 1,
                                "unit": "d",
                                "system": UCUM,
                                "code": "d",
                            },
                        }
                    ],
                }
            )
    return dosages


def to_medication_request(
    schedule: Schedule,
    *,
    subject: dict[str, Any] | None = None,
    status: str = "active",
    intent: str = "plan",
    authored_on: dt.date | None = None,
) -> dict[str, Any]:
    """A FHIR R5 MedicationRequest whose dosageInstruction is ``to_dosages``.

    *subject* is the Reference to the person (R5 requires one); by default a
    display-only reference. The request's intent is ``plan``: mgplan plans, a
    clinician orders.
    """
    product = schedule.regimen.product
    form = product.magnesium_form
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "identifier": [{"system": "urn:mgplan:plan", "value": schedule.plan_id}],
        "status": status,
        "intent": intent,
        "medication": {
            "concept": {
                "text": f"{product.name} ({form.name}, "
                f"{format_mg(product.elemental_per_unit)} elemental magnesium per "
                f"{product.unit})"
            }
        },
        "subject": subject or {"display": "the person the plan is for"},
        "note": [
            {"text": text}
            for text in (*schedule.safety_notes, RED_FLAGS_TEXT, DISCLAIMER)
        ],
        "dosageInstruction": to_dosages(schedule),
    }
    if authored_on is not None:
        request["authoredOn"] = authored_on.isoformat()
    return request


def _fhir_time(time: dt.time) -> str:
    return time.strftime("%H:%M:%S")
