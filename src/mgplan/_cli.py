"""The ``mgplan`` command: parse the arguments, call the library, print.

This is the one module that reads the clock and the environment. It imports
the calendar and chart libraries only inside the commands that use them, so
``mgplan --help`` starts fast.

Exit codes: 0 done; 1 an operation failed (a file could not be written, a
server failed, an extra is missing); 2 bad usage or bad input; 3 planning
refused for a contraindication.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import re
import sys
import textwrap
import warnings
import zoneinfo
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from ._errors import (
    ContraindicationError,
    InvalidInputError,
    MgplanError,
    MgplanWarning,
    PlanFileError,
)
from ._forms import FORMS, get_form
from ._journal import AnyEntry, Journal, JournalEntries
from ._planfile import PlanFile, journal_for, load_plan, starter_plan
from ._product import format_mg
from ._schedule import DISCLAIMER, RED_FLAGS_TEXT, Action, DayEntry, Decision, Schedule
from ._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    Severity,
    SideEffectReport,
    Symptom,
    live_positions,
)

if TYPE_CHECKING:  # ics imports icalendar: never at start-up
    from .ics import CalendarOptions

__all__ = ["main"]

EXIT_FAILED, EXIT_USAGE, EXIT_REFUSED = 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, then exit 2 (argparse's own prints the usage too)."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


# -- entry point -------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    out: TextIO = sys.stdout
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MgplanWarning)
            code: int = args.run(args, out)
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


def _fail(exc: BaseException | str, code: int) -> int:
    message = " ".join(str(exc).split())  # one line, however many problems
    print(f"mgplan: {message}", file=sys.stderr)
    return code


# -- the parser --------------------------------------------------------------


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
    parser.add_argument("--version", action="version", version=_version())
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        name: str,
        run: Callable[[argparse.Namespace, TextIO], int],
        help: str,
        *examples: str,
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name,
            help=help,
            description=f"{help}. {DISCLAIMER}",
            epilog=_examples(*examples),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub.set_defaults(run=run)
        return sub

    init = command(
        "init",
        _cmd_init,
        "write a commented starter plan file",
        "mgplan init plan.toml --start 2026-12-01 --tz Europe/Berlin",
    )
    init.add_argument(
        "path",
        nargs="?",
        default="plan.toml",
        type=Path,
        help="where to write it (default: plan.toml)",
    )
    init.add_argument("--start", type=_date, help="first day (default: today)")
    init.add_argument("--tz", help="IANA time zone (default: this computer's)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    show = command(
        "show",
        _cmd_show,
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
        _cmd_tonight,
        "print tonight's intakes",
        "mgplan tonight plan.toml",
        "mgplan tonight plan.toml --date 2026-12-24",
    )
    _plan_argument(tonight)
    tonight.add_argument("--date", type=_date, help="which evening (default: today)")

    report = command(
        "report",
        _cmd_report,
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

    missed = command(
        "missed",
        _cmd_missed,
        "log an evening without the dose and show what it changes",
        "mgplan missed plan.toml --date 2026-12-12",
    )
    _plan_argument(missed)
    missed.add_argument("--date", type=_date, help="which evening (default: today)")
    missed.add_argument("--note", default="", help="anything else to remember")

    resolved = command(
        "resolved",
        _cmd_resolved,
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
        _cmd_undo,
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
        _cmd_clinician,
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
        _cmd_ics,
        "write the calendar (.ics) of the plan",
        "mgplan ics plan.toml -o plan.ics",
        "mgplan ics plan.toml -o plan.ics --compact --alarm 15",
    )
    _plan_argument(ics)
    ics.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        help="the .ics file to write (replaced atomically); - for stdout",
    )
    _calendar_options(ics)

    sync = command(
        "sync",
        _cmd_sync,
        "push the plan to a CalDAV calendar",
        "MGPLAN_CALDAV_PASSWORD=... mgplan sync plan.toml "
        "--url https://dav.example.org/alice/magnesium/ --username alice",
    )
    _plan_argument(sync)
    sync.add_argument(
        "--url",
        help="the calendar's URL (default: "
        "$MGPLAN_CALDAV_URL or the plan's calendar.caldav_url)",
    )
    sync.add_argument("--username", help="default: $MGPLAN_CALDAV_USERNAME")
    _calendar_options(sync)

    command(
        "forms",
        _cmd_forms,
        "list the magnesium forms with elemental fraction and GI tendency",
        "mgplan forms",
    )

    convert = command(
        "convert",
        _cmd_convert,
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

    chart = command(
        "chart",
        _cmd_chart,
        "draw the dose over time with reports and decisions marked",
        "mgplan chart plan.toml -o plan.png",
        "mgplan chart plan.toml -o plan.svg",
    )
    _plan_argument(chart)
    chart.add_argument(
        "-o", "--output", required=True, type=Path, help="a .png or .svg file"
    )
    return parser


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _plan_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("plan", type=Path, help="the plan file (.toml or .json)")


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
    parser.add_argument(
        "--title",
        choices=("form", "product"),
        help="name events after the salt (default) or the product",
    )
    parser.add_argument("--name", help="the calendar's name")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"mgplan {version('mgplan')}"
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "mgplan (not installed)"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-12-01, got {text!r}"
        ) from None


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
            f"mEq), got {text!r}"
        )
    value = float(match.group(1))
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(
            f"expected a positive number of mg, got {text!r}"
        )
    return value, unit or None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 < value < 1e9:  # also refuses inf and nan
        raise argparse.ArgumentTypeError(
            f"expected a positive number of mg, got {text!r}"
        )
    return value


def _choice(kind: type[Symptom] | type[Severity]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.strip().lower().replace("_", "-")
        known = [k.value for k in kind]
        if value == "diarrhea":
            value = "diarrhoea"
        if value not in known:
            raise argparse.ArgumentTypeError(
                f"expected one of {', '.join(known)}, got {text!r}"
            )
        return value

    return parse


# -- helpers that read the world -------------------------------------------------


def _today(tz: str) -> dt.date:
    """Today in the plan's zone, or $MGPLAN_TODAY (reproducible output, tests)."""
    fixed = os.environ.get("MGPLAN_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise InvalidInputError(
                "MGPLAN_TODAY", "a date such as 2026-12-01", fixed
            ) from None
    return dt.datetime.now(zoneinfo.ZoneInfo(tz)).date()


