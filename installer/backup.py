"""``sgpos-install backup [--to FILE]``: a compressed, verified copy of the till's store.

The copy is taken with SQLite's backup API (consistent while the till sells), compressed with
gzip and then read back: decompressed to a temporary file that must pass ``integrity_check``,
``foreign_key_check``, be a till store, and hold the same till and sales as the copy. Only then
is it renamed to its final name, so a file with a backup's name is always a good backup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from installer.archive import DamagedBackup, compress, copy_store, temp_path, unpack
from installer.report import Report
from installer.steps import Refused, StepFailed
from installer.store_check import NotATillStore, StoreFacts, examine, facts
from shared.logs import get_logger
from till.files import disk_trouble_at, fsync_dir
from till.store.paths import backup_dir, store_file

log = get_logger("sgpos.installer")


@dataclass(frozen=True)
class Backup:
    path: Path
    facts: StoreFacts
    size: int


def run_backup(data_dir: Path, to: Path | None, report: Report) -> Backup:
    store = store_file(data_dir)
    if not store.is_file():
        raise Refused(
            f"there is no till store at {store}",
            "check --data-dir (the folder given at install)",
        )
    try:
        name = facts(store).till_name.replace("(no till identity)", "unenrolled")
    except (sqlite3.Error, NotATillStore):
        name = "unknown"  # the copy below says what is wrong with it
    target = _target(data_dir, to, f"till-{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StepFailed(
            f"cannot create the folder {target.parent}: {exc.strerror or exc}",
            "choose another --to (a folder this user may write)",
        ) from None
    copy = packed = check = None
    try:
        with report.step("Copy the store (SQLite backup API)") as done:
            copy = temp_path(target.parent, target.name)
            with report.progress("copying pages") as advance:
                copy_store(store, copy, advance)
            found = examine(copy)
            done(f"{found.sales:,} sales of till {found.till_name}")
        with report.step(f"Compress to {target.name}") as done:
            packed = temp_path(target.parent, target.name)
            with report.progress("compressing") as advance:
                compress(copy, packed, advance)
            done(f"{packed.stat().st_size / 1024:,.0f} KiB")
        with report.step("Verify the backup (decompress, integrity, foreign keys)") as done:
            check = temp_path(target.parent, target.name)
            with report.progress("reading back") as advance:
                unpack(packed, check, advance)
            again = examine(check)
            if again != found:
                raise StepFailed(
                    "the backup read back differs from the store copied",
                    "run the backup again; if it repeats, call support",
                )
            packed.replace(target)
            packed = None
            fsync_dir(target.parent)
            done("verified")
    except (OSError, sqlite3.Error, DamagedBackup, NotATillStore) as exc:
        raise StepFailed(
            f"the backup could not be written to {target}: {_why(exc, target.parent)}; "
            "nothing was kept",
            "free some disk space or choose another --to, then run the backup again",
        ) from None
    finally:
        for leftover in (copy, packed, check):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
    log.info("backup.written", backup=str(target), till_id=found.till_id, sales=found.sales)
    return Backup(target, found, target.stat().st_size)


def _target(data_dir: Path, to: Path | None, stem: str) -> Path:
    if to is not None and not to.is_dir():
        if to.exists():
            raise Refused(
                f"{to} already exists; a backup never overwrites a file",
                "give a new file name, or a folder to put the backup in",
            )
        return to.absolute()
    folder = to.absolute() if to is not None else backup_dir(data_dir)
    target, n = folder / f"{stem}.sqlite.gz", 1
    while target.exists():
        target, n = folder / f"{stem}-{n}.sqlite.gz", n + 1
    return target


def _why(exc: BaseException, folder: Path) -> str:
    trouble = disk_trouble_at(exc, folder)
    if trouble is not None:
        return trouble
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
