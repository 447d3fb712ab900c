"""Iron first: what the person's iron results say before magnesium.

The AASM 2024 guideline for restless legs [S7] has iron studies (serum
ferritin and transferrin saturation, drawn in the morning with no iron for
24 hours) checked in clinically significant RLS, and iron treatment
considered in adults when ferritin is at most 75 ng/mL or the saturation
below 20 %. mgplan does not treat iron; it says when to ask a clinician.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ._outcomes import Ferritin

__all__ = [
    "FERRITIN_LOW_NG_ML",
    "RESULT_MAX_AGE_DAYS",
    "TSAT_LOW_PERCENT",
    "iron_advice",
]

# AASM 2024 [S7]: iron treatment considered at ferritin <= 75 ng/mL or
# transferrin saturation < 20 % (adults).
FERRITIN_LOW_NG_ML = 75.0
TSAT_LOW_PERCENT = 20.0
# A result older than this is not taken as current: mgplan's convention (the
# issue of a year's change in iron stores, not a guideline figure).
RESULT_MAX_AGE_DAYS = 365

_ASK = (
    "ask a clinician about iron studies (ferritin and transferrin saturation, "
    "drawn in the morning with no iron for 24 hours): restless-legs guidance "
    "(AASM 2024) has low iron treated first"
)


def iron_advice(results: Iterable[Ferritin], on: dt.date) -> tuple[str, bool]:
    """What the latest result on or before *on* says, and whether it asks for
    a clinician: missing, older than a year, or low."""
    known = sorted((r for r in results if r.date <= on), key=lambda r: r.date)
    if not known:
        return f"No ferritin result is recorded: {_ASK}.", True
    latest = known[-1]
    age = (on - latest.date).days
    said = latest.describe()
    if age > RESULT_MAX_AGE_DAYS:
        return f"The latest ferritin result is over a year old ({said}): {_ASK}.", True
    low = latest.ng_ml <= FERRITIN_LOW_NG_ML or (
        latest.tsat_percent is not None and latest.tsat_percent < TSAT_LOW_PERCENT
    )
    if low:
        return (
            f"{said}: at or below the levels at which restless-legs guidance "
            f"(AASM 2024: ferritin {FERRITIN_LOW_NG_ML:g} ng/mL or less, or "
            f"transferrin saturation below {TSAT_LOW_PERCENT:g} %) considers "
            "iron treatment. Ask a clinician about iron before or alongside "
            "magnesium.",
            True,
        )
    tsat = "" if latest.tsat_percent is not None else " (no transferrin saturation)"
    return (
        f"{said}{tsat}: above the levels at which restless-legs guidance "
        "(AASM 2024) considers iron treatment.",
        False,
    )
