"""An optional n-of-1 test after maintenance: randomised on/off block pairs.

Each pair is an "on" block (the maintenance dose) and an "off" block (no
magnesium, or identical placebo capsules the person has), in an order drawn
with a fixed seed recorded in the plan, so the schedule is reproducible and
the order is not chosen by hope. The first ``washout_days`` of each block
are left out of the analysis (magnesium's effect, and its absence, take a
few days to show). The design follows the n-of-1 guidance in the project's
reference notes (at least three pairs, randomised within each pair,
washout excluded, a threshold fixed in advance; CENT 2015 [CENT2015]).

The analysis is an exact randomisation test over the pairs: under "no
effect", each pair's on-minus-off difference is as likely to have either
sign, so the observed mean difference is ranked among all 2^pairs sign
assignments. With fewer than five pairs no result can reach p <= 0.05
(1 in 2^4 = 16 is the smallest p with four), and the review says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
from collections.abc import Mapping, Sequence
from typing import Literal, Self

import pydantic

from ._errors import InvalidInputError
from ._model import Model
from ._product import format_mg
from ._text import signed

__all__ = ["MIN_PAIRS_FOR_ANSWER", "Trial", "TrialBlock", "TrialResult", "analyse"]

# 2^5 = 32 sign assignments: the smallest exact p is 1/32 < 0.05.
MIN_PAIRS_FOR_ANSWER = 5
ALPHA = 0.05


class Trial(Model, frozen=True):
    """Randomised on/off block pairs after maintenance."""

    pairs: int = pydantic.Field(default=3, ge=2, le=12)
    block_days: int = pydantic.Field(default=14, ge=3, le=56)
    washout_days: int = pydantic.Field(
        default=3, ge=0, description="first days of each block left out of the analysis"
    )
    control: Literal["off", "placebo"] = pydantic.Field(
        default="off",
        description="off: no magnesium; placebo: identical capsules without it",
    )
    seed: int = pydantic.Field(
        ge=0, le=2**32 - 1, description="fixes the block order; keep it in the plan"
    )

    @pydantic.model_validator(mode="after")
    def _washout_leaves_days(self) -> Self:
        if self.washout_days >= self.block_days - 1:
            raise InvalidInputError(
                "washout_days",
                f"fewer than block_days - 1 ({self.block_days - 1}): at least two "
                "days of each block must count",
                self.washout_days,
            )
        return self

    @property
    def days(self) -> int:
        """The trial's length in days."""
        return 2 * self.pairs * self.block_days

    def blocks(self, first: dt.date) -> tuple[TrialBlock, ...]:
        """The blocks from *first* on, in the seeded order."""
        rng = random.Random(self.seed)
        out: list[TrialBlock] = []
        day = first
        for pair in range(1, self.pairs + 1):
            order = ("on", "off") if rng.random() < 0.5 else ("off", "on")
            for arm in order:
                out.append(
                    TrialBlock(
                        pair=pair,
                        arm=arm,
                        start=day,
                        end=day + dt.timedelta(self.block_days - 1),
                        counted_from=day + dt.timedelta(self.washout_days),
                    )
                )
                day += dt.timedelta(self.block_days)
        return tuple(out)


class TrialBlock(Model, frozen=True):
    """One block: its pair, its arm and its dates (analysed from counted_from)."""

    pair: int
    arm: Literal["on", "off"]
    start: dt.date
    end: dt.date
    counted_from: dt.date


class TrialResult(Model, frozen=True):
    """The randomisation test over the pairs that have ratings in both blocks."""

    pairs_planned: int
    pairs_analysed: int
    differences: tuple[float, ...] = pydantic.Field(
        description="per pair, the improvement on magnesium (off minus on "
        "severity): positive is better"
    )
    mean_difference: float | None
    p_value: float | None = pydantic.Field(
        description="exact, one-sided: the share of the 2^pairs sign assignments "
        "with a mean at least as large"
    )
    verdict: Literal["improved", "no-clear-change", "not-enough-data"]
    summary: str
    on_doses_mg: tuple[float, ...] = pydantic.Field(
        default=(),
        description="the elemental doses of the on-block nights analysed, "
        "lowest first: more than one when a side effect changed the dose "
        "during the trial",
    )


