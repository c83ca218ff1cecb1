"""The backup file: one SQLite file made with SQLite's backup API, gzip-compressed.

``pack`` writes one and ``unpack`` reads one back (a plain ``.sqlite`` copy, as the till's own
pre-upgrade backups are, is read too). Both report progress and both write through temporary
files that are removed on any failure, so a full disk never leaves half a backup behind.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import tempfile
import zlib
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from till.store.migrate import open_existing

Advance = Callable[..., None]
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024
_PAGES_PER_STEP = 1024


class DamagedBackup(ValueError):
    """The file cannot be read back as a till store copy; the message says why."""


def temp_path(folder: Path, stem: str) -> Path:
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}.", suffix=".tmp")
    os.close(fd)
    os.chmod(name, 0o600)
    return Path(name)


def copy_store(store: Path, target: Path, advance: Advance) -> None:
    """A consistent copy of the live store (other processes may keep writing) as one file."""
    with closing(open_existing(store)) as source, closing(sqlite3.connect(target)) as copy:
        done = 0

        def progress(_status: int, remaining: int, total: int) -> None:
            nonlocal done
            advance(total - remaining - done, total=total)
            done = total - remaining

        source.backup(copy, pages=_PAGES_PER_STEP, progress=progress)
        # One self-contained file, no -wal beside it, whatever mode the till runs in.
        copy.execute("PRAGMA journal_mode = DELETE")


def compress(source: Path, target: Path, advance: Advance) -> None:
    advance(0, total=source.stat().st_size)
    with source.open("rb") as src, target.open("wb") as raw:
        with gzip.GzipFile(filename="till.sqlite", mode="wb", fileobj=raw, compresslevel=6) as gz:
            while chunk := src.read(_CHUNK):
                gz.write(chunk)
                advance(len(chunk))
        raw.flush()
        os.fsync(raw.fileno())


def unpack(backup: Path, target: Path, advance: Advance) -> None:
    """The SQLite file inside ``backup`` written to ``target``; DamagedBackup if unreadable."""
    try:
        with backup.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise DamagedBackup(f"it cannot be read ({exc.strerror or exc})") from None
    advance(0, total=backup.stat().st_size)
    if head.startswith(GZIP_MAGIC):
        _gunzip(backup, target, advance)
    elif head == SQLITE_MAGIC:
        shutil.copyfile(backup, target)
        advance(backup.stat().st_size)
    else:
        raise DamagedBackup("it is not an SG-POS backup (neither a gzip file nor a SQLite file)")
    with target.open("rb") as fh:
        if fh.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise DamagedBackup("it does not hold a SQLite database, so it is not a till backup")


def _gunzip(backup: Path, target: Path, advance: Advance) -> None:
    try:
        with (
            backup.open("rb") as raw,
            gzip.GzipFile(fileobj=raw, mode="rb") as gz,
            target.open("wb") as out,
        ):
            last = 0
            while chunk := gz.read(_CHUNK):
                out.write(chunk)
                now = raw.tell()
                advance(now - last)
                last = now
            out.flush()
            os.fsync(out.fileno())
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise DamagedBackup(f"it is damaged or incomplete ({exc or 'cut short'})") from None
