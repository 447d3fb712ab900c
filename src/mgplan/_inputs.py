"""What the engine reads, checked: a journal's entries that count, split by
kind (``Journal``), and the checks of the entries, the profile's dates and
the policy against the regimen, before any day is planned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._errors import InvalidInputError
from ._outcomes import Ferritin, RlsRating, Stools, Taken, graded_stools
from ._profile import SafetyProfile
from ._regimen import Regimen
from ._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    SideEffectReport,
    TolerancePolicy,
    live_positions,
)

Entry = SideEffectReport | MissedDose | Resolved | ClinicianAck
Outcome = Taken | RlsRating | Stools | Ferritin
Logged = Entry | Retracted | Outcome
# As tuples of classes for isinstance: built once, not on every entry.
LOGGED = (
    SideEffectReport,
    MissedDose,
    Resolved,
    ClinicianAck,
    Retracted,
    Taken,
    RlsRating,
    Stools,
    Ferritin,
)
# Entries about a dose, refused in the baseline before the first one. A side
# effect (and its end) can be recorded there: noted, like one on any evening
# without magnesium, it is the person's rate without it.
ABOUT_A_DOSE = (MissedDose, ClinicianAck, Taken)
AN_EVENING = (Taken, MissedDose)

# The kinds of entry the engine reads, each on its own list.
KINDS = (SideEffectReport, MissedDose, Resolved, ClinicianAck, Ferritin, Stools)


@dataclass(frozen=True, slots=True)
class Journal:
    reports: tuple[SideEffectReport, ...]
    missed: tuple[MissedDose, ...]
    resolved: tuple[Resolved, ...]
    clinician: tuple[ClinicianAck, ...]
    log: tuple[Logged, ...]
    live: frozenset[int]  # positions in the log of the entries that count
    dose_start: dt.date
    ferritin: tuple[Ferritin, ...] = ()
    # The entries that count, with their position in the log.
    counted: tuple[tuple[int, Entry | Outcome], ...] = ()
    # The latest date among them (None: none counts).
    last_date: dt.date | None = None
    # The reports graded from stools, by entry and usual count: a plan's
    # history makes its journals with the same ones, so that a report the
    # final run noted is the one each version's journal holds.
    made: dict[tuple[int, float | None], SideEffectReport | None] = field(
        default_factory=dict, compare=False
    )

    @classmethod
    def of(cls, log: Iterable[Logged], dose_start: dt.date) -> Journal:
        """The entries of *log*, in logging order; those that count (not
        retracted) also split by kind.

        Stool entries join the reports when they grade as a side effect: by
        Bristol type, and by count above the usual, which is the median count
        recorded before the first dose (*dose_start*), when there is one.

        Raises InvalidInputError for a retraction that takes back no entry
        that counts (``live_positions``).
        """
        log = tuple(log)
        # One pass, sorting by kind (a plan is made from this on every call).
        kinds = Kinds(log, dose_start)
        for i in sorted(live_positions(log)):
            kinds.add(i)
        return kinds.journal(len(log))


class Kinds:
    """The entries of a log that count, split by kind, as they are added (in
    logging order) and taken back: ``Journal.of`` adds every entry that
    counts at once; a plan's history adds them one by one, for a journal
    after each entry (made anew for each, that cost grew with the square of
    the entries)."""

    def __init__(
        self,
        log: tuple[Logged, ...],
        dose_start: dt.date,
        made: dict[tuple[int, float | None], SideEffectReport | None] | None = None,
    ) -> None:
        self.log = log
        self.dose_start = dose_start
        self.lists: dict[type, list[Any]] = {kind: [] for kind in KINDS}
        self.where: dict[type, list[Any] | None] = dict(self.lists)
        self.counted: list[tuple[int, Entry | Outcome]] = []
        self.live: set[int] = set()
        self.latest: dt.date | None = None
        # Reports graded from stools, kept from one journal to the next.
        self.made = {} if made is None else made

    def _list(self, entry: object) -> list[Any] | None:
        cls_ = type(entry)
        if cls_ in self.where:
            return self.where[cls_]
        # A subclass, or a kind the engine does not read (taken).
        found = self.where[cls_] = next(
            (v for k, v in self.lists.items() if isinstance(entry, k)), None
        )
        return found

    def add(self, i: int) -> None:
        """Position *i* of the log counts, after every position added so far."""
        entry = self.log[i]
        found = self._list(entry)
        if found is not None:
            found.append(entry)
        self.counted.append((i, entry))  # type: ignore[arg-type]
        self.live.add(i)
        date: dt.date = entry.date
        if self.latest is None or date > self.latest:
            self.latest = date

    def logged(self, count: int) -> None:
        """The log's entry at *count* - 1 was logged (a retraction takes its
        target back): what counts after the first *count* entries."""
        if not count:
            return
        entry = self.log[count - 1]
        if not isinstance(entry, Retracted):
            self.add(count - 1)
            return
        target = entry.entry - 1
        self.live.discard(target)
        taken = self.log[target]
        found = self._list(taken)
        if found is not None:  # by identity: equal entries may be logged twice
            del found[next(j for j, e in enumerate(found) if e is taken)]
        del self.counted[next(j for j, c in enumerate(self.counted) if c[0] == target)]
        self.latest = max((x.date for _, x in self.counted), default=None)

    def journal(self, count: int) -> Journal:
        """The journal of the first *count* entries of the log."""
        lists = self.lists
        from_stools = graded_stools(lists[Stools], self.dose_start, self.made)
        return Journal(
            (*lists[SideEffectReport], *from_stools),
            tuple(lists[MissedDose]),
            tuple(lists[Resolved]),
            tuple(lists[ClinicianAck]),
            self.log if count == len(self.log) else self.log[:count],
            frozenset(self.live),
            self.dose_start,
            tuple(lists[Ferritin]),
            tuple(self.counted),
            self.latest,
            self.made,
        )


def check_profile_dates(profile: SafetyProfile, as_of: dt.date | None) -> None:
    """A clinician's override and a ferritin result count once they exist: one
    dated after today is a mistyped date, and an override from the future
    would raise the cap or allow a condition before anyone decided it."""
    if as_of is None:
        return
    for name, value, what in (
        ("override", profile.override, "an override counts once it is given"),
        ("ferritin", profile.ferritin, "a result counts once the blood is drawn"),
    ):
        if value is not None and value.date > as_of:
            raise InvalidInputError(
                f"SafetyProfile.{name}.date",
                f"a date on or before today ({as_of.isoformat()}): {what}",
                value.date.isoformat(),
            )


def check_policy(regimen: Regimen, policy: TolerancePolicy) -> None:
    interval = regimen.step_interval_days
    for name in ("hold_days", "step_back_days"):
        value = getattr(policy, name)
        if value is not None and value < interval:
            raise InvalidInputError(
                f"policy.{name}",
                f"at least the step interval ({interval} days): no increase "
                "comes within one interval of a side effect",
                value,
            )


def check_entries(regimen: Regimen, journal: Journal, as_of: dt.date | None) -> None:
    taken: dict[dt.date, str] = {}
    start, dose_start = regimen.start_date, regimen.dose_start
    for i, entry in journal.counted:
        # A ferritin result may predate the plan: it is why one starts.
        if entry.date < start and not isinstance(entry, Ferritin):
            raise InvalidInputError(
                f"journal[{i}].date",
                f"a date on or after the plan's start "
                f"({regimen.start_date.isoformat()})",
                entry.date.isoformat(),
            )
        if as_of is not None and entry.date > as_of:
            raise InvalidInputError(
                f"journal[{i}].date",
                f"a date on or before today ({as_of.isoformat()}); entries "
                "cannot come from the future",
                entry.date.isoformat(),
            )
        if entry.date < dose_start and isinstance(entry, ABOUT_A_DOSE):
            raise InvalidInputError(
                f"journal[{i}].date",
                f"a date on or after the first dose "
                f"({regimen.dose_start.isoformat()}); the baseline before it "
                "has no magnesium",
                entry.date.isoformat(),
            )
        if isinstance(entry, AN_EVENING):
            kind = "taken" if isinstance(entry, Taken) else "skipped"
            other = taken.get(entry.date)
            if other is not None:
                raise InvalidInputError(
                    f"journal[{i}].date",
                    f"an evening not already recorded as {other}",
                    f"{kind} on {entry.date.isoformat()}",
                )
            taken[entry.date] = kind