def _now(tz: str) -> dt.datetime:
    """Now in the plan's zone. $MGPLAN_NOW (an ISO date-time) fixes it; with
    only $MGPLAN_TODAY set it is noon of that day (tests, reproducible runs)."""
    zone = zoneinfo.ZoneInfo(tz)
    fixed = os.environ.get("MGPLAN_NOW")
    if fixed:
        try:
            value = dt.datetime.fromisoformat(fixed)
        except ValueError:
            raise InvalidInputError(
                "MGPLAN_NOW", "a date-time such as 2026-12-01T22:30", fixed
            ) from None
        return value.replace(tzinfo=zone) if value.tzinfo is None else value
    if os.environ.get("MGPLAN_TODAY"):
        return dt.datetime.combine(_today(tz), dt.time(12, 0), tzinfo=zone)
    return dt.datetime.now(zone)


def _local_zone() -> str:
    """This computer's IANA zone, or UTC when it cannot be told."""
    name = os.environ.get("TZ", "").lstrip(":")
    if name:
        try:
            zoneinfo.ZoneInfo(name)
            return name
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            pass
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:  # pragma: no cover
        return "UTC"
    marker = "zoneinfo/"
    if marker in target:
        candidate = target.split(marker, 1)[1]
        try:
            zoneinfo.ZoneInfo(candidate)
            return candidate
        except (
            zoneinfo.ZoneInfoNotFoundError,
            ValueError,
            OSError,
        ):  # pragma: no cover
            pass
    return "UTC"


