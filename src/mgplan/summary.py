"""A one-page summary for the clinician, as self-contained HTML.

``to_html(schedule)`` is a pure function: the person's plan, the dose over
time and the nightly ratings as inline SVG, the decisions, side effects,
adherence, the review's verdict with its caveats, the sources and the
disclaimer. Nothing is fetched from the network: styles are inline, with a
print style sheet, so "Print to PDF" in any browser gives the page.
Every text that comes from the plan or the journal is escaped.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ._atomic import write_atomic
from ._outcomes import RATING_SCALES
from ._product import format_mg
from ._review import (
    Review,
    differences_text,
    format_change,
    review,
    scale_name,
    side_effects_text,
    unplanned_text,
)
from ._schedule import DISCLAIMER, RED_FLAGS_TEXT, Schedule
from ._sources import SOURCES

__all__ = ["to_html", "write_html"]

_CSS = """
body { font: 11pt/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em;
  color: #111; }
h1 { font-size: 1.5em; margin-bottom: 0; }
h2 { font-size: 1.15em; border-bottom: 1px solid #999; margin-top: 1.4em; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { text-align: left; padding: 0.2em 0.5em; border-bottom: 1px solid #ddd;
  vertical-align: top; }
.verdict { font-weight: bold; font-size: 1.1em; }
.note { color: #444; font-size: 0.9em; }
.flag { border: 1px solid #b00; padding: 0.5em; }
svg { width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 9.5pt; }
  h2 { break-after: avoid; }
  table, svg { break-inside: avoid; }
}
""".strip()


def to_html(schedule: Schedule, result: Review | None = None) -> str:
    """The summary page of *schedule* (with *result*, else ``review(schedule)``)."""
    result = result if result is not None else review(schedule)
    r = schedule.regimen
    product = r.product
    form = product.magnesium_form
    title = f"mgplan summary: {r.id}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">As of {result.as_of}. {escape(DISCLAIMER)}</p>',
        "<h2>The plan</h2>",
        _table(
            ("", ""),
            [
                (
                    "Product",
                    f"{product.name} ({form.name}, "
                    f"{format_mg(product.elemental_per_unit)} elemental magnesium "
                    f"per {product.unit})",
                ),
                ("Dates", f"{schedule.start} to {schedule.end} ({r.tz})"),
                (
                    "Baseline",
                    f"{r.baseline_days} evenings without magnesium"
                    if r.baseline_days
                    else "none",
                ),
                (
                    "Ladder",
                    ", ".join(format_mg(mg) for mg in schedule.ladder_mg)
                    + f" a day, every {r.step_interval_days} days",
                ),
                (
                    "Evening times",
                    ", ".join(
                        f"{s.time:%H:%M}" + (f" {s.label}" if s.label else "")
                        for s in r.slots
                    ),
                ),
                (
                    "Daily cap",
                    f"{format_mg(schedule.daily_cap_mg)}: {schedule.cap_reason}",
                ),
                (
                    "Ceiling",
                    "none"
                    if schedule.ceiling_mg is None
                    else f"{format_mg(schedule.ceiling_mg)} a day (the most it "
                    "schedules after side effects)",
                ),
                ("Review day", str(schedule.review_date or "not yet")),
                (f"On {result.as_of}", _status(schedule, result.as_of)),
            ],
            header=False,
        ),
        "<h2>Dose over time</h2>",
        _dose_svg(schedule),
        '<p class="note">Elemental magnesium a day; red marks are side-effect '
        "reports.</p>",
        "<h2>Is it helping?</h2>",
        f'<p class="verdict">Verdict: {escape(result.verdict)}</p>',
        f"<p>{escape(result.summary)}</p>",
        _review_table(result),
        f'<p class="note">{escape(result.method)}</p>',
        *_trial(result),
        *(f"<p><strong>{escape(c)}</strong></p>" for c in result.caveats),
        "<h2>Nightly ratings</h2>",
        _ratings_svg(schedule),
        '<p class="note">0-10 each, mgplan\'s own wording: '
        + escape("; ".join(q for q, _ in RATING_SCALES.values()))
        + ".</p>",
        "<h2>Adherence and side effects</h2>",
        f"<p>Taken {result.adherence.taken} of {result.adherence.scheduled} "
        f"evenings"
        + (
            f" ({result.adherence.percent:g} %)"
            if result.adherence.percent is not None
            else ""
        )
        + f"; skipped {result.adherence.skipped}; not recorded "
        f"{result.adherence.unrecorded}."
        + escape(unplanned_text(result.adherence))
        + f" {escape(side_effects_text(result))}.</p>",
        "<h2>Decisions</h2>",
        _table(
            ("Date", "Rule", "Decision"),
            [(str(d.date), d.rule, d.message) for d in schedule.decisions],
        ),
        "<h2>Stop and seek care</h2>",
        f'<p class="flag">{escape(RED_FLAGS_TEXT)}</p>',
        "<h2>Sources</h2>",
        "<ul>",
        *(
            f"<li><strong>{escape(key)}</strong>: {escape(text)}</li>"
            for key, text in SOURCES.items()
        ),
        "</ul>",
        f'<p class="note">Made with mgplan. {escape(DISCLAIMER)}</p>',
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(
    schedule: Schedule, path: str | os.PathLike[str], result: Review | None = None
) -> Path:
    """Write ``to_html`` to *path* atomically."""
    return write_atomic(path, to_html(schedule, result).encode("utf-8"))


def _status(schedule: Schedule, day: dt.date) -> str:
    """Where the plan stands on *day*: the dose, or why there is none and
    what it waits for."""
    since = schedule._waiting_since()
    if since is not None and day >= since:
        if schedule._stopped_by_a_clash():
            return (
                f"no magnesium: stopped since {since}, as no evening keeps it "
                "clear of the other medicines"
            )
        if schedule.waiting_for == "clinician":
            return (
                f"no magnesium: stopped since {since}, until a clinician "
                "acknowledges it"
            )
        return (
            f"no magnesium: paused since {since}, until the person records "
            "that the symptoms have gone"
        )
    if day < schedule.start:
        return f"not started (it starts on {schedule.start})"
    if day > schedule.end:
        return f"the plan ended on {schedule.end}"
    entry = schedule.day(day)
    return f"{schedule.describe_dose(entry)}, {entry.phase.value}"


def _table(
    columns: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True
) -> str:
    """An HTML table, every cell escaped."""
    out = ["<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in columns) + "</tr>")
    for row in rows:
        cells = [f"<td>{escape(str(c))}</td>" for c in row]
        if not header:  # a label column
            cells[0] = f"<th>{escape(str(row[0]))}</th>"
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _review_table(result: Review) -> str:
    num = format_change
    rows = [
        (
            scale_name(s.scale, s.higher_is_better)
            + (" (primary)" if s.scale == result.primary else ""),
            num(s.baseline_mean),
            num(s.on_mean),
            num(s.improvement, True),
            "-"
            if s.ci_low is None
            else f"{num(s.ci_low, True)} to {num(s.ci_high, True)}",
            f"{s.baseline_nights} / {s.on_nights}",
        )
        for s in result.scales
        if s.baseline_nights or s.on_nights
    ]
    return _table(
        ("Measure", "Baseline", "On magnesium", "Change", "95 % interval", "Nights"),
        rows,
    )


def _trial(result: Review) -> list[str]:
    """The n-of-1 trial's answer, when the plan has one: the sharper test
    (randomised on/off blocks), so the clinician sees it beside the
    before/after comparison."""
    t = result.trial
    if t is None:
        return []
    return [
        "<h3>n-of-1 trial</h3>",
        f'<p class="verdict">Trial: {escape(t.verdict)}</p>',
        f"<p>{escape(t.summary)}</p>",
        f'<p class="note">Per pair analysed, off minus on severity (positive '
        f"is better): {escape(differences_text(t))}.</p>",
    ]


# The charts: plain SVG, drawn on a fixed canvas and scaled by CSS.
_W, _H, _LEFT, _BOTTOM, _TOP = 720, 200, 48, 24, 10


def _x(day: dt.date, first: dt.date, last: dt.date) -> float:
    span = max(1, (last - first).days)
    return _LEFT + (_W - _LEFT - 8) * (day - first).days / span


def _svg(body: Sequence[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" '
        f'role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _axis(first: dt.date, last: dt.date, top: str, bottom: str) -> list[str]:
    base = _H - _BOTTOM
    return [
        f'<line x1="{_LEFT}" y1="{base}" x2="{_W - 8}" y2="{base}" stroke="#999"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" stroke="#999"/>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 8}" font-size="10" '
        f'text-anchor="end">{escape(top)}</text>',
        f'<text x="{_LEFT - 4}" y="{base}" font-size="10" '
        f'text-anchor="end">{escape(bottom)}</text>',
        f'<text x="{_LEFT}" y="{_H - 6}" font-size="10">{first}</text>',
        f'<text x="{_W - 8}" y="{_H - 6}" font-size="10" '
        f'text-anchor="end">{last}</text>',
    ]


def _dose_svg(schedule: Schedule) -> str:
    days = schedule.days
    first, last = days[0].date, days[-1].date
    top = max([*schedule.ladder_mg, *(d.elemental_mg for d in days), 1.0])
    height = _H - _BOTTOM - _TOP
    points = []
    for d in days:
        y = _H - _BOTTOM - height * d.elemental_mg / top
        x0 = _x(d.date, first, last)
        x1 = _x(d.date + dt.timedelta(1), first, last) if d.date < last else x0
        points.append(f"{x0:.1f},{y:.1f} {x1:.1f},{y:.1f}")
    body = _axis(first, last, format_mg(top), "0")
    body.append(
        f'<polyline points="{" ".join(points)}" fill="none" stroke="#036" '
        'stroke-width="2"/>'
    )
    for report in schedule.reports:
        if first <= report.date <= last:
            x = _x(report.date, first, last)
            body.append(
                f'<circle cx="{x:.1f}" cy="{_TOP + 4}" r="4" fill="#b00">'
                f"<title>{escape(report.describe())}</title></circle>"
            )
    return _svg(body, "Elemental magnesium a day over the plan")


def _ratings_svg(schedule: Schedule) -> str:
    ratings = schedule.ratings
    if not ratings:
        return "<p>No ratings recorded.</p>"
    first, last = schedule.days[0].date, schedule.days[-1].date
    height = _H - _BOTTOM - _TOP
    colours = {
        "falling_asleep": "#036",
        "night": "#690",
        "day_rest": "#b60",
        "sleep_satisfaction": "#666",
    }
    body = _axis(first, last, "10", "0")
    if schedule.regimen.baseline_days:
        x = _x(schedule.regimen.dose_start, first, last)
        body.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_H - _BOTTOM}" '
            'stroke="#999" stroke-dasharray="4 3"/>'
        )
    for scale, colour in colours.items():
        points = [
            f"{_x(r.date, first, last):.1f},{_H - _BOTTOM - height * value / 10:.1f}"
            for r in ratings
            if (value := getattr(r, scale)) is not None and first <= r.date <= last
        ]
        if points:
            body.append(
                f'<polyline points="{" ".join(points)}" fill="none" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
    legend = "; ".join(
        f"{scale.replace('_', ' ')}: {colour}" for scale, colour in colours.items()
    )
    return _svg(body, f"Nightly ratings, 0 to 10 ({legend})") + (
        '<p class="note">Lines: falling asleep (blue), night (green), day at '
        "rest (orange), sleep satisfaction (grey, higher is better); the dashed "
        "line is the first dose.</p>"
    )
