"""The ``mgplan`` command: parse the arguments, call the library, print.

This package is the one part of mgplan that reads the clock and the
environment. It is split by topic: this module holds the parser and the entry
point and imports no model layer, so ``mgplan --help`` starts fast; each
command's module (``_plan``, ``_journal``, ``_calendar``, ``_reference``) is
imported only when that command runs.

Exit codes: 0 done; 1 an operation failed (a file could not be written, a
server failed, an extra is missing); 2 bad usage or bad input; 3 planning
refused for a contraindication.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from mgplan._dates import DATE_RANGE, DATETIME_RANGE, within
from mgplan._errors import (
    ContraindicationError,
    InvalidInputError,
    MgplanError,
    MgplanWarning,
    _show,  # a value as errors echo it: cut at 80
)
from mgplan._words import DISCLAIMER, Severity, Symptom

__all__ = ["EXIT_FAILED", "EXIT_REFUSED", "EXIT_USAGE", "main"]

EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 1, 2, 3

Command = Callable[[argparse.Namespace, TextIO], int]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, then exit 2 (argparse's own prints the usage too)."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    out: TextIO = sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MgplanWarning)
            code: int = _command(args.run)(args, out)
        for warning in caught:
            if issubclass(warning.category, MgplanWarning):
                print(f"mgplan: warning: {warning.message}", file=sys.stderr)
            else:  # not ours: pass it on as it came
                warnings.showwarning(
                    warning.message,
                    warning.category,
                    warning.filename,
                    warning.lineno,
                )
        # Every command says it once, on stderr, so what a command prints on
        # stdout (a dose, JSON, a calendar) can be captured alone.
        print(DISCLAIMER, file=sys.stderr)
        return code
    except InvalidInputError as exc:
        return _fail(exc, EXIT_USAGE)
    except ContraindicationError as exc:
        return _fail(exc, EXIT_REFUSED)
    except MgplanError as exc:
        return _fail(exc, EXIT_FAILED)
    except KeyboardInterrupt:
        print("mgplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (mgplan show | head): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (OSError, RecursionError, MemoryError, OverflowError) as exc:
        # What the checks above did not foresee: still one line, never a
        # traceback. (An OSError here is a file or device that misbehaved.)
        return _fail(f"{type(exc).__name__}: {exc}", EXIT_FAILED)


def _command(name: str) -> Command:
    """The function behind *name* ('plan:cmd_show'), its module imported now."""
    module, function = name.split(":")
    run: Command = getattr(importlib.import_module(f"._{module}", __name__), function)
    return run


def _fail(exc: BaseException | str, code: int) -> int:
    message = " ".join(str(exc).split())  # one line, however many problems
    print(f"mgplan: {message}", file=sys.stderr)
    return code


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mgplan",
        description=(
            "Plan evening magnesium for restless legs: start low, increase "
            "slowly, hold or step back on GI side effects. " + DISCLAIMER
        ),
        epilog=_examples(
            "mgplan init plan.toml",
            "mgplan show plan.toml",
            "mgplan tonight plan.toml",
            "mgplan report plan.toml --symptom loose-stools --severity mild",
            "mgplan ics plan.toml -o plan.ics",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action=_Version, nargs=0, help="print the version and exit"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str,
        run: str,
        help: str,
        *examples: str,
        aliases: Sequence[str] = (),
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            aliases=list(aliases),
            help=help,
            description=f"{help}. {DISCLAIMER}",
            epilog=_examples(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)  # module:function, imported when run
        return sub

    init = command(
        "init",
        "plan:cmd_init",
        "write a commented starter plan file",
        "mgplan init plan.toml --start 2026-12-01 --tz Europe/Berlin",
    )
    init.add_argument(
        "path",
        nargs="?",
        default="plan.toml",
        type=_path,
        help="where to write it (default: plan.toml)",
    )
    init.add_argument("--start", type=_date, help="first day (default: today)")
    init.add_argument("--tz", help="IANA time zone (default: this computer's)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    show = command(
        "show",
        "plan:cmd_show",
        "print the schedule as a table",
        "mgplan show plan.toml",
        "mgplan show plan.toml --daily --chart",
        "mgplan show plan.toml --json > schedule.json",
    )
    _plan_argument(show)
    show.add_argument("--date", type=_date, help="today (default: the real today)")
    show.add_argument("--daily", action="store_true", help="one row per day")
    show.add_argument(
        "--json", action="store_true", help="the schedule as JSON, for machines"
    )
    show.add_argument(
        "--chart", action="store_true", help="add a text chart of the dose over time"
    )

    tonight = command(
        "tonight",
        "plan:cmd_tonight",
        "print tonight's intakes",
        "mgplan tonight plan.toml",
        "mgplan tonight plan.toml --date 2026-12-24",
    )
    _plan_argument(tonight)
    tonight.add_argument("--date", type=_date, help="which evening (default: today)")
    tonight.add_argument("--json", action="store_true", help="as JSON, for machines")

    report = command(
        "report",
        "journal:cmd_report",
        "log a GI side effect and show what it changes",
        "mgplan report plan.toml --symptom loose-stools --severity moderate",
        "mgplan report plan.toml --stools 4 --bristol 6",
        "mgplan report plan.toml --symptom cramping --severity mild "
        "--evening 2026-12-09",
    )
    _plan_argument(report)
    report.add_argument(
        "--symptom",
        default="loose-stools",
        type=_choice(Symptom),
        help=", ".join(s.value for s in Symptom) + " (default: loose-stools)",
    )
    report.add_argument(
        "--severity",
        type=_choice(Severity),
        help=", ".join(s.value for s in Severity)
        + " (or give --stools/--bristol to grade it)",
    )
    report.add_argument(
        "--stools",
        type=int,
        metavar="N",
        help="stools a day above your usual (graded by CTCAE v5)",
    )
    report.add_argument("--bristol", type=int, help="Bristol stool type, 1 to 7")
    report.add_argument("--date", type=_date, help="when reported (default: today)")
    report.add_argument(
        "--evening",
        type=_date,
        help="the evening whose dose it follows (default: the latest evening "
        "whose first intake time has passed; with --date, the evening before)",
    )
    report.add_argument("--note", default="", help="anything else to remember")

    skipped = command(
        "skipped",
        "journal:cmd_missed",
        "log an evening without the dose and show what it changes",
        "mgplan skipped plan.toml --date 2026-12-12",
        aliases=["missed"],
    )
    _plan_argument(skipped)
    skipped.add_argument("--date", type=_date, help="which evening (default: today)")
    skipped.add_argument("--note", default="", help="anything else to remember")

    taken = command(
        "taken",
        "journal:cmd_taken",
        "log that the evening's dose was taken",
        "mgplan taken plan.toml",
        "mgplan taken plan.toml --at 2026-12-13T00:40",
        "mgplan taken plan.toml --date 2026-12-12",
    )
    _plan_argument(taken)
    when = taken.add_mutually_exclusive_group()
    when.add_argument(
        "--at",
        type=_datetime,
        help="when it was taken, local time (default: now); after midnight "
        "and before the plan's day_boundary (04:00 unless set) it counts for "
        "the evening before",
    )
    when.add_argument("--date", type=_date, help="which evening, time unknown")
    taken.add_argument(
        "--units",
        type=_positive("units"),
        help="how many units, if not the whole evening's dose",
    )
    taken.add_argument("--note", default="", help="anything else to remember")

    rls = command(
        "rls",
        "journal:cmd_rls",
        "log a night's restless-legs and sleep ratings (each 0 to 10)",
        "mgplan rls plan.toml --falling-asleep 6 --night 4 --sleep 5",
        "mgplan rls plan.toml --date 2026-12-12 --night 3 --irls 14",
    )
    _plan_argument(rls)
    rls.add_argument(
        "--date",
        type=_date,
        help="the evening before the night rated (default: yesterday before "
        "noon, today after)",
    )
    for flag, help in (
        ("--falling-asleep", "restless legs while falling asleep: 0 none, 10 worst"),
        ("--night", "restless legs during the night: 0 none, 10 worst"),
        ("--day-rest", "restless legs at rest during the day: 0 none, 10 worst"),
        ("--sleep", "satisfaction with the night's sleep: 0 not at all, 10 fully"),
    ):
        rls.add_argument(flag, type=_rating, metavar="0-10", help=help)
    rls.add_argument(
        "--irls",
        type=int,
        metavar="0-40",
        help="an IRLS total you scored on your own copy of the scale",
    )
    rls.add_argument("--note", default="", help="anything else to remember")

    stools = command(
        "stools",
        "journal:cmd_stools",
        "log a day's stools (count and the loosest Bristol type)",
        "mgplan stools plan.toml --count 2 --bristol 4",
    )
    _plan_argument(stools)
    stools.add_argument("--count", type=int, required=True, help="stools that day")
    stools.add_argument("--bristol", type=int, help="the loosest Bristol type, 1-7")
    stools.add_argument("--date", type=_date, help="which day (default: today)")
    stools.add_argument("--note", default="", help="anything else to remember")

    ferritin = command(
        "ferritin",
        "journal:cmd_ferritin",
        "log a ferritin result (and transferrin saturation, if measured)",
        "mgplan ferritin plan.toml --ng-ml 48 --tsat 22 --date 2026-11-20",
    )
    _plan_argument(ferritin)
    ferritin.add_argument(
        "--ng-ml", type=_positive("ng/mL"), required=True, help="ferritin, ng/mL (µg/L)"
    )
    ferritin.add_argument("--tsat", type=float, help="transferrin saturation, %%")
    ferritin.add_argument(
        "--date", type=_date, help="the day of the blood test (default: today)"
    )
    ferritin.add_argument("--note", default="", help="anything else to remember")

    journal = command(
        "journal",
        "journal:cmd_journal",
        "list the journal's entries (taken-back ones struck through)",
        "mgplan journal plan.toml",
        "mgplan journal plan.toml --json",
    )
    _plan_argument(journal)
    journal.add_argument("--json", action="store_true", help="as JSON, for machines")

    resolved = command(
        "resolved",
        "journal:cmd_resolved",
        "log that side effects have gone; a paused plan can restart",
        "mgplan resolved plan.toml",
        "mgplan resolved plan.toml --date 2026-12-20",
    )
    _plan_argument(resolved)
    resolved.add_argument(
        "--date", type=_date, help="the first day without them (default: today)"
    )
    resolved.add_argument("--note", default="", help="anything else to remember")

    undo = command(
        "undo",
        "journal:cmd_undo",
        "take back a journal entry (the latest that counts, or --entry N)",
        "mgplan undo plan.toml",
        "mgplan undo plan.toml --entry 3",
    )
    _plan_argument(undo)
    undo.add_argument(
        "--entry",
        type=int,
        metavar="N",
        help="the entry's position in the journal, 1 for the first "
        "(default: the latest that counts)",
    )
    undo.add_argument("--note", default="", help="why, to remember")

    clinician = command(
        "clinician",
        "journal:cmd_clinician",
        "log a clinician's acknowledgement: end a stop, or lift the ceiling",
        "mgplan clinician plan.toml --name 'Dr Rao' --allows end-stop",
        "mgplan clinician plan.toml --name 'Dr Rao' --allows lift-ceiling",
    )
    _plan_argument(clinician)
    clinician.add_argument("--name", required=True, help="the clinician's name")
    clinician.add_argument(
        "--allows",
        required=True,
        choices=["end-stop", "lift-ceiling"],
        help="end-stop: resume a stopped plan at the smallest amount; "
        "lift-ceiling: also lift the ceiling and barred doses",
    )
    clinician.add_argument("--date", type=_date, help="when (default: today)")
    clinician.add_argument("--note", default="", help="anything else to remember")

    ics = command(
        "ics",
        "calendar:cmd_ics",
        "write the calendar (.ics) of the plan",
        "mgplan ics plan.toml -o plan.ics",
        "mgplan ics plan.toml -o plan.ics --compact --alarm 15",
        "mgplan ics plan.toml -o tasks.ics --tasks",
    )
    _plan_argument(ics)
    ics.add_argument(
        "-o",
        "--output",
        required=True,
        type=_path,
        help="the .ics file to write (replaced atomically); - for stdout",
    )
    _calendar_options(ics)

    sync = command(
        "sync",
        "calendar:cmd_sync",
        "read back ticked-off doses and notes from a CalDAV calendar into the "
        "journal, then push the plan to it",
        "MGPLAN_CALDAV_PASSWORD=... mgplan sync plan.toml "
        "--url https://dav.example.org/alice/magnesium/ --username alice --tasks",
        "mgplan sync plan.toml --push-only",
    )
    _plan_argument(sync)
    sync.add_argument(
        "--url",
        help="the calendar's URL (default: "
        "$MGPLAN_CALDAV_URL or the plan's calendar.caldav_url)",
    )
    sync.add_argument("--username", help="default: $MGPLAN_CALDAV_USERNAME")
    sync.add_argument(
        "--push-only",
        action="store_true",
        help="only push the plan; read nothing back into the journal",
    )
    _calendar_options(sync)

    review = command(
        "review",
        "outcome:cmd_review",
        "is it helping? the baseline against the weeks at the maintenance dose",
        "mgplan review plan.toml",
        "mgplan review plan.toml --json",
    )
    _plan_argument(review)
    review.add_argument("--date", type=_date, help="as of (default: today)")
    review.add_argument("--json", action="store_true", help="as JSON, for machines")

    summary = command(
        "summary",
        "outcome:cmd_summary",
        "write a one-page summary for the clinician (HTML, prints to PDF)",
        "mgplan summary plan.toml -o summary.html",
    )
    _plan_argument(summary)
    summary.add_argument(
        "-o", "--output", required=True, type=_path, help="the .html file to write"
    )

    fhir = command(
        "fhir",
        "fhir:cmd_fhir",
        "write the plan as a FHIR MedicationRequest (JSON)",
        "mgplan fhir plan.toml -o request.json",
        "mgplan fhir plan.toml --version r4 --subject Patient/123",
        "mgplan fhir plan.toml --bundle -o bundle.json",
    )
    _plan_argument(fhir)
    fhir.add_argument(
        "--version",
        default="r5",
        type=str.lower,
        choices=("r4", "r5"),
        help="r4 (4.0.1, what most servers run) or r5 (default)",
    )
    fhir.add_argument(
        "-o",
        "--output",
        type=_path,
        default=Path("-"),
        help="the .json file to write (replaced atomically); - for stdout "
        "(the default)",
    )
    fhir.add_argument(
        "--bundle",
        action="store_true",
        help="a Bundle with the journal too: doses taken (MedicationStatement), "
        "ratings, stools and ferritin (Observation), side effects (AdverseEvent)",
    )
    fhir.add_argument(
        "--subject",
        metavar="REFERENCE",
        help="the person, as a FHIR reference such as Patient/123 "
        "(default: a display-only reference)",
    )

    forms = command(
        "forms",
        "reference:cmd_forms",
        "list the magnesium forms with elemental fraction and GI tendency",
        "mgplan forms",
    )
    forms.add_argument("--json", action="store_true", help="as JSON, for machines")

    convert = command(
        "convert",
        "reference:cmd_convert",
        "convert compound mg of a salt to elemental magnesium, or back",
        "mgplan convert 500 mg citrate",
        "mgplan convert 200 mg glycinate --elemental",
    )
    convert.add_argument(
        "amount",
        type=_amount,
        help="the amount: mg, or with its unit (500mg, 0.5g, 12.4mmol)",
    )
    convert.add_argument(
        "words",
        nargs="+",
        metavar="[UNIT] FORM",
        help="the form, e.g. citrate or 'magnesium citrate'; a leading unit "
        "(mg, g, mmol, mEq) is allowed; mmol and mEq are elemental magnesium",
    )
    convert.add_argument(
        "--elemental",
        action="store_true",
        help="the amount is elemental magnesium: give the compound mg",
    )
    convert.add_argument("--json", action="store_true", help="as JSON, for machines")

    chart = command(
        "chart",
        "plan:cmd_chart",
        "draw the dose over time with reports and decisions marked",
        "mgplan chart plan.toml -o plan.png",
        "mgplan chart plan.toml -o plan.svg",
    )
    _plan_argument(chart)
    chart.add_argument(
        "-o", "--output", required=True, type=_path, help="a .png or .svg file"
    )
    return parser


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _plan_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=_path, help="the plan file (.toml or .json)")


def _calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--compact",
        action="store_true",
        default=None,
        help="one recurring event per dose step",
    )
    parser.add_argument(
        "--alarm",
        type=int,
        metavar="MINUTES",
        help="remind this many minutes before each dose",
    )
    parser.add_argument(
        "--refill",
        action=argparse.BooleanOptionalAction,
        help="add a reminder on the day a container runs out",
    )
    parser.add_argument(
        "--refill-days",
        type=int,
        metavar="DAYS",
        help="how many days before a container runs out to remind (default 5)",
    )
    items = parser.add_mutually_exclusive_group()
    items.add_argument(
        "--items",
        choices=("events", "tasks", "both"),
        help="dose reminders as events (default), tasks (VTODO) or both",
    )
    items.add_argument(
        "--tasks",
        dest="items",
        action="store_const",
        const="tasks",
        help="the same as --items tasks: one to-do per intake, to tick off",
    )
    parser.add_argument(
        "--title",
        choices=("form", "product"),
        help="name events after the salt (default) or the product",
    )
    parser.add_argument("--name", help="the calendar's name")


class _Version(argparse.Action):
    """--version, with the installed version looked up only when asked:
    importlib.metadata costs more than the rest of start-up."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        print(_version())
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mgplan {version('mgplan')}"
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "mgplan (not installed)"