def _stamp() -> dt.datetime:
    """DTSTAMP: now, or $SOURCE_DATE_EPOCH for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise InvalidInputError(
                "SOURCE_DATE_EPOCH",
                "seconds since 1970 for a date before the year 10000",
                epoch,
            ) from None
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _Loaded:
    """A plan file with its journal; *date* is the evening asked about.

    Reports are checked against the real today (never *date*), so a report
    from the future is refused however the command is asked.
    """

    def __init__(self, path: Path, date: dt.date | None = None) -> None:
        self.path = path
        self.file: PlanFile = load_plan(path)
        self.journal: Journal = journal_for(path, self.file)
        self.entries: JournalEntries = self.journal.read()
        self.today = _today(self.file.regimen.tz)
        self.date = date or self.today

    def schedule(self, entries: JournalEntries | None = None) -> Schedule:
        try:
            return self.file.plan(entries or self.entries, as_of=self.today)
        except PlanFileError:
            raise
        except InvalidInputError as exc:
            match = re.match(r"journal\[(\d+)\]\.?", exc.field)
            if match:
                entries = entries or self.entries
                index = int(match.group(1))
                line = entries.lines[index] if index < len(entries.lines) else None
                field = exc.field[match.end() :] or "entry"
                expected = f"{exc.expected}; 'mgplan undo' takes an entry back"
                error = InvalidInputError(field, expected, exc.received)
                raise PlanFileError.wrap(self.journal.path, error, line=line) from None
            raise PlanFileError.wrap(self.path, exc) from None


# -- commands ------------------------------------------------------------------


def _cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    path: Path = args.path
    if path.exists() and not args.force:
        raise PlanFileError(
            path,
            "file",
            "a path with no file yet (or --force to overwrite)",
            str(path),
        )
    tz = args.tz or _local_zone()
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInputError(
            "--tz", "an IANA time zone name such as 'Europe/Berlin'", tz
        ) from None
    start = args.start or _today(tz)
    text = starter_plan(start=start, tz=tz)
    from ._atomic import write_atomic

    write_atomic(path, text.encode())
    load_plan(path)  # what init writes must load
    print(
        f"Wrote {path}: edit the product and the ladder, then run "
        f"'mgplan show {path}'.",
        file=out,
    )
    return 0


def _cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    schedule = loaded.schedule()
    if args.json:
        print(schedule.to_json(), file=out)
        return 0
    print(_header(schedule), file=out)
    print(file=out)
    print(_tonight_line(schedule, loaded.date), file=out)
    print(file=out)
    rows = _rows(schedule, daily=args.daily)
    if args.daily:  # one day a row: "from" and "to" are the same date
        rows = [
            ("date", *row[2:]) if i == 0 else (row[0], *row[2:])
            for i, row in enumerate(rows)
        ]
    print(_table(rows), file=out)
    if schedule.suggestions:
        print(file=out)
        for suggestion in schedule.suggestions:
            print(f"Suggestion: {suggestion}", file=out)
    if schedule.consult_clinician:
        print(file=out)
        print("Talk to a clinician:", file=out)
        for decision in _consult_reasons(schedule):
            print(_wrap(f"- {decision.date}  {decision.message}", "  "), file=out)
    if schedule.waiting_for is not None:
        print(file=out)
        print(_wrap(_waiting_text(schedule)), file=out)
    print(file=out)
    print(_wrap(RED_FLAGS_TEXT), file=out)
    if args.chart:
        print(file=out)
        print(_text_chart(schedule), file=out)
    print(file=out)
    return 0


def _cmd_tonight(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    schedule = loaded.schedule()
    print(_tonight(schedule, loaded.date), file=out)
    return 0


def _cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    if args.severity is None and args.stools is None and args.bristol is None:
        raise InvalidInputError(
            "--severity",
            "a severity (mild, moderate, severe), or --stools and/or --bristol "
            "to grade it",
            None,
        )
    evening, why = args.evening, "as given"
    if evening is None:
        if args.date is not None:
            evening, why = args.date - dt.timedelta(1), "the evening before --date"
        else:
            evening = _latest_evening(loaded)
            why = "the latest evening whose first intake time has passed"
    try:
        entry = SideEffectReport(
            date=loaded.date,
            dose_date=evening,
            symptom=args.symptom,
            severity=args.severity,
            stools_above_baseline=args.stools,
            bristol=args.bristol,
            note=args.note,
        )
    except InvalidInputError as exc:
        raise _as_option(exc) from None
    print(f"About the evening of {evening.isoformat()} ({why}).", file=out)
    return _log(loaded, entry, entry.describe(), out)


def _as_option(exc: InvalidInputError) -> InvalidInputError:
    """A report's field error, named by the option that set it."""
    options = {
        "bristol": "--bristol",
        "stools_above_baseline": "--stools",
        "dose_date": "--evening",
        "severity": "--severity",
        "note": "--note",
    }
    name = exc.field.rsplit(".", 1)[-1]
    return InvalidInputError(options.get(name, exc.field), exc.expected, exc.received)


