"""Medicines that need spacing from magnesium, and where an intake may go.

Each row says how long the *medicine* must be taken before magnesium
(``before_h``) or after it (``after_h``). Where a source gives a range
("4-6 h"), the row takes the longer end. Magnesium salts bind these drugs in
the gut; spacing keeps them apart. Diuretics and long-term PPIs change
magnesium levels instead: they are recorded as flags, with no timing rule.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

import pydantic

from ._errors import InvalidInputError
from ._model import Date, Model, Text, WallClock

__all__ = [
    "SPACING",
    "WEEKDAYS",
    "Medicine",
    "SpacingRule",
    "Weekday",
    "get_spacing_rule",
    "spacing_rule_for",
]


class SpacingRule(Model, frozen=True):
    """How far a medicine must stay from magnesium, with the source."""

    id: str
    name: str
    before_h: float = pydantic.Field(
        ge=0, description="hours the medicine must come before magnesium"
    )
    after_h: float = pydantic.Field(
        ge=0, description="hours the medicine must come after magnesium"
    )
    avoid: bool = pydantic.Field(
        default=False, description="not recommended with magnesium, even spaced"
    )
    flag_only: bool = pydantic.Field(
        default=False, description="changes magnesium levels; no timing rule"
    )
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...]
    note: str = ""

    def describe(self) -> str:
        """The rule in words."""
        if self.flag_only:
            return self.note
        if self.avoid:
            return f"{self.name}: magnesium is not recommended, even spaced"
        if self.before_h == self.after_h:
            return f"{self.name} at least {self.before_h:g} h away from magnesium"
        return (
            f"{self.name} at least {self.before_h:g} h before or "
            f"{self.after_h:g} h after magnesium"
        )


def _rule(
    id: str,
    name: str,
    before: float,
    after: float,
    sources: tuple[str, ...],
    note: str = "",
    aliases: tuple[str, ...] = (),
    **flags: Any,
) -> SpacingRule:
    return SpacingRule(
        id=id,
        name=name,
        before_h=before,
        after_h=after,
        sources=sources,
        note=note,
        aliases=aliases,
        **flags,
    )


# Hours and sources from the project's reference notes (section 4).
_TABLE = (
    # Drug >= 2 h before or 4-6 h after Mg [S2]; UK SmPC: 2-3 h [S14].
    _rule(
        "tetracyclines",
        "a tetracycline",
        2,
        6,
        ("S2", "S14"),
        aliases=(
            "tetracycline",
            "doxycycline",
            "minocycline",
            "oxytetracycline",
            "demeclocycline",
            "lymecycline",
            "vibramycin",
        ),
    ),
    # Quinolones by drug [S15].
    _rule(
        "ciprofloxacin", "ciprofloxacin", 2, 6, ("S15",), aliases=("cipro", "ciproxin")
    ),
    _rule("delafloxacin", "delafloxacin", 2, 6, ("S15",)),
    _rule("moxifloxacin", "moxifloxacin", 4, 8, ("S15",), aliases=("avelox",)),
    _rule("gemifloxacin", "gemifloxacin", 2, 3, ("S15",)),
    _rule(
        "levofloxacin",
        "levofloxacin",
        2,
        2,
        ("S15",),
        "Levofloxacin's figure is second-hand only.",
    ),
    _rule("ofloxacin", "ofloxacin", 2, 2, ("S15",)),
    _rule("norfloxacin", "norfloxacin", 2, 2, ("S15",)),
    # >= 2 h (ODS) [S2]; labels ask only >= 30-60 min [S15]; the longer kept.
    _rule(
        "bisphosphonates",
        "an oral bisphosphonate",
        2,
        2,
        ("S2", "S15"),
        aliases=(
            "alendronate",
            "risedronate",
            "ibandronate",
            "alendronic-acid",
            "risedronic-acid",
            "ibandronic-acid",
            "fosamax",
            "actonel",
            "boniva",
            "bonviva",
        ),
    ),
    # Not within 4 h (FDA labelling) [S15].
    _rule(
        "levothyroxine",
        "levothyroxine",
        4,
        4,
        ("S15",),
        aliases=(
            "thyroxine",
            "l-thyroxine",
            "synthroid",
            "euthyrox",
            "levoxyl",
            "eltroxin",
        ),
    ),
    # Take gabapentin >= 2 h after an Al/Mg antacid (-20 % bioavailability) [S15].
    _rule("gabapentin", "gabapentin", 0, 2, ("S15",), aliases=("neurontin",)),
    # Drug 2 h before or 6 h after (DHHS; Biktarvy HCP) [S15].
    _rule("dolutegravir", "dolutegravir", 2, 6, ("S15",), aliases=("tivicay",)),
    _rule("bictegravir", "bictegravir", 2, 6, ("S15",), aliases=("biktarvy",)),
    # Al/Mg not recommended with raltegravir, even staggered [S15].
    _rule(
        "raltegravir", "raltegravir", 0, 0, ("S15",), avoid=True, aliases=("isentress",)
    ),
    # "Antacids should be avoided with nilotinib" (magnesium hydroxide SmPC) [S23].
    _rule("nilotinib", "nilotinib", 0, 0, ("S23",), avoid=True, aliases=("tasigna",)),
    # >= 2 h (ferrous sulfate SmPC), 3-4 h (Mg SmPC) [S14]: 4 h kept.
    _rule(
        "iron",
        "oral iron",
        4,
        4,
        ("S14",),
        aliases=(
            "ferrous-sulfate",
            "ferrous-sulphate",
            "ferrous-fumarate",
            "ferrous-gluconate",
            "ferrous-bisglycinate",
            "iron-bisglycinate",
            "ferric-maltol",
            "polysaccharide-iron",
            "oral-iron",
            "feraccru",
            "accrufer",
        ),
    ),
    # 3-4 h [S14].
    _rule("penicillamine", "penicillamine", 4, 4, ("S14",)),
    _rule(
        "aminoquinolines",
        "an aminoquinoline",
        4,
        4,
        ("S14",),
        aliases=("chloroquine", "hydroxychloroquine", "plaquenil"),
    ),
    _rule("quinidine", "quinidine", 4, 4, ("S14",)),
    _rule(
        "nitrofurantoin",
        "nitrofurantoin",
        4,
        4,
        ("S14",),
        aliases=("macrobid", "macrodantin"),
    ),
    # >= 4 h [S14].
    _rule(
        "eltrombopag", "eltrombopag", 4, 4, ("S14",), aliases=("revolade", "promacta")
    ),
    # Mg >= 4 h before or 2 h after erlotinib [S14]: the drug 4 h after Mg.
    _rule("erlotinib", "erlotinib", 2, 4, ("S14",), aliases=("tarceva",)),
    # Flags only [S2].
    _rule(
        "diuretics",
        "a diuretic",
        0,
        0,
        ("S2",),
        "Diuretics change how much magnesium the body keeps (loop and thiazide "
        "diuretics lose it, potassium-sparing ones retain it): tell your "
        "clinician you take magnesium.",
        aliases=(
            "furosemide",
            "hydrochlorothiazide",
            "bumetanide",
            "torasemide",
            "lasix",
            "spironolactone",
            "amiloride",
            "diuretic",
        ),
        flag_only=True,
    ),
    _rule(
        "ppi",
        "a proton pump inhibitor",
        0,
        0,
        ("S2",),
        "Long-term proton pump inhibitors can lower magnesium: tell your "
        "clinician you take magnesium.",
        aliases=(
            "omeprazole",
            "esomeprazole",
            "pantoprazole",
            "lansoprazole",
            "rabeprazole",
            "nexium",
            "prilosec",
            "losec",
            "proton-pump-inhibitor",
        ),
        flag_only=True,
    ),
)

# Medicines people with restless legs often take. The sources mgplan carries
# give them no spacing of their own, so the magnesium SmPC's advice for any
# medicine applies: 2-4 h apart, the longer end kept [S14]. Gabapentin has its
# own row above; iron is "oral iron".
_GENERIC_H = 4.0
_NO_OWN_RULE = (
    "No spacing of its own in mgplan's sources: the magnesium label's advice "
    "for any medicine applies."
)
_RLS = (
    _rule(
        "dopamine-agonists",
        "a dopamine agonist taken by mouth",
        _GENERIC_H,
        _GENERIC_H,
        ("S14",),
        _NO_OWN_RULE,
        aliases=(
            "pramipexole",
            "mirapex",
            "mirapexin",
            "sifrol",
            "ropinirole",
            "requip",
            "adartrel",
        ),
    ),
    _rule(
        "rotigotine",
        "rotigotine (a skin patch)",
        0,
        0,
        ("S14",),
        "Rotigotine is a skin patch: magnesium binds medicines in the gut, so "
        "it needs no spacing.",
        aliases=("neupro",),
        flag_only=True,
    ),
    _rule(
        "pregabalin",
        "pregabalin",
        _GENERIC_H,
        _GENERIC_H,
        ("S14",),
        _NO_OWN_RULE,
        aliases=("lyrica",),
    ),
    _rule(
        "gabapentin-enacarbil",
        "gabapentin enacarbil",
        _GENERIC_H,
        _GENERIC_H,
        ("S14",),
        "Absorbed differently from gabapentin; no spacing of its own in "
        "mgplan's sources: the magnesium label's advice for any medicine applies.",
        aliases=("horizant", "regnite"),
    ),
    _rule(
        "opioids",
        "an opioid taken by mouth",
        _GENERIC_H,
        _GENERIC_H,
        ("S14",),
        _NO_OWN_RULE,
        aliases=(
            "oxycodone",
            "oxycodone-naloxone",
            "targin",
            "targinact",
            "methadone",
            "tramadol",
            "codeine",
            "morphine",
        ),
    ),
)
_ALL = (*_TABLE, *_RLS)

SPACING: Mapping[str, SpacingRule] = MappingProxyType({r.id: r for r in _ALL})
"""Every spacing rule by id."""

_BY_NAME = {name: rule for rule in _ALL for name in (rule.id, *rule.aliases)}


# Words of a salt or form that do not change the medicine ("levothyroxine
# sodium", "doxycycline hyclate", "pramipexole dihydrochloride").
_SALT_WORDS = frozenset(
    {
        "hydrochloride",
        "dihydrochloride",
        "hcl",
        "sodium",
        "potassium",
        "calcium",
        "hyclate",
        "monohydrate",
        "dihydrate",
        "trihydrate",
        "mesylate",
        "maleate",
        "sulfate",
        "sulphate",
        "tablets",
        "tablet",
        "capsules",
        "capsule",
        "er",
        "xl",
        "sr",
        "mr",
    }
)


def _key(name: str) -> str:
    return str(name).strip().lower().replace(" ", "-").replace("_", "-")


def _lookup(name: str) -> SpacingRule | None:
    key = _key(name)
    found = _BY_NAME.get(key)
    if found is not None:
        return found
    words = [w for w in key.split("-") if w]
    while len(words) > 1 and words[-1] in _SALT_WORDS:
        words.pop()
        found = _BY_NAME.get("-".join(words))
        if found is not None:
            return found
    return None


def get_spacing_rule(name: str) -> SpacingRule:
    """The rule for a medicine mgplan knows by id, class, drug, brand or salt
    name (case ignored); an unknown name is an error with the nearest names."""
    found = _lookup(name)
    if found is None:
        raise InvalidInputError("name", _known_text(name), name)
    return found


@functools.lru_cache(maxsize=256)
def spacing_rule_for(name: str) -> SpacingRule:
    """The rule for any medicine: a known one's, or the generic one.

    An unknown name gets the magnesium SmPC's advice for any medicine, 2-4 h
    apart, the longer end kept [S14], unless it is a near miss of a known
    name (a typo would silently get the wrong hours): that is an error
    saying what was probably meant.
    """
    found = _lookup(name)
    if found is not None:
        return found
    near = difflib.get_close_matches(_key(name), list(_BY_NAME), n=3, cutoff=0.82)
    if near:
        raise InvalidInputError("name", _known_text(name), name)
    return SpacingRule(
        id="other",
        name=str(name).strip(),
        before_h=_GENERIC_H,
        after_h=_GENERIC_H,
        sources=("S14",),
        note=f"mgplan does not know {str(name).strip()}: it keeps magnesium "
        f"{_GENERIC_H:g} h away from it, as magnesium labels advise for any "
        "medicine. Ask a pharmacist whether it needs more or less.",
    )


def _known_text(name: str) -> str:
    near = difflib.get_close_matches(_key(name), list(_BY_NAME), n=3, cutoff=0.6)
    if near:
        return (
            "a medicine mgplan knows; did you mean "
            + " or ".join(repr(n) for n in near)
            + "?"
        )
    return "a medicine mgplan knows: " + ", ".join(sorted(_BY_NAME))


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    name: short
    for short, full in zip(
        WEEKDAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
    for name in (short, full)
}


class Medicine(Model, frozen=True):
    """Another medicine the person takes: its daily times (local) and when.

    ``start`` and ``end`` bound a course (a 7-day antibiotic), both days
    included; ``weekdays`` limits it to some days of the week (a weekly
    bisphosphonate). A medicine that needs spacing needs its ``times``.
    """

    name: Text = pydantic.Field(max_length=120)
    times: tuple[WallClock, ...] = ()
    start: Date | None = None
    end: Date | None = None
    weekdays: tuple[Weekday, ...] = pydantic.Field(
        default=(), description="days of the week it is taken (empty: every day)"
    )

    @pydantic.field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        if not value.strip():
            raise InvalidInputError("", "a medicine's name", value)
        try:
            spacing_rule_for(value)
        except InvalidInputError as exc:
            raise InvalidInputError("", exc.expected, value) from None
        return value

    @pydantic.field_validator("times", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str | dt.time) else value

    @pydantic.field_validator("weekdays", mode="before")
    @classmethod
    def _day_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = (value,)
        if isinstance(value, list | tuple):
            return tuple(
                _DAY_NAMES.get(v.strip().lower(), v) if isinstance(v, str) else v
                for v in value
            )
        return value

    @pydantic.model_validator(mode="after")
    def _complete(self) -> Medicine:
        rule = self.rule
        if not self.times and not (rule.flag_only or rule.avoid):
            raise InvalidInputError(
                "times",
                f'the times of day {self.name} is taken (e.g. ["08:00"]), so '
                "magnesium can keep its distance "
                f"({rule.describe()})",
                [],
            )
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInputError(
                "end",
                f"a date on or after start ({self.start.isoformat()})",
                self.end.isoformat(),
            )
        return self

    @property
    def rule(self) -> SpacingRule:
        """The spacing rule for this medicine (the generic one if unknown)."""
        return spacing_rule_for(self.name)

    def taken_on(self, day: dt.date) -> bool:
        """Whether the medicine is taken on *day*."""
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day > self.end:
            return False
        return not self.weekdays or WEEKDAYS[day.weekday()] in self.weekdays

    def when(self) -> str:
        """When it is taken, in words ("" for every day, open-ended)."""
        parts = []
        if self.weekdays:
            parts.append("on " + ", ".join(d.capitalize() for d in self.weekdays))
        if self.start is not None and self.end is not None:
            parts.append(f"from {self.start.isoformat()} to {self.end.isoformat()}")
        elif self.start is not None:
            parts.append(f"from {self.start.isoformat()}")
        elif self.end is not None:
            parts.append(f"until {self.end.isoformat()}")
        return " ".join(parts)

    def clashes_at(self, at: dt.datetime) -> list[str]:
        """Why magnesium at the wall-clock *at* is too close (empty: fine).

        The medicine's doses on the day before, the day and the day after
        count, each only on a day it is taken.
        """
        rule = self.rule
        if rule.flag_only or rule.avoid:
            return []
        found = []
        for offset in (-1, 0, 1):
            day = at.date() + dt.timedelta(offset)
            if not self.taken_on(day):
                continue
            for taken in self.times:
                dose = dt.datetime.combine(day, taken)
                hours = (at - dose).total_seconds() / 3600
                if (
                    (0 <= hours < rule.before_h)
                    or (0 < -hours < rule.after_h)
                    or (hours == 0 and rule.after_h > 0)
                ):
                    text = f"{rule.describe()}; it is taken at {taken:%H:%M}"
                    if text not in found:
                        found.append(text)
        return found
