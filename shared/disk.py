"""What a failed write says about the disk, in words a cashier or technician can act on.

Pure: it reads an exception, never the disk. One definition for the till's store, its logs and
the installer, so a full disk reads "the disk is full" everywhere, and never "cannot be read".
"""

from __future__ import annotations

import errno

FULL = "the disk is full"
READ_ONLY = "the disk is mounted read-only"
NOT_ALLOWED = "this user is not allowed to write there"

_ERRNOS = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: f"{FULL} (this user's quota is used up)",
    errno.EFBIG: f"{FULL} (a file-size limit is reached)",
    errno.EROFS: READ_ONLY,
    errno.EACCES: NOT_ALLOWED,
    errno.EPERM: NOT_ALLOWED,
}
# SQLite reports these in words, not errno.
_SQLITE = (
    ("database or disk is full", FULL),
    ("disk is full", FULL),
    ("attempt to write a readonly database", f"{READ_ONLY}, or the store is not writable"),
    ("readonly database", f"{READ_ONLY}, or the store is not writable"),
)


# Below this, SQLite's bare "disk I/O error" (what it says when its -wal or -shm file cannot
# grow) is taken to mean a full disk.
LOW_SPACE_BYTES = 1024 * 1024


def disk_trouble(
    exc: BaseException, *, free_bytes: int | None = None, read_only: bool = False
) -> str | None:
    """'the disk is full', 'the disk is mounted read-only', …, or None if ``exc`` is not about
    the disk (a driver's wrapper is looked through). ``free_bytes`` and ``read_only``: what
    the caller measured where the write went (``till.files.disk_trouble_at``), which tells
    what SQLite's bare "disk I/O error" or "unable to open database file" meant."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _ERRNOS:
            return _ERRNOS[exc.errno]
        text = str(exc).lower()
        for words, meaning in _SQLITE:
            if words in text:
                return meaning
        if "disk i/o error" in text or "unable to open database file" in text:
            if read_only:
                return READ_ONLY
            if free_bytes is not None and free_bytes < LOW_SPACE_BYTES:
                return FULL
        exc = getattr(exc, "orig", None) or exc.__cause__  # type: ignore[assignment]
    return None


def disk_fix(trouble: str) -> str:
    if trouble.startswith(FULL):
        return "free some disk space (or call support), then try again"
    if trouble.startswith(READ_ONLY):
        return "the disk must be writable: check it (it may be failing) or call support"
    return "run as the till's own user or fix the folder's owner, then try again"
