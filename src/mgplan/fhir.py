"""Export a schedule as FHIR ``Dosage`` entries or a ``MedicationRequest``,
in FHIR R5 or R4 (4.0.1, what most servers run).

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
- oral route (SNOMED CT 26643006);
- ``maxDosePerPeriod`` once per sequence (on its first Dosage, so a consumer
  adding the Dosages of a sequence does not add it twice): the lower of the
  daily cap and the tolerance ceiling, per day. R5 has it as a list of Ratio,
  R4 as one Ratio.

The request carries the product as a contained ``Medication`` whose
ingredient strength is the elemental magnesium per unit, and is identified by
a ``urn:uuid:`` made from the plan id (stable across exports). R4 names the
medication ``medicationReference``, R5 ``medication.reference``; the rest of
the mapping is the same in both.

Paused days have no Dosage: nothing is taken.
"""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from typing import Any, Literal

from ._errors import InvalidInputError
from ._outcomes import Ferritin, RlsRating, Stools, Taken
from ._product import format_mg
from ._schedule import DISCLAIMER, RED_FLAGS_TEXT, Intake, Phase, Schedule
from ._tolerance import MissedDose, Resolved, SideEffectReport, effective_entries

__all__ = [
    "ORAL_ROUTE",
    "UCUM",
    "Version",
    "journal_resources",
    "max_daily_mg",
    "plan_status",
    "plan_uuid",
    "to_bundle",
    "to_dosages",
    "to_medication_request",
]

Version = Literal["R4", "R5"]
"""The FHIR release to write: R4 (4.0.1) or R5 (5.0.0)."""

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


# Made with uuid5 from this name-space, so a plan id always gives the same
# identifier; the name-space itself is uuid5(NAMESPACE_URL, "urn:mgplan").
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:mgplan")
_VERSIONS = ("R4", "R5")


def _mg_quantity(mg: float) -> dict[str, Any]:
    return {"value": round(mg, 3), "unit": "mg", "system": UCUM, "code": "mg"}


# MedicationRequest.status and .intent are required bindings: a code outside
# them is not a valid resource. Status: R4 (4.0.1)
# https://hl7.org/fhir/R4/valueset-medicationrequest-status.html; R5 adds
# "ended" (https://hl7.org/fhir/R5/valueset-medicationrequest-status.html).
# Intent, the same in both:
# https://hl7.org/fhir/R4/valueset-medicationrequest-intent.html.
_STATUS_R4 = (
    "active",
    "on-hold",
    "cancelled",
    "completed",
    "entered-in-error",
    "stopped",
    "draft",
    "unknown",
)
_STATUS = {"R4": _STATUS_R4, "R5": (*_STATUS_R4, "ended")}
_INTENT = (
    "proposal",
    "plan",
    "order",
    "original-order",
    "reflex-order",
    "filler-order",
    "instance-order",
    "option",
)
# The elements of a Reference (R4 and R5): one of the first three says who.
_REFERENCE = ("reference", "identifier", "display", "type", "id", "extension")


def _subject(subject: object) -> dict[str, Any]:
    """*subject* as the Reference to the person, checked; the default when
    None (a display-only reference)."""
    if subject is None:
        return {"display": "the person the plan is for"}
    if (
        not isinstance(subject, dict)
        or not all(isinstance(key, str) for key in subject)
        or not any(subject.get(key) for key in _REFERENCE[:3])
        or any(key not in _REFERENCE for key in subject)
    ):
        raise InvalidInputError(
            "subject",
            "a FHIR Reference as a dict with a reference, identifier or display "
            "(such as {'reference': 'Patient/7'}), or None",
            subject,
        )
    return subject


