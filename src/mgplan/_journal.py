"""The journal: a JSON Lines file of what the person records (side effects,
doses taken and skipped, ratings, stools, ferritin, a clinician's word).

Appends are atomic and safe when two commands run at once: each entry is one
``write`` of one line under an exclusive lock, to a file opened for appending.
Reading takes a shared lock, so it never sees half of an entry being written.
A line that cannot be read (corrupt, or half-written by a crash) is reported
with its line number; it is never skipped, and nothing logged is rewritten.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import pydantic

from ._errors import ExportError, InvalidInputError, PlanFileError
from ._lock import locked
from ._model import strict_json
from ._outcomes import Ferritin, RlsRating, Stools, Taken
from ._tolerance import (
    ClinicianAck,
    MissedDose,
    Resolved,
    Retracted,
    SideEffectReport,
)

__all__ = ["AnyEntry", "Journal", "JournalEntries", "JournalEntry", "regular_size"]

AnyEntry = (
    SideEffectReport
    | MissedDose
    | Resolved
    | ClinicianAck
    | Retracted
    | Taken
    | RlsRating
    | Stools
    | Ferritin
)
JournalEntry = Annotated[AnyEntry, pydantic.Field(discriminator="kind")]
_ADAPTER: pydantic.TypeAdapter[AnyEntry] = pydantic.TypeAdapter(JournalEntry)


@dataclass(frozen=True, slots=True)
class JournalEntries:
    """What a journal holds: every entry in the order logged (``log``,
    retractions too), and split by kind, each in the order logged (retracted
    ones included: ``log`` says which count)."""

    reports: tuple[SideEffectReport, ...] = ()
    missed: tuple[MissedDose, ...] = ()
    resolved: tuple[Resolved, ...] = ()
    clinician: tuple[ClinicianAck, ...] = ()
    log: tuple[AnyEntry, ...] = ()
    lines: tuple[int, ...] = ()
    """The line of each entry of ``log`` in the journal file (when read)."""

    def ordered(self) -> tuple[AnyEntry, ...]:
        """Every entry in logging order (by date if built without a log)."""
        if self.log:
            return self.log
        kinds: tuple[AnyEntry, ...] = (
            *self.reports,
            *self.missed,
            *self.resolved,
            *self.clinician,
        )
        return tuple(sorted(kinds, key=lambda e: e.date))

    def adding(self, entry: AnyEntry) -> JournalEntries:
        """These entries and *entry*, appended to the log and to its kind."""
        log = (*self.log, entry)
        if isinstance(entry, SideEffectReport):
            return replace(self, reports=(*self.reports, entry), log=log)
        if isinstance(entry, MissedDose):
            return replace(self, missed=(*self.missed, entry), log=log)
        if isinstance(entry, Resolved):
            return replace(self, resolved=(*self.resolved, entry), log=log)
        if isinstance(entry, ClinicianAck):
            return replace(self, clinician=(*self.clinician, entry), log=log)
        return replace(self, log=log)  # the other kinds are read from the log


class Journal:
    """A journal file; it need not exist until the first entry is added.

    >>> import tempfile, pathlib, datetime as dt
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.journal.jsonl"
    >>> journal = Journal(path)
    >>> journal.append(MissedDose(date=dt.date(2026, 12, 3)))
    >>> journal.read().missed[0].date
    datetime.date(2026, 12, 3)
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    def append(
        self,
        entry: AnyEntry,
        *,
        check: Callable[[JournalEntries], object] | None = None,
    ) -> JournalEntries | None:
        """Add one entry at the end, atomically, under an exclusive lock.

        *check* is called, under that same lock, with every entry the journal
        holds at that moment plus this one; if it raises, nothing is written.
        So an entry is validated against the journal it joins, even when
        another command appends at the same time. Returns those entries
        (None without *check*: the journal is then not read).
        """
        line = entry.model_dump_json(exclude_defaults=False).encode() + b"\n"
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        except ValueError as exc:  # a NUL in the path: bad input
            raise PlanFileError(
                self.path, "journal", "a journal file that can be written", str(exc)
            ) from None
        except OSError as exc:  # the operation failed: exit 1, not bad input
            raise _cannot_write(self.path, exc) from None
        try:
            regular_size(self.path, fd)  # before locking a device
            with locked(fd, exclusive=True):
                size = regular_size(self.path, fd)
                joined: JournalEntries | None = None
                if check is not None:
                    joined = _parse(self.path, _read_all(fd, size)).adding(entry)
                    check(joined)
                if size and _last_byte(self.path) != b"\n":
                    # A crash left half a line: end it, so that the new entry
                    # is not glued to it. The broken line stays, and is reported.
                    line = b"\n" + line
                written = os.write(fd, line)
                if written != len(line):  # pragma: no cover - disk full
                    raise OSError(f"wrote {written} of {len(line)} bytes")
                os.fsync(fd)
        except OSError as exc:
            raise _cannot_write(self.path, exc) from None
        finally:
            os.close(fd)
        return joined

    def read(self) -> JournalEntries:
        """Every entry; PlanFileError naming the line of any unreadable one."""
        try:
            # O_NONBLOCK: a FIFO no one writes to is refused, not waited on.
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            return JournalEntries()
        except (OSError, ValueError) as exc:  # ValueError: NUL in the path
            raise PlanFileError(
                self.path,
                "journal",
                "a readable journal file",
                getattr(exc, "strerror", None) or str(exc),
            ) from None
        try:
            regular_size(self.path, fd)  # before locking a device
            with locked(fd, exclusive=False):
                data = _read_all(fd, regular_size(self.path, fd))
        finally:
            os.close(fd)
        return _parse(self.path, data)


