"""mgplan's exceptions and warnings.

Every error mgplan raises on purpose derives from one root::

    MgplanError
    ├── InvalidInputError (ValueError)     bad input: names field, expected, received
    │   ├── UnknownFormError               a magnesium form id that is not catalogued
    │   ├── DoseAboveCapError              a dose above the effective daily cap
    │   └── PlanFileError                  a plan or journal file that cannot be used
    ├── ContraindicationError              a condition that refuses planning
    ├── ExportError (OSError)              a file could not be written
    └── SyncError                          a CalDAV server refused or was unreachable

    MgplanWarning (UserWarning)            non-fatal; filter all of mgplan's at once

Catch the root to handle anything mgplan reports::

    try:
        schedule = mgplan.plan(regimen)
    except mgplan.MgplanError as exc:
        print(exc)

This module imports nothing from mgplan so every module can use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pydantic

__all__ = [
    "ContraindicationError",
    "DoseAboveCapError",
    "ExportError",
    "InvalidInputError",
    "MgplanError",
    "MgplanWarning",
    "PlanFileError",
    "Problem",
    "SyncError",
    "UnknownFormError",
]


class MgplanError(Exception):
    """The root of every error mgplan raises on purpose."""


class MgplanWarning(UserWarning):
    """The root of mgplan's warnings."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input: where, what was expected, what came."""

    field: str
    expected: str
    received: Any

    def __str__(self) -> str:
        where = self.field or "input"
        return f"{where}: expected {self.expected}, got {_show(self.received)}"


_MISSING = object()


