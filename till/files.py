"""Writing a file so that a cut power or a full disk never leaves half of one.

The text goes to a temporary name in the file's own folder, is flushed to disk and renamed
into place, and the folder is flushed so the rename survives too; a failure removes the
temporary file, so what was there before (or nothing) stays.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from shared.disk import disk_trouble

__all__ = ["disk_trouble_at", "fsync_dir", "write_atomically"]


def write_atomically(path: Path, text: str, *, mode: int = 0o600) -> Path:
    """``text`` as the whole of ``path`` (UTF-8, permissions ``mode``), or nothing changed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp's 0600 is narrowed by umask, never widened; say it anyway
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` survive a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def disk_trouble_at(exc: BaseException, folder: Path) -> str | None:
    """``shared.disk.disk_trouble`` for a write that failed in ``folder``, told by looking at
    that folder's file system (space left, mounted read-only)."""
    try:
        stat = os.statvfs(folder)
    except OSError:
        return disk_trouble(exc)
    free = stat.f_bavail * stat.f_frsize
    return disk_trouble(exc, free_bytes=free, read_only=bool(stat.f_flag & os.ST_RDONLY))
