"""The base of mgplan's value types: frozen, strict about unknown fields.

Construction and parsing raise ``InvalidInputError`` (mgplan's root) rather than
pydantic's ``ValidationError``, so callers catch one family of errors.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import types
import typing
from typing import Annotated, Any, Self

import pydantic

from ._dates import DATE_RANGE, within
from ._errors import InvalidInputError

__all__ = [
    "Date",
    "Model",
    "Text",
    "WallClock",
    "control_characters",
    "strict_json",
    "trusted_copy",
]


def _wall_clock(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise InvalidInputError(
            "",
            "a local wall-clock time such as '21:30', without a zone",
            value.isoformat(),
        )
    return value.replace(second=0, microsecond=0)


def _calendar_date(value: Any) -> Any:
    # Lax pydantic reads a number as seconds since 1970 (start_date: 0 was
    # 1970-01-01) and True as 1: neither is a date anyone meant.
    if isinstance(value, bool | int | float):
        raise InvalidInputError("", "a date such as 2026-12-01, not a number", value)
    return value


def _in_range(value: dt.date) -> dt.date:
    # A journal entry on 9999-12-31 overflowed in the engine (the evening
    # after it does not exist); mgplan's range keeps every date it computes.
    if not within(value):
        raise InvalidInputError("", DATE_RANGE, value.isoformat())
    return value


Date = Annotated[
    dt.date,
    pydantic.BeforeValidator(_calendar_date),
    pydantic.AfterValidator(_in_range),
]
"""A calendar date from 1970-01-01 to 2199-12-31 (``mgplan._dates``), from a
date or an ISO string; numbers refused."""

WallClock = Annotated[dt.time, pydantic.AfterValidator(_wall_clock)]
"""A time on the local wall clock, to the minute; zone-aware times refused."""


# Unicode Cc (C0, DEL, C1), lone surrogates (Cs), and NEL and the line and
# paragraph separators: control_characters' set, for a fast first look.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def control_characters(value: str) -> list[str]:
    """The control characters in *value*, as escapes (``['\\n', '\\x00']``).

    Control characters (Unicode Cc), lone surrogates (undecodable bytes from
    a command line) and the line and paragraph separators: none belongs in
    text that ends up in a calendar, where a line break can start a new
    property.
    """
    found: list[str] = []
    for char in _CONTROL.findall(value):
        escaped = char.encode("unicode_escape", "backslashreplace").decode()
        if escaped not in found:
            found.append(escaped)
    return found


def _plain_text(value: str) -> str:
    found = control_characters(value)
    if found:
        raise InvalidInputError(
            "",
            "text without control characters (line breaks, tabs, NUL: "
            f"found {', '.join(found)})",
            value,
        )
    return value


Text = Annotated[str, pydantic.AfterValidator(_plain_text)]
"""A string that may reach a calendar: control characters are refused."""


def strict_json(text: str | bytes) -> Any:
    """JSON as ``json.loads`` reads it, but a key twice in one object, or
    NaN/Infinity, is a ValueError: last-wins and non-finite numbers would be
    silent surprises in a plan ("limit_set": "eu", "limit_set": "us")."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in items:
            if key in seen:
                raise ValueError(f"the key {key!r} twice in one object")
            seen[key] = value
        return seen

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON allows")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


@functools.cache
def _numeric_fields(cls: type[pydantic.BaseModel]) -> tuple[str, ...]:
    """The fields of *cls* whose type is a number, a number or None, or a
    Literal of integers (``Literal[1] == True``: a format version)."""
    numeric: list[str] = []
    for name, info in cls.__pydantic_fields__.items():
        origin = typing.get_origin(info.annotation)
        args = typing.get_args(info.annotation)
        if origin is typing.Literal:
            number = any(type(a) is int for a in args)
        elif origin in (None, typing.Union, types.UnionType):
            number = any(k in (int, float) for k in args or (info.annotation,))
        else:
            number = False  # a tuple, a list: not a number itself
        if number:
            numeric.append(name)
    return tuple(numeric)


