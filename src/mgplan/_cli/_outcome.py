"""Commands that answer "is it helping?": review (and its JSON)."""

from __future__ import annotations

import argparse
from typing import TextIO

from mgplan._review import review

from ._common import _Loaded


def cmd_review(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan)
    result = review(loaded.schedule(), as_of=args.date or loaded.today)
    if args.json:
        print(result.model_dump_json(indent=2), file=out)
        return 0
    print(result.text(), file=out)
    return 0