def _show(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ValueError, not a class of its own: callers catch all bad input alike, and
# pydantic and the standard library signal bad values with ValueError too.
class InvalidInputError(MgplanError, ValueError):
    """Bad input: says which field, what was expected and what was received.

    ``problems`` lists every problem found; ``field``, ``expected`` and
    ``received`` describe the first.
    """

    def __init__(
        self,
        field: str,
        expected: str,
        received: Any = _MISSING,
        *,
        problems: Sequence[Problem] = (),
    ) -> None:
        first = Problem(field, expected, received)
        self.problems: tuple[Problem, ...] = tuple(problems) or (first,)
        self.field = self.problems[0].field
        self.expected = self.problems[0].expected
        self.received = self.problems[0].received
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [str(p) for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  - {s}" for s in lines)

    def with_prefix(self, prefix: str) -> InvalidInputError:
        """The same error with *prefix* put before every field path."""
        problems = [
            Problem(_join(prefix, p.field), p.expected, p.received)
            for p in self.problems
        ]
        new = InvalidInputError.__new__(type(self))
        InvalidInputError.__init__(
            new,
            problems[0].field,
            problems[0].expected,
            problems[0].received,
            problems=problems,
        )
        for key, value in vars(self).items():
            if key not in {"problems", "field", "expected", "received"}:
                setattr(new, key, value)
        return new

    @classmethod
    def from_pydantic(
        cls, error: pydantic.ValidationError, prefix: str = ""
    ) -> InvalidInputError:
        """Translate pydantic's error into mgplan's, keeping every problem."""
        problems: list[Problem] = []
        for item in error.errors(include_url=False):
            field = _join(prefix, _loc_to_path(item["loc"]))
            ctx = item.get("ctx") or {}
            original = ctx.get("error")
            if isinstance(original, InvalidInputError):
                problems.extend(original.with_prefix(field).problems)
                continue
            received = item.get("input", _MISSING)
            if item["type"] == "missing":
                received = _MISSING
            problems.append(Problem(field, _expected_text(item), received))
        first = problems[0]
        return cls(first.field, first.expected, first.received, problems=problems)


def _join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith(("function-", "tagged-union", "json-or-python")):
            # pydantic's internal validator names are no help to a person
            continue
        else:
            path = f"{path}.{part}" if path else part
    return path


# pydantic's parsing errors, in words a person can act on: what a valid
# value looks like, then pydantic's reason ("input is too short").
_DATETIME = "a date and time such as '2026-12-01T21:30'"
_DATE = "a date such as '2026-12-01'"
_PARSING = {
    "datetime_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE + " (without a time of day)",
    "time_parsing": "a time such as '21:30'",
    "time_type": "a time such as '21:30'",
}


def _expected_text(item: Any) -> str:
    kind = item["type"]
    msg: str = item["msg"]
    if kind == "missing":
        return "a value (this field is required)"
    if kind == "extra_forbidden":
        return "no such field (it is not one this model knows)"
    reason = (item.get("ctx") or {}).get("error")
    if kind in _PARSING:
        return _PARSING[kind] + (f" ({reason})" if isinstance(reason, str) else "")
    if kind == "json_invalid":
        return "valid JSON" + (f" ({reason})" if isinstance(reason, str) else "")
    for lead in ("Input should be ", "Value error, ", "Assertion failed, "):
        if msg.startswith(lead):
            msg = msg[len(lead) :]
            break
    if msg.startswith("expected "):
        msg = msg[len("expected ") :]
    return msg[:1].lower() + msg[1:]


class UnknownFormError(InvalidInputError):
    """A magnesium form id that is not in the catalogue."""

    def __init__(self, form_id: str, known: Sequence[str], field: str = "form") -> None:
        self.form_id = form_id
        self.known = tuple(known)
        key = str(form_id).strip().lower().replace("-", "_").replace(" ", "_")
        import difflib  # only for a miss: keeps start-up light

        near = difflib.get_close_matches(key, self.known, n=2, cutoff=0.7)
        hint = (
            "; did you mean " + " or ".join(repr(n) for n in near) + "?" if near else ""
        )
        super().__init__(
            field,
            "one of the catalogued forms: " + ", ".join(self.known) + hint,
            form_id,
        )


class DoseAboveCapError(InvalidInputError):
    """A dose above the effective daily cap (see ``SafetyProfile.daily_cap_mg``)."""

    def __init__(
        self, field: str, dose_mg: float, cap_mg: float, why: str, typed: str = ""
    ) -> None:
        self.dose_mg = dose_mg
        self.cap_mg = cap_mg
        shown = _mg(dose_mg)
        if shown == _mg(cap_mg):  # 350.0001 mg: rounded, it would read as the cap
            shown = f"{dose_mg:.10g} mg"
        if typed and typed != shown:  # "2 scoops": what the person wrote, and in mg
            shown = f"{typed} ({shown} elemental)"
        super().__init__(
            field,
            f"at most the daily cap of {_mg(cap_mg)} elemental ({why})",
            shown,
        )


class PlanFileError(InvalidInputError):
    """A plan file or journal that cannot be read; ``path`` and ``line`` say where."""

    def __init__(
        self,
        path: str | Path,
        field: str,
        expected: str,
        received: Any = _MISSING,
        *,
        line: int | None = None,
        problems: Sequence[Problem] = (),
    ) -> None:
        self.path = Path(path)
        self.line = line
        super().__init__(field, expected, received, problems=problems)

    def _message(self) -> str:
        where = str(self.path) + (f":{self.line}" if self.line is not None else "")
        return f"{where}: {super()._message()}"

    @classmethod
    def wrap(
        cls, path: str | Path, error: InvalidInputError, *, line: int | None = None
    ) -> PlanFileError:
        """Attach a file (and line) to an input error found in its content."""
        return cls(
            path,
            error.field,
            error.expected,
            error.received,
            line=line,
            problems=error.problems,
        )


class ContraindicationError(MgplanError):
    """A recorded condition refuses planning without a clinician override."""

    def __init__(self, conditions: Sequence[str], reasons: Sequence[str]) -> None:
        self.conditions = tuple(conditions)
        self.reasons = tuple(reasons)
        listed = "; ".join(reasons)
        super().__init__(
            f"mgplan will not plan magnesium with {listed}. "
            "A clinician can allow it with a ClinicianOverride that names it "
            "(allow_conditions, allow_medicines) and gives a reason."
        )


class ExportError(MgplanError, OSError):
    """A file could not be written (an export, a journal line); any existing
    file was left as it was.

    ``errno`` is the operating system's code when it gave one; the text is
    the message alone (OSError would put "[Errno 2]" before it).
    """

    def __str__(self) -> str:
        return self.strerror if self.strerror is not None else super().__str__()


class SyncError(MgplanError):
    """A CalDAV server could not be reached, refused the credentials, or failed."""


def _mg(value: float) -> str:  # format_mg's words (this module imports nothing)
    if 0 < abs(value) < 0.05:
        return f"{value:.2g} mg"
    return f"{round(value, 1):g} mg"
