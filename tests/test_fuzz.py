"""Hostile input: every loader and the engine give a result or mgplan's error.

Nothing here may raise anything but an ``MgplanError``. The default profile
runs a few hundred cases; ``pytest tests/test_fuzz.py --hypothesis-profile
fuzz`` (in .ci/run) runs many more.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mgplan
from mgplan._cli import main

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "glycinate.toml"
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


# Each case must finish within this many seconds: a hang (an input that loops
# or explodes) fails the run instead of stalling CI until its own limit.
CASE_SECONDS = 10


class Hang(BaseException):
    """A case ran past CASE_SECONDS."""


@contextlib.contextmanager
def time_limit(seconds: float = CASE_SECONDS) -> Iterator[None]:
    """Raise Hang in the running case after *seconds* (where SIGALRM exists)."""
    if not hasattr(signal, "setitimer"):  # pragma: no cover - Windows
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"a fuzz case ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _valid_plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(mgplan.load_plan(EXAMPLE).model_dump_json())
    return data


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside nested dicts and lists."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _replace(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replace(data[path[0]], path[1:], value)
    return copy


def _load(suffix: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(content)
        with time_limit(), contextlib.suppress(mgplan.MgplanError):
            mgplan.load_plan(path).plan()


class TestLoaders:
    @FUZZ
    @given(st.binary(max_size=400), st.sampled_from([".toml", ".json"]))
    def test_plan_file_bytes(self, content: bytes, suffix: str) -> None:
        """Arbitrary bytes as a plan file: a plan or a PlanFileError."""
        _load(suffix, content)

    @FUZZ
    @given(st.text(max_size=300))
    def test_plan_file_text(self, text: str) -> None:
        """Arbitrary text as TOML."""
        _load(".toml", text.encode("utf-8", "surrogatepass"))

    @FUZZ
    @given(st.data())
    def test_mutated_plan(self, data: st.DataObject) -> None:
        """A valid plan with any one value replaced by any JSON value."""
        plan = _valid_plan()
        path = data.draw(st.sampled_from(_paths(plan)))
        mutated = _replace(plan, path, data.draw(json_values))
        _load(".json", json.dumps(mutated).encode())

    @FUZZ
    @given(st.binary(max_size=400))
    def test_journal_bytes(self, content: bytes) -> None:
        """Arbitrary bytes as a journal: entries or a PlanFileError."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "j.jsonl"
            path.write_bytes(content)
            with contextlib.suppress(mgplan.MgplanError):
                mgplan.Journal(path).read()

    @FUZZ
    @given(st.lists(json_values, max_size=5))
    def test_journal_json_lines(self, values: list[Any]) -> None:
        """Arbitrary JSON values, one a line, as a journal."""
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "j.jsonl"
            path.write_text("".join(json.dumps(v) + "\n" for v in values))
            with contextlib.suppress(mgplan.MgplanError):
                mgplan.Journal(path).read()

    @FUZZ
    @given(st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()))
    def test_schedule_json(self, content: bytes) -> None:
        """Arbitrary bytes or JSON as a saved schedule."""
        with contextlib.suppress(mgplan.MgplanError):
            mgplan.Schedule.from_json(content)

    @FUZZ
    @given(st.text(max_size=40) | json_values)
    def test_dose_and_models(self, value: Any) -> None:
        """Arbitrary values into Dose, Slot, Product, Regimen, reports."""
        for model in (
            mgplan.Dose,
            mgplan.Slot,
            mgplan.Product,
            mgplan.Regimen,
            mgplan.SideEffectReport,
            mgplan.MissedDose,
            mgplan.SafetyProfile,
            mgplan.PlanFile,
        ):
            with contextlib.suppress(mgplan.MgplanError):
                model.model_validate(value)

    @FUZZ
    @given(st.data())
    def test_what_loads_is_valid_under_the_published_schema(
        self, data: st.DataObject
    ) -> None:
        """A plan file the loader accepts validates against plan.v1.schema.json.

        The example's data with one value replaced by a JSON value or one of
        the shorthands people type; whatever loads, the schema must accept.
        """
        plan = _example_data()
        path = data.draw(st.sampled_from(_paths(plan)))
        value = data.draw(json_values | st.sampled_from(SHORTHANDS))
        mutated = _replace(plan, path, value)
        with time_limit():
            try:
                mgplan.PlanFile.model_validate(mutated)
            except mgplan.MgplanError:
                return
            PLAN_SCHEMA.validate(mutated)

    def test_time_limit_stops_a_hang(self) -> None:
        """The per-case limit interrupts a loop that never ends."""

        def spin() -> None:
            while True:
                pass

        with pytest.raises(Hang), time_limit(0.2):
            spin()

    @pytest.mark.parametrize("suffix", [".toml", ".json"])
    def test_deep_nesting(self, suffix: str) -> None:
        """Absurdly deep nesting is refused as bad input, not a crash."""
        deep = ("[" * 100_000 + "]" * 100_000).encode()
        content = b"x = " + deep if suffix == ".toml" else deep
        with pytest.raises(mgplan.PlanFileError):
            _load_strict(suffix, content)


