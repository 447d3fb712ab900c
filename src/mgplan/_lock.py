"""An exclusive or shared lock on an open file, across processes."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

__all__ = ["locked"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def locked(fd: int, *, exclusive: bool) -> Iterator[None]:
    """Hold a lock on the file behind *fd* for the duration of the block.

    POSIX ``flock`` (advisory, released when the block ends or the process
    dies); on Windows, ``msvcrt`` locks the first byte.
    """
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        return
    import msvcrt  # pragma: no cover - Windows

    position = os.lseek(fd, 0, os.SEEK_CUR)  # pragma: no cover
    os.lseek(fd, 0, os.SEEK_SET)  # pragma: no cover
    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # pragma: no cover
    try:  # pragma: no cover
        os.lseek(fd, position, os.SEEK_SET)
        yield
    finally:  # pragma: no cover
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
