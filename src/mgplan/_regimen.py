"""The titration a person intends: product, ladder, evening slots, zone, dates."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from typing import Any, Self

import pydantic
import pydantic_core

from ._errors import InvalidInputError
from ._model import Date, Model, Text, WallClock
from ._product import Dose, Product, format_mg
from ._trial import Trial

__all__ = [
    "DEFAULT_PLAN_ID",
    "EVENING_END",
    "EVENING_START",
    "PRESETS",
    "Regimen",
    "Slot",
    "new_plan_id",
]

# mgplan plans evening doses only: the RLS studies dosed in the evening
# (Hornyak 1998, Gorantla 2024 with dinner [S10]). Where the evening begins
# and ends is mgplan's definition.
EVENING_START = dt.time(16, 0)
EVENING_END = dt.time(23, 59)

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
DEFAULT_PLAN_ID = "plan"
"""The id of a regimen that has none; two such plans share calendar UIDs."""


class Slot(Model, frozen=True):
    """An evening intake time on the local wall clock, e.g. 19:00 with dinner.

    >>> Slot.parse("19:00 with dinner")
    Slot(time=datetime.time(19, 0), label='with dinner')
    """

    time: WallClock
    label: Text = pydantic.Field(default="", max_length=60)

    @pydantic.model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            clock, _, label = value.strip().partition(" ")
            return {"time": clock, "label": label.strip()}
        if isinstance(value, dt.time):
            return {"time": value}
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls,
        core_schema: pydantic_core.core_schema.CoreSchema,
        handler: pydantic.GetJsonSchemaHandler,
    ) -> dict[str, Any]:
        # The loaders accept "19:00 with dinner" (and "21:30"): say so.
        return {
            "anyOf": [
                handler(core_schema),
                {
                    "type": "string",
                    "pattern": r"^\s*[0-2]?[0-9]:[0-5][0-9](:[0-5][0-9])?(\s.*)?$",
                    "description": "HH:MM, then an optional label",
                    "examples": ["19:00 with dinner", "21:30"],
                },
            ]
        }

    @classmethod
    def parse(cls, text: str) -> Slot:
        """A slot from text such as ``"19:00 with dinner"`` or ``"21:30"``.

        The typed spelling of the shorthand the loaders accept; without the
        pydantic mypy plugin, ``Regimen(slots=["19:00"])`` does not type-check.
        """
        return cls.model_validate(text)

    @property
    def name(self) -> str:
        """The label, or the time when there is none."""
        return self.label or self.time.strftime("%H:%M")


def _default_slots() -> tuple[Slot, ...]:
    # With dinner, as in Gorantla 2024 [S10], and food "likely counteracts the
    # osmotic effect" [S3]; a second intake at bedtime because the BfR asks for
    # at least two [S18]. The clock times themselves are mgplan's convention.
    return (
        Slot(time=dt.time(19, 0), label="with dinner"),
        Slot(time=dt.time(21, 30), label="at bedtime"),
    )


class Regimen(Model, frozen=True):
    """A start-low, go-slow evening titration of one product.

    Doses are elemental mg or units of the product. A day's dose above
    ``max_single_dose`` is split across the evening ``slots``; a dose that fits
    in one intake is taken at ``slots[single_slot]`` (by default the first,
    with dinner, since food "likely counteracts the osmotic effect" [S3]).

    The ladder's numbers have no authoritative source (no published magnesium
    titration protocol exists); the defaults are the ``standard`` preset.
    """

    id: str = pydantic.Field(
        default="",
        pattern=r"^$|" + _ID_PATTERN,
        description="stable plan id used in calendar UIDs (mgplan init writes a "
        "unique one); when empty, 'plan', and calendar exports warn",
    )
    preset: str | None = pydantic.Field(
        default=None,
        description="a named ladder (see PRESETS) whose values fill the fields "
        "not given",
    )
    product: Product
    start_date: Date
    tz: str = pydantic.Field(description="IANA time zone, e.g. 'Europe/Berlin'")
    start_dose: Dose = Dose(amount=100)
    step: Dose = Dose(amount=50)
    step_interval_days: int = pydantic.Field(default=7, ge=1, le=365)
    target_dose: Dose = Dose(amount=200)
    # BfR: at most 250 mg/day from supplements, split into at least two
    # intakes [S18], so one intake stays at or under 125 mg by default;
    # absorption also falls as a single dose rises [S13].
    max_single_dose: Dose = Dose(amount=125)
    slots: tuple[Slot, ...] = pydantic.Field(default_factory=_default_slots)
    # Where an intake may move to keep its distance from other medicines: an
    # early dinner to a late bedtime. mgplan's convention, not a sourced figure.
    window_start: WallClock = dt.time(17, 0)
    window_end: WallClock = dt.time(23, 0)
    day_boundary: WallClock = pydantic.Field(
        default=dt.time(4, 0),
        description="a dose taken after midnight and before this counts for "
        "the evening before",
    )
    single_slot: int = pydantic.Field(default=0, ge=0)
    maintenance_days: int = pydantic.Field(default=56, ge=0, le=3660)
    trial: Trial | None = pydantic.Field(
        default=None,
        description="an n-of-1 test after maintenance: randomised on/off blocks",
    )
    review_threshold: float | None = pydantic.Field(
        default=None,
        gt=0,
        le=40,
        description="the improvement the review calls 'improved', fixed in "
        "advance (default: 2 points on the 0-10 scales, 5 on IRLS totals)",
    )
    baseline_days: int = pydantic.Field(
        default=0,
        ge=0,
        le=365,
        description="evenings without magnesium before the first dose, to "
        "rate symptoms as they are (a baseline for the review)",
    )
    end_date: Date | None = None

    @pydantic.field_validator("preset")
    @classmethod
    def _known_preset(cls, value: str | None) -> str | None:
        if value is not None and value not in PRESETS:
            raise InvalidInputError("", "one of: " + ", ".join(sorted(PRESETS)), value)
        return value

    @pydantic.field_validator("tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                "expected an IANA time zone name such as 'Europe/Berlin'"
            ) from None
        return value

    @pydantic.field_validator("slots")
    @classmethod
    def _evening_in_order(cls, slots: tuple[Slot, ...]) -> tuple[Slot, ...]:
        if not slots:
            raise ValueError("expected at least one evening slot")
        for i, slot in enumerate(slots):
            if not EVENING_START <= slot.time <= EVENING_END:
                raise InvalidInputError(
                    f"[{i}].time",
                    f"an evening time between {EVENING_START:%H:%M} and "
                    f"{EVENING_END:%H:%M}",
                    slot.time.strftime("%H:%M"),
                )
            if i and slot.time <= slots[i - 1].time:
                raise InvalidInputError(
                    f"[{i}].time",
                    f"a time later than the slot before it "
                    f"({slots[i - 1].time:%H:%M}); slots go in order",
                    slot.time.strftime("%H:%M"),
                )
        return slots

    @pydantic.model_validator(mode="after")
    def _consistent(self) -> Self:
        # A preset fills the fields not given. It is applied here, after
        # validation, so that ``model_fields_set`` stays exactly what the
        # person typed: the engine fits a preset's or a default's value to the
        # product and the cap, and checks only what was typed.
        if self.preset is not None:
            for name, value in PRESETS[self.preset].items():
                if name not in self.model_fields_set:
                    object.__setattr__(self, name, value)
        problems: list[tuple[str, str, Any]] = []
        unit = self.product.unit
        for name in ("start_dose", "step", "target_dose", "max_single_dose"):
            dose = getattr(self, name)
            if dose.unit_name is not None and dose.unit_name != unit:
                problems.append(
                    (
                        name,
                        f"a dose in mg or in {self.product.unit_plural} (the "
                        f"product's unit)",
                        str(dose),
                    )
                )
        if not EVENING_START <= self.window_start < self.window_end <= EVENING_END:
            problems.append(
                (
                    "window_end" if self.window_start < EVENING_END else "window_start",
                    f"an evening window from {EVENING_START:%H:%M} to "
                    f"{EVENING_END:%H:%M}, start before end",
                    f"{self.window_start:%H:%M}-{self.window_end:%H:%M}",
                )
            )
        for i, slot in enumerate(self.slots):
            if not self.window_start <= slot.time <= self.window_end:
                problems.append(
                    (
                        f"slots[{i}].time",
                        f"a time inside the evening window {self.window_start:%H:%M}-"
                        f"{self.window_end:%H:%M} (widen window_start/window_end)",
                        slot.time.strftime("%H:%M"),
                    )
                )
                break
        if self.single_slot >= len(self.slots):
            problems.append(
                (
                    "single_slot",
                    f"an index into slots (0 to {len(self.slots) - 1})",
                    self.single_slot,
                )
            )
        if (
            self.typed("start_dose")
            and self.typed("target_dose")
            and self.start_mg > self.target_mg + 1e-9
        ):
            problems.append(
                (
                    "target_dose",
                    f"at least the start dose ({format_mg(self.start_mg)})",
                    str(self.target_dose),
                )
            )
        if self.day_boundary > dt.time(12, 0):
            raise InvalidInputError(
                "day_boundary",
                "a time from 00:00 to 12:00 (the night after an evening ends by noon)",
                self.day_boundary.strftime("%H:%M"),
            )
        if self.trial is not None and self.end_date is not None:
            raise InvalidInputError(
                "trial",
                "no end_date with a trial: the trial follows the maintenance "
                "days and ends the plan",
                "a trial and an end_date",
            )
        if self.end_date is not None and self.end_date <= self.start_date:
            problems.append(
                (
                    "end_date",
                    f"a date after start_date ({self.start_date.isoformat()})",
                    self.end_date.isoformat(),
                )
            )
        if problems:
            field, expected, received = problems[0]
            raise InvalidInputError(field, expected, received)
        if not self.id:
            # Never derived from what may change (form, start): that would
            # change every calendar UID. Exports warn that it is unset.
            object.__setattr__(self, "id", DEFAULT_PLAN_ID)
        return self

    @pydantic.model_serializer(mode="wrap")
    def _typed_only(
        self, handler: pydantic.SerializerFunctionWrapHandler
    ) -> dict[str, Any]:
        # What the preset or a default filled in is left out, so that a
        # regimen read back from JSON knows again what the person typed.
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if k in self.model_fields_set}

    def typed(self, name: str) -> bool:
        """Whether the person gave *name* (not a preset or a default)."""
        return name in self.model_fields_set

    def origin(self, name: str) -> str:
        """Where a field's value came from, in words for a decision.

        >>> from mgplan import Product
        >>> r = Regimen(preset="gentle", start_date="2026-12-01", tz="UTC",
        ...             product=Product(name="G", form="glycinate",
        ...                             amount_per_unit=50))
        >>> r.origin("step_interval_days"), r.origin("max_single_dose")
        ("the 'gentle' preset's", 'the default')
        """
        if self.typed(name):
            return "the"
        if self.preset is not None and name in PRESETS[self.preset]:
            return f"the {self.preset!r} preset's"
        return "the default"

    @property
    def dose_start(self) -> dt.date:
        """The first evening with magnesium: after the baseline, if any."""
        return self.start_date + dt.timedelta(self.baseline_days)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The regimen's time zone."""
        return zoneinfo.ZoneInfo(self.tz)

    @property
    def start_mg(self) -> float:
        """The start dose in elemental mg."""
        return self.start_dose.to_mg(self.product)

    @property
    def step_mg(self) -> float:
        """The requested step in elemental mg."""
        return self.step.to_mg(self.product)

    @property
    def target_mg(self) -> float:
        """The target dose in elemental mg."""
        return self.target_dose.to_mg(self.product)

    @property
    def max_single_mg(self) -> float:
        """The largest single intake in elemental mg."""
        return self.max_single_dose.to_mg(self.product)

    @classmethod
    def from_preset(cls, name: str, **fields: Any) -> Regimen:
        """A regimen from a named ladder, with *fields* filled in or overridden.

        >>> from mgplan import Product
        >>> r = Regimen.from_preset(
        ...     "gentle",
        ...     product=Product(name="Gly", form="glycinate", amount_per_unit=50),
        ...     start_date="2026-12-01",
        ...     tz="Europe/Berlin",
        ... )
        >>> r.step_interval_days
        14
        """
        return cls(**{**fields, "preset": name})


