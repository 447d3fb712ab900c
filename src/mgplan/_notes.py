"""The short note syntax: what a person writes in a calendar or tasks app
(a dose task's notes or comment, a journal note) for ``mgplan.caldav.sync``
to read back into the journal.

Nothing here guesses: a note with a word it does not know is refused whole
(``InvalidInputError``), and the sync reports it and reads nothing from it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ._errors import InvalidInputError
from ._outcomes import RlsRating, Stools
from ._tolerance import ItemSource, Resolved, SideEffectReport
from ._words import Severity, Symptom

__all__ = ["NOTE_SYNTAX", "Note", "parse_note"]

NOTE_SYNTAX = (
    "one item per line (or separated by ';' or ','), in any case: "
    "a symptom and how bad ('loose stools moderate', 'mild nausea'; symptoms: "
    "loose stools, diarrhoea, cramping, bloating, nausea; mild, moderate, "
    "severe); 'bristol 6' (the loosest stool's Bristol type, 1-7); "
    "'stools 3' (stools that day, with 'bristol N' if known); ratings 0-10 "
    "'legs 6' (restless legs in the night), 'asleep 5' (while falling "
    "asleep), 'day 2' (at rest in the day), 'sleep 4' (sleep satisfaction), "
    "'irls 18' (an IRLS total, 0-40); 'symptoms gone' (or 'resolved', on a "
    "line of its own: the side effects have gone, which restarts a paused "
    "plan); on a dose task, 'skipped'"
)
"""The syntax, in words (for error messages and help)."""

# Longest phrases first, so "loose stools" wins over a bare "stools".
_SYMPTOMS: dict[tuple[str, ...], Symptom] = {
    ("loose", "stools"): Symptom.LOOSE_STOOLS,
    ("loose", "stool"): Symptom.LOOSE_STOOLS,
    ("diarrhoea",): Symptom.DIARRHOEA,
    ("diarrhea",): Symptom.DIARRHOEA,
    ("cramping",): Symptom.CRAMPING,
    ("cramps",): Symptom.CRAMPING,
    ("bloating",): Symptom.BLOATING,
    ("bloated",): Symptom.BLOATING,
    ("nausea",): Symptom.NAUSEA,
}
_SEVERITIES = {s.value: s for s in Severity}
_RATINGS: dict[tuple[str, ...], str] = {
    ("falling", "asleep"): "falling_asleep",
    ("asleep",): "falling_asleep",
    ("legs",): "night",
    ("night",): "night",
    ("day",): "day_rest",
    ("sleep",): "sleep_satisfaction",
    ("irls",): "irls_total",
}
_SKIPPED = (("not", "taken"), ("skipped",), ("skip",), ("missed",))
_RESOLVED = (("symptoms", "gone"), ("symptoms", "have", "gone"), ("resolved",))
# A sign is kept, so that 'legs -1' is a rating out of range, not 'legs 1'.
_NUMBER = re.compile(r"(-?\d{1,3})(?:/(\d{1,3}))?")
# A bound on what is parsed (mgplan's convention): a night's note is a line or two.
MAX_NOTE_CHARS = 2000
# The syntax in one line, for error messages.
_SHORT = (
    "'<symptom> mild|moderate|severe', 'bristol N', 'stools N', "
    "'legs|asleep|day|sleep N' (0-10), 'irls N', 'symptoms gone', 'skipped'"
)


@dataclass(frozen=True, slots=True)
class Note:
    """What a note says: journal entries, and whether it marks its dose
    evening as skipped."""

    entries: tuple[SideEffectReport | Stools | RlsRating | Resolved, ...] = ()
    skipped: bool = False


def parse_note(
    text: str,
    *,
    evening: dt.date,
    day: dt.date,
    skip_allowed: bool = True,
    source: tuple[ItemSource, ...] = (),
) -> Note:
    """The entries a note in the short syntax (``NOTE_SYNTAX``) stands for.

    *evening* is the dose evening the note is about: a side effect follows its
    dose, a rating is of the night after it. *day* is the day the note speaks
    for (stools are counted on it, a side effect is reported on it). Each
    entry carries *source*. Raises ``InvalidInputError`` naming the first part
    that does not read; an empty note is an empty ``Note``.

    >>> note = parse_note("loose stools moderate; legs 6 sleep 4",
    ...                   evening=dt.date(2027, 4, 5), day=dt.date(2027, 4, 6))
    >>> [entry.describe() for entry in note.entries]  # doctest: +NORMALIZE_WHITESPACE
    ['Moderate loose stools on 2027-04-06 (after the evening of 2027-04-05)',
     'Ratings for the night after 2027-04-05: night 6, sleep satisfaction 4']
    """
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInputError(
            "note", f"a note of at most {MAX_NOTE_CHARS} characters", f"{len(text)}"
        )
    entries: list[SideEffectReport | Stools | RlsRating | Resolved] = []
    ratings: dict[str, int] = {}
    rated: list[str] = []
    skipped = False
    resolved = False
    for clause in re.split(r"[\n;,]+", text):
        words = _words(clause)
        if not words:
            continue
        said = " ".join(clause.split())  # tabs and runs of spaces: one space
        found = _Clause.read(words, said, skip_allowed=skip_allowed)
        skipped = skipped or found.skipped
        if found.resolved:
            if resolved:
                raise _bad(said, "'symptoms gone' once per note")
            resolved = True
            # The first day without them: the day the note speaks for.
            entries.append(Resolved(date=day, note=said[:1000], source=source))
        for name, value in found.ratings.items():
            if name in ratings:
                raise InvalidInputError(
                    "note", f"one {name.replace('_', ' ')} rating per note", said
                )
            ratings[name] = value
        if found.ratings:
            rated.append(said)
        if found.symptom is not None or (
            found.bristol is not None and found.count is None
        ):
            entries.append(
                SideEffectReport(
                    date=day,
                    dose_date=evening,
                    symptom=found.symptom or Symptom.LOOSE_STOOLS,
                    severity=found.severity,
                    bristol=found.bristol,
                    note=said[:1000],
                    source=source,
                )
            )
        if found.count is not None:
            entries.append(
                Stools(
                    date=day,
                    count=found.count,
                    bristol=found.bristol,
                    note=said[:1000],
                    source=source,
                )
            )
    if resolved and any(isinstance(e, SideEffectReport) for e in entries):
        raise InvalidInputError(
            "note",
            "a side effect or 'symptoms gone', not both in one note (the day "
            "the symptoms have gone is the first without them)",
            " ".join(text.split())[:200],
        )
    if ratings:
        entries.append(
            RlsRating(
                date=evening,
                note="; ".join(rated)[:1000],
                source=source,
                **ratings,
            )
        )
    return Note(entries=tuple(entries), skipped=skipped)


def _words(clause: str) -> list[str]:
    # '-' joins words ('loose-stools') and ranges ('6-7'); before a number,
    # after a space, it is a minus sign and stays.
    cleaned = re.sub(r"[_:=]|-(?!\d)|(?<=\w)-", " ", clause.lower())
    return cleaned.strip().rstrip(".!").split()


@dataclass(slots=True)
class _Clause:
    symptom: Symptom | None = None
    severity: Severity | None = None
    bristol: int | None = None
    count: int | None = None
    skipped: bool = False
    resolved: bool = False
    ratings: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, words: list[str], said: str, *, skip_allowed: bool) -> _Clause:
        found = cls()
        i = 0
        while i < len(words):
            if (phrase := _match(words, i, _SYMPTOMS)) is not None:
                if found.symptom is not None:
                    raise _bad(said, "one symptom per line")
                found.symptom = _SYMPTOMS[phrase]
                i += len(phrase)
            elif words[i] in _SEVERITIES:
                if found.severity is not None:
                    raise _bad(said, "one severity per line")
                found.severity = _SEVERITIES[words[i]]
                i += 1
            elif (phrase := _match(words, i, _RESOLVED)) is not None:
                if i or len(phrase) != len(words):
                    # Beside a symptom or a rating it would say two things.
                    raise _bad(said, "'symptoms gone' on a line of its own")
                found.resolved = True
                i += len(phrase)
            elif (phrase := _match(words, i, _SKIPPED)) is not None:
                if not skip_allowed:
                    raise _bad(
                        said, "'skipped' on the evening's dose task, not in a note"
                    )
                found.skipped = True
                i += len(phrase)
            elif words[i] in ("bristol", "stools", "stool"):
                value = _number(words, i + 1, said, words[i])
                if words[i] == "bristol":
                    if found.bristol is not None:
                        raise _bad(said, "one Bristol type per line")
                    found.bristol = _within(value, 1, 7, "a Bristol type", said)
                else:
                    if found.count is not None:
                        raise _bad(said, "one stool count per line")
                    found.count = _within(value, 0, 50, "a stool count", said)
                i += 2
            elif (phrase := _match(words, i, _RATINGS)) is not None:
                name = _RATINGS[phrase]
                if name in found.ratings:  # 'legs 6 legs 7': which one?
                    raise _bad(said, f"one {name.replace('_', ' ')} rating per note")
                value = _number(words, i + len(phrase), said, " ".join(phrase))
                top = 40 if name == "irls_total" else 10
                found.ratings[name] = _within(value, 0, top, "a rating", said)
                i += len(phrase) + 1
            else:
                raise _bad(said, f"only words of the note syntax, not {words[i]!r}")
        if found.severity is not None and found.symptom is None:
            raise _bad(said, "a symptom with the severity ('loose stools moderate')")
        if (
            found.symptom is not None
            and found.severity is None
            and found.bristol is None
        ):
            raise _bad(said, "how bad the symptom was: mild, moderate or severe")
        return found


def _match(
    words: list[str], i: int, phrases: Collection[tuple[str, ...]]
) -> tuple[str, ...] | None:
    for phrase in sorted(phrases, key=len, reverse=True):
        if tuple(words[i : i + len(phrase)]) == phrase:
            return phrase
    return None


def _number(words: list[str], i: int, said: str, what: str) -> int:
    match = _NUMBER.fullmatch(words[i]) if i < len(words) else None
    if match is None:
        raise _bad(said, f"a whole number after {what!r}")
    if match.group(2) is not None and match.group(2) != "10":
        raise _bad(said, f"a number out of 10 after {what!r}")
    return int(match.group(1))


def _within(value: int, low: int, high: int, what: str, said: str) -> int:
    if not low <= value <= high:
        raise _bad(said, f"{what} from {low} to {high}")
    return value


def _bad(said: str, expected: str) -> InvalidInputError:
    return InvalidInputError("note", f"{expected} (the note syntax: {_SHORT})", said)
