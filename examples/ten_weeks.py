"""Ten weeks of one person's journal, and the review it gives.

A week of baseline nights without magnesium, a titration from 100 mg to
200 mg with one mild episode of loose stools (which holds the dose for a
week), then maintenance. Every evening the dose is taken (two are skipped)
and each night is rated on mgplan's four 0-10 scales.

Run it: ``python examples/ten_weeks.py``. It prints the review.
``python examples/ten_weeks.py --write`` rewrites ``ten_weeks.journal.jsonl``
beside ``ten_weeks.toml``, the same plan as a plan file: ``mgplan review
examples/ten_weeks.toml --date 2027-03-14`` gives the same answer.

The ratings are made up (a seeded random walk around a level that falls on
magnesium); the point is the loop, not the numbers. mgplan is a planning aid,
not medical advice, and a review like this is not proof that magnesium helps.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

import mgplan

HERE = Path(__file__).parent

product = mgplan.Product(
    name="Magnesium bisglycinate 50 mg",
    form="glycinate",
    amount_per_unit=50,
    units_per_container=120,
)
regimen = mgplan.Regimen(
    id="ten-weeks",
    product=product,
    start_date=dt.date(2027, 1, 4),
    tz="Europe/Berlin",
    baseline_days=7,
    start_dose=mgplan.Dose.parse("100 mg"),
    step=mgplan.Dose.parse("50 mg"),
    target_dose=mgplan.Dose.parse("200 mg"),
    slots=(mgplan.Slot.parse("19:00 with dinner"), mgplan.Slot.parse("21:30")),
    maintenance_days=47,  # to the end of week ten
)
EPISODE = mgplan.Stools(date=dt.date(2027, 1, 20), count=2, bristol=6)  # at 150 mg
# The journal runs to the plan's last evening (the review day): ten weeks.
TODAY = mgplan.plan(regimen, journal=[EPISODE]).end

profile = mgplan.SafetyProfile(
    ferritin=mgplan.Ferritin(date=dt.date(2026, 12, 14), ng_ml=96, tsat_percent=24)
)


def journal() -> list[
    mgplan.Taken | mgplan.MissedDose | mgplan.RlsRating | mgplan.Stools
]:
    """The ten weeks' entries, in the order they were logged."""
    rng = random.Random(2027)
    skipped = {dt.date(2027, 1, 30), dt.date(2027, 2, 20)}
    entries: list[
        mgplan.Taken | mgplan.MissedDose | mgplan.RlsRating | mgplan.Stools
    ] = []
    day = regimen.start_date
    while day <= TODAY:
        week = (day - regimen.start_date).days // 7
        if day >= regimen.dose_start:
            if day in skipped:
                entries.append(mgplan.MissedDose(date=day))
            else:
                at = dt.time(21, 30 + rng.randrange(0, 25))
                entries.append(mgplan.Taken(date=day, at=at))
        if day < regimen.dose_start or day.weekday() == 6:
            entries.append(mgplan.Stools(date=day, count=1, bristol=4))
        if day == EPISODE.date:
            entries.append(EPISODE)
        # Severity drifts from about 7 (baseline) to about 3.5 from week five.
        level = 7.0 - min(3.5, max(0, week - 1) * 0.9)

        def rate(x: float) -> int:
            return max(0, min(10, round(x + rng.uniform(-1.2, 1.2))))

        entries.append(
            mgplan.RlsRating(
                date=day,
                falling_asleep=rate(level),
                night=rate(level - 0.5),
                day_rest=rate(level - 2),
                sleep_satisfaction=rate(10 - level),
            )
        )
        day += dt.timedelta(1)
    return entries


def main() -> None:
    schedule = mgplan.plan(regimen, profile, journal=journal(), as_of=TODAY)
    if "--write" in sys.argv:
        path = HERE / "ten_weeks.journal.jsonl"
        path.write_text(
            "".join(e.model_dump_json() + "\n" for e in journal()), encoding="utf-8"
        )
        print(f"Wrote {path}")
    for decision in schedule.decisions:
        if decision.cause is not None:
            print(f"{decision.date} [{decision.rule}] {decision.message}")
    print()
    print(mgplan.review(schedule).text())


if __name__ == "__main__":
    main()