# Ladders, not evidence: no authoritative start dose, increment or interval
# exists for magnesium (the project's reference notes, section 6). The dwell
# time of one to two weeks per step follows the metformin pattern of 5-7 days
# per step before going up [NATHAN2009]. The targets are doses the RLS studies
# used: 200 mg elemental with dinner (Gorantla 2024) and about 300 mg in the
# evening (Hornyak 1998) [S10].
PRESETS: dict[str, dict[str, Any]] = {
    "gentle": {
        "start_dose": Dose(amount=50),
        "step": Dose(amount=50),
        "step_interval_days": 14,
        "target_dose": Dose(amount=200),
    },
    "standard": {
        "start_dose": Dose(amount=100),
        "step": Dose(amount=50),
        "step_interval_days": 7,
        "target_dose": Dose(amount=200),
    },
    "hornyak": {
        "start_dose": Dose(amount=100),
        "step": Dose(amount=100),
        "step_interval_days": 7,
        "target_dose": Dose(amount=300),
        "slots": (
            Slot(time=dt.time(18, 30), label="with dinner"),
            Slot(time=dt.time(20, 0), label="evening"),
            Slot(time=dt.time(21, 30), label="at bedtime"),
        ),
    },
}


def new_plan_id() -> str:
    """A fresh, unique plan id (``mg-`` and 16 random hex digits).

    Random, so it never changes with what the plan holds, and two people's
    plans in one shared calendar never share a UID.
    """
    return f"mg-{secrets.token_hex(8)}"