def _latest_evening(loaded: _Loaded) -> dt.date:
    """The latest evening whose first intake time has passed, as of now."""
    now = _now(loaded.file.regimen.tz)
    today = now.date()
    schedule = loaded.schedule()
    entry = _day_or_none(schedule, today)
    if entry is not None and entry.intakes:
        first = entry.intakes[0].at.time()
    else:
        first = min(slot.time for slot in loaded.file.regimen.slots)
    return today if now.time() >= first else today - dt.timedelta(1)


def _cmd_missed(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = MissedDose(date=loaded.date, note=args.note)
    return _log(loaded, entry, f"Missed dose on {loaded.date.isoformat()}", out)


def _cmd_resolved(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    entry = Resolved(date=loaded.date, note=args.note)
    return _log(loaded, entry, entry.describe(), out)


def _cmd_clinician(args: argparse.Namespace, out: TextIO) -> int:
    loaded = _Loaded(args.plan, args.date)
    try:
        entry = ClinicianAck(
            date=loaded.date, clinician=args.name, allows=args.allows, note=args.note
        )
    except InvalidInputError as exc:
        raise InvalidInputError("--name", exc.expected, exc.received) from None
    return _log(loaded, entry, entry.describe(), out)


def _cmd_undo(args: argparse.Namespace, out: TextIO) -> int:
    # Never plans before appending: undo must work on a journal the plan
    # refuses (a hand-edited line, an older version's entry).
    loaded = _Loaded(args.plan)
    log = loaded.entries.log
    live = live_positions(log)
    if args.entry is None:
        if not live:
            raise InvalidInputError(
                "journal", "an entry to take back", "no entry that counts"
            )
        index = max(live)
    else:
        index = args.entry - 1
        if index not in live:
            raise InvalidInputError(
                "--entry",
                f"the position of an entry that counts (1 to {len(log)}, not a "
                "retraction or an entry already taken back)",
                args.entry,
            )
    target = log[index]
    entry = Retracted(date=loaded.today, entry=index + 1, note=args.note)
    loaded.journal.append(entry, check=lambda joined: live_positions(joined.log))
    line = loaded.entries.lines[index] if index < len(loaded.entries.lines) else None
    where = f" (line {line})" if line is not None else ""
    print(
        f"Took back entry {index + 1}{where}: {target.describe()}.",
        file=out,
    )
    try:
        after = _Loaded(args.plan).schedule()
    except PlanFileError as exc:
        print(f"The journal still has a problem: {exc}", file=out)
        return EXIT_USAGE
    tonight = _day_or_none(after, loaded.today)
    if tonight is not None:
        print(f"Tonight: {after.describe_dose(tonight)}.", file=out)
    return 0


def _log(loaded: _Loaded, entry: AnyEntry, what: str, out: TextIO) -> int:
    start = loaded.file.regimen.start_date
    if not start <= entry.date <= loaded.today:
        raise InvalidInputError(
            "--date",
            f"a date from the plan's start ({start}) to today ({loaded.today})",
            entry.date.isoformat(),
        )
    before = loaded.schedule()
    # Plan with the entry, under the journal's lock, against what the journal
    # holds then: an entry the plan refuses is never logged, even if another
    # command appended in the meantime.
    plans: list[Schedule] = []
    loaded.journal.append(
        entry, check=lambda entries: plans.append(loaded.schedule(entries))
    )
    after = plans[-1]
    print(f"Logged in {loaded.journal.path}: {what}.", file=out)
    known = set(before.decisions)
    new = [d for d in after.decisions if d not in known]
    if new:
        print("What changed:", file=out)
        for decision in new:
            print(_wrap(f"{decision.date}  {decision.message}", "  "), file=out)
            if decision.suggestion:
                print(_wrap(f"Suggestion: {decision.suggestion}", "  "), file=out)
    else:
        print("The plan does not change.", file=out)
    old_day, new_day = _day_or_none(before, entry.date), _day_or_none(after, entry.date)
    if new_day is not None:
        was = ""
        if old_day is not None and old_day.elemental_mg != new_day.elemental_mg:
            was = f", was {before.describe_dose(old_day)}"
        print(f"On {entry.date}: {after.describe_dose(new_day)}{was}.", file=out)
    return 0


def _cmd_ics(args: argparse.Namespace, out: TextIO) -> int:
    from . import ics

    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    options = _export_options(args, loaded.file)
    calendar = ics.to_calendar(schedule, **options)
    data = calendar.to_ical()
    events = calendar.walk("VEVENT")
    cancelled = sum(1 for e in events if str(e.get("STATUS", "")) == "CANCELLED")
    summary = f"{len(events)} events" + (
        f" ({cancelled} cancelled)" if cancelled else ""
    )
    if str(args.output) == "-":  # the calendar on stdout, the rest on stderr
        out.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        print(f"Wrote {summary} to standard output.", file=sys.stderr)
        return 0
    from ._atomic import write_atomic

    write_atomic(args.output, data)
    print(f"Wrote {args.output}: {summary}.", file=out)
    return 0


def _cmd_sync(args: argparse.Namespace, out: TextIO) -> int:
    from . import caldav

    loaded = _Loaded(args.plan)
    schedule = loaded.schedule()
    url = args.url or os.environ.get(caldav.ENV_URL) or loaded.file.calendar.caldav_url
    password = os.environ.get(caldav.ENV_PASSWORD)
    username = args.username or os.environ.get(caldav.ENV_USERNAME)
    if password is None and username and sys.stdin.isatty():
        password = getpass.getpass(f"CalDAV password for {username}: ")
    result = caldav.sync(
        schedule,
        url,
        username=username,
        password=password,
        **_export_options(args, loaded.file),
    )
    print(f"Synced to {result.url}: {result}.", file=out)
    return 0


def _export_options(args: argparse.Namespace, file: PlanFile) -> CalendarOptions:
    settings = file.calendar
    minutes = args.alarm if args.alarm is not None else settings.alarm_minutes_before
    if not 0 <= minutes <= 720:
        raise InvalidInputError("--alarm", "0 to 720 minutes before the dose", minutes)
    return {
        "alarm_before": dt.timedelta(minutes=minutes),
        "compact": settings.compact if args.compact is None else args.compact,
        "refill": settings.refill if args.refill is None else args.refill,
        "refill_days_ahead": settings.refill_days_ahead
        if args.refill_days is None
        else args.refill_days,
        "title": settings.title if args.title is None else args.title,
        "name": args.name or settings.name,
        "stamp": _stamp(),
    }


def _cmd_forms(args: argparse.Namespace, out: TextIO) -> int:
    rows = [("id", "name", "formula", "Mg %", "GI tendency")]
    rows += [
        (
            form.id,
            form.name,
            form.formula,
            f"{form.elemental_fraction * 100:.2f}",
            form.gi_tendency.value,
        )
        for form in FORMS.values()
    ]
    print(_table(rows), file=out)
    print(file=out)
    print(
        "GI tendency: high = most often reported to cause diarrhoea (NIH ODS); "
        "osmotic = every dissociable salt can (IOM); lower = one small trial "
        "found it better tolerated.",
        file=out,
    )
    return 0


def _cmd_convert(args: argparse.Namespace, out: TextIO) -> int:
    amount, unit = args.amount
    words = list(args.words)
    if words and words[0].lower() in _MG_PER:
        if unit is not None:
            raise InvalidInputError("UNIT", "one unit", f"{unit} and {words[0]}")
        unit = words.pop(0).lower()
    amount *= _MG_PER[unit or "mg"]
    # mmol and mEq count magnesium itself: the amount is elemental.
    elemental_given = args.elemental or unit in ("mmol", "meq")
    if not 0 < amount < 1e9:
        raise InvalidInputError("amount", "a positive amount below 1,000 kg", amount)
    # Label names: "Magnesium Bisglycinate Chelate", "magnesium-citrate".
    words = [
        w
        for w in re.split(r"[\s_-]+", " ".join(words).lower())
        if w and w not in ("magnesium", "chelate", "elemental")
    ]
    if not words:
        raise InvalidInputError("FORM", "a form such as 'citrate'", None)
    form = get_form("_".join(words))
    elemental = "elemental magnesium"
    if elemental_given:
        given, found = (amount, elemental), (form.to_compound(amount), form.name)
    else:
        given, found = (amount, form.name), (form.to_elemental(amount), elemental)
    print(
        f"{format_mg(given[0])} {given[1]} = {format_mg(found[0])} {found[1]} "
        f"({form.elemental_fraction * 100:.2f} % magnesium).",
        file=out,
    )
    return 0


def _cmd_chart(args: argparse.Namespace, out: TextIO) -> int:
    from ._chart import draw

    loaded = _Loaded(args.plan)
    draw(loaded.schedule(), args.output)
    print(f"Wrote {args.output}.", file=out)
    return 0


# -- formatting ----------------------------------------------------------------


def _header(schedule: Schedule) -> str:
    r = schedule.regimen
    product, form = r.product, r.product.magnesium_form
    slots = ", ".join(
        f"{s.time:%H:%M}" + (f" {s.label}" if s.label else "") for s in r.slots
    )
    lines = [
        f"Plan {schedule.plan_id}: {product.name} ({form.name}, "
        f"{product.describe_units(1)} = {format_mg(product.elemental_per_unit)} "
        "elemental)",
        f"Evenings: {slots} ({r.tz})",
        f"Daily cap: {schedule.cap_reason}",
    ]
    if schedule.ceiling_mg is not None:
        lines.append(
            f"Ceiling: {format_mg(schedule.ceiling_mg)} a day "
            "(side effects above it; a clinician may lift it)"
        )
    return "\n".join(lines)


def _consult_reasons(schedule: Schedule) -> list[Decision]:
    """The decisions that ask for a clinician since the last acknowledgement."""
    reasons: list[Decision] = []
    for decision in schedule.decisions:
        if decision.action is Action.CLINICIAN:
            reasons.clear()
        elif decision.consult_clinician:
            reasons.append(decision)
    return reasons


def _waiting_text(schedule: Schedule) -> str:
    if schedule.waiting_for == "clinician":
        return (
            f"The plan stopped on {schedule.end}: no magnesium until a clinician "
            "agrees ('mgplan clinician PLAN --name NAME --allows end-stop')."
        )
    return (
        f"The plan is paused from {schedule.end} on: no magnesium until you record "
        "that the symptoms have gone ('mgplan resolved PLAN')."
    )


def _day_or_none(schedule: Schedule, date: dt.date) -> DayEntry | None:
    if schedule.start <= date <= schedule.end:
        return schedule.day(date)
    return None


def _tonight_line(schedule: Schedule, date: dt.date) -> str:
    if date < schedule.start:
        return (
            f"On {date} the plan has not started: it starts on {schedule.start} "
            f"with {schedule.describe_dose(schedule.days[0])}."
        )
    if date > schedule.end:
        if schedule.waiting_for is not None:
            return f"No magnesium tonight ({date}). " + _waiting_text(schedule)
        return f"On {date} the plan has ended: its last day was {schedule.end}."
    return f"Tonight ({date}): {schedule.describe_dose(schedule.day(date))}."


def _tonight(schedule: Schedule, today: dt.date) -> str:
    entry = _day_or_none(schedule, today)
    if entry is None:
        return _tonight_line(schedule, today)
    product = schedule.regimen.product
    form = product.magnesium_form.name
    if not entry.intakes:
        resume = next(
            (e.date for e in schedule.days if e.date > today and e.intakes), None
        )
        lines = [
            f"No magnesium tonight ({today}): the plan is {entry.phase.value}"
            + (f" until {resume - dt.timedelta(1)}." if resume else ".")
        ]
        if resume is None and schedule.waiting_for is not None:
            lines.append(_wrap(_waiting_text(schedule)))
    else:
        lines = [
            f"Tonight, {today:%A} {today} (step {entry.step} of "
            f"{len(schedule.ladder_mg)}, {entry.phase.value}): "
            f"{product.describe_units(entry.units)} = "
            f"{format_mg(entry.elemental_mg)} elemental magnesium"
        ]
        rows = [
            (
                f"  {i.at:%H:%M}",
                i.slot if i.slot != f"{i.at:%H:%M}" else "",
                product.describe_units(i.units),
                f"{format_mg(i.elemental_mg)} elemental",
                f"({i.compound_mg:.0f} mg {form})",
            )
            for i in entry.intakes
        ]
        lines.append(_table(rows, header=False))
        for i in entry.intakes:
            if i.moved_from is not None:
                lines.append(
                    f"  ({i.at:%H:%M} instead of {i.moved_from:%H:%M}, to "
                    "keep the distance from another medicine)"
                )
            lines.extend(
                _wrap(f"Spacing conflict at {i.at:%H:%M}: {c}", "  ")
                for c in i.conflicts
            )
    decision = schedule.latest_decision(today)
    if decision is not None:
        lines.append(_wrap(f"Latest change ({decision.date}): {decision.message}"))
        if decision.suggestion:
            lines.append(_wrap(f"Suggestion: {decision.suggestion}"))
    return "\n".join(lines)


def _rows(schedule: Schedule, *, daily: bool) -> list[tuple[str, ...]]:
    """Table rows: a row per run of days alike (or per day), with its decision."""
    product = schedule.regimen.product
    decided: dict[dt.date, list[Decision]] = {}
    for decision in schedule.decisions:
        decided.setdefault(decision.date, []).append(decision)
    runs: list[list[DayEntry]] = []
    for entry in schedule.days:
        if (
            runs
            and not daily
            and entry.date not in decided
            and runs[-1][-1].phase == entry.phase
            and runs[-1][-1].units == entry.units
            and runs[-1][-1].missed == entry.missed
        ):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    rows: list[tuple[str, ...]] = [
        ("from", "to", "phase", "dose", "units", "compound", "decision")
    ]
    for run in runs:
        first, last = run[0], run[-1]
        note = " ".join(d.message for d in decided.get(first.date, ()))
        if first.missed:
            note = ("(missed) " + note).strip()
        rows.append(
            (
                str(first.date),
                str(last.date),
                first.phase.value,
                format_mg(first.elemental_mg) if first.intakes else "-",
                product.describe_units(first.units) if first.intakes else "-",
                f"{first.compound_mg:.0f} mg" if first.intakes else "-",
                note,
            )
        )
    return rows


def _table(rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    """Columns aligned; the last column is left to run on."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
        if header and index == 0:
            lines.append("  ".join("-" * w for w in [*widths, len(row[-1])]))
    return "\n".join(lines)


def _text_chart(schedule: Schedule, width: int = 40) -> str:
    """A bar per run of days: the dose over time, with reports marked."""
    top = max(max(schedule.ladder_mg), 1.0)
    reported = {r.date for r in schedule.reports}
    lines = [
        f"Dose over time (full bar = {format_mg(top)}; ! = side effect "
        "reported, x = paused):"
    ]
    for row in _rows(schedule, daily=False)[1:]:
        start, end = dt.date.fromisoformat(row[0]), dt.date.fromisoformat(row[1])
        mg = schedule.day(start).elemental_mg
        bar = "█" * round(width * mg / top) if mg else "x"
        marks = "!" if any(start <= d <= end for d in reported) else " "
        lines.append(f"{start} {marks} {bar:<{width}} {format_mg(mg) if mg else ''}")
    return "\n".join(line.rstrip() for line in lines)


def _wrap(text: str, indent: str = "") -> str:
    return textwrap.fill(
        text, width=88, initial_indent=indent, subsequent_indent=indent + "  "
    )
