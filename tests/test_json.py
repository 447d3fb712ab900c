import datetime as dt
import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

import mgplan
from mgplan import _jsonschema

from .conftest import report

SCHEMAS = Path(__file__).parent.parent / "schemas"


class TestRoundTrip:
    def test_schedule(self, regimen: mgplan.Regimen) -> None:
        """A schedule with reports survives JSON unchanged, zone names included."""
        s = mgplan.plan(
            regimen,
            reports=[report("2026-12-17")],
            missed=[mgplan.MissedDose(date=dt.date(2026, 12, 3))],
        )
        back = mgplan.Schedule.from_json(s.to_json())
        assert s == back
        assert "Europe/Berlin" == str(back.days[0].intakes[0].at.tzinfo)

    def test_zoned_datetime_text(self, regimen: mgplan.Regimen) -> None:
        """Intake times are written as RFC 9557 text with offset and zone."""
        data = json.loads(mgplan.plan(regimen).to_json())
        at = data["days"][0]["intakes"][0]["at"]
        assert "2026-12-01T18:30:00+01:00[Europe/Berlin]" == at

    def test_version_is_written_and_checked(self, regimen: mgplan.Regimen) -> None:
        """The format and version are in the file; another version is refused."""
        data = json.loads(mgplan.plan(regimen).to_json())
        assert ("mgplan.schedule", 1) == (data["format"], data["version"])
        data["version"] = 2
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert "Schedule.version" == info.value.field

    def test_regimen_and_reports(self, regimen: mgplan.Regimen) -> None:
        """Regimens and reports round-trip on their own too."""
        assert regimen == mgplan.Regimen.model_validate_json(regimen.model_dump_json())
        r = mgplan.SideEffectReport(
            date="2026-12-01",
            symptom="cramping",
            severity="mild",
            bristol=5,
            note="after dinner",
        )
        assert r == mgplan.SideEffectReport.model_validate_json(r.model_dump_json())

    def test_not_json(self) -> None:
        """Garbage is an InvalidInputError, not pydantic's own error."""
        with pytest.raises(mgplan.InvalidInputError):
            mgplan.Schedule.from_json("{not json")


class TestPublishedSchemas:
    @pytest.mark.parametrize("name", sorted(_jsonschema.SCHEMAS))
    def test_file_matches_models(self, name: str) -> None:
        """The schema files in schemas/ are what the models generate."""
        assert _jsonschema.render(name) == (SCHEMAS / name).read_text("utf-8")

    def test_schedule_validates_against_schema(self, regimen: mgplan.Regimen) -> None:
        """A real schedule is valid under the published schema."""
        schema = json.loads((SCHEMAS / "schedule.v1.schema.json").read_text())
        schedule = mgplan.plan(regimen, reports=[report("2026-12-17")])
        data = json.loads(schedule.to_json())
        jsonschema.validate(data, schema)


class TestPlanFileSchemas:
    def test_example_plan_and_journal_validate(self) -> None:
        """The bundled plan file and journal are valid under their schemas."""
        root = Path(__file__).parent.parent / "examples"
        plan_file = mgplan.load_plan(root / "glycinate.toml")
        schema = json.loads((SCHEMAS / "plan.v1.schema.json").read_text())
        jsonschema.validate(json.loads(plan_file.model_dump_json()), schema)
        entry = json.loads((SCHEMAS / "journal-entry.v1.schema.json").read_text())
        for line in (root / "glycinate.journal.jsonl").read_text().splitlines():
            jsonschema.validate(json.loads(line), entry)


