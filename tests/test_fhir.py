"""FHIR R5 Dosage export, validated with the fhir.resources models."""

from __future__ import annotations

import datetime as dt

from fhir.resources.dosage import Dosage
from fhir.resources.medicationrequest import MedicationRequest

import mgplan
from mgplan import fhir

from .conftest import report
from .test_ics import reference_schedule


class TestDosage:
    def test_every_dosage_is_valid_r5(self) -> None:
        """Each Dosage validates as an R5 Dosage."""
        for dosage in fhir.to_dosages(reference_schedule()):
            Dosage.model_validate(dosage)

    def test_one_sequence_per_step(self) -> None:
        """Sequences follow the dose steps, bounded by their dates."""
        schedule = reference_schedule()
        dosages = fhir.to_dosages(schedule)
        steps = schedule.steps()
        assert [s.sequence for s in steps] == sorted({d["sequence"] for d in dosages})
        first = dosages[0]["timing"]["repeat"]
        assert {"start": str(steps[0].start), "end": str(steps[0].end)} == first[
            "boundsPeriod"
        ]

    def test_dose_quantity_and_times(self) -> None:
        """Dose in UCUM mg per intake, local clock times, n times a day."""
        schedule = reference_schedule()
        three = next(
            d
            for d in fhir.to_dosages(schedule)
            if d["timing"]["repeat"]["frequency"] == 3
        )
        assert {"value": 100.0, "unit": "mg", "system": fhir.UCUM, "code": "mg"} == (
            three["doseAndRate"][0]["doseQuantity"]
        )
        repeat = three["timing"]["repeat"]
        assert ["18:30:00", "20:00:00", "21:30:00"] == repeat["timeOfDay"]
        assert (1, "d") == (repeat["period"], repeat["periodUnit"])
        assert "elemental magnesium (as magnesium bisglycinate" in three["text"]

    def test_tim_rules(self) -> None:
        """tim-10: never timeOfDay with when; tim-2: period has periodUnit."""
        for dosage in fhir.to_dosages(reference_schedule()):
            repeat = dosage["timing"]["repeat"]
            assert "when" not in repeat
            assert "periodUnit" in repeat

    def test_uneven_split_is_concurrent(self) -> None:
        """Different amounts in one step share a sequence number."""
        product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            product=product,
            start_date=dt.date(2027, 1, 1),
            tz="UTC",
            target_dose="150 mg",
            start_dose="150 mg",
        )
        dosages = fhir.to_dosages(mgplan.plan(regimen))
        assert [1, 1] == [d["sequence"] for d in dosages]
        assert [100.0, 50.0] == [
            d["doseAndRate"][0]["doseQuantity"]["value"] for d in dosages
        ]

    def test_paused_days_have_no_dosage(self) -> None:
        """A pause leaves a gap between boundsPeriods."""
        schedule = reference_schedule([report("2027-04-05", "severe")])
        covered = set()
        for dosage in fhir.to_dosages(schedule):
            period = dosage["timing"]["repeat"]["boundsPeriod"]
            start = dt.date.fromisoformat(period["start"])
            end = dt.date.fromisoformat(period["end"])
            covered |= {start + dt.timedelta(k) for k in range((end - start).days + 1)}
        paused = {e.date for e in schedule.days if not e.intakes}
        assert paused
        assert not paused & covered


class TestMedicationRequest:
    def test_valid_r5_request(self) -> None:
        """The MedicationRequest validates and carries every Dosage."""
        schedule = reference_schedule()
        request = fhir.to_medication_request(
            schedule,
            subject={"reference": "Patient/123"},
            authored_on=dt.date(2027, 3, 1),
        )
        model = MedicationRequest.model_validate(request)
        assert "plan" == model.intent
        assert len(fhir.to_dosages(schedule)) == len(model.dosageInstruction)
        assert "reference" == model.identifier[0].value
