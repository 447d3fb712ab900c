"""Writing files so that a reader never sees half of one.

Write to a temporary file in the same folder, flush it to disk, then rename it
over the target: the rename is atomic, so the old file stays whole until the
new one is complete, and a failure leaves the old one untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from ._errors import ExportError

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write *data* to *path* atomically; ExportError if it cannot be written."""
    target = Path(path)
    folder = target.parent
    if "\x00" in str(target):
        raise ExportError(f"cannot write {target!r}: a path cannot hold a NUL byte")
    if target.is_dir():  # os.replace would say "Device or resource busy"
        raise ExportError(errno.EISDIR, f"cannot write {target}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(
            exc.errno, f"cannot write {target}: {exc.strerror or exc}"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ExportError(
            exc.errno, f"cannot write {target}: {exc.strerror or exc}"
        ) from None
    _fsync_folder(folder)
    return target


def _fsync_folder(folder: Path) -> None:
    # Make the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
