"""A glycinate plan: start at 100 mg, +50 mg a week up to 200 mg, with dinner.

Run it: ``python examples/glycinate_plan.py``. It prints tonight's dose and the
whole schedule. mgplan is a planning aid, not medical advice.
"""

import datetime as dt

import mgplan

# A fixed "today" keeps the example's output reproducible; in your own script
# use dt.date.today().
TODAY = dt.date(2026, 12, 10)

product = mgplan.Product(
    name="Magnesium bisglycinate 50 mg",
    form="glycinate",
    amount_per_unit=50,  # elemental, as US Supplement Facts state it
    unit="capsule",
    units_per_container=120,
)
regimen = mgplan.Regimen.from_preset(
    "standard",
    id="glycinate-demo",
    product=product,
    start_date=dt.date(2026, 12, 1),
    tz="Europe/Berlin",
)
schedule = mgplan.plan(regimen, as_of=TODAY)

tonight = schedule.day(TODAY)
print(f"Tonight ({TODAY.isoformat()}): {schedule.describe_dose(tonight)}")
for intake in tonight.intakes:
    print(
        f"  {intake.at:%H:%M} {intake.slot}: "
        f"{product.describe_units(intake.units)} "
        f"= {intake.elemental_mg:g} mg elemental "
        f"({intake.compound_mg:.0f} mg magnesium bisglycinate)"
    )
print()
print("Schedule:")
for step in schedule.steps():
    print(
        f"  {step.start} to {step.end}  {step.phase:<12} "
        f"{product.describe_units(step.units):>11}  {step.elemental_mg:g} mg"
    )
print()
for decision in schedule.decisions:
    print(f"  {decision.date}  {decision.message}")
print()
print(mgplan.DISCLAIMER)
