"""How long mgplan takes: planning, exporting, and starting the CLI.

Run: ``python benchmarks/bench.py``. Reports the median of repeated runs, so a
busy machine skews it less; numbers go into the README's performance section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import time
from collections.abc import Callable

import mgplan

START = dt.date(2027, 1, 4)


def regimen(days: int) -> mgplan.Regimen:
    product = mgplan.Product(name="Gly 50", form="glycinate", amount_per_unit=50)
    return mgplan.Regimen(
        id="bench",
        product=product,
        start_date=START,
        tz="Europe/Berlin",
        start_dose="50 mg",
        step="50 mg",
        target_dose="250 mg",
        slots=["18:30 with dinner", "20:00", "21:30 at bedtime"],
        end_date=START + dt.timedelta(days - 1),
    )


def reports(n: int, days: int) -> list[mgplan.SideEffectReport]:
    """n reports spread over the plan, cycling through the severities."""
    severities = ["mild", "mild", "moderate", "mild", "severe"]
    gap = max(1, days // (n + 1))
    return [
        mgplan.SideEffectReport(
            date=START + dt.timedelta(gap * (i + 1)),
            symptom="loose-stools",
            severity=severities[i % len(severities)],
        )
        for i in range(n)
    ]


def measure(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of *repeat* runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}, {platform.system()}"
    )

    year, year_reports = regimen(365), reports(20, 365)
    plan_year = measure(lambda: mgplan.plan(year, reports=year_reports), args.repeat)
    print(f"plan 365 days, 20 reports: {plan_year * 1000:8.2f} ms")

    decade, decade_reports = regimen(3650), reports(200, 3650)
    plan_decade = measure(
        lambda: mgplan.plan(decade, reports=decade_reports), max(3, args.repeat // 4)
    )
    print(
        f"plan 3650 days, 200 reports: {plan_decade * 1000:8.2f} ms "
        f"({plan_decade / plan_year:.1f}x the year)"
    )

    schedule = mgplan.plan(year, reports=year_reports)
    json_text = schedule.to_json()
    print(
        f"JSON dump of the year: "
        f"{measure(schedule.to_json, args.repeat) * 1000:8.2f} ms"
    )
    load = measure(lambda: mgplan.Schedule.from_json(json_text), args.repeat)
    print(f"JSON load of the year: {load * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
