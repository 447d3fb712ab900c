import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

import mgplan

from .radicale_server import Server, radicale

_calendars = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Radicale on 127.0.0.1, one per test module."""
    with radicale(tmp_path_factory.mktemp("radicale")) as running:
        yield running


@pytest.fixture
def url(server: Server) -> str:
    """A fresh calendar URL for each test."""
    return server.calendar_url(f"calendar{next(_calendars)}")


@pytest.fixture
def glycinate() -> mgplan.Product:
    return mgplan.Product(name="Gly 100", form="glycinate", amount_per_unit=100)


@pytest.fixture
def regimen(glycinate: mgplan.Product) -> mgplan.Regimen:
    """100 mg capsules: 100 → 200 → 300 mg, a step a week, three slots."""
    return mgplan.Regimen(
        id="test-plan",
        product=glycinate,
        start_date=dt.date(2026, 12, 1),
        tz="Europe/Berlin",
        start_dose="100 mg",
        step="100 mg",
        target_dose="300 mg",
        slots=["18:30 with dinner", "20:00 evening", "21:30 at bedtime"],
        maintenance_days=28,
    )


def report(
    date: str, severity: str = "moderate", symptom: str = "diarrhoea"
) -> mgplan.SideEffectReport:
    return mgplan.SideEffectReport(
        date=dt.date.fromisoformat(date), symptom=symptom, severity=severity
    )


# Hypothesis profiles: the default keeps the suite quick. `fuzz` (run by
# .ci/run after the tests) tries far more inputs, with a fixed seed so that a
# green CI stays green; `fuzz-random` explores new inputs on each run, for
# hunting locally: pytest tests/test_fuzz.py --hypothesis-profile fuzz-random
settings.register_profile(
    "fuzz",
    max_examples=1500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-random",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
