"""The titration engine: (regimen, profile, journal) -> Schedule.

Pure and deterministic: no clock, no files, no network. The parts a reader
looks for by name live in their own modules: the dose ladder and rounding in
``_ladder``, the tolerance rules in ``_rules``, the placement of intakes in
slots in ``_placement``, the journal's entries by kind and the checks of
what the engine reads in ``_inputs``, the day records and the days built
from them in ``_days``. This module is the day emitter: it walks the plan one
evening at a time, turns journal entries into episodes and events for the
rules, and records each day and each decision.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._days import BASELINE_DAY, TRIAL_OFF_DAY, Day, Days, day_record, like_runs
from ._errors import InvalidInputError
from ._forms import lower_gi_alternatives
from ._inputs import (
    LOGGED,
    Entry,
    Journal,
    Kinds,
    Logged,
    check_entries,
    check_policy,
    check_profile_dates,
)
from ._iron import iron_advice
from ._ladder import Ladder, build_ladder
from ._placement import Placement
from ._product import format_mg
from ._profile import SafetyProfile
from ._regimen import Regimen
from ._rules import (
    Episode,
    Numbers,
    Reaction,
    Tolerance,
    after_gap,
    on_acknowledgement,
    react,
    replace,
)
from ._schedule import (
    DISCLAIMER,
    Action,
    Decision,
    Phase,
    Schedule,
    made_decision,
    stop_rule,
)
from ._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    SideEffectReport,
    TolerancePolicy,
)
from ._trial import Trial, TrialBlock

__all__ = ["MAX_PLAN_DAYS", "plan", "plan_history"]

# A safety net against a plan that never ends, far beyond any real regimen.
MAX_PLAN_DAYS = 366 * 30

_AFTERNOON = dt.time(12, 0)  # from noon on, a medicine is "in the evening"
_DOSED = frozenset(
    (Phase.TITRATING, Phase.HOLDING, Phase.STEPPED_BACK, Phase.MAINTAINING)
)
_OFF = (Phase.PAUSED, Phase.STOPPED)
# A clash that leaves every evening without magnesium for this long stops
# the plan rather than leave a gap of months in it (mgplan's convention:
# courses of other medicines are days or weeks; past this, the plan needs
# new times, not waiting).
_LONGEST_CLASH = 90
_UNPLACED_ADVICE = (
    "Ask a pharmacist or clinician how to space magnesium from the other "
    "medicines, then change their times or the evening window in the plan."
)


def plan(
    regimen: Regimen,
    profile: SafetyProfile | None = None,
    reports: Iterable[SideEffectReport] = (),
    missed: Iterable[MissedDose] = (),
    *,
    resolved: Iterable[Resolved] = (),
    clinician: Iterable[ClinicianAck] = (),
    journal: Iterable[Logged] | None = None,
    policy: TolerancePolicy | None = None,
    as_of: dt.date | None = None,
) -> Schedule:
    """Plan *regimen* for *profile*, adapting to what the journal records.

    *reports* are side effects, *missed* evenings without the dose, *resolved*
    the days symptoms were recorded as gone, *clinician* acknowledgements.
    Or pass *journal*: entries of every kind in the order they were logged,
    which is what a calendar's update history follows (the per-kind lists
    count as logged in date order). *as_of* is "today" for validation: entries
    dated after it are refused. Nothing here reads the clock; pass it in.

    Raises ``ContraindicationError`` for a condition no clinician override
    allows and ``InvalidInputError`` (or a subclass) for bad input.
    """
    profile = profile if profile is not None else _default_profile()
    policy = policy if policy is not None else _default_policy()
    if journal is not None:
        if any((tuple(reports), tuple(missed), tuple(resolved), tuple(clinician))):
            raise InvalidInputError(
                "journal",
                "either journal or the per-kind lists (reports, missed, "
                "resolved, clinician), not both",
                "both",
            )
        log = tuple(journal)
    else:
        log = tuple(
            sorted((*reports, *missed, *resolved, *clinician), key=lambda e: e.date)
        )
    for i, entry in enumerate(log):
        if not isinstance(entry, LOGGED):
            raise InvalidInputError(
                f"journal[{i}]",
                "a journal entry (SideEffectReport, MissedDose, Resolved, "
                "ClinicianAck, Retracted, Taken, RlsRating, Stools or Ferritin)",
                type(entry).__name__,
            )
    journal_ = Journal.of(log, regimen.dose_start)
    profile.check()
    check_profile_dates(profile, as_of)
    check_policy(regimen, policy)
    check_entries(regimen, journal_, as_of)
    return _Planner(regimen, profile, policy, journal_, as_of).run()


@functools.cache
def _default_profile() -> SafetyProfile:
    return SafetyProfile()  # immutable: one for every plan without a profile


@functools.cache
def _default_policy() -> TolerancePolicy:
    return TolerancePolicy()


def plan_history(schedule: Schedule) -> list[tuple[dt.date, Schedule]]:
    """The versions *schedule* went through as its journal grew, oldest first.

    Version *k* is the plan with the first *k* entries in logging order (the
    first has none; the schedule itself is not included). Each comes with its
    cut date: the earliest date among the entries it lacks, before which it
    is the schedule itself. A version the engine refuses (an entry dated past
    where it ended, logged before the entry that moved the end: a journal put
    together by hand) was never a plan anyone saw, and is left out.
    """
    journal = Journal.of(schedule.journal, schedule.regimen.dose_start)
    planner = _Planner(
        schedule.regimen, schedule.profile, schedule.policy, journal, schedule.as_of
    )
    return planner.history()


def _effective(report: SideEffectReport) -> dt.date:
    """The first evening a report can change: its date, or the evening after
    the dose it is about when that is later (a report at 22:30 tonight)."""
    return max(report.date, report.dose_date + _ONE_DAY)


_ONE_DAY = dt.timedelta(1)


@dataclass
class _OpenEpisode:
    first: dt.date  # the first dose evening
    severity_rank: int
    before: _Run  # the run as it was before the episode's action


@dataclass
class _Run:
    """The simulation's state at the start of a day."""

    tol: Tolerance
    mode: Phase
    next_increase: dt.date | None
    quiet_until: dt.date | None = None
    pause_until: dt.date | None = None
    resume_rung: int | None = None
    awaiting_since: dt.date | None = None
    maintenance_since: dt.date | None = None
    quiet_evenings: int = 0  # evenings taken at this dose with no report
    quiet_rung: int = -1
    gap: int = 0  # evenings in a row without magnesium, up to tonight
    gap_left_out: int = 0  # of which every intake was left out (a clash)
    trial_start: dt.date | None = None  # the first day of the n-of-1 blocks
    episode: _OpenEpisode | None = None
    noted: set[int] = field(default_factory=set)  # id() of reports handled

    def copy(self) -> _Run:
        """An independent copy. Every field but ``noted`` and ``episode`` is
        immutable, so only those two are copied (deepcopy, which walked all
        of them, was a third of a calendar export's time)."""
        clone = replace(self, noted=set(self.noted))
        if self.episode is not None:
            episode = self.episode
            clone.episode = _OpenEpisode(
                episode.first, episode.severity_rank, episode.before.copy()
            )
        return clone


@dataclass(frozen=True)
class _Snapshot:
    run: _Run
    days: int
    decisions: int
    suggestions: tuple[str, ...]


