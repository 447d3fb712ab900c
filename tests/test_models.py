import datetime as dt

import pytest

import mgplan


class TestProduct:
    def test_elemental_label(self, glycinate: mgplan.Product) -> None:
        """An elemental label's amount is the elemental mg per unit."""
        assert 100 == glycinate.elemental_per_unit
        assert 2.0 == glycinate.units_for(200)
        assert 709 == round(glycinate.compound_per_unit)

    def test_compound_label(self) -> None:
        """A compound label is converted with the form's fraction."""
        oxide = mgplan.Product(
            name="Ox", form="oxide", amount_per_unit=400, basis="compound"
        )
        assert 241.2 == pytest.approx(oxide.elemental_per_unit)
        assert 400 == oxide.compound_per_unit

    @pytest.mark.parametrize(
        ("units", "unit", "text"),
        [
            (1, "capsule", "1 capsule"),
            (2, "capsule", "2 capsules"),
            (0.5, "tablet", "½ tablet"),
            (1.5, "tablet", "1½ tablets"),
            (6, "ml", "6 ml"),
            (2, "gummy", "2 gummies"),
        ],
    )
    def test_describe_units(self, units: float, unit: str, text: str) -> None:
        """Counts read naturally, with halves and plurals."""
        product = mgplan.Product(
            name="P", form="citrate", amount_per_unit=50, unit=unit
        )
        assert text == product.describe_units(units)

    def test_plural_unit_name_is_accepted(self) -> None:
        """'capsules' on input means the unit 'capsule'."""
        p = mgplan.Product(name="P", form="oxide", amount_per_unit=50, unit="Capsules")
        assert "capsule" == p.unit

    def test_unknown_form_names_field(self) -> None:
        """A product with an unknown form fails on its 'form' field."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Product(name="P", form="kryptonite", amount_per_unit=50)
        assert "Product.form" == info.value.field
        assert "kryptonite" == info.value.received
        assert "catalogued forms" in info.value.expected

    @pytest.mark.parametrize("amount", [0, -5])
    def test_amount_must_be_positive(self, amount: float) -> None:
        """Zero and negative amounts are refused, naming the field."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Product(name="P", form="oxide", amount_per_unit=amount)
        assert "Product.amount_per_unit" == info.value.field
        assert amount == info.value.received
        assert "greater than or equal to 0.01" in str(info.value)

    def test_frozen(self, glycinate: mgplan.Product) -> None:
        """Products cannot be changed after creation."""
        with pytest.raises(Exception, match="frozen"):
            glycinate.amount_per_unit = 5  # type: ignore[misc]

    def test_replace_validates(self, glycinate: mgplan.Product) -> None:
        """replace() makes a validated copy."""
        assert 50 == glycinate.replace(amount_per_unit=50).amount_per_unit
        with pytest.raises(mgplan.InvalidInputError):
            glycinate.replace(amount_per_unit=-1)


class TestDose:
    @pytest.mark.parametrize(
        ("text", "amount", "unit"),
        [
            ("200 mg", 200, "mg"),
            ("200mg", 200, "mg"),
            ("2 capsules", 2, "units"),
            ("1.5 tablets", 1.5, "units"),
            ("1 scoop", 1, "units"),
            ("150 mg elemental", 150, "mg"),
        ],
    )
    def test_parse(self, text: str, amount: float, unit: str) -> None:
        """Doses parse from the text people write."""
        dose = mgplan.Dose.parse(text)
        assert (amount, unit) == (dose.amount, dose.unit)

    def test_number_means_mg(self) -> None:
        """A bare number is elemental mg."""
        assert mgplan.Dose(amount=200) == mgplan.Dose.model_validate(200)

    @pytest.mark.parametrize("text", ["lots", "200 furlongs", "-5 mg", "0 mg"])
    def test_bad_text(self, text: str) -> None:
        """Nonsense, unknown units and non-positive amounts are refused."""
        with pytest.raises(mgplan.InvalidInputError):
            mgplan.Dose.parse(text)

    def test_units_to_mg(self, glycinate: mgplan.Product) -> None:
        """A dose in units is converted with the product."""
        assert 300 == mgplan.Dose.parse("3 capsules").to_mg(glycinate)


