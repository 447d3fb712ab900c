"""``python -m mgplan``: the same as the ``mgplan`` command."""

from ._cli import main

raise SystemExit(main())