def _json_types(value: object) -> object:
    """TOML's dates and times as the ISO strings JSON carries."""
    if isinstance(value, dict):
        return {k: _json_types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_types(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


class TestPlanSchemaAcceptsWhatLoads:
    """Every plan the loaders accept validates against the published schema."""

    def _validate(self, text: str) -> None:
        schema = json.loads((SCHEMAS / "plan.v1.schema.json").read_text("utf-8"))
        data = _json_types(tomllib.loads(text))
        jsonschema.Draft202012Validator(schema).validate(data)

    def test_the_bundled_example(self) -> None:
        """examples/glycinate.toml, with its shorthand slots."""
        self._validate(
            (Path(__file__).parent.parent / "examples" / "glycinate.toml").read_text()
        )

    def test_what_init_writes(self) -> None:
        """The starter plan, and with its commented doses switched on."""
        from mgplan._planfile import starter_plan

        text = starter_plan(start=dt.date(2026, 12, 1), tz="UTC")
        self._validate(text)
        for key in ("start_dose", "step", "target_dose", "max_single_dose"):
            text = text.replace(f"# {key} =", f"{key} =")
        mgplan.PlanFile.model_validate(_json_types(tomllib.loads(text)))  # loads too
        self._validate(text)
        self._validate(
            text.replace('target_dose = "200 mg"', 'target_dose = "4 capsules"')
        )


class TestSchemaFoundByFuzzing:
    """What the schema fuzz found: loads, so the schema must accept it."""

    def test_plural_unit_in_any_case(self) -> None:
        """unit = "Capsules " loads (as capsule); the schema accepted only
        the lower-case singular."""
        schema = json.loads((SCHEMAS / "plan.v1.schema.json").read_text("utf-8"))
        root = Path(__file__).parent.parent / "examples" / "glycinate.toml"
        data = _json_types(tomllib.loads(root.read_text()))
        data["regimen"]["product"]["unit"] = "Capsules "  # type: ignore[index]
        assert "capsule" == mgplan.PlanFile.model_validate(data).regimen.product.unit
        jsonschema.Draft202012Validator(schema).validate(data)
        data["regimen"]["product"]["unit"] = "pills"  # type: ignore[index]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft202012Validator(schema).validate(data)

    def test_version_true_is_not_version_1(self) -> None:
        """version = true loaded (True == 1) though the schema refuses it."""
        root = Path(__file__).parent.parent / "examples" / "glycinate.toml"
        data = _json_types(tomllib.loads(root.read_text()))
        data["version"] = True  # type: ignore[index]
        with pytest.raises(mgplan.InvalidInputError, match="not true or false"):
            mgplan.PlanFile.model_validate(data)


class TestScheduleInvariants:
    """Schedule.from_json re-checks what the engine promises."""

    def _data(self) -> dict[str, object]:
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="inv", product=product, start_date=dt.date(2027, 1, 4), tz="UTC"
        )
        data: dict[str, object] = json.loads(mgplan.plan(regimen).to_json())
        return data

    def test_a_day_above_the_cap(self) -> None:
        """A 5,000 mg day against a 350 mg cap is refused, naming the day."""
        data = self._data()
        day = data["days"][0]  # type: ignore[index]
        day["elemental_mg"] = 5000
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert "days[0].elemental_mg" == info.value.field

    def test_a_cap_edited_with_the_days(self) -> None:
        """The cap raised to 5,000 mg along with a day of 5,000 mg: the cap
        was taken from the JSON, so the day passed and was exported. The
        cap is the profile's, worked out again."""
        data = self._data()
        data["daily_cap_mg"] = 5000
        day = data["days"][0]  # type: ignore[index]
        (intake,) = day["intakes"][:1]
        day["intakes"] = [intake]
        intake.update(units=100.0, elemental_mg=5000.0)
        day.update(units=100.0, elemental_mg=5000.0)
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert "daily_cap_mg" == info.value.field
        assert info.value.expected.startswith("the profile's daily cap, 350 mg")

    def test_a_cap_a_clinician_raised_is_the_profiles(self) -> None:
        """With the override in the profile, the raised cap is the profile's
        own, and the schedule reads back."""
        product = mgplan.Product(name="G", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            id="inv",
            product=product,
            start_date=dt.date(2027, 1, 4),
            tz="UTC",
            target_dose="500 mg",
        )
        override = mgplan.ClinicianOverride(
            clinician="Dr A", reason="trial", date=dt.date(2027, 1, 1), daily_cap_mg=500
        )
        schedule = mgplan.plan(regimen, mgplan.SafetyProfile(override=override))
        assert 500 == mgplan.Schedule.from_json(schedule.to_json()).daily_cap_mg

    def test_a_contraindication_no_override_allows(self) -> None:
        """A profile edited to severe kidney disease is refused on reading, as
        planning refuses it."""
        data = self._data()
        data["profile"]["conditions"] = ["severe-kidney-disease"]  # type: ignore[index]
        with pytest.raises(mgplan.ContraindicationError):
            mgplan.Schedule.from_json(json.dumps(data))

    def test_a_rung_above_the_cap(self) -> None:
        data = self._data()
        data["ladder_mg"] = [*data["ladder_mg"], 400.0]  # type: ignore[misc]
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert info.value.field.startswith("ladder_mg[")

    def test_intakes_that_do_not_add_up(self) -> None:
        """A day whose intakes do not sum to it is refused."""
        data = self._data()
        data["days"][0]["intakes"][0]["elemental_mg"] = 10  # type: ignore[index]
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert "days[0]" in info.value.field

    def test_a_fraction_of_a_capsule(self) -> None:
        """Units must be whole capsules for a product that cannot be split."""
        data = self._data()
        day = data["days"][0]  # type: ignore[index]
        day["units"] = 1.5
        day["elemental_mg"] = 75
        day["compound_mg"] = 0
        (intake,) = day["intakes"][:1]
        day["intakes"] = [intake]
        intake.update(units=1.5, elemental_mg=75)
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert info.value.field.endswith("units")

    def test_a_real_schedule_round_trips(self) -> None:
        """What the engine writes always passes."""
        data = self._data()
        mgplan.Schedule.from_json(json.dumps(data))

    def test_conflicts_are_no_longer_written(self) -> None:
        """An intake no time keeps clear of another medicine is left out, so
        the always-empty ``conflicts`` list is not written; an older
        schedule's empty list reads (and is valid under the schema), a
        non-empty one names an intake mgplan would not schedule."""
        data = self._data()
        intake = data["days"][0]["intakes"][0]  # type: ignore[index]
        assert "conflicts" not in intake
        expected = mgplan.Schedule.from_json(json.dumps(data))
        intake["conflicts"] = []
        schema = json.loads((SCHEMAS / "schedule.v1.schema.json").read_text())
        jsonschema.validate(data, schema)
        assert expected == mgplan.Schedule.from_json(json.dumps(data))
        intake["conflicts"] = ["ciprofloxacin"]
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json(json.dumps(data))
        assert info.value.field.endswith("intakes[0].conflicts")


class TestStrictJson:
    def test_a_key_twice_in_a_plan(self, tmp_path: Path) -> None:
        """ "limit_set" twice is an error, not last-wins."""
        path = tmp_path / "plan.json"
        plan = json.loads(
            mgplan.load_plan(
                Path(__file__).parent.parent / "examples" / "glycinate.toml"
            ).model_dump_json()
        )
        text = json.dumps(plan).replace(
            '"profile": {', '"profile": {"limit_set": "eu", "limit_set": "us", ', 1
        )
        path.write_text(text)
        with pytest.raises(mgplan.PlanFileError, match="twice"):
            mgplan.load_plan(path)

    @pytest.mark.parametrize("bad", ["NaN", "Infinity"])
    def test_non_finite_numbers(self, bad: str) -> None:
        """NaN and Infinity are not JSON numbers mgplan accepts."""
        with pytest.raises(mgplan.InvalidInputError, match="not a number"):
            mgplan.Schedule.from_json('{"daily_cap_mg": ' + bad + "}")

    @pytest.mark.parametrize("key", ["reports", "missed", "resolved", "clinician"])
    def test_an_old_per_kind_list_that_is_not_a_list(self, key: str) -> None:
        """A schedule written before the journal kept a list per kind;
        ``{"clinician": true}`` was a TypeError out of the loader (found by
        the fuzz test), and is an error that names the key."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Schedule.from_json('{"' + key + '": true}')
        assert f"Schedule.{key}" == info.value.field
        assert "a list of journal entries" == info.value.expected

    def test_a_key_twice_in_a_journal_line(self, tmp_path: Path) -> None:
        """A journal line with a key twice names the line."""
        path = tmp_path / "j.jsonl"
        path.write_text('{"kind":"missed","date":"2027-01-05","date":"2027-01-06"}\n')
        with pytest.raises(mgplan.PlanFileError) as info:
            mgplan.Journal(path).read()
        assert 1 == info.value.line
