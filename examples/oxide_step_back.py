"""An oxide plan where loose stools trigger a step back, then a ceiling.

Magnesium oxide is one of the forms most often reported to cause diarrhoea.
Here the person reports moderate loose stools after the dose goes up; the plan
steps back to the last tolerated dose, retries once, and when the symptom comes
back at the same dose, keeps the lower dose as a ceiling.

Run it: ``python examples/oxide_step_back.py``.
"""

import datetime as dt

import mgplan

product = mgplan.Product(
    name="Magnesium oxide 400 mg, scored tablet",
    form="oxide",
    amount_per_unit=400,  # the salt's mass, as the front of the pack says
    basis="compound",
    unit="tablet",
    splittable=True,  # scored: halves are allowed
)
regimen = mgplan.Regimen(
    id="oxide-demo",
    product=product,
    start_date=dt.date(2027, 3, 1),
    tz="America/New_York",
    start_dose="0.5 tablet",
    step="0.5 tablet",
    target_dose="1 tablet",
    slots=["18:30 with dinner", "21:00 at bedtime"],
    maintenance_days=28,
)
reports = [
    mgplan.SideEffectReport(
        date=dt.date(2027, 3, 10),
        symptom="loose-stools",
        severity="moderate",
        bristol=6,
    ),
    mgplan.SideEffectReport(
        date=dt.date(2027, 3, 19),
        symptom="loose-stools",
        severity="moderate",
    ),
]
schedule = mgplan.plan(regimen, reports=reports)

for decision in schedule.decisions:
    print(f"{decision.date}  [{decision.action}] {decision.message}")
print()
print(f"Ceiling: {schedule.ceiling_mg:g} mg elemental a day")
for step in schedule.steps():
    print(
        f"{step.start} to {step.end}  {step.phase:<12} "
        f"{product.describe_units(step.units)}: {step.elemental_mg:g} mg elemental, "
        f"{step.compound_mg:g} mg magnesium oxide"
    )
print()
print(mgplan.DISCLAIMER)
