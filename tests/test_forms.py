import re

import pytest

import mgplan

# IUPAC standard atomic weights (abridged), as in the project's reference notes.
ATOMIC = {
    "Mg": 24.305,
    "C": 12.011,
    "H": 1.008,
    "O": 15.999,
    "N": 14.007,
    "Cl": 35.45,
    "S": 32.06,
}


def _count(formula: str) -> dict[str, int]:
    """Atoms in a formula such as 'Mg3(C6H5O7)2·9H2O' (independent of mgplan)."""
    total: dict[str, int] = {}
    for part in formula.split("·"):
        lead = re.match(r"^(\d+)", part)
        factor = int(lead.group(1)) if lead else 1
        part = part[lead.end() :] if lead else part
        for element, n in _parse(part).items():
            total[element] = total.get(element, 0) + n * factor
    return total


def _parse(text: str) -> dict[str, int]:
    stack: list[dict[str, int]] = [{}]
    for token in re.findall(r"[A-Z][a-z]?\d*|\(|\)\d*", text):
        if token == "(":
            stack.append({})
        elif token.startswith(")"):
            group = stack.pop()
            n = int(token[1:] or 1)
            for el, c in group.items():
                stack[-1][el] = stack[-1].get(el, 0) + c * n
        else:
            el, digits = re.match(r"([A-Z][a-z]?)(\d*)", token).groups()  # type: ignore[union-attr]
            stack[-1][el] = stack[-1].get(el, 0) + int(digits or 1)
    return stack[0]


class TestCatalogue:
    @pytest.mark.parametrize("form", list(mgplan.FORMS.values()), ids=lambda f: f.id)
    def test_fraction_recomputed_from_atomic_masses(
        self, form: mgplan.MagnesiumForm
    ) -> None:
        """Each shipped fraction matches n·24.305/M computed from its formula."""
        atoms = _count(form.formula)
        mass = sum(ATOMIC[el] * n for el, n in atoms.items())
        assert atoms["Mg"] == form.mg_atoms
        assert mass == pytest.approx(form.molar_mass, abs=0.02)
        assert atoms["Mg"] * ATOMIC["Mg"] / mass == pytest.approx(
            form.elemental_fraction, abs=0.00006
        )

    def test_required_forms_are_catalogued(self) -> None:
        """The salts people buy are all there."""
        required = {
            "oxide",
            "citrate",
            "citrate_nonahydrate",
            "bisglycinate",
            "malate",
            "chloride",
            "chloride_hexahydrate",
            "lactate",
            "l_threonate",
            "taurate",
            "sulfate",
            "carbonate",
            "hydroxide",
            "aspartate",
            "orotate",
            "gluconate",
        }
        assert required <= set(mgplan.FORMS)

    @pytest.mark.parametrize("form", list(mgplan.FORMS.values()), ids=lambda f: f.id)
    def test_every_form_cites_known_sources(self, form: mgplan.MagnesiumForm) -> None:
        """Each figure names its source, and the source is listed."""
        assert form.sources
        assert set(form.sources) <= set(mgplan.SOURCES)

    def test_gi_tiers_follow_the_sources(self) -> None:
        """ODS's diarrhoea list is high, glycinate alone is lower."""
        for high in ("oxide", "carbonate", "chloride", "gluconate", "sulfate"):
            assert mgplan.GITendency.HIGH == mgplan.get_form(high).gi_tendency
        lower = [
            f.id
            for f in mgplan.FORMS.values()
            if f.gi_tendency is mgplan.GITendency.LOWER
        ]
        assert ["bisglycinate"] == lower


class TestLookup:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("glycinate", "bisglycinate"),
            ("Magnesium-Glycinate", "bisglycinate"),
            ("L-Threonate", "l_threonate"),
            ("oxide", "oxide"),
        ],
    )
    def test_aliases_and_spelling(self, name: str, expected: str) -> None:
        """Everyday names and case or dash variants find the catalogue entry."""
        assert expected == mgplan.get_form(name).id

    def test_unknown_form_names_the_choices(self) -> None:
        """An unknown id raises UnknownFormError listing the known ids."""
        with pytest.raises(mgplan.UnknownFormError) as info:
            mgplan.get_form("unobtainium")
        assert "unobtainium" == info.value.received
        assert "oxide" in info.value.known
        assert isinstance(info.value, mgplan.MgplanError)
        assert isinstance(info.value, ValueError)


class TestConversion:
    def test_both_ways(self) -> None:
        """500 mg trimagnesium citrate carry 80.8 mg magnesium, and back."""
        elemental = mgplan.compound_to_elemental(500, "citrate")
        assert 80.8 == pytest.approx(elemental, abs=0.01)
        assert 500 == pytest.approx(mgplan.elemental_to_compound(elemental, "citrate"))

    def test_gentler_alternatives(self) -> None:
        """Oxide's gentler alternatives start with bisglycinate; it has none."""
        assert "bisglycinate" == mgplan.lower_gi_alternatives("oxide")[0].id
        assert () == mgplan.lower_gi_alternatives("glycinate")

    def test_alternatives_one_per_salt(self) -> None:
        """No salt is suggested twice as its hydrate."""
        salts = [f.salt for f in mgplan.lower_gi_alternatives("oxide")]
        assert len(salts) == len(set(salts))
        assert "magnesium aspartate" in salts
        assert not any("hydrate" in s for s in salts)

    def test_citrate_cites_what_names_it(self) -> None:
        """No source names citrate among the diarrhoea forms, so it is in the
        osmotic tier that IOM's statement about all salts covers."""
        citrate = mgplan.get_form("citrate")
        assert mgplan.GITendency.OSMOTIC == citrate.gi_tendency
        assert "S3" in citrate.sources
        assert "S2" not in citrate.sources


def test_switch_suggestion_ranks_and_cautions() -> None:
    """Moderate intolerance at the lowest oxide dose suggests bisglycinate
    first, each tier with what its evidence is, no hydrate twice."""
    import datetime as dt

    product = mgplan.Product(
        name="Ox", form="oxide", amount_per_unit=400, basis="compound", unit="tablet"
    )
    regimen = mgplan.Regimen(
        product=product,
        start_date=dt.date(2027, 1, 4),
        tz="UTC",
        start_dose="1 tablet",
        target_dose="1 tablet",
    )
    report = mgplan.SideEffectReport(date=dt.date(2027, 1, 6), severity="moderate")
    s = mgplan.plan(regimen, reports=[report], as_of=dt.date(2027, 1, 6))
    (text,) = [x for x in s.suggestions if "lower one" in x]
    assert text.index("bisglycinate") < text.index("malate")
    assert "crossover trial" in text
    assert "no trial" in text
    assert "dihydrate" not in text


def test_unknown_form_suggests_the_nearest() -> None:
    """A typo gets a did-you-mean."""
    with pytest.raises(mgplan.UnknownFormError) as info:
        mgplan.get_form("citrat")
    assert "did you mean 'citrate'" in info.value.expected