_set = object.__setattr__  # frozen models: set what pydantic's construct sets
_M = typing.TypeVar("_M", bound=pydantic.BaseModel)


def trusted_copy(model: _M, **changes: Any) -> _M:
    """A copy of *model*, built by ``Model.trusted``, with *changes* made
    without validation: the engine builds one day or intake of a kind and
    copies it for each date. Only field names are checked (a misspelt one is
    a bug, refused at once)."""
    values = model.__dict__.copy()
    for name in changes:
        if name not in values:
            raise TypeError(f"{type(model).__name__} has no field {name!r}")
    values.update(changes)  # the fields keep their order
    return unvalidated(type(model), values, set(model.__pydantic_fields_set__))


def unvalidated(cls: type[_M], values: dict[str, Any], fields_set: set[str]) -> _M:
    """An instance of *cls* holding *values*, set up as pydantic's
    ``model_construct`` sets one up (``Model.trusted``, ``trusted_copy``)."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


class Model(pydantic.BaseModel, frozen=True, extra="forbid"):
    """Frozen, extra fields forbidden, errors from mgplan's root."""

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise InvalidInputError.from_pydantic(exc, type(self).__name__) from None

    # Tell pydantic this __init__ only wraps its own, so nested validation keeps
    # pydantic's fast path instead of calling __init__ for every nested model.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except pydantic.ValidationError as exc:
            raise InvalidInputError.from_pydantic(exc, cls.__name__) from None

    @classmethod
    def model_validate_json(
        cls, json_data: str | bytes | bytearray, **kwargs: Any
    ) -> Self:
        try:
            return super().model_validate_json(json_data, **kwargs)
        except pydantic.ValidationError as exc:
            raise InvalidInputError.from_pydantic(exc, cls.__name__) from None

    @pydantic.model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        """Lax pydantic reads true as 1 and false as 0: refuse them where a
        number is expected (``amount_per_unit = true`` is a slip, not 1 mg)."""
        if isinstance(data, dict):
            for name in _numeric_fields(cls):
                value = data.get(name)
                if isinstance(value, bool):
                    raise InvalidInputError(name, "a number, not true or false", value)
        return data

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """An instance from values the engine built and knows are valid.

        No validation, as ``model_construct``, without its generic work (a
        year's plan builds about a thousand days and intakes). Every field
        must be given: a missing one is a bug, refused at once rather than
        found later as a missing attribute.
        """
        fields = cls.__pydantic_fields__
        if values.keys() != fields.keys():
            missing = sorted(fields.keys() - values.keys())
            extra = sorted(values.keys() - fields.keys())
            raise TypeError(f"{cls.__name__}.trusted: missing {missing}, extra {extra}")
        return unvalidated(cls, values, set(fields))

    def replace(self, **changes: Any) -> Self:
        """A copy with *changes* applied and validated again.

        Only the fields that were given carry over; the rest are filled in
        again (a default, a preset's value, a derived id), as on creation.
        """
        given = {name: getattr(self, name) for name in self.model_fields_set}
        return type(self)(**{**given, **changes})

    def model_copy(
        self, *, update: typing.Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        """A copy with *update* applied, not validated (as pydantic's; use
        ``replace`` to validate). Without *update*, the instance itself: it
        is immutable. (pydantic's would change this instance in place,
        because copying returns it.)"""
        if not update:
            return self
        cls = type(self)
        copied = cls.__new__(cls)
        _set(copied, "__dict__", {**self.__dict__, **update})
        _set(
            copied,
            "__pydantic_fields_set__",
            self.__pydantic_fields_set__ | set(update),
        )
        _set(copied, "__pydantic_extra__", None)
        _set(copied, "__pydantic_private__", self.__pydantic_private__)
        return copied

    def __copy__(self) -> Self:
        # Immutable values don't need copying.
        return self

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return self
