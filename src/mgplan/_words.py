"""The words mgplan uses everywhere: symptoms, severities, the disclaimer and
the red flags.

Nothing here needs the model layer, so the command line can print its help
(which quotes them) without importing pydantic.
"""

from __future__ import annotations

import enum

__all__ = [
    "DISCLAIMER",
    "RED_FLAGS",
    "RED_FLAGS_SHORT",
    "RED_FLAGS_TEXT",
    "Severity",
    "Symptom",
]


class Symptom(enum.StrEnum):
    """A gastrointestinal symptom."""

    LOOSE_STOOLS = "loose-stools"
    DIARRHOEA = "diarrhoea"
    CRAMPING = "cramping"
    BLOATING = "bloating"
    NAUSEA = "nausea"

    @property
    def text(self) -> str:
        """The symptom in a sentence."""
        return _TEXT[self]


class Severity(enum.StrEnum):
    """How bad the symptom was."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return _RANK[self]


# Looked up, not computed: a plan asks for them for every report.
_TEXT = {symptom: symptom.value.replace("-", " ") for symptom in Symptom}
_RANK = {Severity.MILD: 0, Severity.MODERATE: 1, Severity.SEVERE: 2}


DISCLAIMER = (
    "mgplan is a planning aid, not medical advice. It makes no claim that "
    "magnesium helps restless legs. Talk to a clinician before you start and "
    "about any side effect."
)

# When to stop and seek care, each with its sources. Signs of too much
# magnesium from NIH ODS [S2] and the German OTC advice [S27]; the stool and
# dehydration signs from NHS advice on diarrhoea [NIDIRECT] and the Milk of
# Magnesia SmPC [S26].
RED_FLAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("muscle weakness, unusual drowsiness or confusion", ("S2", "S27")),
    (
        "dizziness or fainting (low blood pressure), a slow or irregular "
        "heartbeat, or difficulty breathing",
        ("S2",),
    ),
    ("nausea or vomiting with flushing", ("S2",)),
    ("blood in your stool, or black stool", ("NIDIRECT",)),
    (
        "signs of dehydration: thirst, little or dark urine, dizziness",
        ("NIDIRECT", "S26"),
    ),
    ("diarrhoea that goes on after you stop magnesium", ("NIDIRECT", "S26")),
)
"""When to stop magnesium and seek care: (sign, sources)."""

RED_FLAGS_TEXT = (
    "Stop magnesium and get medical help if you have "
    + "; ".join(sign for sign, _ in RED_FLAGS)
    + "."
)
"""The red flags in one sentence."""

RED_FLAGS_SHORT = (
    "Stop and get medical help for muscle weakness, drowsiness, fainting, a "
    "slow or irregular pulse, trouble breathing, blood in the stool, "
    "dehydration, or diarrhoea that goes on after stopping."
)
"""The red flags, short, for each calendar event (the same signs as RED_FLAGS)."""
