"""What notes written on a phone become, and what they change in the plan.

``mgplan sync --tasks`` puts one task per dose on a CalDAV calendar; ticking
a task off, cancelling it, or writing a short note on it is read back into
the journal by the next sync. This script shows the reading part without a
server: ``mgplan.parse_note`` turns the notes of three evenings into journal
entries, and the plan is made again with them, as the sync does.

Run it: ``python examples/phone_notes.py``.
"""

import datetime as dt

import mgplan

D = dt.date.fromisoformat
regimen = mgplan.Regimen(
    id="phone-demo",
    product=mgplan.Product(
        name="Magnesium glycinate 100 mg", form="glycinate", amount_per_unit=100
    ),
    start_date=D("2027-03-01"),
    tz="Europe/Berlin",
    start_dose="100 mg",
    step="100 mg",
    target_dose="200 mg",
    slots=["21:00 at bedtime"],
)
TODAY = D("2027-03-13")

# Each evening's dose task: ticked off (True) or not, and its notes.
tasks = {
    D("2027-03-09"): (True, "legs 5 sleep 6"),
    D("2027-03-10"): (True, "loose stools moderate\nlegs 4, sleep 5"),
    D("2027-03-11"): (False, "skipped"),
}

Entry = (
    mgplan.Taken
    | mgplan.MissedDose
    | mgplan.SideEffectReport
    | mgplan.Stools
    | mgplan.RlsRating
)
journal: list[Entry] = []
for evening, (ticked, text) in sorted(tasks.items()):
    # A note on a task is about its evening and the night after.
    note = mgplan.parse_note(text, evening=evening, day=evening + dt.timedelta(1))
    found: list[Entry] = list(note.entries)
    if note.skipped:
        found.insert(0, mgplan.MissedDose(date=evening))
    elif ticked:
        found.insert(0, mgplan.Taken(date=evening, note="ticked off"))
    for entry in found:
        journal.append(entry)
        print(f"{evening}  {entry.describe()}")

# A note that does not read is reported and skipped, never guessed.
try:
    mgplan.parse_note("legs sometimes", evening=TODAY, day=TODAY)
except mgplan.InvalidInputError as error:
    print(f"Not read: {error}")

before = mgplan.plan(regimen, as_of=TODAY)
after = mgplan.plan(regimen, journal=journal, as_of=TODAY)
for decision in after.decisions:
    if decision not in before.decisions:
        print(f"[{decision.rule}] {decision.message}")
tonight = after.day(TODAY)
print(f"Tonight ({TODAY}): {after.describe_dose(tonight)}")
print(mgplan.DISCLAIMER)
