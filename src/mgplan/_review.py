"""Is it helping? Baseline nights against the last weeks at the maintenance
dose, with an interval that respects day-to-day correlation.

The method, stated in every review:

- Windows: the baseline evenings (no magnesium) against the last
  ``weeks`` weeks of maintenance evenings up to the review's date.
- Per scale, the difference of the two windows' means, signed so that a
  positive number is an improvement.
- A 95 % interval by a moving-block bootstrap: each window is resampled in
  blocks of consecutive rated nights (circularly), 2,000 times with a fixed
  seed, so that nights that resemble their neighbours are not counted as
  independent evidence (Kunsch 1989 [KUNSCH1989]). A block is about the
  cube root of the window's nights long, at least 2 (Hall, Horowitz and
  Jing 1995 [HALL1995]): 2 nights for a week, 3 for four weeks.
- Verdict on the primary measure (the IRLS total when at least two were
  scored in each window, otherwise the night's mean of the three 0-10
  severity ratings): ``improved`` when the improvement reaches the
  threshold fixed in the plan and the interval excludes no change;
  ``no-clear-change`` otherwise; ``not-enough-data`` with fewer than
  ``MIN_BASELINE_NIGHTS`` rated baseline nights or ``MIN_ON_NIGHTS`` rated
  nights on magnesium.

A before/after comparison is not proof: about 40 % of people improve on
placebo in restless-legs trials [FULDA2008], placebo arms improve by about
6-7 IRLS points, and about 45 % report side effects on placebo [SILVA2017].
Every review says so.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import zlib
from collections.abc import Sequence
from typing import Literal

import pydantic

from ._errors import InvalidInputError
from ._model import Model
from ._outcomes import RATING_SCALES, RlsRating, graded_stools
from ._schedule import Phase, Schedule
from ._text import signed as signed_text
from ._text import table, wrap
from ._tolerance import SideEffectReport
from ._trial import TrialResult, analyse
from ._words import DISCLAIMER

__all__ = [
    "CAVEATS",
    "MIN_BASELINE_NIGHTS",
    "MIN_ON_NIGHTS",
    "Adherence",
    "Review",
    "ScaleResult",
    "Verdict",
    "review",
]

Verdict = Literal["improved", "no-clear-change", "not-enough-data"]

# mgplan's conventions (no published minimum for a personal before/after):
# five baseline nights (most of the default week) and two blocks on magnesium.
MIN_BASELINE_NIGHTS = 5
MIN_ON_NIGHTS = 14
RESAMPLES = 2000
# IRLS totals: a change of 5 points is commonly taken as clinically relevant
# (project reference notes); 0-10 scales: 2 points, mgplan's convention.
THRESHOLD_0_10 = 2.0
THRESHOLD_IRLS = 5.0
SEVERITY = ("falling_asleep", "night", "day_rest")

CAVEATS = (
    "A change is not proof that magnesium helps: in restless-legs trials about "
    "40 % of people improve on placebo (Fulda and Wetter 2008), and side effects "
    "are reported on placebo too (Silva et al. 2017).",
    "Symptoms come and go, and other changes (iron, sleep, other medicines, the "
    "season) can explain a difference. Review it with a clinician.",
)


class ScaleResult(Model, frozen=True):
    """One measure compared across the two windows."""

    scale: str
    higher_is_better: bool
    baseline_mean: float | None
    baseline_nights: int
    on_mean: float | None
    on_nights: int
    improvement: float | None = pydantic.Field(
        description="baseline minus on (plus for a higher-is-better scale): "
        "positive is better"
    )
    ci_low: float | None
    ci_high: float | None
    verdict: Verdict


class Adherence(Model, frozen=True):
    """Evenings with magnesium scheduled before the review's date (and on
    it, once recorded), and what the journal says of them."""

    scheduled: int
    taken: int
    skipped: int
    unrecorded: int
    percent: float | None = pydantic.Field(description="taken / scheduled, in %")
    unplanned: int = pydantic.Field(
        default=0,
        description="evenings logged as taken on which the plan had no magnesium "
        "(paused, stopped, a trial's off block)",
    )


class Review(Model, frozen=True):
    """The answer to "is it helping?", with its method and caveats."""

    plan_id: str
    as_of: dt.date
    baseline: tuple[dt.date, dt.date] | None
    on_magnesium: tuple[dt.date, dt.date] | None
    primary: str
    threshold: float
    scales: tuple[ScaleResult, ...]
    adherence: Adherence
    side_effect_reports: int = pydantic.Field(
        description="side-effect reports, typed or graded from stool entries"
    )
    side_effect_decisions: int
    side_effects_without_magnesium: int = pydantic.Field(
        default=0,
        description="of the side-effect reports, those about an evening "
        "without magnesium (before the start, the baseline, a pause or stop, "
        "a trial's off block, a skipped evening): side effects come without "
        "it too",
    )
    verdict: Verdict
    trial: TrialResult | None = pydantic.Field(
        default=None, description="the n-of-1 trial's answer, when the plan has one"
    )
    summary: str
    method: str
    caveats: tuple[str, ...] = CAVEATS
    disclaimer: str = DISCLAIMER

    def text(self) -> str:
        """The review as text: verdict, measures, adherence, method, caveats."""
        return _text(self)

    def result(self, scale: str) -> ScaleResult:
        """The result for *scale* (KeyError if it was not compared)."""
        for found in self.scales:
            if found.scale == scale:
                return found
        raise KeyError(scale)


def review(
    schedule: Schedule,
    *,
    as_of: dt.date | None = None,
    weeks: int = 4,
    threshold: float | None = None,
) -> Review:
    """Compare the baseline nights with the last *weeks* weeks at the
    maintenance dose up to *as_of* (default: the schedule's ``as_of``, else
    its last day). The evening of *as_of* counts towards adherence once it is
    recorded (taken or skipped): the dose may be still to come. *threshold*
    overrides the plan's (``Regimen.review_threshold``; default 2 points on
    the 0-10 scales, 5 on IRLS totals)."""
    # What the review compares, checked as the regimen checks its own
    # threshold: weeks=0 took every week ([-0:]), a negative count a window
    # from the start, a NaN threshold made every verdict "not improved".
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not 1 <= weeks <= 520:
        raise InvalidInputError("weeks", "a whole number of weeks from 1 to 520", weeks)
    if threshold is not None and (
        isinstance(threshold, bool)
        or not isinstance(threshold, int | float)
        or not 0 < threshold <= 40  # False for NaN
    ):
        raise InvalidInputError(
            "threshold", "a number of points above 0, at most 40 (or None)", threshold
        )
    regimen = schedule.regimen
    today = as_of or schedule.as_of or schedule.end
    baseline = (
        (regimen.start_date, regimen.dose_start - dt.timedelta(1))
        if regimen.baseline_days
        else None
    )
    maintained = [
        d.date
        for d in schedule.days
        if d.phase is Phase.MAINTAINING and d.intakes and d.date <= today
    ][-weeks * 7 :]
    on = (maintained[0], maintained[-1]) if maintained else None
    ratings = schedule.ratings

    def window(span: tuple[dt.date, dt.date] | None) -> list[RlsRating]:
        if span is None:
            return []
        return [r for r in ratings if span[0] <= r.date <= span[1]]

    before, after = window(baseline), window(on)
    seed = zlib.crc32(schedule.plan_id.encode())
    scales = [
        _compare(name, better, before, after, seed)
        for name, (_, better) in RATING_SCALES.items()
    ]
    scales.append(_compare("irls_total", False, before, after, seed, minimum=2))
    severity = _compare("severity", False, before, after, seed)
    irls = scales[-1]
    use_irls = irls.baseline_nights >= 2 and irls.on_nights >= 2
    primary = irls if use_irls else severity
    limit = threshold
    if limit is None:
        limit = regimen.review_threshold
    if limit is None:
        limit = THRESHOLD_IRLS if use_irls else THRESHOLD_0_10
    verdict = _verdict(primary, limit)
    primary = primary.replace(verdict=verdict)
    results = (primary, *(s for s in scales if s.scale != primary.scale))
    adherence = _adherence(
        schedule, today, during=(as_of or schedule.as_of) is not None
    )
    reports = [
        r
        for r in (
            *schedule.reports,
            *graded_stools(schedule.stools, regimen.dose_start),
        )
        if r.date <= today
    ]
    decisions = [
        d
        for d in schedule.decisions
        if isinstance(d.cause, SideEffectReport) and d.date <= today
    ]
    all_blocks = schedule.trial_blocks()
    blocks = [b for b in all_blocks if b.start <= today]
    trial = None
    if blocks:
        # A night counts for its block only when its evening was as the arm
        # says: magnesium taken as planned in an on block (not paused, not
        # titrating again after a pause, not skipped), none in an off block.
        on_doses: dict[dt.date, float] = {}
        as_planned: set[dt.date] = set()
        for d in schedule.days:
            if d.phase is Phase.TRIAL_ON and d.intakes and not d.missed:
                on_doses[d.date] = d.elemental_mg
                as_planned.add(d.date)
            elif d.phase is Phase.TRIAL_OFF:
                as_planned.add(d.date)
        nightly = {
            r.date: v
            for r in ratings
            if r.date <= today
            and r.date in as_planned
            and (v := _value(r, "severity")) is not None
        }
        trial = analyse(
            blocks,
            nightly,
            threshold
            if threshold is not None
            else regimen.review_threshold or THRESHOLD_0_10,
            doses=on_doses,
            over=today > all_blocks[-1].end,
        )
    # The block lengths used, once there was an interval to work out.
    resampled = (
        f"blocks of {_block_length(primary.baseline_nights)} and "
        f"{_block_length(primary.on_nights)} nights"
        if primary.ci_low is not None
        else "blocks of about the cube root of each window's nights, at least 2"
    )
    return Review(
        trial=trial,
        plan_id=schedule.plan_id,
        as_of=today,
        baseline=baseline,
        on_magnesium=on,
        primary=primary.scale,
        threshold=limit,
        scales=results,
        adherence=adherence,
        side_effect_reports=len(reports),
        side_effect_decisions=len(decisions),
        side_effects_without_magnesium=sum(
            _without_magnesium(schedule, r) for r in reports
        ),
        verdict=verdict,
        summary=_summary(primary, verdict, limit, baseline, on),
        method=(
            f"Baseline nights against the last {weeks} weeks at the maintenance "
            "dose; difference of means with a 95 % moving-block bootstrap "
            f"interval ({resampled}, {RESAMPLES:,} resamples, seed {seed}); verdict on "
            f"{primary.scale.replace('_', ' ')} against a threshold of {limit:g} "
            "points fixed in advance."
        ),
    )


def _without_magnesium(schedule: Schedule, report: SideEffectReport) -> bool:
    """Whether the evening *report* is about had no magnesium: before the
    plan, or a day without intakes or skipped. An evening past the plan's
    end (a late report about its last) had what the last day had."""
    evening = min(report.dose_date, schedule.end)
    if evening < schedule.start:
        return True
    day = schedule.day(evening)
    return not day.intakes or day.missed


def _value(rating: RlsRating, scale: str) -> float | None:
    """One night's value of *scale*; "severity" is the mean of the severity
    ratings given that night."""
    if scale == "severity":
        given = [v for n in SEVERITY if (v := getattr(rating, n)) is not None]
        return statistics.fmean(given) if given else None
    value = getattr(rating, scale)
    return None if value is None else float(value)


def _values(entries: Sequence[RlsRating], scale: str) -> list[float]:
    return [v for r in entries if (v := _value(r, scale)) is not None]


def _compare(
    scale: str,
    higher_is_better: bool,
    before: Sequence[RlsRating],
    after: Sequence[RlsRating],
    seed: int,
    *,
    minimum: int | None = None,
) -> ScaleResult:
    a, b = _values(before, scale), _values(after, scale)
    enough = len(a) >= (minimum or MIN_BASELINE_NIGHTS) and len(b) >= (
        minimum or MIN_ON_NIGHTS
    )
    sign = 1.0 if higher_is_better else -1.0
    improvement = low = high = None
    if a and b:
        improvement = round(sign * (statistics.fmean(b) - statistics.fmean(a)), 3)
    if enough:
        rng = random.Random(seed)
        diffs = sorted(
            sign * (_block_mean(b, rng) - _block_mean(a, rng)) for _ in range(RESAMPLES)
        )
        low = round(diffs[int(0.025 * RESAMPLES)], 3)
        high = round(diffs[int(0.975 * RESAMPLES) - 1], 3)
    return ScaleResult(
        scale=scale,
        higher_is_better=higher_is_better,
        baseline_mean=round(statistics.fmean(a), 3) if a else None,
        baseline_nights=len(a),
        on_mean=round(statistics.fmean(b), 3) if b else None,
        on_nights=len(b),
        improvement=improvement,
        ci_low=low,
        ci_high=high,
        verdict="not-enough-data" if not enough else "no-clear-change",
    )


def _block_length(n: int) -> int:
    """About n ** (1/3) nights, at least 2 and at most n [HALL1995]."""
    root: float = n ** (1 / 3)
    return min(n, max(2, round(root)))


def _block_mean(values: Sequence[float], rng: random.Random) -> float:
    """The mean of one moving-block (circular) resample of *values*."""
    n = len(values)
    length = _block_length(n)
    total, count = 0.0, 0
    while count < n:
        start = rng.randrange(n)
        for k in range(min(length, n - count)):
            total += values[(start + k) % n]
            count += 1
    return total / n


def _verdict(result: ScaleResult, threshold: float) -> Verdict:
    if result.ci_low is None or result.improvement is None:
        return "not-enough-data"
    if result.improvement >= threshold and result.ci_low > 0:
        return "improved"
    return "no-clear-change"


def _summary(
    primary: ScaleResult,
    verdict: Verdict,
    threshold: float,
    baseline: tuple[dt.date, dt.date] | None,
    on: tuple[dt.date, dt.date] | None,
) -> str:
    name = primary.scale.replace("_", " ")
    if verdict == "not-enough-data":
        if baseline is None:
            return (
                "Not enough data: the plan has no baseline (baseline_days = 0), "
                "so there is nothing without magnesium to compare with."
            )
        if on is None:
            return "Not enough data: no evenings at the maintenance dose yet."
        return (
            f"Not enough data: {primary.baseline_nights} rated baseline nights "
            f"(at least {MIN_BASELINE_NIGHTS} needed) and {primary.on_nights} "
            f"rated nights on magnesium (at least {MIN_ON_NIGHTS} needed)."
        )
    change = (
        f"{name}: {primary.baseline_mean:.1f} at baseline, {primary.on_mean:.1f} on "
        f"magnesium, an improvement of {format_change(primary.improvement, True)} "
        f"(95 % interval {format_change(primary.ci_low, True)} to "
        f"{format_change(primary.ci_high, True)})"
    )
    if verdict == "improved":
        return f"Improved: {change}, at least the {threshold:g} points set in advance."
    return (
        f"No clear change: {change}; an improvement needs at least "
        f"{threshold:g} points with an interval above zero."
    )


def _adherence(schedule: Schedule, today: dt.date, *, during: bool) -> Adherence:
    """The dosed evenings up to *today*. When the review is made *during*
    that day (a date was given, not the plan's end), its evening counts once
    recorded: tonight's dose, still to come, is not "not recorded"."""
    evenings = {d.date for d in schedule.days if d.intakes and d.date <= today}
    logged = {t.date for t in schedule.taken if t.date <= today}
    taken = logged & evenings
    unplanned = len(logged - evenings)
    skipped = {m.date for m in schedule.missed} & evenings
    if during and today not in taken and today not in skipped:
        evenings.discard(today)
    scheduled = len(evenings)
    return Adherence(
        scheduled=scheduled,
        taken=len(taken),
        skipped=len(skipped),
        unrecorded=scheduled - len(taken) - len(skipped),
        percent=round(100 * len(taken) / scheduled, 1) if scheduled else None,
        unplanned=unplanned,
    )


def differences_text(trial: TrialResult) -> str:
    """The trial's per-pair differences (off minus on), signed, in order."""
    return ", ".join(signed_text(d) for d in trial.differences) or "none yet"


def side_effects_text(result: Review) -> str:
    """What a review says of the side effects reported, without the plan's
    decisions about them (the clinician's summary lists those)."""
    text = f"Side effects: {result.side_effect_reports} reported or graded from stools"
    without = result.side_effects_without_magnesium
    if without:
        text += (
            f", {without} of them after an evening without magnesium (the "
            "baseline, a pause, an off block, a skipped evening)"
        )
    return text


def unplanned_text(adherence: Adherence) -> str:
    """What a review says of doses logged on evenings without one."""
    n = adherence.unplanned
    if not n:
        return ""
    return (
        f" Taken on {n} evening{'s' if n != 1 else ''} the plan had no "
        "magnesium (paused, stopped or a trial's off block)."
    )


def scale_name(scale: str, higher_is_better: bool) -> str:
    """A measure's name for a table ("sleep satisfaction (higher is better)")."""
    return scale.replace("_", " ") + (" (higher is better)" if higher_is_better else "")


def format_change(value: float | None, signed: bool = False) -> str:
    """A mean or a change to one decimal, "-" when there is none."""
    if value is None:
        return "-"
    return signed_text(value) if signed else f"{value:.1f}"


def _text(result: Review) -> str:
    lines = [f"Review of plan {result.plan_id} as of {result.as_of}"]
    if result.baseline is not None:
        first, last = result.baseline
        lines.append(f"Baseline (no magnesium): {first} to {last}.")
    if result.on_magnesium is not None:
        on = result.on_magnesium
        lines.append(f"On magnesium, at the maintenance dose: {on[0]} to {on[1]}.")
    lines += ["", wrap(f"Verdict: {result.verdict}. {result.summary}"), ""]
    rows = [
        ("measure", "baseline", "on Mg", "change", "95 % interval", "nights", "role")
    ]
    for s in result.scales:
        interval = (
            f"{format_change(s.ci_low, True)} to {format_change(s.ci_high, True)}"
            if s.ci_low is not None
            else "-"
        )
        rows.append(
            (
                scale_name(s.scale, s.higher_is_better),
                format_change(s.baseline_mean),
                format_change(s.on_mean),
                format_change(s.improvement, True),
                interval,
                f"{s.baseline_nights}/{s.on_nights}",
                "primary" if s.scale == result.primary else "",
            )
        )
    lines.append(table(rows))
    lines.append("(change: positive is better; nights: baseline/on magnesium)")
    a = result.adherence
    percent = f" ({a.percent:g} %)" if a.percent is not None else ""
    lines += [
        "",
        f"Adherence: taken {a.taken} of {a.scheduled} evenings{percent}; "
        f"skipped {a.skipped}; not recorded {a.unrecorded}." + unplanned_text(a),
        side_effects_text(result)
        + f"; {result.side_effect_decisions} plan decisions about them.",
        "",
        wrap(f"Method: {result.method}"),
    ]
    if result.trial is not None:
        t = result.trial
        lines += [
            "",
            wrap(f"n-of-1 trial: {t.verdict}. {t.summary}"),
            f"Per pair (off minus on severity, positive is better): "
            f"{differences_text(t)}.",
        ]
    lines += [wrap(c) for c in result.caveats]
    return "\n".join(lines)