def _path(text: str) -> Path:
    """A file path; an empty one is not "." (writing there failed as "cannot
    write .: Device or resource busy")."""
    if not text:
        raise argparse.ArgumentTypeError("expected a file path, got ''")
    return Path(text)


def _date(text: str) -> dt.date:
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-12-01, got {_show(text)}"
        ) from None
    if not within(value):  # the evening before 0001-01-01 does not exist
        raise argparse.ArgumentTypeError(f"expected {DATE_RANGE}, got {_show(text)}")
    return value


# mg in one of each unit convert takes. 1 mmol of magnesium is 24.305 mg
# (IUPAC standard atomic weight [ATOMIC]) and 2 mEq (Mg is divalent).
_MG_PER = {"mg": 1.0, "g": 1000.0, "mmol": 24.305, "meq": 24.305 / 2}


def _amount(text: str) -> tuple[float, str | None]:
    """'500', '500mg', '0.5 g', '12.4mmol': the number and its unit, if given."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if match is None or (unit and unit not in _MG_PER):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of mg (or with its unit: mg, g, mmol, "
            f"mEq), got {_show(text)}"
        )
    value = float(match.group(1))
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of mg, got {_show(text)}"
        )
    return value, unit or None


def _datetime(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date and time such as 2026-12-01T22:30, got {_show(text)}"
        ) from None
    if not within(value):
        raise argparse.ArgumentTypeError(
            f"expected {DATETIME_RANGE}, got {_show(text)}"
        )
    return value


def _rating(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"expected 0 to 10, got {_show(text)}")
    return value


def _positive(what: str) -> Callable[[str], float]:
    """An argument type: a positive, finite number of *what*."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = -1
        if not 0 < value < 1e9:  # also refuses inf and nan
            raise argparse.ArgumentTypeError(
                f"expected a positive number of {what}, got {_show(text)}"
            )
        return value

    return parse


def _choice(kind: type[Symptom] | type[Severity]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower().replace("_", "-")
        known = [k.value for k in kind]
        if value == "diarrhea":
            value = "diarrhoea"
        if value not in known:
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(known)}, got {_show(text)}"
            )
        return value

    return parse