def _check_code(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(field, "one of " + ", ".join(allowed), value)
    return value


def _check_version(version: object) -> Version:
    if version not in _VERSIONS:
        raise InvalidInputError("version", "'R4' or 'R5'", version)
    return "R4" if version == "R4" else "R5"


def plan_uuid(schedule: Schedule) -> str:
    """The plan's identifier as a ``urn:uuid:`` (RFC 4122 version 5 of its id)."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, schedule.plan_id)}"


def max_daily_mg(schedule: Schedule) -> float:
    """The most the plan allows a day: the lower of the cap and the ceiling."""
    if schedule.ceiling_mg is None:
        return schedule.daily_cap_mg
    return min(schedule.daily_cap_mg, schedule.ceiling_mg)


def to_dosages(schedule: Schedule, *, version: Version = "R5") -> list[dict[str, Any]]:
    """The schedule as FHIR Dosage entries, one (or one per amount) a step."""
    version = _check_version(version)
    product = schedule.regimen.product
    form = product.magnesium_form
    per_day = {
        "numerator": _mg_quantity(max_daily_mg(schedule)),
        "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"},
    }
    dosages: list[dict[str, Any]] = []
    for step in schedule.steps():
        groups: dict[float, list[Intake]] = {}
        for intake in step.intakes:
            groups.setdefault(intake.units, []).append(intake)
        for position, (units, intakes) in enumerate(groups.items()):
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
            dosage: dict[str, Any] = {
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
            }
            if position == 0:  # once per sequence: the Dosages are concurrent
                dosage["maxDosePerPeriod"] = per_day if version == "R4" else [per_day]
            dosages.append(dosage)
    return dosages


def to_medication_request(
    schedule: Schedule,
    *,
    version: Version = "R5",
    subject: dict[str, Any] | None = None,
    status: str | None = None,
    intent: str = "plan",
    authored_on: dt.date | None = None,
) -> dict[str, Any]:
    """A FHIR MedicationRequest whose dosageInstruction is ``to_dosages``.

    The product is a contained Medication (``#product``) whose ingredient is
    magnesium with the elemental mg per unit as its strength. *subject* is
    the Reference to the person (required in R4 and R5); by default a
    display-only reference. The intent is ``plan``: mgplan plans, a clinician
    orders. *status* and *intent* are codes of the version's value sets (R5
    adds the status ``ended``); anything else, or a *subject* that is not a
    Reference, is an InvalidInputError rather than an invalid resource.
    Without a *status*, it is the plan's on *authored_on* (``plan_status``).
    """
    version = _check_version(version)
    if authored_on is not None and not isinstance(authored_on, dt.date):
        raise InvalidInputError(
            "authored_on", "a datetime.date (or datetime), or None", authored_on
        )
    if status is None:
        status = plan_status(schedule, authored_on)
    status = _check_code("status", status, _STATUS[version])
    intent = _check_code("intent", intent, _INTENT)
    subject = _subject(subject)
    reference = {"reference": "#product"}
    request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "contained": [_medication(schedule, version)],
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": plan_uuid(schedule)}],
        "status": status,
        "intent": intent,
    }
    if version == "R4":
        request["medicationReference"] = reference
    else:
        request["medication"] = {"reference": reference}
    request["subject"] = subject
    if authored_on is not None:
        request["authoredOn"] = authored_on.isoformat()
    request["note"] = [
        {"text": text} for text in (*schedule.safety_notes, RED_FLAGS_TEXT, DISCLAIMER)
    ]
    request["dosageInstruction"] = to_dosages(schedule, version=version)
    return request


def plan_status(schedule: Schedule, on: dt.date | None) -> str:
    """The MedicationRequest status of the plan on the date *on*, in both
    versions' value set: ``on-hold`` while it is paused or stopped (it
    waits for the symptoms to go or for a clinician, and is expected to
    continue: FHIR's "temporarily halted"), ``completed`` after its last
    day when it waits for nothing, else (and without a date) ``active``."""
    if on is None or on < schedule.start:
        return "active"
    if on > schedule.end:
        return "on-hold" if schedule.waiting_for is not None else "completed"
    if schedule.day(on).phase in (Phase.PAUSED, Phase.STOPPED):
        return "on-hold"
    return "active"


def _medication(schedule: Schedule, version: Version) -> dict[str, Any]:
    """The product as a contained Medication: magnesium, so many mg a unit."""
    product = schedule.regimen.product
    form = product.magnesium_form
    unit = product.unit  # "capsule", "tablet", "scoop"
    strength = {
        "numerator": _mg_quantity(product.elemental_per_unit),
        "denominator": {"value": 1, "unit": unit},
    }
    item = {"text": f"magnesium (elemental), as {form.name}"}
    ingredient: dict[str, Any] = {"isActive": True}
    if version == "R4":
        ingredient |= {"itemCodeableConcept": item, "strength": strength}
    else:
        ingredient |= {"item": {"concept": item}, "strengthRatio": strength}
    return {
        "resourceType": "Medication",
        "id": "product",
        "code": {
            "text": f"{product.name} ({form.name}, "
            f"{format_mg(product.elemental_per_unit)} elemental magnesium per "
            f"{unit})"
        },
        "ingredient": [ingredient],
    }


def _fhir_time(time: dt.time) -> str:
    return time.strftime("%H:%M:%S")


# -- the journal ---------------------------------------------------------------
#
# taken and skipped evenings -> MedicationStatement (R5: status "recorded"
# with adherence "taking"/"not-taking"; R4: status "completed"/"not-taken"),
# nightly ratings and stools -> Observation (one per entry, a component per
# rating; mgplan's own scales, so text codes only), ferritin -> Observation
# (LOINC 2276-4, ng/mL), side-effect reports -> AdverseEvent (R4 adds its
# severity codes; the first resolution recorded on or after a report is its
# outcome: R4's "resolved" code, R5 in words). The project's reference notes
# give this mapping.

_ADHERENCE = "http://hl7.org/fhir/CodeSystem/medication-statement-adherence"
_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"
_LOINC = "http://loinc.org"
_OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def _uuid(schedule: Schedule, *parts: object) -> str:
    name = "/".join(str(p) for p in (schedule.plan_id, *parts))
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def _observation(
    subject: dict[str, Any],
    date: dt.date,
    code: dict[str, Any],
    category: str,
    **value: Any,
) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": _OBSERVATION_CATEGORY, "code": category}]}],
        "code": code,
        "subject": subject,
        "effectiveDateTime": date.isoformat(),
        **value,
    }


def journal_resources(
    schedule: Schedule,
    *,
    version: Version = "R5",
    subject: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The journal entries that count, as FHIR resources, in logging order."""
    version = _check_version(version)
    subject = _subject(subject)
    product = schedule.regimen.product
    medication_text = (
        f"{product.name} ({product.magnesium_form.name}, "
        f"{format_mg(product.elemental_per_unit)} elemental magnesium per "
        f"{product.unit})"
    )
    out: list[dict[str, Any]] = []
    entries = effective_entries(schedule.journal)
    # A side effect ends at the first resolution recorded on or after it.
    resolutions = sorted(e.date for e in entries if isinstance(e, Resolved))
    for position, entry in enumerate(entries, start=1):
        resource: dict[str, Any] | None = None
        if isinstance(entry, Taken | MissedDose):
            taken = isinstance(entry, Taken)
            when = entry.date.isoformat()
            if isinstance(entry, Taken) and entry.at is not None:
                when = f"{entry.date.isoformat()} {entry.at:%H:%M} local"
            resource = {
                "resourceType": "MedicationStatement",
                "subject": subject,
                "effectiveDateTime": entry.date.isoformat(),
                "note": [{"text": f"{entry.describe()} ({when})."}],
            }
            if version == "R4":
                resource["status"] = "completed" if taken else "not-taken"
                resource["medicationCodeableConcept"] = {"text": medication_text}
            else:
                resource["status"] = "recorded"
                resource["medication"] = {"concept": {"text": medication_text}}
                code = "taking" if taken else "not-taking"
                resource["adherence"] = {
                    "code": {"coding": [{"system": _ADHERENCE, "code": code}]}
                }
        elif isinstance(entry, RlsRating):
            resource = _observation(
                subject,
                entry.date,
                {"text": "Restless legs nightly ratings (mgplan's 0-10 scales)"},
                "survey",
                component=[
                    {
                        "code": {"text": name.replace("_", " ")},
                        "valueInteger": value,
                    }
                    for name, value in entry.ratings().items()
                ],
            )
        elif isinstance(entry, Stools):
            parts = [{"code": {"text": "stools that day"}, "valueInteger": entry.count}]
            if entry.bristol is not None:
                parts.append(
                    {
                        "code": {"text": "Bristol stool form type"},
                        "valueInteger": entry.bristol,
                    }
                )
            resource = _observation(
                subject, entry.date, {"text": "Stools"}, "survey", component=parts
            )
        elif isinstance(entry, Ferritin):
            resource = _observation(
                subject,
                entry.date,
                {
                    "coding": [
                        {
                            "system": _LOINC,
                            "code": "2276-4",
                            "display": "Ferritin [Mass/volume] in Serum or Plasma",
                        }
                    ]
                },
                "laboratory",
                valueQuantity={
                    "value": entry.ng_ml,
                    "unit": "ng/mL",
                    "system": UCUM,
                    "code": "ng/mL",
                },
            )
            if entry.tsat_percent is not None:
                resource["component"] = [
                    {
                        "code": {"text": "transferrin saturation"},
                        "valueQuantity": {
                            "value": entry.tsat_percent,
                            "unit": "%",
                            "system": UCUM,
                            "code": "%",
                        },
                    }
                ]
        elif isinstance(entry, SideEffectReport):
            grade = entry.grade
            resource = {
                "resourceType": "AdverseEvent",
                "actuality": "actual",
                "subject": subject,
            }
            i = bisect.bisect_left(resolutions, entry.date)
            resolved = resolutions[i] if i < len(resolutions) else None
            if version == "R4":
                resource["event"] = {"text": entry.describe()}
                resource["date"] = entry.date.isoformat()
                if grade is not None:
                    resource["severity"] = {
                        "coding": [{"system": _SEVERITY, "code": grade.value}]
                    }
                if resolved is not None:
                    resource["outcome"] = {
                        "coding": [
                            {
                                "system": _OUTCOME,
                                "code": "resolved",
                                "display": "Resolved",
                            }
                        ],
                        "text": f"Resolved on {resolved.isoformat()}",
                    }
            else:
                resource["status"] = "completed"
                resource["code"] = {"text": entry.describe()}
                resource["occurrenceDateTime"] = entry.date.isoformat()
                if resolved is not None:
                    # R5 binds outcome to SNOMED CT findings: words, not a
                    # code mgplan cannot vouch for.
                    resource["outcome"] = [
                        {"text": f"Resolved on {resolved.isoformat()}"}
                    ]
        if resource is not None:
            identifier = {
                "system": "urn:ietf:rfc:3986",
                "value": _uuid(schedule, "journal", position),
            }
            # R4's AdverseEvent has one identifier; everything else a list.
            one = version == "R4" and resource["resourceType"] == "AdverseEvent"
            resource["identifier"] = identifier if one else [identifier]
            out.append(resource)
    return out


def _full_url(resource: dict[str, Any]) -> str:
    identifier = resource["identifier"]
    value: str = (identifier[0] if isinstance(identifier, list) else identifier)[
        "value"
    ]
    return value


def to_bundle(
    schedule: Schedule,
    *,
    version: Version = "R5",
    subject: dict[str, Any] | None = None,
    authored_on: dt.date | None = None,
) -> dict[str, Any]:
    """A collection Bundle: the MedicationRequest and the journal's resources."""
    request = to_medication_request(
        schedule, version=version, subject=subject, authored_on=authored_on
    )
    resources = [
        request,
        *journal_resources(schedule, version=version, subject=subject),
    ]
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": "urn:ietf:rfc:3986",
            "value": _uuid(schedule, "bundle"),
        },
        "type": "collection",
        "entry": [{"fullUrl": _full_url(r), "resource": r} for r in resources],
    }
