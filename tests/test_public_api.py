import types

import mgplan


class TestNamespace:
    def test_all_is_complete(self) -> None:
        """__all__ lists every public name mgplan defines, each once.

        Its order is kept by ruff (RUF022), so diffs stay small.
        """
        public = sorted(
            name
            for name, value in vars(mgplan).items()
            if not name.startswith("_") and not isinstance(value, types.ModuleType)
        )
        assert public == sorted(mgplan.__all__)
        assert len(set(mgplan.__all__)) == len(mgplan.__all__)

    def test_importing_mgplan_does_not_import_icalendar(self) -> None:
        """The core never pulls in the calendar library (fast CLI start)."""
        import subprocess
        import sys

        code = "import sys, mgplan; print('icalendar' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False" == out.stdout.strip()

    def test_py_typed_ships(self) -> None:
        """The package is marked as typed."""
        from importlib.resources import files

        assert files("mgplan").joinpath("py.typed").is_file()
