"""Iron first: the AASM 2024 thresholds, and where the advice shows."""

from __future__ import annotations

import datetime as dt

import pytest

import mgplan
from mgplan._engine import plan_history
from mgplan._iron import FERRITIN_LOW_NG_ML, TSAT_LOW_PERCENT

D = dt.date.fromisoformat


def regimen() -> mgplan.Regimen:
    product = mgplan.Product(name="G50", form="glycinate", amount_per_unit=50)
    return mgplan.Regimen(
        id="iron", product=product, start_date=D("2027-03-01"), tz="Europe/Berlin"
    )


def iron(s: mgplan.Schedule) -> list[mgplan.Decision]:
    return [d for d in s.decisions if d.rule == "iron"]


def with_result(**result: object) -> mgplan.Schedule:
    ferritin = mgplan.Ferritin(date=D("2027-02-01"), **result)  # type: ignore[arg-type]
    return mgplan.plan(regimen(), mgplan.SafetyProfile(ferritin=ferritin))


class TestAdvice:
    def test_no_result_asks_for_iron_studies(self) -> None:
        (decision,) = iron(mgplan.plan(regimen()))
        assert D("2027-03-01") == decision.date
        assert "No ferritin result is recorded" in decision.message
        assert "Ask a clinician about iron studies (AASM 2024)." == decision.suggestion

    @pytest.mark.parametrize(
        ("result", "asks"),
        [
            ({"ng_ml": FERRITIN_LOW_NG_ML}, True),  # "75 or less"
            ({"ng_ml": FERRITIN_LOW_NG_ML + 1}, False),
            ({"ng_ml": 120, "tsat_percent": TSAT_LOW_PERCENT - 1}, True),
            ({"ng_ml": 120, "tsat_percent": TSAT_LOW_PERCENT}, False),
        ],
    )
    def test_thresholds(self, result: dict[str, float], asks: bool) -> None:
        (decision,) = iron(with_result(**result))
        assert asks == bool(decision.suggestion)

    def test_a_result_over_a_year_old_is_not_current(self) -> None:
        ferritin = mgplan.Ferritin(date=D("2026-02-27"), ng_ml=150)
        s = mgplan.plan(regimen(), mgplan.SafetyProfile(ferritin=ferritin))
        (decision,) = iron(s)
        assert "over a year old" in decision.message
        assert decision.suggestion

    def test_a_later_result_in_the_journal_is_read_on_its_day(self) -> None:
        """A low result logged mid-plan adds its advice on its date; the
        dose is unchanged: mgplan does not treat iron."""
        entry = mgplan.Ferritin(date=D("2027-03-20"), ng_ml=40)
        s = mgplan.plan(regimen(), journal=[entry])
        assert [D("2027-03-01"), D("2027-03-20")] == [d.date for d in iron(s)]
        assert "40 ng/mL" in iron(s)[-1].message
        assert s.days == mgplan.plan(regimen()).days

    def test_the_dose_decision_stays_the_latest_of_the_start_day(self) -> None:
        s = mgplan.plan(regimen())
        latest = s.latest_decision(D("2027-03-01"))
        assert latest is not None
        assert "start" == latest.rule

    def test_history_reads_a_result_from_before_the_plan(self) -> None:
        """A result dated before the start changes the plan from its first
        day: the version without it must still say "no result"."""
        good = mgplan.Ferritin(date=D("2027-02-01"), ng_ml=130, tsat_percent=30)
        s = mgplan.plan(regimen(), journal=[good])
        (before_it,) = [v for _, v in plan_history(s)]
        assert not iron(s)[0].suggestion
        assert iron(before_it)[0].suggestion
        assert iron(before_it) == iron(mgplan.plan(regimen()))


class TestEveningIron:
    def test_evening_iron_suggests_the_morning(self) -> None:
        medicine = mgplan.SafetyProfile.model_validate(
            {"medicines": [{"name": "ferrous sulfate", "times": ["20:00"]}]}
        )
        s = mgplan.plan(regimen(), medicine)
        assert any("move to the morning" in x for x in s.suggestions)

    def test_morning_iron_is_left_alone(self) -> None:
        medicine = mgplan.SafetyProfile.model_validate(
            {"medicines": [{"name": "ferrous sulfate", "times": ["08:00"]}]}
        )
        s = mgplan.plan(regimen(), medicine)
        assert not any("move to the morning" in x for x in s.suggestions)
