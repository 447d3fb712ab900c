"""What a label says: a product, and doses stated in mg or in units of it."""

from __future__ import annotations

import functools
import math
import re
from typing import Annotated, Any, Literal

import pydantic
import pydantic_core

from ._errors import InvalidInputError, UnknownFormError
from ._forms import MagnesiumForm, get_form
from ._model import Model, Text

__all__ = ["Basis", "Dose", "Product", "UnitName", "format_mg", "format_units"]

Basis = Literal["elemental", "compound"]
UnitName = Literal["capsule", "tablet", "softgel", "scoop", "sachet", "gummy", "ml"]

_PLURAL: dict[str, str] = {
    "capsule": "capsules",
    "tablet": "tablets",
    "softgel": "softgels",
    "scoop": "scoops",
    "sachet": "sachets",
    "gummy": "gummies",
    "ml": "ml",
}
_SINGULAR = {plural: one for one, plural in _PLURAL.items()}


def _any_case(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# The loader takes a unit in any case, singular or plural, with spaces around
# it ("Capsules "); the schema says so (JSON Schema patterns have no flags).
_UNIT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"enum": list(_PLURAL), "type": "string"},
        {
            "type": "string",
            "pattern": r"^\s*("
            + "|".join(_any_case(w) for w in sorted({*_PLURAL, *_SINGULAR}))
            + r")\s*$",
            "description": "also the plural, in any case (read as the singular)",
        },
    ],
    "default": "capsule",
    "title": "Unit",
}

# Tolerance for comparing sums of float mg amounts against limits.
EPSILON = 1e-9


@functools.lru_cache(maxsize=1024)
def format_mg(mg: float) -> str:
    """A mg amount as a person reads it: ``200 mg``, ``80.8 mg``.

    Cached: a plan words the same few rungs in many decisions.

    >>> format_mg(199.99999), format_mg(0.001)
    ('200 mg', '0.001 mg')
    """
    if 0 < abs(mg) < 0.05:  # a typo's 0.001 mg is not "0 mg"
        return f"{mg:.2g} mg"
    return f"{round(mg, 1):g} mg"


@functools.lru_cache(maxsize=1024)
def format_units(units: float, unit: str) -> str:
    """A count of units with halves written out: ``1½ tablets``.

    >>> format_units(2, "capsule"), format_units(0.5, "tablet")
    ('2 capsules', '½ tablet')
    """
    whole = math.floor(units + EPSILON)
    half = units - whole > 0.25
    count = (str(whole) if whole else "") + ("½" if half else "")
    name = unit if (units <= 1 + EPSILON and unit != "ml") else _PLURAL.get(unit, unit)
    return f"{count or '0'} {name}"


