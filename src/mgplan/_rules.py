"""The tolerance rules: a pure state machine, state + event -> reaction.

Each rule is one small function, tried in the order a reader would check
them; the first that applies decides. ``RULES`` lists them with a plain
sentence and the source of each; ``docs/rules.md`` is rendered from it (a
test keeps the two the same). Nothing here knows dates: the engine turns a
reaction's day counts into dates and its rule into a decision.

Rungs index ``Ladder.quanta``: ``start`` is the start dose, and rung 0 is the
smallest amount the product allows when that is below the start dose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from ._tolerance import Severity

__all__ = [
    "RULES",
    "Episode",
    "Numbers",
    "Reaction",
    "Rule",
    "Tolerance",
    "after_gap",
    "on_acknowledgement",
    "react",
    "render_rules",
    "replace",
]

_T = TypeVar("_T")
_new = object.__new__


def replace(obj: _T, /, **changes: Any) -> _T:
    """``dataclasses.replace`` for ``Tolerance``, ``Reaction`` and the
    engine's run state: dataclasses with a ``__dict__`` and no ``__init__`` or
    ``__post_init__`` of their own, copied at a sixth of its cost (a plan
    makes a new ``Tolerance`` on every change of dose)."""
    new = _new(type(obj))
    values = new.__dict__
    values.update(obj.__dict__)
    for name in changes:
        if name not in values:
            raise TypeError(f"{type(obj).__name__} has no field {name!r}")
    values.update(changes)
    return new


@dataclass(frozen=True)  # a __dict__, for replace
class Tolerance:
    """Where the plan stands: what the rules read and return.

    ``retried`` and ``mild`` are *windowed*: the engine clears them once a
    dose has been taken for one full step interval with no report.
    """

    rung: int
    start: int
    top: int
    target: int
    ceiling: int | None = None
    retried: frozenset[int] = frozenset()
    mild: tuple[int, int] = (-1, 0)  # (rung, mild episodes at it)
    low_episodes: int = 0  # moderate episodes at or below the start dose
    stopped: bool = False

    def quiet(self) -> Tolerance:
        """The windowed counters after the dose was taken for one interval with
        no report: mild counts go, and so do retry marks at or below it."""
        if self.mild == (-1, 0) and (not self.retried or min(self.retried) > self.rung):
            return self  # nothing to forget (the usual case: a quiet run)
        retried = frozenset(r for r in self.retried if r > self.rung)
        return replace(self, retried=retried, mild=(-1, 0))


@dataclass(frozen=True, slots=True)
class Numbers:
    """The policy's day counts for this regimen's step interval."""

    interval: int
    hold: int
    step_back: int
    pause: int
    mild_to_step_back: int
    missed_restart: int


@dataclass(frozen=True, slots=True)
class Episode:
    """One intolerance episode: its worst severity, at the dose it followed."""

    severity: Severity
    rung: int


Kind = Literal["hold", "step-back", "ceiling", "pause", "stop", "note"]


@dataclass(frozen=True)  # a __dict__, for replace
class Reaction:
    """What to do, from the day the episode is known.

    ``wait`` is the days before the next increase may come (counted from the
    day of the report). A pause lasts ``pause`` days at least, then resumes
    at ``resume``; with ``await_resolution`` it also waits for the person to
    record that the symptoms resolved.
    """

    rule: str
    kind: Kind
    state: Tolerance
    wait: int = 0
    pause: int = 0
    resume: int | None = None
    await_resolution: bool = False
    consult: bool = False
    suggest_switch: bool = False
    repeated_mild: bool = False


RuleFunction = Callable[[Tolerance, Episode, Numbers], Reaction | None]


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule as a reader finds it in the table."""

    id: str
    when: str
    then: str
    source: str
    apply: RuleFunction | None = field(default=None, repr=False)


# -- the episode rules, in order ---------------------------------------------


def _restart_rung(state: Tolerance, rung: int) -> int | None:
    """After a severe episode at *rung*: the start dose if it is below it,
    else the amount below it, else none."""
    if state.start < rung:
        return state.start
    if rung - 1 >= 0:
        return rung - 1
    return None


