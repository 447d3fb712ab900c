import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import pytest

import mgplan


class TestNamespace:
    def test_all_is_complete(self) -> None:
        """__all__, the lazy table and the type checkers' imports agree.

        Its order is kept by ruff (RUF022), so diffs stay small.
        """
        assert sorted(mgplan._LAZY) == sorted(mgplan.__all__)
        assert len(set(mgplan.__all__)) == len(mgplan.__all__)
        # The imports under TYPE_CHECKING name the same modules and names.
        tree = ast.parse(Path(mgplan.__file__).read_text(encoding="utf-8"))
        guarded = next(n for n in tree.body if isinstance(n, ast.If))
        imported = {
            alias.name: f".{node.module}"
            for node in guarded.body
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        assert imported == mgplan._LAZY

    def test_every_name_resolves_to_its_definition(self) -> None:
        """Each lazy name is the object its module defines, and is public."""
        for name, module in mgplan._LAZY.items():
            value = getattr(mgplan, name)
            defining = importlib.import_module(module, "mgplan")
            assert value is getattr(defining, name)
            assert not isinstance(value, types.ModuleType)
        assert set(mgplan.__all__) <= set(dir(mgplan))

    def test_unknown_name_is_an_attribute_error(self) -> None:
        """A typo is an AttributeError naming it (hasattr and getattr work)."""
        with pytest.raises(AttributeError, match="'Regimn'"):
            mgplan.Regimn  # noqa: B018
        assert not hasattr(mgplan, "Regimn")

    def test_importing_mgplan_imports_no_model_layer(self) -> None:
        """`import mgplan` alone imports neither pydantic nor a model module."""
        code = (
            "import sys, mgplan\n"
            "print(sorted(m for m in sys.modules if m.startswith('pydantic')"
            " or m.startswith('mgplan.')))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "[]" == out.stdout.strip()

    def test_importing_mgplan_does_not_import_icalendar(self) -> None:
        """The core never pulls in the calendar library (fast CLI start)."""
        code = "import sys, mgplan; print('icalendar' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False" == out.stdout.strip()

    def test_py_typed_ships(self) -> None:
        """The package is marked as typed."""
        from importlib.resources import files

        assert files("mgplan").joinpath("py.typed").is_file()

    def test_the_library_never_validates_with_assert(self) -> None:
        """``python -O`` strips asserts, so the library has none: every check
        raises from mgplan's error root (CI also runs the validating tests
        under PYTHONOPTIMIZE=1)."""
        package = Path(mgplan.__file__).parent
        found = [
            f"{path.name}:{node.lineno}"
            for path in sorted(package.rglob("*.py"))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Assert)
        ]
        assert [] == found
        assert len(list(package.rglob("*.py"))) > 30  # the walk saw the package