class Product(Model, frozen=True):
    """A magnesium product as its label describes it.

    US Supplement Facts state the *elemental* amount per serving [S24]; a
    front-of-pack "500 mg glycinate" is the *compound* mass, so say which.

    >>> p = Product(name="Glycinate 100", form="glycinate", amount_per_unit=100)
    >>> p.units_for(200)
    2.0
    """

    name: Text = pydantic.Field(min_length=1, max_length=120)
    form: str = pydantic.Field(description="a catalogued form id, e.g. 'bisglycinate'")
    # At least 0.01 mg: no real product is smaller, and it bounds the
    # ladder (a 5e-324 mg "capsule" overflowed); at most 10 g a unit.
    amount_per_unit: float = pydantic.Field(
        ge=0.01, le=10_000, description="mg per unit, on the stated basis"
    )
    basis: Basis = "elemental"
    unit: Annotated[UnitName, pydantic.WithJsonSchema(_UNIT_SCHEMA)] = "capsule"
    splittable: bool = pydantic.Field(
        default=False, description="whether a unit may be halved (scored tablets)"
    )
    units_per_container: int | None = pydantic.Field(default=None, ge=1)

    @pydantic.field_validator("form", mode="before")
    @classmethod
    def _known_form(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"expected a form id string, got {value!r}")
        try:
            return get_form(value).id
        except UnknownFormError as exc:
            # The field path comes from where the value sits in the model.
            raise UnknownFormError(exc.form_id, exc.known, field="") from None

    @pydantic.field_validator("unit", mode="before")
    @classmethod
    def _singular_unit(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            return _SINGULAR.get(value, value)
        return value

    @property
    def magnesium_form(self) -> MagnesiumForm:
        """The catalogued salt."""
        return get_form(self.form)

    @property
    def elemental_per_unit(self) -> float:
        """Elemental magnesium (mg) in one unit."""
        if self.basis == "elemental":
            return self.amount_per_unit
        return self.magnesium_form.to_elemental(self.amount_per_unit)

    @property
    def compound_per_unit(self) -> float:
        """Mass of the salt (mg) in one unit."""
        if self.basis == "compound":
            return self.amount_per_unit
        return self.magnesium_form.to_compound(self.amount_per_unit)

    @property
    def unit_step(self) -> float:
        """The smallest amount that may be taken: a half or a whole unit."""
        return 0.5 if self.splittable else 1.0

    def units_for(self, elemental_mg: float) -> float:
        """Units that carry exactly *elemental_mg* (not rounded)."""
        return elemental_mg / self.elemental_per_unit

    @property
    def unit_plural(self) -> str:
        """The unit's plural: ``capsules``, ``ml``."""
        return _PLURAL[self.unit]

    def describe_units(self, units: float) -> str:
        """``2 capsules``, ``1½ tablets``."""
        return format_units(units, self.unit)


_DOSE_RE = re.compile(
    r"^\s*(?P<amount>\d+(?:\.\d+)?(?:\s*/\s*\d+)?)\s*(?P<unit>[a-z]+)?"
    r"(?:\s+elemental)?\s*$",
    re.IGNORECASE,
)
# "½ tablet", "half a tablet", "half tablet": the same as "0.5 tablet".
_HALF_RE = re.compile(r"^\s*(?:½|half(?:\s+an?)?)\s*", re.IGNORECASE)


class Dose(Model, frozen=True):
    """An amount in elemental mg or in units of the product.

    Accepts ``"200 mg"``, ``"0.5 g"``, ``"2 capsules"``, ``"1.5 tablets"``,
    ``"½ tablet"``, ``"1/2 tablet"``, ``"half a tablet"`` or a number (mg). A
    unit word must be the product's own (checked by ``Regimen``).

    >>> Dose.parse("2 capsules")
    Dose(amount=2.0, unit='units', unit_name='capsule')
    >>> str(Dose.parse("½ tablet"))
    '0.5 tablet'
    """

    amount: float = pydantic.Field(gt=0, le=100_000)
    unit: Literal["mg", "units"] = "mg"
    unit_name: UnitName | None = pydantic.Field(
        default=None,
        description='the unit word given ("4 tablets"), checked against the '
        "product's unit",
    )

    @pydantic.model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return {"amount": value, "unit": "mg"}
        if isinstance(value, str):
            return _parse_dose_text(value)
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls,
        core_schema: pydantic_core.core_schema.CoreSchema,
        handler: pydantic.GetJsonSchemaHandler,
    ) -> dict[str, Any]:
        # The loaders accept "200 mg", "4 capsules" and a number of mg.
        return {
            "anyOf": [
                handler(core_schema),
                {
                    "type": "string",
                    "description": "an amount and a unit: mg, or the product's "
                    "unit (capsules, tablets, ...)",
                    "examples": ["200 mg", "4 capsules", "½ tablet"],
                },
                {"type": "number", "exclusiveMinimum": 0, "description": "mg"},
            ]
        }

    @classmethod
    def parse(cls, text: str) -> Dose:
        """A dose from text such as ``"200 mg"`` or ``"2 capsules"``."""
        return cls.model_validate(text)

    def to_mg(self, product: Product) -> float:
        """This dose in elemental mg of *product*."""
        if self.unit == "mg":
            return self.amount
        return self.amount * product.elemental_per_unit

    def __str__(self) -> str:
        if self.unit == "mg":
            return format_mg(self.amount)
        if self.unit_name is not None:
            word = self.unit_name if self.amount <= 1 else _PLURAL[self.unit_name]
            return f"{self.amount:g} {word}"
        return f"{self.amount:g} unit" + ("" if self.amount == 1 else "s")


def _parse_dose_text(text: str) -> dict[str, Any]:
    match = _DOSE_RE.match(_HALF_RE.sub("0.5 ", text, count=1))
    if match is None:
        raise InvalidInputError(
            "", "a dose such as '200 mg', '2 capsules' or '½ tablet'", text
        )
    number = match["amount"]
    if "/" in number:
        top, bottom = (float(x) for x in number.split("/"))
        if bottom == 0:
            raise InvalidInputError("", "a fraction such as 1/2", text)
        amount = top / bottom
    else:
        amount = float(number)
    unit = (match["unit"] or "mg").lower()
    if unit in {"mg", "milligram", "milligrams"}:
        return {"amount": amount, "unit": "mg"}
    if unit in {"g", "gram", "grams"}:
        return {"amount": amount * 1000, "unit": "mg"}
    if unit in {"unit", "units"}:
        return {"amount": amount, "unit": "units"}
    if unit in _PLURAL or unit in _SINGULAR:
        return {
            "amount": amount,
            "unit": "units",
            "unit_name": _SINGULAR.get(unit, unit),
        }
    raise InvalidInputError(
        "", "a dose in 'mg' or in units such as 'capsules' or 'tablets'", text
    )
