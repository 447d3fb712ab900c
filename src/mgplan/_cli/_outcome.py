"""Commands that answer "is it helping?": review, and the clinician summary."""

from __future__ import annotations

import argparse
from typing import TextIO

from mgplan._errors import InvalidInputError
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


def cmd_summary(args: argparse.Namespace, out: TextIO) -> int:
    from mgplan import summary

    if args.output.suffix.lower() == ".pdf":
        raise InvalidInputError(
            "--output",
            "an .html file (mgplan writes HTML; open it in a browser and print to PDF)",
            str(args.output),
        )
    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    result = review(schedule, as_of=loaded.today)
    summary.write_html(schedule, args.output, result)
    print(f"Wrote {args.output}: the summary as of {loaded.today}.", file=out)
    return 0
