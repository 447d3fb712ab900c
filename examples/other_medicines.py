"""Other medicines: intakes move to keep their distance, or are left out.

The person takes levothyroxine at 07:00 (far from the evening: nothing
moves) and, for ten days, an iron tablet at 20:00 that no evening time can
be kept 4 h from. Those evenings have no magnesium: the dose does not rise
on them, and the first evening after the course restarts at the start dose,
as after ten missed evenings, rather than at the step the calendar had
reached. Each change is a decision in the schedule, and the ones that need
a pharmacist's or clinician's word say so.

Run it: ``python examples/other_medicines.py``.
"""

import datetime as dt

import mgplan

product = mgplan.Product(
    name="Magnesium glycinate 100 mg", form="glycinate", amount_per_unit=100
)
regimen = mgplan.Regimen(
    id="medicines-demo",
    product=product,
    start_date=dt.date(2027, 3, 1),
    tz="Europe/Berlin",
    start_dose="100 mg",
    step="100 mg",
    target_dose="300 mg",
    slots=["19:00 with dinner", "21:30 at bedtime"],
    maintenance_days=28,
)
profile = mgplan.SafetyProfile(
    medicines=[
        mgplan.Medicine(name="levothyroxine", times=["07:00"]),
        mgplan.Medicine(
            name="ferrous sulfate",
            times=["20:00"],
            start=dt.date(2027, 3, 10),
            end=dt.date(2027, 3, 19),
        ),
    ]
)
schedule = mgplan.plan(regimen, profile)

for decision in schedule.decisions:
    flag = "  (ask a clinician or pharmacist)" if decision.consult_clinician else ""
    print(f"{decision.date}  [{decision.rule}] {decision.message}{flag}")
print()
for day in (dt.date(2027, 3, 9), dt.date(2027, 3, 15), dt.date(2027, 3, 20)):
    print(f"{day}: {schedule.describe_dose(schedule.day(day))}")
print()
print(schedule.disclaimer)