class TestRegimen:
    def base(self, glycinate: mgplan.Product, **changes: object) -> dict[str, object]:
        return {
            "product": glycinate,
            "start_date": dt.date(2026, 12, 1),
            "tz": "Europe/Berlin",
            **changes,
        }

    def test_defaults_are_the_standard_preset(self, glycinate: mgplan.Product) -> None:
        """A regimen with no ladder given is the 'standard' preset."""
        plain = mgplan.Regimen(**self.base(glycinate))  # type: ignore[arg-type]
        preset = mgplan.Regimen.from_preset("standard", **self.base(glycinate))
        assert "standard" == preset.preset
        assert plain.model_dump(exclude={"preset"}) == preset.model_dump(
            exclude={"preset"}
        )

    def test_preset_key_fills_unset_fields(self, glycinate: mgplan.Product) -> None:
        """A preset fills what is not given; given fields win."""
        r = mgplan.Regimen(
            **self.base(
                glycinate,
                preset="gentle",  # type: ignore[arg-type]
                target_dose="150 mg",
            )
        )
        assert (14, 150.0) == (r.step_interval_days, r.target_mg)

    def test_default_id_is_not_derived(self, glycinate: mgplan.Product) -> None:
        """Without an id, the id is the same whatever the form or start, so
        calendar UIDs never drift with them; it is not a typed value."""
        r = mgplan.Regimen(**self.base(glycinate))  # type: ignore[arg-type]
        moved = r.replace(start_date=dt.date(2026, 12, 8))
        assert "plan" == r.id == moved.id
        assert not r.typed("id")

    def test_unknown_zone(self, glycinate: mgplan.Product) -> None:
        """An unknown zone names the field and says what is expected."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(**self.base(glycinate, tz="Mars/Olympus"))  # type: ignore[arg-type]
        assert "Regimen.tz" == info.value.field
        assert "Mars/Olympus" == info.value.received
        assert "IANA time zone" in info.value.expected

    def test_slots_out_of_order(self, glycinate: mgplan.Product) -> None:
        """Slots must go in clock order."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(**self.base(glycinate, slots=["21:30", "19:00"]))  # type: ignore[arg-type]
        assert "Regimen.slots[1].time" == info.value.field
        assert "19:00" == info.value.received

    def test_morning_slot_refused(self, glycinate: mgplan.Product) -> None:
        """mgplan plans evening doses only."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(**self.base(glycinate, slots=["08:00"]))  # type: ignore[arg-type]
        assert "evening" in info.value.expected

    def test_target_below_start(self, glycinate: mgplan.Product) -> None:
        """The target may not be below the start dose."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(
                **self.base(
                    glycinate,
                    start_dose="200 mg",  # type: ignore[arg-type]
                    target_dose="100 mg",
                )
            )
        assert "Regimen.target_dose" == info.value.field

    def test_several_problems_are_all_reported(self, glycinate: mgplan.Product) -> None:
        """Every field problem is listed, not only the first."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(
                **self.base(
                    glycinate,
                    tz="Nowhere",  # type: ignore[arg-type]
                    step_interval_days=0,
                )
            )
        fields = {p.field for p in info.value.problems}
        assert {"Regimen.tz", "Regimen.step_interval_days"} == fields

    def test_unknown_field(self, glycinate: mgplan.Product) -> None:
        """A misspelt field is an error, not silently ignored."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(**self.base(glycinate, target="300 mg"))  # type: ignore[arg-type]
        assert "Regimen.target" == info.value.field

    def test_missing_field(self) -> None:
        """A missing required field says so."""
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(start_date=dt.date(2026, 1, 1), tz="UTC")  # type: ignore[call-arg]
        assert "Regimen.product" == info.value.field
        assert "required" in info.value.expected
        assert "got nothing" in str(info.value)

    def test_unknown_preset(self) -> None:
        """An unknown preset lists the known ones."""
        with pytest.raises(mgplan.InvalidInputError, match="gentle"):
            mgplan.Regimen.from_preset("turbo")


class TestProfile:
    @pytest.mark.parametrize(
        ("limit_set", "age_band", "cap"),
        [
            ("us", "adult", 350),
            ("us", "14-18", 350),
            ("us", "9-13", 350),
            ("us", "4-8", 110),
            ("us", "1-3", 65),
            ("eu", "adult", 250),
            ("eu", "4-8", 250),
        ],
    )
    def test_upper_limits(self, limit_set: str, age_band: str, cap: float) -> None:
        """The cap is the supplemental upper limit of the chosen authority."""
        profile = mgplan.SafetyProfile(limit_set=limit_set, age_band=age_band)  # type: ignore[arg-type]
        assert cap == profile.daily_cap_mg

    def test_no_limit_established(self) -> None:
        """Without an established limit, a clinician must set the cap."""
        profile = mgplan.SafetyProfile(limit_set="eu", age_band="1-3")  # type: ignore[arg-type]
        with pytest.raises(mgplan.InvalidInputError, match="clinician"):
            _ = profile.daily_cap_mg

    def test_override_raises_cap(self) -> None:
        """A clinician override sets the cap and is named as its reason."""
        override = mgplan.ClinicianOverride(
            clinician="Dr Rao",
            reason="documented deficiency",
            date="2026-11-01",
            daily_cap_mg=500,
        )
        profile = mgplan.SafetyProfile(override=override)
        assert 500 == profile.daily_cap_mg
        assert "Dr Rao" in profile.cap_reason

    @pytest.mark.parametrize(
        "condition",
        [c for c, rule in mgplan.CONDITIONS.items() if rule.effect == "refuse"],
    )
    def test_contraindications_refuse(self, condition: mgplan.Condition) -> None:
        """Each condition marked "refuse" refuses planning without an override."""
        with pytest.raises(mgplan.ContraindicationError) as info:
            mgplan.SafetyProfile(conditions=(condition,)).check()
        assert (condition.value,) == info.value.conditions

    def test_low_egfr_means_kidney_disease(self) -> None:
        """An eGFR below 30 counts as severe kidney disease."""
        profile = mgplan.SafetyProfile(egfr=25)
        assert (mgplan.Condition.SEVERE_KIDNEY_DISEASE,) == profile.effective_conditions
        assert (mgplan.Condition.KIDNEY_DISEASE,) == mgplan.SafetyProfile(
            egfr=30
        ).effective_conditions
        assert () == mgplan.SafetyProfile(egfr=60).effective_conditions

    def test_override_allows_a_condition(self) -> None:
        """An override naming the condition lets planning go ahead."""
        override = mgplan.ClinicianOverride(
            clinician="Dr Rao",
            reason="monitored",
            date="2026-11-01",
            allow_conditions=("myasthenia-gravis",),
        )
        profile = mgplan.SafetyProfile(
            conditions=("myasthenia-gravis",), override=override
        )
        profile.check()
        blocked = profile.replace(conditions=("myasthenia-gravis", "heart-block"))
        with pytest.raises(mgplan.ContraindicationError, match="heart block"):
            blocked.check()