class _Planner:
    def __init__(
        self,
        regimen: Regimen,
        profile: SafetyProfile,
        policy: TolerancePolicy,
        journal: Journal,
        as_of: dt.date | None,
    ) -> None:
        self.regimen = regimen
        self.profile = profile
        self.policy = policy
        self.journal = journal
        self.as_of = as_of
        self.product = regimen.product
        self.interval = regimen.step_interval_days
        self.interval_td = dt.timedelta(self.interval)
        self.dose_start = regimen.dose_start
        self.cap = profile.daily_cap_mg
        self.cap_reason = profile.cap_reason
        self.ladder: Ladder = build_ladder(regimen, self.cap, self.cap_reason)
        self.quantum_mg = self.ladder.quantum_mg
        step, unit_mg = self.product.unit_step, self.product.elemental_per_unit
        self.rung_mg = tuple(round(q * step * unit_mg, 6) for q in self.ladder.quanta)
        self.numbers = Numbers(
            interval=self.interval,
            hold=policy.hold_for(self.interval),
            step_back=policy.step_back_for(self.interval),
            pause=policy.pause_for(self.interval),
            mild_to_step_back=policy.mild_reports_to_step_back,
            missed_restart=policy.missed_days_restart,
        )
        self.placement = Placement(regimen, profile, self.ladder.per_intake)
        # Other medicines whose times can leave an evening's intakes out.
        self.clashes = bool(self.placement.medicines)
        self.decisions: list[Decision] = []
        self.suggestions: list[str] = []
        # The trial's blocks by first day: drawn once, not on every trial day.
        self._trial_blocks: dict[dt.date, tuple[TrialBlock, ...]] = {}
        self.days: list[Day] = []
        # One record per kind of day: runs of like days are then runs of the
        # same object, which grouping compares by identity, without a call.
        self._records: dict[tuple[Phase, int, bool], Day] = {}
        self._dose_text: dict[int, str] = {}
        self._described: dict[int, tuple[SideEffectReport, str]] = {}

    # -- words ----------------------------------------------------------------

    def _units(self, quanta: int) -> str:
        return self.product.describe_units(quanta * self.product.unit_step)

    def _mg(self, rung: int) -> str:
        return format_mg(self.ladder.quanta[rung] * self.quantum_mg)

    def _dose(self, rung: int) -> str:
        text = self._dose_text.get(rung)
        if text is None:
            quanta = self.ladder.quanta[rung]
            text = f"{format_mg(quanta * self.quantum_mg)} ({self._units(quanta)})"
            self._dose_text[rung] = text
        return text

    def _said(self, report: SideEffectReport) -> str:
        """``report.describe()``, worded once per report (a report can be named
        in several decisions, and in every version of a plan's history)."""
        found = self._described.get(id(report))
        if found is not None and found[0] is report:
            return found[1]
        text = report.describe()
        # The report is kept with its words, so that its id is not reused.
        self._described[id(report)] = (report, text)
        return text

    def _rung_mg(self, rung: int) -> float:
        return self.rung_mg[rung]

    def _decide(
        self,
        date: dt.date,
        action: Action,
        message: str,
        *,
        before: float | None = None,
        after: float | None = None,
        cause: Entry | None = None,
        consult: bool = False,
        suggestion: str = "",
        rule: str = "",
    ) -> None:
        self.decisions.append(
            made_decision(
                date,
                action,
                message,
                None if before is None else float(before),
                None if after is None else float(after),
                cause,
                consult,
                suggestion,
                rule,
            )
        )
        if suggestion and suggestion not in self.suggestions:
            self.suggestions.append(suggestion)

    def _switch_suggestion(self) -> str:
        form = self.product.magnesium_form
        gentler = lower_gi_alternatives(form)
        if not gentler:
            return (
                f"Side effects at the lowest dose of {form.name}, which already "
                "has the lowest GI tendency catalogued: talk to a clinician "
                "before going on."
            )
        tiers: dict[str, list[str]] = {}
        for g in gentler:
            tiers.setdefault(g.gi_tendency.evidence, []).append(g.salt)
        options = "; ".join(
            f"{', '.join(names[:4])} ({evidence})" for evidence, names in tiers.items()
        )
        return (
            f"Side effects at the lowest dose: {form.salt} has a "
            f"{form.gi_tendency.value} GI tendency. A form with a lower one may "
            f"suit better: {options}. Ask a pharmacist or clinician."
        )

    # -- the run ----------------------------------------------------------------

    def run(self) -> Schedule:
        """The schedule with every journal entry applied."""
        run = self._begin()
        self._simulate(run, self.regimen.start_date, self.journal)
        self._late_entries(run, self.journal)
        return self._finish(run, self.journal)

    def history(self) -> list[tuple[dt.date, Schedule]]:
        """The plan after each prefix of the journal in logging order.

        Version *k* has the first *k* entries logged. Before the earliest date
        among the entries it lacks (its cut) it is the final plan: no entry
        changes a day before its own date, and every entry dated earlier is
        in it. So each version resumes from a snapshot of the final run, and
        the cost grows linearly with the entries.
        """
        log = self.journal.log
        final = self.journal.live
        cuts: list[dt.date] = []
        # From each position on: the earliest date, and the earliest of the
        # entries that count in the end.
        earliest: list[dt.date] = [e.date for e in log]
        to_come: list[dt.date | None] = [None] * (len(log) + 1)
        for i in range(len(log) - 1, -1, -1):
            if i + 1 < len(log):
                earliest[i] = min(earliest[i], earliest[i + 1])
            later = to_come[i + 1]
            if i in final and (later is None or log[i].date < later):
                later = log[i].date
            to_come[i] = later
        # Counting now, but taken back later.
        doomed: set[int] = set()
        for count in range(len(log)):
            if count:
                last = log[count - 1]
                if isinstance(last, Retracted):
                    doomed.discard(last.entry - 1)
                elif count - 1 not in final:
                    doomed.add(count - 1)
            # What counts differs from the end in the entries still to come
            # and those taken back later; no entry changes a day before its
            # own date.
            differ = [log[i].date for i in doomed]
            coming = to_come[count]
            if coming is not None:
                differ.append(coming)
            # No difference in what counts: any cut gives the final plan.
            cut = min(differ) if differ else earliest[count]
            # An entry dated before the plan (a ferritin result) changes it
            # from its first day, where the engine reads it.
            cuts.append(max(cut, self.regimen.start_date))
        snapshots: dict[dt.date, _Snapshot] = {}
        run = self._begin()
        self._simulate(
            run,
            self.regimen.start_date,
            self.journal,
            snapshots=snapshots,
            cuts=frozenset(cuts),
        )
        versions = []
        # Graded stools as the final journal graded them (the run noted those).
        kinds = Kinds(log, self.journal.dose_start, self.journal.made)
        for count, cut in enumerate(cuts):
            kinds.logged(count)
            snap = snapshots.get(cut)
            if snap is None:  # pragma: no cover - entries lie within the plan
                continue
            journal = kinds.journal(count)
            branch = copy.copy(self)
            branch.days = self.days[: snap.days]
            branch.decisions = self.decisions[: snap.decisions]
            branch.suggestions = list(snap.suggestions)
            resumed = snap.run.copy()
            try:
                branch._simulate(resumed, cut, journal)
                branch._late_entries(resumed, journal)
            except InvalidInputError:
                # Refused: an entry past where this version ended, logged
                # before the entry that moved the end (a journal put
                # together by hand; appending checks each entry against
                # the plan so far). No one ever saw this plan.
                continue
            versions.append((cut, branch._finish(resumed, journal)))
        return versions

    def _begin(self) -> _Run:
        r, ladder = self.regimen, self.ladder
        if r.baseline_days:
            self._decide(
                r.start_date,
                Action.NOTE,
                f"Baseline: {r.baseline_days} evening"
                f"{'s' if r.baseline_days != 1 else ''} without magnesium, to "
                f"{(r.dose_start - dt.timedelta(1)).isoformat()}. Rate your legs "
                "and sleep each night ('mgplan rls'): the review compares the "
                "weeks on magnesium with these.",
                rule="baseline",
            )
        start = r.dose_start
        at_top = ladder.start >= ladder.top
        run = _Run(
            tol=Tolerance(
                rung=ladder.start, start=ladder.start, top=ladder.top, target=ladder.top
            ),
            mode=Phase.MAINTAINING if at_top else Phase.TITRATING,
            next_increase=None if at_top else start + dt.timedelta(self.interval),
            maintenance_since=start if at_top else None,
        )
        slot = r.slots[r.single_slot]
        if at_top:
            ladder_text = ", which is the target"
        else:
            first, second = ladder.quanta[ladder.start], ladder.quanta[ladder.start + 1]
            ladder_text = (
                f"; +{format_mg((second - first) * self.quantum_mg)} every "
                f"{self.interval} days up to {self._dose(ladder.top)}"
            )
        self._decide(
            start,
            Action.START,
            f"Starting on {start.isoformat()} at {self._dose(ladder.start)}, "
            f"{slot.label or slot.time.strftime('%H:%M')}{ladder_text}.",
            after=self._rung_mg(ladder.start),
            rule="start",
        )
        for message in ladder.fitted:
            self._decide(start, Action.ADJUST, message, rule="fit")
        for note in self.profile.notes():
            self._decide(
                start, Action.SAFETY, note.message, consult=note.consult, rule="safety"
            )
        self._spacing_decisions(start)
        return run

    def _iron(self, day: dt.date, journal: Journal) -> None:
        results = [*journal.ferritin]
        if self.profile.ferritin is not None:
            results.append(self.profile.ferritin)
        message, ask = iron_advice(results, day)
        # A suggestion, not a consult flag: the advice is to have iron
        # checked, which does not hold the plan (and a flag would stay up
        # on every plan until a clinician acknowledges it).
        suggestion = "Ask a clinician about iron studies (AASM 2024)." if ask else ""
        self._decide(day, Action.NOTE, message, suggestion=suggestion, rule="iron")

    def _spacing_decisions(self, start: dt.date) -> None:
        for medicine in self.profile.medicines:
            rule = medicine.rule
            late = [t for t in medicine.times if t >= _AFTERNOON]
            if rule.id == "iron" and late:
                # Iron is usually taken in the morning and magnesium in the
                # evening; the two are kept apart [S14], and RLS guidance
                # has iron checked and given in the morning [S7].
                text = (
                    f"{medicine.name} is taken at "
                    f"{', '.join(f'{t:%H:%M}' for t in late)}, in the evening "
                    "with the magnesium: ask whether it can move to the morning, "
                    "away from the magnesium."
                )
                self._decide(start, Action.NOTE, text, suggestion=text, rule="spacing")
            if rule.flag_only or rule.id == "other":
                self._decide(
                    start,
                    Action.NOTE,
                    rule.note,
                    suggestion=rule.note,
                    rule="spacing",
                )
            elif rule.note:
                self._decide(
                    start,
                    Action.NOTE,
                    f"{medicine.name}: {rule.note} mgplan keeps magnesium "
                    f"{rule.before_h:g} h after it and {rule.after_h:g} h before it.",
                    rule="spacing",
                )

    def _placement_decisions(self) -> list[Decision]:
        """A decision wherever the intakes' moves or omissions change."""
        placement, start = self.placement, self.regimen.start_date
        if (
            self.fast_forward
            and not placement.medicines
            and not any(
                placement.missing(day, self.ladder.quanta[record.rung])
                for day in placement.clock_changes(
                    start, start + dt.timedelta(len(self.days) - 1)
                )
                if (record := self.days[(day - start).days]).rung >= 0
            )
        ):
            # Without other medicines nothing moves, and only a day the zone
            # skips lacks its intakes: none does, so there is nothing to say.
            return []
        decisions = []
        before: tuple[tuple[str, bool], ...] = ()
        for first, count, record in like_runs(start, self.days):
            if record.rung < 0:
                # No dose, nothing placed: what was said holds until the next
                # evening with a dose.
                continue
            quanta = self.ladder.quanta[record.rung]
            for date, now in placement.descriptions(first, count, quanta):
                if now != before:
                    if now:
                        text = " ".join(sentence for sentence, _ in now)
                        consult = any(flag for _, flag in now)
                    else:
                        text = "The intakes are back at their usual times."
                        consult = False
                    decisions.append(
                        made_decision(
                            date,
                            Action.SPACING,
                            f"From {date.isoformat()}: {text}",
                            None,
                            None,
                            None,
                            consult,
                            "",
                            "spacing",
                        )
                    )
                before = now
        return decisions

    def _plan_end(self, run: _Run) -> dt.date | None:
        if self.regimen.end_date is not None:
            return self.regimen.end_date
        trial = self.regimen.trial
        if run.trial_start is not None and trial is not None:
            return run.trial_start + dt.timedelta(trial.days - 1)
        end = self._maintenance_end(run)
        if end is None or trial is None:
            return end
        return end + dt.timedelta(trial.days)

    def _maintenance_end(self, run: _Run) -> dt.date | None:
        if run.maintenance_since is None:
            return None
        days = max(1, self.regimen.maintenance_days)
        return run.maintenance_since + dt.timedelta(days - 1)

    def _blocks(self, trial: Trial, first: dt.date) -> tuple[TrialBlock, ...]:
        found = self._trial_blocks.get(first)
        if found is None:
            found = self._trial_blocks[first] = trial.blocks(first)
        return found

    def _trial_arm(self, run: _Run, day: dt.date) -> str | None:
        """'on' or 'off' on a day of the n-of-1 trial, else None; starts the
        trial on the first day after maintenance."""
        trial = self.regimen.trial
        if trial is None:
            return None
        if run.trial_start is None:
            end = self._maintenance_end(run)
            if end is None or day <= end or run.mode is not Phase.MAINTAINING:
                return None
            run.trial_start = day
            blocks = self._blocks(trial, day)
            order = ", ".join(f"{b.arm} from {b.start}" for b in blocks)
            control = "no magnesium" if trial.control == "off" else "placebo capsules"
            self._decide(
                day,
                Action.NOTE,
                f"The n-of-1 trial starts: {trial.pairs} pairs of "
                f"{trial.block_days}-day blocks in a random order (seed "
                f"{trial.seed}): {order}. Off blocks: {control}. Keep rating "
                "each night; the first "
                f"{trial.washout_days} days of each block are not analysed.",
                rule="trial",
            )
        block = self._block(trial, run.trial_start, day)
        return None if block is None else block[0]

    def _block(
        self, trial: Trial, trial_start: dt.date, day: dt.date
    ) -> tuple[str, dt.date] | None:
        """The arm of the trial block *day* is in, and the day after the
        block; None outside the blocks."""
        index = (day - trial_start).days // trial.block_days
        blocks = self._blocks(trial, trial_start)
        if not 0 <= index < len(blocks):
            return None
        return blocks[index].arm, trial_start + dt.timedelta(
            (index + 1) * trial.block_days
        )

    def _waiting(self, run: _Run, day: dt.date, resolved: Iterable[Resolved]) -> bool:
        """Stopped, or paused past the shortest pause with no resolution yet."""
        if run.mode is Phase.STOPPED:
            return True
        if (
            run.mode is not Phase.PAUSED
            or run.awaiting_since is None
            or run.pause_until is None
            or day <= run.pause_until
        ):
            return False
        since = run.awaiting_since
        return not resolved or not any(since <= x.date <= day for x in resolved)

    def _ends_waiting(
        self,
        run: _Run,
        day: dt.date,
        resolved: list[Resolved],
        last_entry: dt.date | None,
    ) -> bool:
        """Whether a plan without an end (``_plan_end`` is None) ends before
        *day*: stopped, or paused waiting for a resolution, with no entry
        still to come."""
        return (last_entry is None or day > last_entry) and self._waiting(
            run, day, resolved
        )

    def _simulate(
        self,
        run: _Run,
        day: dt.date,
        journal: Journal,
        *,
        snapshots: dict[dt.date, _Snapshot] | None = None,
        cuts: frozenset[dt.date] = frozenset(),
    ) -> None:
        """Emit the days from *day* on. With *snapshots*, the run as it was at
        the start of each day in *cuts* is stored there under its date."""
        start = self.regimen.start_date
        dose_start = self.regimen.dose_start
        ferritin_dates = {e.date for e in journal.ferritin if e.date > start}
        reports: dict[dt.date, list[tuple[int, SideEffectReport]]] = defaultdict(list)
        for index, report in enumerate(journal.reports):
            reports[_effective(report)].append((index, report))
        resolved = sorted(journal.resolved, key=lambda x: x.date)
        for found in reports.values():
            if len(found) > 1:  # the usual day has one
                found.sort(key=lambda x: (x[1].dose_date, x[1].date, x[0]))
        missed = {m.date: m for m in journal.missed}
        acks: dict[dt.date, list[ClinicianAck]] = defaultdict(list)
        for ack in journal.clinician:
            acks[ack.date].append(ack)
        last_entry = journal.last_date
        limit = start + dt.timedelta(MAX_PLAN_DAYS)
        # The days on which an entry can change something; between them and
        # the run's own due dates, the days are alike and emitted in one go.
        # The days with reports are apart: while the plan is paused or
        # stopped, most reports are only noted, and the days go on alike.
        report_days = sorted(reports)
        events = sorted(
            {
                start,
                dose_start,
                limit,
                *ferritin_dates,
                *missed,
                *(m + _ONE_DAY for m in missed),  # the first evening back
                *acks,
                *(x.date for x in resolved),
                *(() if last_entry is None else (last_entry + _ONE_DAY,)),
                *cuts,
            }
        )
        while True:
            end = self._plan_end(run)
            if end is not None:
                if day > end:
                    break
            elif self._ends_waiting(run, day, resolved, last_entry):
                break
            if day >= limit:
                raise InvalidInputError(
                    "Regimen",
                    f"a plan that ends within {MAX_PLAN_DAYS} days",
                    f"a plan still running on {day.isoformat()}",
                )
            if snapshots is not None and day in cuts:
                snapshots[day] = _Snapshot(
                    run.copy(),
                    len(self.days),
                    len(self.decisions),
                    tuple(self.suggestions),
                )
            # Iron first: what the results known by then say, at the start
            # and on each later result (after the snapshot, so a version
            # resumed here decides it from its own journal).
            if day == start or day in ferritin_dates:
                self._iron(day, journal)
            left = self._day(run, day, reports, missed, acks, resolved)
            day += _ONE_DAY
            if self.fast_forward:
                day = self._plain_days(
                    run, day, events, resolved, last_entry, left, report_days, reports
                )
            elif left is not None:
                self._emit(run, left[0], trial=left[1], left_out=left[2])

    def _day(
        self,
        run: _Run,
        day: dt.date,
        reports: dict[dt.date, list[tuple[int, SideEffectReport]]],
        missed: dict[dt.date, MissedDose],
        acks: dict[dt.date, list[ClinicianAck]],
        resolved: list[Resolved],
    ) -> tuple[bool, bool, bool] | None:
        """One day: what the entries and the run's due dates change. Returns
        the day still to be recorded from the run as it is now (missed, in an
        on block of the trial, every intake left out), which ``_plain_days``
        records with the alike days after it; None when it is recorded
        already."""
        if day < self.dose_start:  # the baseline: reports are only noted
            self.days.append(BASELINE_DAY)
            for _, report in reports.get(day, ()):
                run.noted.add(id(report))
                self._report(run, day, report)
            return None
        arm = self._trial_arm(run, day)
        if arm == "off":  # no magnesium tonight
            # A clinician's word counts the day it is given; what it resumes
            # starts with the next on block.
            for ack in acks.get(day, ()):
                self._acknowledge(run, day, ack, trial=True)
            for _, report in reports.get(day, ()):
                run.noted.add(id(report))
                if not isinstance(self._dose_evening(report, run), str):
                    # About the evening before the block, with magnesium: the
                    # rules apply as to any report about a dose.
                    self._report(run, day, report)
                    continue
                self._decide(
                    day,
                    Action.NOTE,
                    f"{self._said(report)}: in an off block of the trial, "
                    "without magnesium; noted for the review (side effects "
                    "are reported on placebo too).",
                    cause=report,
                    rule="trial",
                )
            self.days.append(TRIAL_OFF_DAY)
            return None
        missed_today = day in missed
        if run.mode is Phase.PAUSED:
            self._maybe_resume(run, day, resolved)
        for ack in acks.get(day, ()):
            self._acknowledge(run, day, ack)
        # An evening whose intakes a clash with another medicine all leaves
        # out has no magnesium, like a missed one: no increase, and the gap
        # rule on the first evening back.
        dosing = (run.mode, run.tol.rung)
        unplaced = self._unplaced(run, day)
        without = missed_today or unplaced
        if run.gap and run.mode in _DOSED and not without:
            self._after_gap(run, day, missed)
        for _, report in reports.get(day, ()):
            run.noted.add(id(report))
            self._report(run, day, report)
        if (
            run.mode in _DOSED
            and run.next_increase is not None
            and day >= run.next_increase
            and not without
            and (run.quiet_until is None or day >= run.quiet_until)
            and not self._put_off(run, day)
        ):
            self._increase(run, day)
        if (run.mode, run.tol.rung) != dosing:
            unplaced = self._unplaced(run, day)
        left_out = unplaced and not missed_today
        if left_out:
            quanta = self.ladder.quanta[run.tol.rung]
            placement = self.placement
            if placement.unplaced_for_good(day, quanta) or (
                # A medicine that starts tonight, for good: from tomorrow on.
                placement.unplaced_for_good(day + _ONE_DAY, quanta)
            ):
                self._stop_unplaced(run, day, "on")
                left_out = False
            elif placement.unplaced_through(day, quanta, _LONGEST_CLASH):
                self._stop_unplaced(run, day, f"for the next {_LONGEST_CLASH} days")
                left_out = False
        return missed_today, arm == "on", left_out

    def _unplaced(self, run: _Run, day: dt.date) -> bool:
        """Whether tonight's dose is due but a clash leaves out every intake."""
        return (
            self.clashes
            and run.mode in _DOSED
            and self.placement.unplaced(day, self.ladder.quanta[run.tol.rung])
        )

    def _put_off(self, run: _Run, day: dt.date) -> bool:
        """Whether an increase due tonight waits because a clash with another
        medicine leaves some intake of the dose out (not all: such an
        evening is in a gap): tonight, for the dose rises only from an
        evening that takes it whole; or on ``missed_days_restart`` evenings
        in a row ending within the interval before (a course), for the next
        increase then counts from the first evening with the whole dose, as
        after missed ones (said in a decision). Not when the clash never
        ends: the plan then climbs with what can be placed."""
        if not self.clashes:
            return False
        placement, quanta = self.placement, self.ladder.quanta
        if placement.short(day, quanta[run.tol.rung]):
            return not placement.short_for_good(day, quanta[run.tol.rung])
        start, need = self.regimen.start_date, self.numbers.missed_restart
        # The latest run of such evenings that ends within the interval.
        end: dt.date | None = None
        count = 0
        eve = day - _ONE_DAY
        while eve >= start and (end is not None or eve >= day - self.interval_td):
            record = self.days[(eve - start).days]
            q = quanta[record.rung] if record.rung >= 0 else 0
            partly = (
                record.rung >= 0
                and not record.missed
                and placement.short(eve, q)
                and not placement.unplaced(eve, q)
            )
            if partly:
                end = end or eve
                count += 1
            elif end is not None:
                if count >= need:
                    break
                end, count = None, 0
            eve -= _ONE_DAY
        if end is None or count < need:
            return False
        due = end + _ONE_DAY + self.interval_td
        if due <= day:
            return False
        run.next_increase = due
        first = end - dt.timedelta(count - 1)
        whole = end + _ONE_DAY
        self._decide(
            day,
            Action.HOLD,
            f"{count} evenings in a row with an intake left out ({first.isoformat()} "
            f"to {end.isoformat()}): holding {self._dose(run.tol.rung)}; the next "
            f"increase counts from {whole.isoformat()}, the first evening with the "
            f"whole dose, and moves to {due.isoformat()}.",
            before=self._rung_mg(run.tol.rung),
            after=self._rung_mg(run.tol.rung),
            rule="missed-gap",
        )
        return True

    def _stop_unplaced(self, run: _Run, day: dt.date, when: str) -> None:
        """Stop: no evening from *day* on can hold the dose (``when``: "on",
        ``Placement.unplaced_for_good``), or none for _LONGEST_CLASH days:
        waiting would wait for ever, or for months without magnesium."""
        rung = run.tol.rung
        layout = self.placement.layout(day, self.ladder.quanta[rung])
        why = "; ".join(dict.fromkeys(r for reasons in layout.reasons for r in reasons))
        run.tol = replace(run.tol, stopped=True)
        run.mode = Phase.STOPPED
        run.next_increase = run.maintenance_since = None
        run.pause_until = run.resume_rung = run.awaiting_since = None
        window = f"{self.regimen.window_start:%H:%M} to {self.regimen.window_end:%H:%M}"
        self._decide(
            day,
            Action.STOP,
            f"No time from {window} keeps {self._dose(rung)} clear of the other "
            f"medicines ({why}), on any evening from {day.isoformat()} {when}: "
            "every intake would be left out, so the plan stops rather than wait "
            f"without magnesium. {_UNPLACED_ADVICE}",
            before=self._rung_mg(rung),
            after=0.0,
            consult=True,
            suggestion=_UNPLACED_ADVICE,
            rule="spacing",
        )

    # Off only in the tests, which check that skipping ahead (days, and the
    # placement decisions of a plan without other medicines) changes nothing.
    fast_forward = True

    def _plain_days(
        self,
        run: _Run,
        day: dt.date,
        events: list[dt.date],
        resolved: list[Resolved],
        last_entry: dt.date | None,
        left: tuple[bool, bool, bool] | None,
        report_days: list[dt.date],
        reports: dict[dt.date, list[tuple[int, SideEffectReport]]],
    ) -> dt.date:
        """Emit, in one go, the days from *day* on on which nothing can
        happen, and return the first day after them (*day* itself when it is
        not such a day). *left* is the day before, still to be recorded (see
        ``_day``): recorded first, or with them when it is like them.

        A day is plain when no entry is dated or takes effect on it (the
        *events*, and the *report_days*) and the run has nothing due: no
        increase, no end of a pause, no new trial block, no first evening
        back after missed ones, and the plan neither ends nor stops there.
        Each such day is what the day before was, and only the count of quiet
        evenings moves. While the plan is paused or stopped, a day whose
        reports are all about evenings without magnesium is plain too: they
        are noted after the days are recorded, as ``_report`` notes them.
        """
        if left is not None:
            if left[0] or left[2]:  # without magnesium: alone, in a gap
                self._emit(run, left[0], trial=left[1], left_out=left[2])
                left = None
            else:
                # As recording it does; nothing else read below.
                run.gap = run.gap_left_out = 0
        plain = self._plain_run(
            run, day, events, resolved, last_entry, report_days, reports
        )
        stop, arm, noted = (day, None, []) if plain is None else plain
        count = (stop - day).days
        dosed = arm != "baseline" and arm != "off"
        if left is not None:
            # Recorded with the plain days (alone when there are none) unless
            # they have no dose or a trial begins between them (only _day
            # begins one, and a plain run stops before it: checked all the
            # same).
            if dosed and left[1] == (arm == "on"):
                count += 1
            else:
                self._emit(run, False, trial=left[1])
        if not count:
            return day
        if dosed:
            self._emit(run, False, trial=arm == "on", days=count)
        else:
            record = BASELINE_DAY if arm == "baseline" else TRIAL_OFF_DAY
            self.days.extend([record] * count)
        # In date order, each day's as _day takes them: after the days are
        # recorded, so that each report finds its evening.
        for date in noted:
            for _, report in reports[date]:
                run.noted.add(id(report))
                self._report(run, date, report)
        return stop

    def _plain_run(
        self,
        run: _Run,
        day: dt.date,
        events: list[dt.date],
        resolved: list[Resolved],
        last_entry: dt.date | None,
        report_days: list[dt.date],
        reports: dict[dt.date, list[tuple[int, SideEffectReport]]],
    ) -> tuple[dt.date, str | None, list[dt.date]] | None:
        """Where the plain days from *day* stop (exclusive), what they are
        ('baseline', a trial arm, or None), and the report days among them,
        whose reports are only to be noted; None when *day* is not one."""
        stop = events[bisect.bisect_left(events, day)]
        end = self._plan_end(run)
        if end is not None:
            stop = min(stop, end + _ONE_DAY)
        elif self._ends_waiting(run, day, resolved, last_entry):
            return None
        if day < self.dose_start:  # up to a report, which _day notes
            i = bisect.bisect_left(report_days, day)
            if i < len(report_days):
                stop = min(stop, report_days[i])
            return (stop, "baseline", []) if stop > day else None
        mode = run.mode
        if mode in _DOSED:
            if run.gap:
                return None
            due = run.next_increase
            if due is not None:
                if run.quiet_until is not None:
                    due = max(due, run.quiet_until)
                stop = min(stop, due)
        elif mode is Phase.PAUSED and run.pause_until is not None:
            if run.pause_until >= day:
                stop = min(stop, run.pause_until + _ONE_DAY)
            elif not self._waiting(run, day, resolved):
                # Past the shortest pause and nothing (or a resolution
                # recorded during it) to wait for: it resumes today.
                return None
            # Else it waits for a resolution, whose dates are events.
        arm: str | None = None
        trial = self.regimen.trial
        if trial is not None:
            if run.trial_start is None:
                maintained = self._maintenance_end(run)
                if maintained is not None and mode is Phase.MAINTAINING:
                    stop = min(stop, maintained + _ONE_DAY)
            else:
                block = self._block(trial, run.trial_start, day)
                if block is not None:
                    arm, after = block
                    stop = min(stop, after)
        first = i = bisect.bisect_left(report_days, day)
        while i < len(report_days) and report_days[i] < stop:
            if (
                arm is not None
                or mode not in _OFF
                or not all(
                    isinstance(self._dose_evening(report, run), str)
                    for _, report in reports[report_days[i]]
                )
            ):
                stop = report_days[i]
                break
            i += 1
        if self.clashes and mode in _DOSED and arm != "off" and stop > day:
            # Up to an evening a clash leaves without magnesium: _day takes it.
            # (Dosed, the run has stopped at the first report: none is noted.)
            unplaced = self.placement.first_unplaced(
                day, stop, self.ladder.quanta[run.tol.rung]
            )
            if unplaced is not None:
                stop = unplaced
        return (stop, arm, report_days[first:i]) if stop > day else None

    def _emit(
        self,
        run: _Run,
        missed_today: bool,
        *,
        trial: bool = False,
        days: int = 1,
        left_out: bool = False,
    ) -> None:
        """*days* alike days from the run as it is (a missed evening is one,
        and so is one whose intakes are all *left_out*: both are evenings
        without magnesium, in a gap)."""
        dosed = run.mode in _DOSED
        phase = Phase.TRIAL_ON if trial and run.mode is Phase.MAINTAINING else run.mode
        key = (phase, run.tol.rung if dosed else -1, missed_today and dosed)
        record = self._records.get(key)
        if record is None:
            record = self._records[key] = day_record(*key)
        self.days.extend([record] * days)
        if not dosed:
            run.gap = run.gap_left_out = 0
            return
        if missed_today or left_out:
            run.gap += days
            if left_out and not missed_today:
                run.gap_left_out += days
            return
        run.gap = run.gap_left_out = 0
        if run.quiet_rung != run.tol.rung:
            run.quiet_rung = run.tol.rung
            run.quiet_evenings = 0
        run.quiet_evenings += days
        if run.quiet_evenings >= self.interval:
            # A full interval taken with no report: the windowed counters go.
            run.tol = run.tol.quiet()
            run.episode = None

    # -- events -----------------------------------------------------------------

    def _set_dosing(self, run: _Run, day: dt.date) -> None:
        """Titrating from *day*, or maintaining when at the top."""
        if run.tol.rung >= run.tol.top:
            if run.mode is not Phase.MAINTAINING:
                run.maintenance_since = day
            run.mode = Phase.MAINTAINING
            run.next_increase = None
        else:
            run.mode = Phase.TITRATING
            run.maintenance_since = None
            run.next_increase = day + dt.timedelta(self.interval)

    def _maybe_resume(self, run: _Run, day: dt.date, resolved: list[Resolved]) -> None:
        if run.pause_until is None or day <= run.pause_until:
            return
        entry: Resolved | None = None
        if run.awaiting_since is not None:
            if not resolved:
                return
            since = run.awaiting_since
            entry = next((x for x in resolved if since <= x.date <= day), None)
            if entry is None:
                return
        rung = run.resume_rung if run.resume_rung is not None else run.tol.start
        run.tol = replace(run.tol, rung=rung)
        run.pause_until = run.resume_rung = run.awaiting_since = None
        run.mode = Phase.TITRATING  # so that _set_dosing records maintenance anew
        self._set_dosing(run, day)
        why = (
            f" ({entry.describe()[0].lower()}{entry.describe()[1:]})"
            if entry is not None
            else ""
        )
        self._decide(
            day,
            Action.RESTART,
            f"The pause is over{why}: restarting at {self._dose(rung)}.",
            before=0.0,
            after=self._rung_mg(rung),
            cause=entry,
            rule="severe-pause" if entry is not None else "moderate-lowest",
        )

    def _acknowledge(
        self, run: _Run, day: dt.date, ack: ClinicianAck, *, trial: bool = False
    ) -> None:
        """Act on *ack*; *trial*: on a day of a trial's off block."""
        was_stopped = run.mode is Phase.STOPPED
        old_ceiling = run.tol.ceiling
        run.tol = on_acknowledgement(run.tol, ack.allows)
        effects = []
        if ack.allows == "lift-ceiling" and old_ceiling is not None:
            effects.append(
                f"the ceiling of {self._mg(old_ceiling)} is lifted; the plan may "
                f"go on to {self._dose(run.tol.top)}"
            )
        after: float | None = None
        if was_stopped:
            run.mode = Phase.TITRATING
            self._set_dosing(run, day)
            after = self._rung_mg(run.tol.rung)
            effects.append(
                f"resuming at {self._dose(run.tol.rung)}"
                + (" with the trial's next on block" if trial else "")
            )
        elif (
            ack.allows == "lift-ceiling"
            and run.mode is Phase.MAINTAINING
            and run.tol.rung < run.tol.top
        ):
            self._set_dosing(run, day)
        if not effects:
            effects.append("nothing is stopped or capped, so nothing changes")
        self._decide(
            day,
            Action.CLINICIAN,
            f"{ack.describe()}: {'; '.join(effects)}.",
            before=0.0 if was_stopped else None,
            after=after,
            cause=ack,
            rule="clinician",
        )

    def _after_gap(
        self, run: _Run, day: dt.date, missed: dict[dt.date, MissedDose]
    ) -> None:
        gap = run.gap
        lowered = after_gap(run.tol, gap, self.numbers)
        if lowered is None:
            return
        before = run.tol.rung
        run.tol = lowered
        run.mode = Phase.TITRATING
        self._set_dosing(run, day)
        first = day - dt.timedelta(gap)
        last = day - dt.timedelta(1)
        where = (
            "at the start dose"
            if gap >= self.interval
            else ("one step lower" if lowered.rung < before else "at the same dose")
        )
        left_out = run.gap_left_out
        if not left_out:
            what = "1 evening missed" if gap == 1 else f"{gap} evenings in a row missed"
        elif left_out == gap:
            what = (
                f"{gap} evening{'s in a row' if gap > 1 else ''} without "
                "magnesium, every intake left out"
            )
        else:
            what = (
                f"{gap} evenings in a row without magnesium, {gap - left_out} "
                f"missed and {left_out} with every intake left out"
            )
        when = (
            first.isoformat()
            if gap == 1
            else f"{first.isoformat()} to {last.isoformat()}"
        )
        self._decide(
            day,
            Action.MISSED_RESTART,
            f"{what} ({when}): restarting {where}, at "
            f"{self._dose(lowered.rung)}; the next increase counts from tonight.",
            before=self._rung_mg(before),
            after=self._rung_mg(lowered.rung),
            cause=missed.get(last),
            rule="missed-gap",
        )

    def _increase(self, run: _Run, day: dt.date) -> None:
        tol = run.tol
        if tol.rung >= tol.top:
            run.next_increase = None
            if run.mode is not Phase.MAINTAINING:
                run.maintenance_since = day
            run.mode = Phase.MAINTAINING
            return
        before = self._rung_mg(tol.rung)
        rung = tol.rung + 1
        retry = rung in tol.retried
        run.tol = replace(tol, rung=rung)
        run.mode = Phase.TITRATING
        self._set_dosing(run, day)
        dose = self._dose(rung)
        if rung >= run.tol.top:
            reached = "the ceiling" if run.tol.ceiling == rung else "the target"
            if retry:
                message = f"Retrying {dose} once; it is {reached}."
            else:
                message = f"Increasing to {dose}: {reached} is reached."
            action = Action.REACH_TARGET
        else:
            message = f"Retrying {dose} once." if retry else f"Increasing to {dose}."
            action = Action.INCREASE
        self._decide(
            day,
            action,
            message,
            before=before,
            after=self._rung_mg(rung),
            rule="increase",
        )

    # -- side effects -------------------------------------------------------------

    def _dose_evening(
        self, report: SideEffectReport, run: _Run
    ) -> tuple[int, float] | str:
        """The rung of the evening *report* is about and the elemental mg its
        intakes added up to (less than the rung's when a clash left one
        out); or why no magnesium was taken then. An evening not recorded
        yet is one of the plain days being skipped over (``_plain_run``),
        each what *run* records."""
        index = (report.dose_date - self.regimen.start_date).days
        if index < 0:
            return "before the plan's start"
        if index >= len(self.days):
            if run.mode in _DOSED:
                return "not yet planned"  # pragma: no cover - dose_date < date
            return str(run.mode)
        evening = self.days[index]
        if evening.missed:
            return "missed"
        if evening.rung < 0:
            return str(evening.phase)
        taken = self.placement.scheduled_mg(
            report.dose_date, self.ladder.quanta[evening.rung]
        )
        if taken <= 0:
            return "every intake left out"
        return evening.rung, taken

    def _report(self, run: _Run, day: dt.date, report: SideEffectReport) -> None:
        what = self._said(report)
        found = self._dose_evening(report, run)
        grade = report.grade
        if isinstance(found, str):  # why no magnesium was taken
            message = (
                f"{what}: no magnesium was taken that evening ({found}); noted, "
                "no change."
            )
            # Before the first dose, a moderate or severe episode is a reason
            # to wait: magnesium loosens stools, and active diarrhoea was an
            # exclusion in its trial in restless legs [S10].
            wait = day <= self.dose_start and grade is not None and grade.rank > 0
            if wait:
                message += (
                    " Talk to a clinician before magnesium starts (on "
                    f"{self.dose_start.isoformat()}): it loosens stools, and "
                    "active diarrhoea is a reason to wait."
                )
            self._decide(
                day,
                Action.NOTE,
                message,
                cause=report,
                consult=wait,
                rule="dose-evening",
            )
            return
        if grade is None:
            self._decide(
                day,
                Action.NOTE,
                f"{what}: stools within the person's usual; noted, no change.",
                cause=report,
                rule="grading",
            )
            return
        run.quiet_evenings = 0
        rung, taken = found
        if taken < self.rung_mg[rung] - 1e-3:  # not the rounding of its parts
            # An intake was left out that evening: the episode counts at what
            # remained (the largest dose not above it), so that what it bars
            # or steps back from is what came before the symptoms.
            rung = max(0, bisect.bisect_right(self.rung_mg, taken + 1e-3) - 1)
            what += ", an evening with an intake left out,"
        episode = run.episode
        window = dt.timedelta(self.policy.episode_days)
        if episode is not None and abs(report.dose_date - episode.first) <= window:
            if grade.rank <= episode.severity_rank:
                self._decide(
                    day,
                    Action.NOTE,
                    f"{what}: part of the episode after the evening of "
                    f"{episode.first.isoformat()}; no new action.",
                    cause=report,
                    rule="episode",
                )
                self._quiet_until(run, day)
                return
            # A worse report in the same episode: its action replaces the
            # episode's, decided from the plan as it was before the episode.
            before = episode.before
            restored = before.copy()
            for name in (
                "tol",
                "mode",
                "next_increase",
                "quiet_until",
                "pause_until",
                "resume_rung",
                "awaiting_since",
                "maintenance_since",
            ):
                setattr(run, name, getattr(restored, name))
            episode.severity_rank = grade.rank
            self._react(
                run, day, report, what, Episode(grade, rung), worse=episode.first
            )
            return
        before = run.copy()
        before.episode = None
        run.episode = _OpenEpisode(report.dose_date, grade.rank, before)
        self._react(run, day, report, what, Episode(grade, rung), worse=None)

    def _quiet_until(self, run: _Run, day: dt.date) -> None:
        until = day + dt.timedelta(self.interval)
        if run.quiet_until is None or until > run.quiet_until:
            run.quiet_until = until
        if run.next_increase is not None and run.next_increase < until:
            run.next_increase = until

    def _react(
        self,
        run: _Run,
        day: dt.date,
        report: SideEffectReport,
        what: str,
        episode: Episode,
        *,
        worse: dt.date | None,
    ) -> None:
        """Act on *report*, worded *what*, as *episode*."""
        dosed_before = run.mode in _DOSED
        current = self._rung_mg(run.tol.rung) if dosed_before else 0.0
        if run.mode in _OFF:
            self._react_while_off(run, day, report, what, episode)
            return
        reaction = react(run.tol, episode, self.numbers)
        if worse is not None:
            what += f", worse than the episode after the evening of {worse.isoformat()}"
        at = f"{what} at {self._mg(episode.rung)}"
        if reaction.repeated_mild:
            at += ", the second mild episode at this dose"
        suggestion = self._switch_suggestion() if reaction.suggest_switch else ""
        run.tol = reaction.state
        message, action = self._apply(run, day, reaction, at)
        self._quiet_until(run, day)
        after = self._rung_mg(run.tol.rung) if run.mode in _DOSED else 0.0
        if action is Action.STEP_BACK and after >= current:
            # Already there (a restart after missed evenings came first): the
            # dose stays, and the retry is still once, one interval later.
            action = Action.HOLD
            message = (
                f"{at}: the dose is already {self._mg(run.tol.rung)}; it stays "
                f"there for {reaction.wait} days, then retrying "
                f"{self._mg(run.tol.rung + 1)} once."
            )
        self._decide(
            day,
            action,
            message,
            before=current,
            after=after,
            cause=report,
            consult=reaction.consult,
            suggestion=suggestion,
            rule=reaction.rule,
        )

    def _apply(
        self, run: _Run, day: dt.date, reaction: Reaction, at: str
    ) -> tuple[str, Action]:
        tol = run.tol
        kind = reaction.kind
        if kind == "hold":
            if run.next_increase is not None:
                due = day + dt.timedelta(reaction.wait)
                run.next_increase = max(run.next_increase, due)
                if run.mode is not Phase.STEPPED_BACK:
                    run.mode = Phase.HOLDING
                then = f"the next increase moves to {run.next_increase.isoformat()}"
            else:
                then = "no increase is due"
            return f"{at}: holding {self._mg(tol.rung)}; {then}.", Action.HOLD
        if kind == "step-back":
            run.mode = Phase.STEPPED_BACK
            run.maintenance_since = None
            run.next_increase = day + dt.timedelta(reaction.wait)
            return (
                f"{at}: stepping back to {self._mg(tol.rung)} for {reaction.wait} "
                f"days, then retrying {self._mg(tol.rung + 1)} once.",
                Action.STEP_BACK,
            )
        if kind == "ceiling":
            self._set_dosing(run, day)
            run.next_increase = (
                None
                if run.mode is Phase.MAINTAINING
                else (day + dt.timedelta(reaction.wait))
            )
            ceiling = tol.ceiling if tol.ceiling is not None else tol.top
            return (
                f"{at}, again: {self._dose(ceiling)} becomes the ceiling for the "
                f"rest of the plan; {self._mg(ceiling + 1)} will not be scheduled "
                "again.",
                Action.CEILING,
            )
        if kind == "pause":
            run.mode = Phase.PAUSED
            run.next_increase = None
            run.maintenance_since = None
            run.pause_until = day + dt.timedelta(reaction.pause - 1)
            run.resume_rung = reaction.resume
            resume = reaction.resume if reaction.resume is not None else tol.start
            if reaction.await_resolution:
                run.awaiting_since = day
                return (
                    f"{at}: no magnesium for at least {reaction.pause} days and "
                    "until you record that the symptoms have gone; then "
                    f"restarting at {self._dose(resume)}. {self._mg(tol.top + 1)} "
                    "and above will not be scheduled again. Talk to a clinician.",
                    Action.PAUSE,
                )
            run.awaiting_since = None
            if reaction.rule == "moderate-lowest-again":
                return (
                    f"{at}, the second time at the lowest dose: no magnesium for "
                    f"{reaction.pause} days, then {self._dose(resume)}, which "
                    "becomes the ceiling. Talk to a clinician.",
                    Action.PAUSE,
                )
            lower = "the smallest amount" if resume < tol.start else "the start dose"
            return (
                f"{at}, the lowest dose: no magnesium for {reaction.pause} days, "
                f"then resuming at {lower}, {self._dose(resume)}.",
                Action.PAUSE,
            )
        if kind == "stop":
            run.mode = Phase.STOPPED
            run.next_increase = None
            run.maintenance_since = None
            run.pause_until = run.resume_rung = run.awaiting_since = None
            why = (
                "no smaller amount of this product is left to try"
                if reaction.rule == "severe-stop"
                else "the third time at the lowest dose"
            )
            return (
                f"{at}: stopping, {why}. Talk to a clinician; only their "
                "acknowledgement resumes the plan.",
                Action.STOP,
            )
        raise RuntimeError(f"unknown reaction {kind!r}")  # pragma: no cover

    def _react_while_off(
        self,
        run: _Run,
        day: dt.date,
        report: SideEffectReport,
        what: str,
        episode: Episode,
    ) -> None:
        """A new episode about an earlier evening, learnt while paused or
        stopped: a severe one bars its dose and lengthens the pause."""
        what = f"{what} at {self._mg(episode.rung)}"
        if episode.severity.rank < 2 or run.mode is Phase.STOPPED:
            self._decide(
                day,
                Action.NOTE,
                f"{what}, while the plan is {run.mode.value}: noted, no change.",
                cause=report,
                rule="episode",
            )
            return
        ceiling = episode.rung - 1
        if ceiling < 0:
            run.mode = Phase.STOPPED
            run.tol = replace(run.tol, stopped=True, top=0, ceiling=0)
            run.pause_until = run.resume_rung = run.awaiting_since = None
            self._decide(
                day,
                Action.STOP,
                f"{what}: stopping, no smaller amount of this product is left to "
                "try. Talk to a clinician; only their acknowledgement resumes the "
                "plan.",
                before=0.0,
                after=0.0,
                cause=report,
                consult=True,
                rule="severe-stop",
            )
            return
        top = min(run.tol.top, ceiling)
        resume = min(run.resume_rung if run.resume_rung is not None else top, top)
        run.tol = replace(run.tol, top=top, ceiling=top, rung=resume)
        run.resume_rung = resume
        until = day + dt.timedelta(self.numbers.pause - 1)
        if run.pause_until is None or until > run.pause_until:
            run.pause_until = until
        run.awaiting_since = run.awaiting_since or day
        self._decide(
            day,
            Action.PAUSE,
            f"{what}, while paused: the pause lasts at least until "
            f"{run.pause_until.isoformat()} and until you record that the "
            f"symptoms have gone; {self._mg(top + 1)} and above will not be "
            "scheduled again. Talk to a clinician.",
            before=0.0,
            after=0.0,
            cause=report,
            consult=True,
            rule="severe-pause",
        )

    # -- output -------------------------------------------------------------------

    def _late_entries(self, run: _Run, journal: Journal) -> None:
        """Entries past the last day: an error, but for a report about the
        last evening itself (it can no longer change anything)."""
        last_day = self.regimen.start_date + dt.timedelta(len(self.days) - 1)
        late = journal.last_date is not None and journal.last_date > last_day
        for i, entry in journal.counted if late else ():
            if entry.date > last_day:
                raise InvalidInputError(
                    f"journal[{i}].date",
                    f"a date within the plan (it ends on {last_day.isoformat()})",
                    entry.date.isoformat(),
                )
        for report in journal.reports:
            if id(report) not in run.noted:
                self._decide(
                    report.date,
                    Action.NOTE,
                    f"{self._said(report)}: after the plan's last evening; noted, "
                    "no change.",
                    cause=report,
                    rule="dose-evening",
                )
        if self._waiting(run, last_day + dt.timedelta(1), journal.resolved):
            # Dated the day the waiting begins: a plan with an end date would
            # otherwise say it on its last day, months after the pause.
            when = last_day
            if run.mode is Phase.STOPPED:
                text = (
                    "The plan is stopped: change the other medicines' times or "
                    "the evening window in the plan, then plan again."
                    if stop_rule(self.decisions) == "spacing"
                    else "The plan is stopped: it resumes only with a clinician's "
                    "acknowledgement (mgplan clinician)."
                )
                first = len(self.days) - 1  # the first day of the stop
                while first > 0 and self.days[first - 1].phase is Phase.STOPPED:
                    first -= 1
                when = self.regimen.start_date + dt.timedelta(first)
            else:
                text = (
                    "The plan stays paused: record that the symptoms have gone "
                    "(mgplan resolved) to restart."
                )
                if run.pause_until is not None:  # always, when waiting
                    when = min(last_day, run.pause_until + dt.timedelta(1))
            self._decide(when, Action.NOTE, text, rule="waiting")

    def _finish(self, run: _Run, journal: Journal) -> Schedule:
        r = self.regimen
        start = r.start_date
        ceiling = run.tol.ceiling
        waiting: str | None = None
        if self._waiting(run, start + dt.timedelta(len(self.days)), journal.resolved):
            waiting = "clinician" if run.mode is Phase.STOPPED else "resolution"
        if waiting is None and self.days and self.days[-1].phase is Phase.MAINTAINING:
            self._decide(
                start + dt.timedelta(len(self.days) - 1),
                Action.NOTE,
                "Review day, the last evening at the maintenance dose: is it "
                "helping? 'mgplan review' compares your ratings with the "
                "baseline; go over it with a clinician.",
                rule="review",
            )
        decisions = sorted(
            [*self.decisions, *self._placement_decisions()],
            # Iron advice goes first on its day, so that the day's latest
            # decision stays the one about the dose.
            key=lambda d: (d.date, d.rule != "iron"),
        )
        consult = False
        for decision in decisions:
            if decision.action is Action.CLINICIAN:
                consult = False
            elif decision.consult_clinician:
                consult = True
        days = Days(start, tuple(self.days), self.placement, self.ladder.quanta)
        return Schedule.planned(
            days,
            format="mgplan.schedule",
            version=1,
            plan_id=r.id,
            regimen=r,
            profile=self.profile,
            policy=self.policy,
            journal=journal.log,
            as_of=self.as_of,
            daily_cap_mg=self.cap,
            cap_reason=self.cap_reason,
            ladder_mg=self.rung_mg,
            ceiling_mg=None if ceiling is None else self._rung_mg(ceiling),
            decisions=tuple(decisions),
            consult_clinician=consult,
            waiting_for=waiting,
            # Known here only: what the decisions say cannot tell it when a
            # pause was lengthened, or replaced by a worse report's.
            restart_from=(
                run.pause_until + dt.timedelta(1)
                if waiting == "resolution" and run.pause_until is not None
                else None
            ),
            suggestions=tuple(self.suggestions),
            disclaimer=DISCLAIMER,
        )