# Far beyond any real journal (a line a day for decades is ~100 kB); a bound
# so that a journal path pointing at /dev/zero or a huge file fails fast.
MAX_JOURNAL_BYTES = 16 * 1024 * 1024


def regular_size(
    path: Path,
    fd: int,
    *,
    field: str = "journal",
    what: str = "a journal",
    limit: int = MAX_JOURNAL_BYTES,
) -> int:
    """The size of the regular file behind *fd*, at most *limit* bytes;
    PlanFileError naming *field* otherwise (a directory, a FIFO, a device, a
    file too large: *what* it should be)."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO or device"
        raise PlanFileError(path, field, "a regular file", kind)
    if info.st_size > limit:
        raise PlanFileError(
            path,
            field,
            f"{what} of at most {limit // (1024 * 1024)} MB",
            f"{info.st_size} bytes",
        )
    return info.st_size


def _read_all(fd: int, size: int) -> bytes:
    """The first *size* bytes of the file behind *fd* (writes still append)."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, left = [], size
    while left > 0:
        chunk = os.read(fd, left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _parse(path: Path, data: bytes) -> JournalEntries:
    # A byte-order mark (a journal saved by an editor that writes one) is not
    # content; the lines keep their numbers.
    data = data.removeprefix(codecs.BOM_UTF8)
    entries = JournalEntries()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        entries = entries.adding(_parse_line(path, number, raw))
        entries = replace(entries, lines=(*entries.lines, number))
    return entries


def _parse_line(path: Path, number: int, raw: bytes) -> AnyEntry:
    try:
        text = raw.decode("utf-8")
        data = strict_json(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError: also an integer of thousands of digits
        raise PlanFileError(
            path,
            "entry",
            "one JSON object per line",
            raw.decode("utf-8", "replace"),
            line=number,
        ) from None
    try:
        return _ADAPTER.validate_python(data)
    except pydantic.ValidationError as exc:
        error = InvalidInputError.from_pydantic(exc, "entry")
        raise PlanFileError.wrap(path, error, line=number) from None


def _cannot_write(path: Path, exc: OSError) -> ExportError:
    """The journal could not be written: nothing was appended."""
    reason = exc.strerror or str(exc)
    return ExportError(
        exc.errno or 0, f"cannot write the journal {path}: {reason}; nothing was logged"
    )


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)
