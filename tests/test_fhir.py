"""FHIR Dosage and MedicationRequest export, validated with fhir.resources.

R5 against its R5 models; R4 against its R4B models, which match R4 (4.0.1)
for Dosage, Medication and MedicationRequest, with R4's own shape (one
maxDosePerPeriod Ratio, medicationReference) checked besides."""

from __future__ import annotations

import datetime as dt

import pytest
from fhir.resources.dosage import Dosage
from fhir.resources.medicationrequest import MedicationRequest
from fhir.resources.R4B.dosage import Dosage as DosageR4
from fhir.resources.R4B.medicationrequest import MedicationRequest as RequestR4

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
        assert fhir.plan_uuid(schedule) == model.identifier[0].value
        assert model.identifier[0].value.startswith("urn:uuid:")
        assert "urn:ietf:rfc:3986" == model.identifier[0].system

    def test_valid_r4_request(self) -> None:
        """R4: medicationReference to the contained Medication, one Ratio."""
        schedule = reference_schedule()
        request = fhir.to_medication_request(schedule, version="R4")
        model = RequestR4.model_validate(request)
        assert "#product" == model.medicationReference.reference
        assert "medication" not in request
        medication = request["contained"][0]
        assert ("Medication", "product") == (
            medication["resourceType"],
            medication["id"],
        )
        strength = medication["ingredient"][0]["strength"]
        assert 100.0 == strength["numerator"]["value"]  # elemental mg per capsule
        assert "capsule" == strength["denominator"]["unit"]

    def test_the_versions_are_not_interchangeable(self) -> None:
        """The validators tell R4 from R5: each refuses the other's output."""
        schedule = reference_schedule()
        with pytest.raises(ValueError, match="medicationReference"):
            MedicationRequest.model_validate(
                fhir.to_medication_request(schedule, version="R4")
            )
        with pytest.raises(ValueError, match="maxDosePerPeriod"):
            RequestR4.model_validate(fhir.to_medication_request(schedule))

    def test_contained_medication_is_elemental_magnesium(self) -> None:
        """R5: the ingredient's strength is the elemental mg per unit."""
        schedule = reference_schedule()
        request = fhir.to_medication_request(schedule)
        model = MedicationRequest.model_validate(request)
        assert "#product" == model.medication.reference.reference
        ingredient = model.contained[0].ingredient[0]
        assert 100.0 == float(ingredient.strengthRatio.numerator.value)
        assert "elemental" in ingredient.item.concept.text

    def test_identifier_is_stable_and_per_plan(self) -> None:
        """The same plan id gives the same urn:uuid; another id another one."""
        a = reference_schedule()
        assert fhir.plan_uuid(a) == fhir.plan_uuid(reference_schedule())
        other = mgplan.plan(a.regimen.replace(id="another"))
        assert fhir.plan_uuid(a) != fhir.plan_uuid(other)

    def test_unknown_version_is_refused(self) -> None:
        """A version other than R4 or R5 names the argument."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            fhir.to_dosages(reference_schedule(), version="R3")  # type: ignore[arg-type]
        assert "version" == info.value.field


class TestStatus:
    """The request's status follows the plan on the date it is written: a
    paused plan was exported as "active" to a clinician's system."""

    def paused(self, end: bool) -> mgplan.Schedule:
        base = reference_schedule().regimen
        regimen = base.replace(end_date=base.start_date + dt.timedelta(120))
        if not end:
            regimen = base
        severe = mgplan.SideEffectReport(
            date=base.start_date + dt.timedelta(10),
            symptom="diarrhoea",
            severity="severe",
        )
        return mgplan.plan(regimen, reports=[severe])

    @pytest.mark.parametrize("version", ["R4", "R5"])
    def test_paused_is_on_hold(self, version: fhir.Version) -> None:
        schedule = self.paused(end=True)
        start = schedule.start
        on = {
            "before": start - dt.timedelta(3),
            "dosed": start + dt.timedelta(5),
            "paused": start + dt.timedelta(12),
            "waiting": start + dt.timedelta(60),
            "after": schedule.end + dt.timedelta(1),
        }
        statuses = {
            name: fhir.to_medication_request(
                schedule, version=version, authored_on=day
            )["status"]
            for name, day in on.items()
        }
        assert {
            "before": "active",
            "dosed": "active",
            "paused": "on-hold",
            "waiting": "on-hold",
            "after": "on-hold",
        } == statuses
        assert "active" == fhir.to_medication_request(schedule)["status"]
        assert (
            "stopped"
            == fhir.to_medication_request(
                schedule, status="stopped", authored_on=on["paused"]
            )["status"]
        )

    def test_a_plan_that_ran_its_course_is_completed(self) -> None:
        schedule = reference_schedule()
        after = schedule.end + dt.timedelta(1)
        request = fhir.to_medication_request(schedule, authored_on=after)
        assert "completed" == MedicationRequest.model_validate(request).status
        assert "active" == fhir.plan_status(schedule, schedule.end)
        waiting = self.paused(end=False)
        assert "resolution" == waiting.waiting_for
        after = waiting.end + dt.timedelta(30)
        assert "on-hold" == fhir.plan_status(waiting, after)


