"""A step chart of the dose over time (needs the ``mgplan[chart]`` extra)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ._atomic import write_atomic
from ._errors import ExportError, InvalidInputError
from ._schedule import Action, Schedule

__all__ = ["draw"]

_MARKED = {
    Action.HOLD: ("hold", "#b07d00"),
    Action.STEP_BACK: ("step back", "#c0392b"),
    Action.CEILING: ("ceiling", "#7d3c98"),
    Action.PAUSE: ("pause", "#000000"),
    Action.RESTART: ("restart", "#2e86c1"),
    Action.MISSED_RESTART: ("missed: restart", "#7f8c8d"),
}


def draw(schedule: Schedule, path: str | os.PathLike[str]) -> None:
    """Draw the daily dose as a step chart with reports and decisions marked.

    The format follows the suffix: ``.png`` or ``.svg``.
    """
    target = Path(path)
    kind = target.suffix.lower().lstrip(".")
    if kind not in {"png", "svg"}:
        raise InvalidInputError(
            "--output", "a file ending in .png or .svg", str(target)
        )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.dates as mdates
        import matplotlib.pyplot as plt
    except ImportError:
        raise ExportError(
            "mgplan chart needs matplotlib: pip install 'mgplan[chart]'"
        ) from None

    def x(day: dt.date) -> float:
        return float(mdates.date2num(day))  # type: ignore[no-untyped-call]

    days = [x(e.date) for e in schedule.days]
    doses = [e.elemental_mg for e in schedule.days]
    figure, axes = plt.subplots(figsize=(10, 4), layout="constrained")
    try:
        axes.step(
            days,
            doses,
            where="post",
            color="#1f618d",
            linewidth=2,
            label="elemental magnesium a day",
        )
        axes.axhline(
            schedule.daily_cap_mg,
            color="#999999",
            linestyle="--",
            linewidth=1,
            label=f"daily cap ({schedule.daily_cap_mg:g} mg)",
        )
        if schedule.ceiling_mg is not None:
            axes.axhline(
                schedule.ceiling_mg,
                color="#7d3c98",
                linestyle=":",
                linewidth=1,
                label=f"ceiling ({schedule.ceiling_mg:g} mg)",
            )
        seen: set[str] = set()
        for report in schedule.reports:
            label = None if "report" in seen else "side effect reported"
            seen.add("report")
            axes.axvline(
                x(report.date), color="#e67e22", alpha=0.35, linewidth=3, label=label
            )
        for decision in schedule.decisions:
            if decision.action not in _MARKED:
                continue
            name, colour = _MARKED[decision.action]
            y = decision.dose_after_mg or 0.0
            axes.plot(
                [x(decision.date)],
                [y],
                marker="o",
                color=colour,
                label=None if name in seen else name,
                linestyle="none",
            )
            seen.add(name)
        axes.set_ylim(0, max(schedule.daily_cap_mg, max(doses)) * 1.1)
        axes.set_xlim(days[0], days[-1] + 1)
        axes.set_ylabel("mg elemental magnesium a day")
        axes.set_xlabel(
            "mgplan is a planning aid, not medical advice",
            fontsize="small",
            color="#666666",
        )
        axes.xaxis.set_major_formatter(
            mdates.DateFormatter("%Y-%m-%d")  # type: ignore[no-untyped-call]
        )
        axes.set_title(
            f"{schedule.regimen.product.name}: evening dose ({schedule.plan_id})"
        )
        axes.legend(loc="lower right", fontsize="small")
        axes.grid(alpha=0.3)
        import io

        buffer = io.BytesIO()
        figure.savefig(buffer, format=kind, metadata=_metadata(kind))
    finally:
        plt.close(figure)
    write_atomic(target, buffer.getvalue())


def _metadata(kind: str) -> dict[str, str | None]:
    # No creation date in the file, so the same plan draws the same bytes.
    if kind == "svg":
        return {"Date": None, "Creator": "mgplan"}
    return {"Software": "mgplan"}