def severe_stop(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.SEVERE or _restart_rung(state, e.rung) is not None:
        return None
    stopped = replace(state, stopped=True, top=0, ceiling=0)
    return Reaction("severe-stop", "stop", stopped, consult=True, suggest_switch=True)


def severe_pause(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.SEVERE:
        return None
    restart = _restart_rung(state, e.rung)
    if restart is None:  # pragma: no cover - severe_stop takes this case
        return None
    ceiling = min(state.top, e.rung - 1)
    after = replace(state, rung=restart, top=ceiling, ceiling=ceiling)
    return Reaction(
        "severe-pause",
        "pause",
        after,
        pause=n.pause,
        resume=restart,
        await_resolution=True,
        consult=True,
        suggest_switch=e.rung <= state.start,
        wait=n.interval,
    )


def moderate_lowest_third(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.MODERATE or e.rung > state.start:
        return None
    if state.low_episodes < 2:
        return None
    stopped = replace(state, stopped=True, low_episodes=state.low_episodes + 1)
    return Reaction(
        "moderate-lowest-third", "stop", stopped, consult=True, suggest_switch=True
    )


def moderate_lowest_again(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.MODERATE or e.rung > state.start:
        return None
    if state.low_episodes < 1:
        return None
    after = replace(
        state, rung=0, top=0, ceiling=0, low_episodes=state.low_episodes + 1
    )
    return Reaction(
        "moderate-lowest-again",
        "pause",
        after,
        pause=n.hold,
        resume=0,
        consult=True,
        suggest_switch=True,
        wait=n.interval,
    )


def moderate_lowest(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.MODERATE or e.rung > state.start:
        return None
    after = replace(state, rung=0, low_episodes=state.low_episodes + 1)
    return Reaction(
        "moderate-lowest",
        "pause",
        after,
        pause=n.hold,
        resume=0,
        suggest_switch=True,
        wait=n.interval,
    )


def moderate_retried(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.MODERATE or e.rung not in state.retried:
        return None
    lower = e.rung - 1
    ceiling = min(state.top, lower)
    after = replace(state, rung=min(state.rung, lower), top=ceiling, ceiling=ceiling)
    return Reaction("moderate-retried", "ceiling", after, wait=n.interval)


def moderate_step_back(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    if e.severity is not Severity.MODERATE:
        return None
    lower = e.rung - 1
    after = replace(
        state, rung=min(state.rung, lower), retried=state.retried | {e.rung}
    )
    return Reaction("moderate-step-back", "step-back", after, wait=n.step_back)


def mild_hold(state: Tolerance, e: Episode, n: Numbers) -> Reaction | None:
    return Reaction("mild-hold", "hold", state, wait=n.hold)


_EPISODE_RULES: tuple[RuleFunction, ...] = (
    severe_stop,
    severe_pause,
    moderate_lowest_third,
    moderate_lowest_again,
    moderate_lowest,
    moderate_retried,
    moderate_step_back,
    mild_hold,
)


def react(state: Tolerance, episode: Episode, numbers: Numbers) -> Reaction:
    """The reaction to one episode: the first rule that applies.

    A second mild episode at the same dose while the counters are windowed
    counts as a moderate one (rule ``mild-twice``).
    """
    repeated = False
    rung, count = state.mild
    if episode.severity is Severity.MILD:
        count = count + 1 if rung == episode.rung else 1
        state = replace(state, mild=(episode.rung, count))
        if count >= numbers.mild_to_step_back:
            repeated = True
            episode = Episode(Severity.MODERATE, episode.rung)
            state = replace(state, mild=(-1, 0))
    for rule in _EPISODE_RULES:
        reaction = rule(state, episode, numbers)
        if reaction is not None:
            return replace(reaction, repeated_mild=repeated)
    raise RuntimeError("mild_hold always applies")  # pragma: no cover


# -- the rules outside episodes ----------------------------------------------


def after_gap(state: Tolerance, missed: int, numbers: Numbers) -> Tolerance | None:
    """On the first evening back after *missed* evenings in a row.

    A gap of one step interval or more restarts at the start dose (the
    semaglutide label re-initiates after more than two weeks missed
    [WEGOVY]); a gap of
    ``missed_days_restart`` evenings restarts one step lower; shorter gaps
    change nothing. Never higher than the dose before the gap.
    """
    if missed >= numbers.interval:
        return replace(state, rung=min(state.rung, state.start))
    if missed >= numbers.missed_restart:
        lower = state.rung - 1 if state.rung > state.start else state.rung
        return replace(state, rung=lower)
    return None


def on_acknowledgement(
    state: Tolerance, allows: Literal["end-stop", "lift-ceiling"]
) -> Tolerance:
    """A clinician's acknowledgement: end a stop, or lift the ceiling too."""
    if allows == "lift-ceiling":
        state = replace(
            state, top=state.target, ceiling=None, retried=frozenset(), low_episodes=0
        )
    if state.stopped:
        state = replace(state, stopped=False, rung=0)
    return state


# -- the table ---------------------------------------------------------------

_CTCAE = "CTCAE v5 [CTCAE5]"

RULES: tuple[Rule, ...] = (
    Rule(
        "dose-evening",
        "A report about an evening with no intake (missed, paused, stopped, "
        "the baseline, before the start, every intake left out)",
        "Recorded as a note; no dose changes. Before the first dose, a "
        "moderate or severe one also asks to talk to a clinician before "
        "starting.",
        "mgplan; active diarrhoea was an exclusion in the RLS trial [S10]",
    ),
    Rule(
        "episode",
        "Reports about evenings within `episode_hours` (48 h) of an episode's "
        "first evening",
        "One episode, as severe as its worst report; one action. A worse report "
        "replaces the episode's action; others add a note.",
        "mgplan",
    ),
    Rule(
        "grading",
        "A report with stools a day above usual and/or a Bristol type",
        "< 4 above usual: mild; 4-6: moderate; ≥ 7: severe; Bristol 6-7: at "
        "least mild. The worse of stated and graded counts.",
        _CTCAE,
    ),
    Rule(
        "mild-twice",
        "A second mild episode at the same dose before an interval without reports",
        "Counts as moderate.",
        "mgplan",
    ),
    Rule(
        "severe-stop",
        "Severe, and no amount below the dose that caused it",
        "Stop; talk to a clinician. Only a clinician acknowledgement resumes.",
        "SmPC [S19]; stop if the dose is not tolerated [WEGOVY]",
        severe_stop,
    ),
    Rule(
        "severe-pause",
        "Severe",
        "Pause until symptoms are recorded as resolved and at least `pause_days`; "
        "that dose and above are never scheduled again; restart at the start "
        "dose if it is below, else one amount lower; talk to a clinician.",
        "SmPC: pause, resume lower once stools are normal [S19]",
        severe_pause,
    ),
    Rule(
        "moderate-lowest-third",
        "Moderate at or below the start dose, a third time",
        "Stop; talk to a clinician.",
        "stop if the lowest dose is not tolerated [WEGOVY]",
        moderate_lowest_third,
    ),
    Rule(
        "moderate-lowest-again",
        "Moderate at or below the start dose, a second time",
        "Pause for `hold_days`, resume at the smallest amount, which becomes the "
        "ceiling; talk to a clinician.",
        "SmPC [S19]; step back to the last tolerated dose [NATHAN2009]",
        moderate_lowest_again,
    ),
    Rule(
        "moderate-lowest",
        "Moderate at or below the start dose",
        "Pause for `hold_days`, then resume at the smallest amount the product "
        "allows below the start dose (else the start dose).",
        "SmPC: pause, resume at a reduced dose [S19]",
        moderate_lowest,
    ),
    Rule(
        "moderate-retried",
        "Moderate at a dose already retried after a step back",
        "The tolerated dose below becomes the ceiling.",
        "[NATHAN2009], [WEGOVY]",
        moderate_retried,
    ),
    Rule(
        "moderate-step-back",
        "Moderate above the start dose",
        "Step back one rung for `step_back_days`, then retry the dose once.",
        "drop back to the previous dose, try again later [NATHAN2009][WEGOVY]",
        moderate_step_back,
    ),
    Rule(
        "mild-hold",
        "Mild",
        "Hold the dose; the next increase waits `hold_days` from the report.",
        "increase after 5-7 days without GI effects [NATHAN2009]; delay [WEGOVY]",
        mild_hold,
    ),
    Rule(
        "no-increase",
        "Any episode",
        "No increase within one step interval of its last report.",
        "[NATHAN2009]",
    ),
    Rule(
        "window",
        "A dose taken for one full step interval with no report",
        "Mild counts and retried doses are forgotten; ceilings stay.",
        "mgplan",
    ),
    Rule(
        "missed-gap",
        "The first evening with magnesium after evenings in a row without it "
        "(missed, or every intake left out by a clash with another medicine), "
        "or with the whole dose after evenings with an intake left out",
        "No increase on those evenings. Without magnesium ≥ "
        "`missed_days_restart` (3): one rung lower; ≥ one step interval: the "
        "start dose; the next increase one interval later. An intake left out "
        "on ≥ 3: the dose holds, the next increase one interval later.",
        "re-initiate after > 2 weeks missed [WEGOVY]; the interval and 3 "
        "evenings: mgplan",
    ),
    Rule(
        "clinician",
        "A clinician acknowledgement in the journal",
        "`end-stop` resumes a stopped plan at the smallest amount; `lift-ceiling` "
        "also lifts the ceiling and barred doses.",
        "mgplan",
    ),
)


def render_rules() -> str:
    """The rules as the Markdown table of ``docs/rules.md``."""
    lines = [
        "| # | rule | when | then | source |",
        "|---|---|---|---|---|",
    ]
    for number, rule in enumerate(RULES, start=1):
        lines.append(
            f"| {number} | `{rule.id}` | {rule.when} | {rule.then} | {rule.source} |"
        )
    return "\n".join(lines) + "\n"