class TestDoseWords:
    @pytest.mark.parametrize(
        ("text", "amount", "unit"),
        [
            ("½ tablet", 0.5, "units"),
            ("1/2 tablet", 0.5, "units"),
            ("half a tablet", 0.5, "units"),
            ("0.5 g", 500, "mg"),
            ("4 capsules", 4, "units"),
        ],
    )
    def test_spellings(self, text: str, amount: float, unit: str) -> None:
        """Halves in every common spelling, grams, units."""
        dose = mgplan.Dose.parse(text)
        assert (amount, unit) == (dose.amount, dose.unit)

    def test_the_unit_word_must_be_the_products(self) -> None:
        """'4 tablets' on a capsule product was taken as 4 capsules."""
        product = mgplan.Product(name="C", form="glycinate", amount_per_unit=50)
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.Regimen(
                product=product,
                start_date=dt.date(2027, 1, 4),
                tz="UTC",
                target_dose="4 tablets",
            )
        assert "Regimen.target_dose" == info.value.field
        assert "capsules" in info.value.expected
        assert "4 tablets" == info.value.received

    def test_error_text_says_one_unit(self) -> None:
        """A dose of one unit reads '1 unit', not '1 units'."""
        assert "1 unit" == str(mgplan.Dose(amount=1, unit="units"))


class TestTrusted:
    def test_engine_values_equal_validated_ones(self) -> None:
        """What Model.trusted builds equals what validation builds from it."""
        product = mgplan.Product(name="C", form="glycinate", amount_per_unit=50)
        regimen = mgplan.Regimen(
            product=product, start_date=dt.date(2027, 1, 4), tz="Europe/Berlin"
        )
        day = mgplan.plan(regimen).day(dt.date(2027, 1, 20))
        assert day.intakes
        assert day == mgplan.DayEntry.model_validate(day.model_dump())
        intake = day.intakes[0]
        assert intake == mgplan.Intake.model_validate(intake.model_dump())

    def test_a_missing_field_is_refused_at_once(self) -> None:
        """A bug that forgets a field fails where it is made, not later."""
        with pytest.raises(TypeError, match=r"missing \['missed'\]"):
            mgplan.DayEntry.trusted(
                date=dt.date(2027, 1, 4),
                phase=mgplan.Phase.TITRATING,
                step=1,
                units=1.0,
                elemental_mg=50.0,
                compound_mg=350.0,
                intakes=(),
            )

    def test_made_decision_names_every_field_in_order(self) -> None:
        """``made_decision`` lists the fields by hand, without the name check
        of ``trusted``: a field added to Decision and not to it fails here."""
        from mgplan._schedule import made_decision

        report = mgplan.SideEffectReport(
            date=dt.date(2027, 2, 1), symptom="loose-stools", severity="mild"
        )
        made = made_decision(
            dt.date(2027, 2, 1),
            mgplan.Action.HOLD,
            "Holding.",
            100.0,
            100.0,
            report,
            True,
            "Ask.",
            "mild-hold",
        )
        assert list(made.__dict__) == list(mgplan.Decision.model_fields)
        assert made.model_fields_set == set(mgplan.Decision.model_fields)
        assert made == mgplan.Decision.model_validate(made.model_dump())
        assert report is made.cause


def test_model_copy_with_update_leaves_the_original_alone() -> None:
    """Copying is free for immutable values, but a copy with changes is a new
    value: the original keeps its fields."""
    missed = mgplan.MissedDose(date=dt.date(2027, 3, 1), note="away")
    changed = missed.model_copy(update={"note": "travelling"})
    assert (missed.note, changed.note) == ("away", "travelling")
    assert missed.model_copy() is missed
