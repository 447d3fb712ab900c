"""How long mgplan takes: planning, exporting, and starting the command line.

Run: ``python benchmarks/bench.py``. Each figure is the median of repeated
runs after a warm-up, so a busy machine skews it less. The results, with the
machine they ran on, go into the README's performance section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Callable

import mgplan
from mgplan import fhir, ics

START = dt.date(2027, 1, 4)


def regimen(days: int) -> mgplan.Regimen:
    """A 50 mg glycinate ladder to 250 mg over three evening slots."""
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


Logged = mgplan.SideEffectReport | mgplan.Taken | mgplan.RlsRating | mgplan.Stools


def daily_log(reports: list[mgplan.SideEffectReport], days: int) -> list[Logged]:
    """*reports* among a dose taken and a rating every evening and stools
    within the usual every other day, in date order."""
    log: list[Logged] = []
    by_date = {r.date: r for r in reports}
    for i in range(days):
        day = START + dt.timedelta(i)
        log.append(mgplan.Taken(date=day))
        log.append(mgplan.RlsRating(date=day, night=4, sleep_satisfaction=6))
        if i % 2:
            log.append(mgplan.Stools(date=day, count=1, bristol=4))
        if day in by_date:
            log.append(by_date[day])
    return log


def measure(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of *repeat* runs after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_against(
    reference: Callable[[], object], fn: Callable[[], object], repeat: int
) -> tuple[float, float, float, float]:
    """*reference* and *fn* run in turns, so that both see the machine at the
    same speed: their median seconds, the median of the ratios of each
    pair, and *fn*'s fastest run."""
    reference()
    fn()
    refs, times, ratios = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        reference()
        t1 = time.perf_counter()
        fn()
        t2 = time.perf_counter()
        refs.append(t1 - t0)
        times.append(t2 - t1)
        ratios.append((t2 - t1) / (t1 - t0))
    return (
        statistics.median(refs),
        statistics.median(times),
        statistics.median(ratios),
        min(times),
    )


def command(argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and CPU time (user + system) of a fresh Python
    process running *argv*."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    subprocess.run(argv, capture_output=True, check=True, env=env)
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def reference_year() -> None:
    """A fixed pure-Python workload the size of a year: 365 zoned datetimes
    and small dicts. Planning is given as a multiple of it, which moves less
    from machine to machine than milliseconds do."""
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    day, one, at = START, dt.timedelta(1), dt.time(21, 30)
    out = []
    for _ in range(365):
        out.append({"date": day, "at": dt.datetime.combine(day, at, tzinfo=zone)})
        day += one


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    n = args.repeat
    print(f"machine: {machine()}")

    def row(label: str, seconds: float, extra: str = "") -> None:
        print(f"{label:<48} {seconds * 1000:9.2f} ms  {extra}".rstrip())

    year, year_reports = regimen(365), reports(20, 365)
    # Planning is cheap and this is where the target is: more runs, taken in
    # turns with the reference (a busy or throttled machine slows both).
    reference, plan_year, ratio, fastest = measure_against(
        reference_year, lambda: mgplan.plan(year, reports=year_reports), 10 * n
    )
    row("reference: 365 zoned datetimes and dicts", reference)
    row(
        "plan 365 days, 20 reports",
        plan_year,
        f"({ratio:.1f}x the reference, {1 / plan_year:,.0f} plans/s, fastest"
        f" {fastest * 1000:.2f} ms; target 1 ms)",
    )
    # The days and intakes are built when first read: what that adds.
    _, built, built_ratio, _ = measure_against(
        reference_year, lambda: mgplan.plan(year, reports=year_reports).days, 2 * n
    )
    row(
        "  the same, then every day and intake built",
        built,
        f"({built_ratio:.1f}x the reference)",
    )
    # Linear in days and reports: the same report density over 1 to 10 years.
    for years in (2, 5, 10):
        days = 365 * years
        longer, longer_reports = regimen(days), reports(20 * years, days)
        seconds = measure(
            lambda r=longer, x=longer_reports: mgplan.plan(r, reports=x),
            max(3, n // years),
        )
        row(
            f"plan {days:,} days, {20 * years} reports",
            seconds,
            f"({seconds / plan_year:.1f}x the year, {seconds * 1e6 / days:.0f} us/day)",
        )

    schedule = mgplan.plan(year, reports=year_reports)
    # With the history of its 20 reports: the intakes it has now, and those
    # an earlier version had, cancelled.
    written = ics.to_ics(schedule)
    events = written.count(b"BEGIN:VEVENT")
    gone = written.count(b"STATUS:CANCELLED")
    row(
        f"ics, one event per intake ({events:,}, {gone} cancelled)",
        measure(lambda: ics.to_ics(schedule), max(3, n // 4)),
    )
    row(
        "ics, compact (one event per step)",
        measure(lambda: ics.to_ics(schedule, compact=True), n),
    )
    # A person who logs everything: a dose taken and a rating every evening,
    # stools every other day, with the same 20 reports. Each entry is a
    # version of the plan; those that change nothing add nothing to build.
    logged = daily_log(year_reports, 365)
    everything = mgplan.plan(year, journal=logged)
    row(
        f"ics, the year logged every evening ({len(logged):,} entries)",
        measure(lambda: ics.to_ics(everything), max(3, n // 4)),
    )
    row("FHIR Dosage list", measure(lambda: fhir.to_dosages(schedule), n))
    text = schedule.to_json()
    row("schedule to JSON", measure(schedule.to_json, n))
    row("schedule from JSON", measure(lambda: mgplan.Schedule.from_json(text), n))

    python = sys.executable
    bare, bare_cpu = command([python, "-c", "import pydantic"], max(5, n // 2))
    cli, cli_cpu = command([python, "-m", "mgplan", "--help"], max(5, n // 2))
    row(
        "cold start: python -c 'import pydantic'",
        bare,
        f"(CPU {bare_cpu * 1000:.0f} ms)",
    )
    row(
        "cold start: mgplan --help",
        cli,
        f"(CPU {cli_cpu * 1000:.0f} ms, {cli_cpu / bare_cpu:.2f}x pydantic's;"
        " target 1.2x)",
    )


if __name__ == "__main__":
    main()
