"""Hypothesis strategies for mgplan's inputs."""

import datetime as dt
import math

from hypothesis import strategies as st

import mgplan

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "UTC",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Europe/London",
    # Springs forward at 23:00 local: a DST gap inside the evening.
    "America/Nuuk",
]


# Plans whose evenings a clock change reaches: (zone, start, end).
CLOCK_CHANGES = [
    # Skips 2011-12-30 entirely: the one day without intakes.
    ("Pacific/Apia", dt.date(2011, 12, 20), dt.date(2012, 1, 10)),
    # Springs forward at 23:00 local: intakes move within the evening.
    ("America/Nuuk", dt.date(2027, 3, 20), dt.date(2027, 4, 5)),
    # An ordinary year, both changes at night.
    ("Europe/Berlin", dt.date(2027, 1, 4), dt.date(2028, 1, 3)),
]


@st.composite
def products(draw: st.DrawFn) -> mgplan.Product:
    return mgplan.Product(
        name="P",
        form=draw(st.sampled_from(sorted(mgplan.FORMS))),
        amount_per_unit=draw(st.sampled_from([25, 50, 60, 100, 116.7, 120, 200])),
        basis=draw(st.sampled_from(["elemental", "compound"])),
        unit=draw(st.sampled_from(["capsule", "tablet", "scoop", "ml"])),
        splittable=draw(st.booleans()),
    )


@st.composite
def regimens(draw: st.DrawFn) -> mgplan.Regimen:
    product = draw(products())
    per_unit = product.elemental_per_unit
    quantum = per_unit * product.unit_step
    # A typed start below the smallest amount is refused (tested elsewhere).
    # At most 100 units a day: mgplan refuses more than 200 (MAX_UNITS_PER_DAY).
    most = min(350, max(quantum, per_unit * 100))
    start = draw(st.floats(min_value=quantum, max_value=max(quantum, min(200, most))))
    target = draw(st.floats(min_value=start, max_value=max(start, most)))
    hours = sorted(
        draw(st.sets(st.integers(16 * 60, 23 * 60 + 59), min_size=1, max_size=4))
    )
    slots = [dt.time(m // 60, m % 60) for m in hours]
    # Enough room per intake that the target's whole units fit the slots.
    target_quanta = max(1, math.floor(target / quantum + 1e-9))
    per_intake = math.ceil(target_quanta / len(slots))
    max_single = per_intake * quantum + 0.001
    return mgplan.Regimen(
        id="generated",
        product=product,
        start_date=draw(st.dates(dt.date(2025, 1, 1), dt.date(2030, 12, 31))),
        tz=draw(st.sampled_from(ZONES)),
        start_dose=mgplan.Dose(amount=start),
        step=mgplan.Dose(amount=draw(st.floats(min_value=1, max_value=150))),
        step_interval_days=draw(st.integers(1, 21)),
        target_dose=mgplan.Dose(amount=target),
        max_single_dose=mgplan.Dose(amount=max_single),
        slots=slots,
        window_start=dt.time(16, 0),
        window_end=dt.time(23, 59),
        maintenance_days=draw(st.integers(0, 60)),
    )


@st.composite
def side_effects(draw: st.DrawFn, start: dt.date, days: int) -> mgplan.SideEffectReport:
    date = start + dt.timedelta(draw(st.integers(0, days)))
    # Mostly about the evening before; sometimes tonight or a few days back.
    back = draw(st.sampled_from([1, 1, 1, 0, 2, 3]))
    objective = draw(st.booleans())
    return mgplan.SideEffectReport(
        date=date,
        dose_date=date - dt.timedelta(back),
        symptom=draw(st.sampled_from(list(mgplan.Symptom))),
        severity=(
            draw(st.none() | st.sampled_from(list(mgplan.Severity)))
            if objective
            else draw(st.sampled_from(list(mgplan.Severity)))
        ),
        stools_above_baseline=draw(st.integers(0, 9)) if objective else None,
        bristol=draw(st.none() | st.integers(1, 7)),
    )


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[mgplan.Regimen, list[mgplan.SideEffectReport], list[mgplan.MissedDose]]:
    """A regimen with reports and missed doses inside its first weeks."""
    regimen = draw(regimens())
    window = 40
    reports = draw(st.lists(side_effects(regimen.start_date, window), max_size=8))
    missed_days = draw(st.sets(st.integers(0, window), max_size=10))
    missed = [
        mgplan.MissedDose(date=regimen.start_date + dt.timedelta(d))
        for d in sorted(missed_days)
    ]
    return (
        regimen.replace(end_date=regimen.start_date + dt.timedelta(120)),
        reports,
        missed,
    )


@st.composite
def resolutions(draw: st.DrawFn, start: dt.date, days: int) -> list[mgplan.Resolved]:
    """Days on which symptoms were recorded as gone."""
    offsets = draw(st.sets(st.integers(0, days), max_size=3))
    return [mgplan.Resolved(date=start + dt.timedelta(d)) for d in sorted(offsets)]
