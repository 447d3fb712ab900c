"""A custom product: a magnesium chloride solution dosed in ml, EU limits.

The label gives 200 mg magnesium chloride hexahydrate per ml (the salt's mass),
so mgplan works out the elemental amount itself. The person follows the EU
upper limit (250 mg/day) and doses in three evening slots.

Run it: ``python examples/custom_product.py``.
"""

import datetime as dt

import mgplan

product = mgplan.Product(
    name="Magnesium chloride solution",
    form="chloride_hexahydrate",
    amount_per_unit=200,
    basis="compound",
    unit="ml",
    units_per_container=250,
)
print(
    f"One ml holds {product.elemental_per_unit:.1f} mg elemental magnesium "
    f"({product.compound_per_unit:g} mg {product.magnesium_form.name})."
)
regimen = mgplan.Regimen(
    id="chloride-demo",
    product=product,
    start_date=dt.date(2027, 1, 4),
    tz="Australia/Sydney",
    start_dose="50 mg",
    step="50 mg",
    step_interval_days=10,
    target_dose="150 mg",
    max_single_dose="60 mg",
    slots=["18:00 with dinner", "20:00", "22:00 at bedtime"],
    maintenance_days=30,
)
profile = mgplan.SafetyProfile(limit_set="eu")
schedule = mgplan.plan(regimen, profile)

print(f"Daily cap: {schedule.cap_reason}")
for decision in schedule.decisions:
    print(f"{decision.date}  {decision.message}")
for step in schedule.steps():
    times = ", ".join(
        f"{i.at:%H:%M} {product.describe_units(i.units)}" for i in step.intakes
    )
    print(f"{step.start} to {step.end}: {step.elemental_mg:.1f} mg ({times})")
print()
print(mgplan.DISCLAIMER)
