"""The examples in the library's docstrings run, and print what they say."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mgplan


def _with_examples() -> list[str]:
    """The library's modules whose docstrings hold examples."""
    finder = doctest.DocTestFinder()
    names = []
    for info in pkgutil.walk_packages(mgplan.__path__, prefix="mgplan."):
        if info.name == "mgplan.__main__":  # runs the command line on import
            continue
        module = importlib.import_module(info.name)
        if any(test.examples for test in finder.find(module)):
            names.append(info.name)
    return sorted(names)


MODULES = _with_examples()


def test_the_examples_are_found() -> None:
    """Modules known to hold examples are among those checked."""
    assert {"mgplan._product", "mgplan._regimen"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS
    )
    assert 0 == result.failed, f"{result.failed} of {result.attempted} failed"
