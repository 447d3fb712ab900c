"""A severe side effect pauses the plan; recording that it has gone restarts it.

The person reports severe diarrhoea at 200 mg. The plan pauses for at least
a week and then waits until the symptoms are recorded as gone (here by
`mgplan resolved`; from a phone, by ticking off the pause's task or writing
"symptoms gone" in a journal note). The calendar shows the pause as an
all-day event saying what ends it, and the plan restarts one amount lower,
which becomes its ceiling.

Run it: ``python examples/pause_and_restart.py``.
"""

import datetime as dt

import mgplan
from mgplan import fhir, ics

product = mgplan.Product(
    name="Magnesium glycinate 100 mg", form="glycinate", amount_per_unit=100
)
regimen = mgplan.Regimen(
    id="pause-demo",
    product=product,
    start_date=dt.date(2027, 3, 1),
    tz="Europe/Berlin",
    start_dose="100 mg",
    step="100 mg",
    target_dose="200 mg",
    slots=["21:00"],
    maintenance_days=28,
)
severe = mgplan.SideEffectReport(
    date=dt.date(2027, 3, 10), symptom="diarrhoea", severity="severe"
)


def pause_notice(schedule: mgplan.Schedule) -> str:
    """The calendar's all-day event about the pause, as a calendar shows it."""
    calendar = ics.to_calendar(schedule, compact=True)
    (event,) = [e for e in calendar.walk("VEVENT") if "-pause-" in str(e["UID"])]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    lines = str(event["DESCRIPTION"]).splitlines()
    return f"{event['SUMMARY']} ({start} to {end - dt.timedelta(1)}): {lines[1]}"


today = dt.date(2027, 3, 20)
waiting = mgplan.plan(regimen, journal=[severe], as_of=today)
print(f"Waiting for: {waiting.waiting_for}")
print(f"FHIR request status on {today}: {fhir.plan_status(waiting, today)}")
print(pause_notice(waiting))
print()

gone = mgplan.Resolved(date=dt.date(2027, 3, 21))
restarted = mgplan.plan(regimen, journal=[severe, gone], as_of=gone.date)
for decision in restarted.decisions:
    if decision.date >= severe.date:
        print(f"{decision.date}  [{decision.rule}] {decision.message}")
print(pause_notice(restarted))
print(f"Ceiling: {restarted.ceiling_mg:g} mg elemental a day")
tonight = restarted.describe_dose(restarted.day(gone.date))
print(f"Tonight ({gone.date}): {tonight}")
print()
print(mgplan.DISCLAIMER)