def analyse(
    blocks: Sequence[TrialBlock],
    severity: dict[dt.date, float],
    threshold: float,
    *,
    min_nights: int = 2,
    doses: Mapping[dt.date, float] | None = None,
    over: bool = False,
) -> TrialResult:
    """The trial's answer from nightly *severity* scores (lower is better);
    *doses* are the elemental mg of the on-block nights, by date; *over*:
    the trial's last block has ended, so none is left to rate."""
    pairs = sorted({b.pair for b in blocks})
    differences: list[float] = []
    on_doses: set[float] = set()
    for pair in pairs:
        means: dict[str, float] = {}
        nights: dict[str, list[dt.date]] = {}
        for block in (b for b in blocks if b.pair == pair):
            dates = [d for d in severity if block.counted_from <= d <= block.end]
            if len(dates) >= min_nights:
                means[block.arm] = statistics.fmean(severity[d] for d in dates)
                nights[block.arm] = dates
        if len(means) == 2:
            differences.append(round(means["off"] - means["on"], 3))
            if doses is not None:
                on_doses.update(doses[d] for d in nights["on"] if d in doses)
    n = len(differences)
    doses_mg = tuple(sorted(on_doses))
    # The on blocks compare "magnesium" with none: say so when magnesium
    # meant different doses (a ceiling after a side effect in the trial).
    mixed = (
        f" The on blocks analysed were not all at one dose "
        f"({', '.join(format_mg(d) for d in doses_mg)}): the trial compares "
        "magnesium at these doses with none."
        if len(doses_mg) > 1
        else ""
    )
    if n == 0:
        return TrialResult(
            pairs_planned=len(pairs),
            pairs_analysed=0,
            differences=(),
            mean_difference=None,
            p_value=None,
            verdict="not-enough-data",
            summary="Not enough data: no pair has ratings in both of its blocks.",
        )
    observed = statistics.fmean(differences)
    assignments = [
        statistics.fmean(s * d for s, d in zip(signs, differences, strict=True))
        for signs in itertools.product((1, -1), repeat=n)
    ]
    p = sum(1 for m in assignments if m >= observed - 1e-12) / len(assignments)
    # Pairs planned but not analysed: a block without enough nights rated
    # as planned (not rated, or paused, skipped or titrating in an on block).
    left_out = len(pairs) - n
    why = (
        f" {left_out} of the {len(pairs)} pairs left out: a block of each has "
        f"fewer than {min_nights} nights rated as its arm planned (not rated, "
        "or paused, skipped or at another dose in an on block)."
        if left_out
        else ""
    )
    if n < MIN_PAIRS_FOR_ANSWER:
        verdict: Literal["improved", "no-clear-change", "not-enough-data"]
        verdict = "not-enough-data"
        more = (
            f"Plan at least {MIN_PAIRS_FOR_ANSWER} pairs."
            if len(pairs) < MIN_PAIRS_FOR_ANSWER
            else "The trial is over: a new one, rated every night, could answer."
            if over
            else "Rate every night of the blocks still to come."
        )
        summary = (
            f"Not enough data: {n} pair{'s' if n != 1 else ''} analysed; with "
            f"fewer than {MIN_PAIRS_FOR_ANSWER} no result can reach p <= "
            f"{ALPHA:g} (the smallest possible p is 1 in {2**n}).{why}{mixed} {more}"
        )
    elif observed >= threshold and p <= ALPHA:
        verdict = "improved"
        summary = (
            f"Improved: severity {signed(observed)} better on magnesium across {n} "
            f"pairs (exact randomisation p = {p:.3f}).{why}{mixed}"
        )
    else:
        verdict = "no-clear-change"
        summary = (
            f"No clear change: severity {signed(observed)} on magnesium across {n} "
            f"pairs (exact randomisation p = {p:.3f}); an answer needs at least "
            f"{threshold:g} points with p <= {ALPHA:g}.{why}{mixed}"
        )
    return TrialResult(
        pairs_planned=len(pairs),
        pairs_analysed=n,
        differences=tuple(differences),
        mean_difference=round(observed, 3),
        p_value=round(p, 6),
        verdict=verdict,
        summary=summary,
        on_doses_mg=doses_mg,
    )