PLAN_SCHEMA = jsonschema.Draft202012Validator(
    json.loads((ROOT / "schemas" / "plan.v1.schema.json").read_text("utf-8"))
)
# What people type where a dose, a slot or a unit goes.
SHORTHANDS = [
    "200 mg",
    "4 capsules",
    "½ tablet",
    "1/2 tablet",
    "half a tablet",
    "0.2 g",
    "19:00 with dinner",
    "21:30",
    "capsules",
    "scoop",
    "eu",
    "glycinate",
    "magnesium citrate",
]


def _example_data() -> dict[str, Any]:
    """The example plan file as JSON types (TOML dates become ISO strings)."""

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, dt.date | dt.time):
            return value.isoformat()
        return value

    data: dict[str, Any] = convert(tomllib.loads(EXAMPLE.read_text("utf-8")))
    return data


def _load_strict(suffix: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"plan{suffix}"
        path.write_bytes(content)
        mgplan.load_plan(path)


reports = st.builds(
    mgplan.SideEffectReport,
    date=st.dates(dt.date(2026, 10, 1), dt.date(2027, 12, 31)),
    symptom=st.sampled_from(list(mgplan.Symptom)),
    severity=st.sampled_from(list(mgplan.Severity)),
)
missed = st.builds(
    mgplan.MissedDose, date=st.dates(dt.date(2026, 10, 1), dt.date(2027, 12, 31))
)


class TestEngine:
    @FUZZ
    @given(
        st.lists(reports, max_size=30),
        st.lists(missed, max_size=30),
        st.none() | st.dates(dt.date(2026, 10, 1), dt.date(2027, 12, 31)),
    )
    def test_any_report_sequence(
        self,
        items: list[mgplan.SideEffectReport],
        gaps: list[mgplan.MissedDose],
        as_of: dt.date | None,
    ) -> None:
        """Any reports (early, late, many a day) give a schedule or our error."""
        plan_file = mgplan.load_plan(EXAMPLE)
        try:
            schedule = mgplan.plan(
                plan_file.regimen, plan_file.profile, items, gaps, as_of=as_of
            )
        except mgplan.MgplanError:
            return
        assert all(e.elemental_mg <= schedule.daily_cap_mg for e in schedule.days)


class TestCommandLine:
    @FUZZ
    @given(
        st.lists(
            st.sampled_from(
                [
                    "show",
                    "tonight",
                    "report",
                    "missed",
                    "resolved",
                    "clinician",
                    "--name",
                    "--allows",
                    "lift-ceiling",
                    "--stools",
                    "--bristol",
                    "--evening",
                    "7",
                    "forms",
                    "convert",
                    "--date",
                    "2026-11-20",
                    "--symptom",
                    "nausea",
                    "--severity",
                    "severe",
                    "--json",
                    "500",
                    "mg",
                    "citrate",
                    "x",
                    "-o",
                    "--chart",
                    str(EXAMPLE),
                ]
            )
            | st.text(max_size=8),
            max_size=6,
        )
    )
    def test_any_arguments(self, argv: list[str]) -> None:
        """Any arguments end in an exit code, never a traceback.

        Commands run in a scratch directory on a copy of the example, so what
        they write (``init``, ``ics -o``, a journal line) never lands in the
        checkout.
        """
        with tempfile.TemporaryDirectory() as scratch:
            plan = Path(scratch) / EXAMPLE.name
            plan.write_bytes(EXAMPLE.read_bytes())
            argv = [str(plan) if arg == str(EXAMPLE) else arg for arg in argv]
            with contextlib.chdir(scratch), time_limit():
                try:
                    code = main(argv)
                except SystemExit as exit_:
                    code = exit_.code  # type: ignore[assignment]
        assert code in (0, 1, 2, 3)


class TestFoundByFuzzing:
    """Regressions for what the fuzzer found, each pinned as a plain test."""

    def test_preset_that_is_not_a_string(self) -> None:
        """preset = [] was a TypeError; now it names the field."""
        data = _valid_plan()
        data["regimen"]["preset"] = []
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.PlanFile.model_validate(data)
        assert "PlanFile.regimen.preset" == info.value.field

    def test_nul_byte_in_a_path(self) -> None:
        """A NUL byte in a plan path was a ValueError from open()."""
        with pytest.raises(mgplan.PlanFileError):
            mgplan.load_plan("plan\x00.toml")
        with pytest.raises(mgplan.PlanFileError):
            mgplan.Journal("j\x00.jsonl").read()
        assert 2 == main(["show", "\x00"])

    def test_zone_aware_window(self) -> None:
        """window_start = 0 became a UTC time and a TypeError; now it names the
        field (found by the CI fuzz pass)."""
        data = _valid_plan()
        data["regimen"]["window_start"] = 0
        with pytest.raises(mgplan.InvalidInputError) as info:
            mgplan.PlanFile.model_validate(data)
        assert "PlanFile.regimen.window_start" == info.value.field
        assert "wall-clock" in info.value.expected