class TestMaxDosePerPeriod:
    def test_once_per_sequence(self) -> None:
        """Concurrent Dosages of one sequence carry the limit once."""
        product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            product=product,
            start_date=dt.date(2027, 1, 1),
            tz="UTC",
            target_dose="150 mg",
            start_dose="150 mg",
        )
        for version in ("R4", "R5"):
            dosages = fhir.to_dosages(mgplan.plan(regimen), version=version)
            assert [1, 1] == [d["sequence"] for d in dosages]
            assert ["maxDosePerPeriod" in d for d in dosages] == [True, False]

    def test_r4_is_one_ratio_r5_a_list(self) -> None:
        """R4 has 0..1 Ratio, R5 0..*; both validate as Dosage."""
        schedule = reference_schedule()
        r4 = fhir.to_dosages(schedule, version="R4")[0]["maxDosePerPeriod"]
        r5 = fhir.to_dosages(schedule, version="R5")[0]["maxDosePerPeriod"]
        assert [r4] == r5
        for dosage in fhir.to_dosages(schedule, version="R4"):
            DosageR4.model_validate(dosage)

    def test_lower_of_cap_and_ceiling(self) -> None:
        """After a ceiling, the limit is the ceiling, not the cap."""
        # A second moderate episode at the retried 300 mg: 200 mg is the ceiling.
        schedule = reference_schedule([report("2027-04-08", "moderate")])
        assert schedule.ceiling_mg is not None
        assert schedule.ceiling_mg < schedule.daily_cap_mg
        limit = fhir.to_dosages(schedule)[0]["maxDosePerPeriod"][0]
        assert schedule.ceiling_mg == limit["numerator"]["value"]
        plain = reference_schedule()
        assert plain.ceiling_mg is None
        limit = fhir.to_dosages(plain)[0]["maxDosePerPeriod"][0]
        assert plain.daily_cap_mg == limit["numerator"]["value"]


class TestJournal:
    """The journal's kinds as FHIR resources, validated in R5 and R4 (R4B)."""

    def schedule(self) -> mgplan.Schedule:
        from pathlib import Path

        examples = Path(__file__).parent.parent / "examples"
        plan_file = mgplan.load_plan(examples / "ten_weeks.toml")
        entries = mgplan.Journal(examples / "ten_weeks.journal.jsonl").read()
        extra = [
            mgplan.SideEffectReport(date=dt.date(2027, 2, 2), severity="moderate"),
            mgplan.Ferritin(date=dt.date(2027, 2, 3), ng_ml=60, tsat_percent=18),
        ]
        return mgplan.plan(
            plan_file.regimen,
            plan_file.profile,
            journal=[*entries.log, *extra],
            as_of=dt.date(2027, 3, 14),
        )

    @pytest.mark.parametrize("version", ["R4", "R5"])
    def test_bundle_validates(self, version: str) -> None:
        from fhir.resources.bundle import Bundle
        from fhir.resources.R4B.bundle import Bundle as BundleR4

        model = BundleR4 if version == "R4" else Bundle
        bundle = fhir.to_bundle(self.schedule(), version=version)  # type: ignore[arg-type]
        model.model_validate(bundle)
        kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
        assert "MedicationRequest" == kinds[0]
        assert {"MedicationStatement", "Observation", "AdverseEvent"} <= set(kinds)
        urls = [e["fullUrl"] for e in bundle["entry"]]
        assert len(set(urls)) == len(urls)
        assert all(u.startswith("urn:uuid:") for u in urls)

    def test_mapping(self) -> None:
        s = self.schedule()
        r5 = fhir.journal_resources(s)
        r4 = fhir.journal_resources(s, version="R4")
        statements5 = [r for r in r5 if r["resourceType"] == "MedicationStatement"]
        statements4 = [r for r in r4 if r["resourceType"] == "MedicationStatement"]
        assert len(statements5) == len(s.taken) + len(s.missed)
        codes = {r["adherence"]["code"]["coding"][0]["code"] for r in statements5}
        assert {"taking", "not-taking"} == codes
        assert {"completed", "not-taken"} == {r["status"] for r in statements4}
        ferritin = next(
            r
            for r in r5
            if r["resourceType"] == "Observation"
            and r["code"].get("coding", [{}])[0].get("code") == "2276-4"
        )
        assert {"value": 60.0, "unit": "ng/mL"} == {
            k: ferritin["valueQuantity"][k] for k in ("value", "unit")
        }
        (event4,) = [r for r in r4 if r["resourceType"] == "AdverseEvent"]
        assert "moderate" == event4["severity"]["coding"][0]["code"]
        ratings = [
            r
            for r in r5
            if r["resourceType"] == "Observation"
            and r["code"].get("text", "").startswith("Restless")
        ]
        assert len(ratings) == len(s.ratings)

    @pytest.mark.parametrize("version", ["R4", "R5"])
    def test_a_resolution_is_the_outcome(self, version: str) -> None:
        """A report's outcome is the first resolution recorded on or after
        it: R4's "resolved" code, R5 in words; a report after the last
        resolution has none. The bundle still validates."""
        from fhir.resources.bundle import Bundle
        from fhir.resources.R4B.bundle import Bundle as BundleR4

        s = self.schedule()
        schedule = mgplan.plan(
            s.regimen,
            s.profile,
            journal=[
                *s.journal,
                mgplan.Resolved(date=dt.date(2027, 2, 5)),
                mgplan.SideEffectReport(date=dt.date(2027, 2, 20), severity="mild"),
            ],
            as_of=dt.date(2027, 3, 14),
        )
        bundle = fhir.to_bundle(schedule, version=version)  # type: ignore[arg-type]
        (BundleR4 if version == "R4" else Bundle).model_validate(bundle)
        events = {
            (r["date"] if version == "R4" else r["occurrenceDateTime"]): r
            for r in (e["resource"] for e in bundle["entry"])
            if r["resourceType"] == "AdverseEvent"
        }
        assert {"2027-02-02", "2027-02-20"} <= set(events)
        for date, event in events.items():
            if date > "2027-02-05":
                assert "outcome" not in event
                continue
            outcome = event["outcome"]
            if version == "R4":
                assert "resolved" == outcome["coding"][0]["code"]
                assert outcome["coding"][0]["system"].endswith("adverse-event-outcome")
            else:
                assert [{"text": "Resolved on 2027-02-05"}] == outcome

    def test_retracted_entries_are_left_out(self) -> None:
        s = self.schedule()
        last = len(s.journal)
        undone = mgplan.plan(
            s.regimen,
            s.profile,
            journal=[
                *s.journal,
                mgplan.Retracted(date=dt.date(2027, 3, 14), entry=last),
            ],
            as_of=dt.date(2027, 3, 14),
        )
        assert len(fhir.journal_resources(undone)) == len(fhir.journal_resources(s)) - 1


class TestRequestArguments:
    """Arguments that would make an invalid resource are refused."""

    @pytest.mark.parametrize(
        ("version", "status"),
        [("R4", "ended"), ("R5", "bogus"), ("R4", "Active"), ("R5", 3)],
    )
    def test_a_status_outside_the_version(self, version: str, status: object) -> None:
        """'ended' is R5's; R4 has no such code. Anything outside the value set
        was written into the resource as given."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            fhir.to_medication_request(
                reference_schedule(),
                version=version,  # type: ignore[arg-type]
                status=status,  # type: ignore[arg-type]
            )
        assert "status" == info.value.field
        assert info.value.expected.startswith("one of active, on-hold")

    @pytest.mark.parametrize(
        ("version", "model", "status"),
        [
            ("R4", RequestR4, "on-hold"),
            ("R4", RequestR4, "stopped"),
            ("R5", MedicationRequest, "on-hold"),
            ("R5", MedicationRequest, "ended"),
        ],
    )
    def test_each_version_takes_its_statuses(
        self, version: str, model: type, status: str
    ) -> None:
        """A code of the version's set gives a resource its models accept."""
        request = fhir.to_medication_request(
            reference_schedule(),
            version=version,  # type: ignore[arg-type]
            status=status,
            intent="proposal",
        )
        assert status == model.model_validate(request).status

    def test_an_intent_outside_the_value_set(self) -> None:
        with pytest.raises(mgplan.InvalidInputError) as info:
            fhir.to_medication_request(reference_schedule(), intent="prescription")
        assert "intent" == info.value.field

    @pytest.mark.parametrize(
        "subject",
        [5, "Patient/7", {}, {"reference": ""}, {"ref": "Patient/7"}, {1: "x"}],
    )
    def test_a_subject_that_is_not_a_reference(self, subject: object) -> None:
        """subject=5 was written as "subject": 5; {} fell back to the default."""
        for make in (fhir.to_medication_request, fhir.to_bundle):
            with pytest.raises(mgplan.InvalidInputError) as info:
                make(reference_schedule(), subject=subject)  # type: ignore[operator]
            assert "subject" == info.value.field

    def test_a_reference_is_kept(self) -> None:
        subject = {"reference": "Patient/7", "display": "Ada"}
        request = fhir.to_medication_request(reference_schedule(), subject=subject)
        assert subject == request["subject"]
        assert (
            "Patient/7" == MedicationRequest.model_validate(request).subject.reference
        )
