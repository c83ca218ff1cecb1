"""``sgpos-install restore FILE``: put a backup back, without ever replaying old numbers.

Nothing in the data folder changes until the very end. The backup is unpacked into a staging
folder beside the store and checked (a damaged file, something that is not a till store, or
another till's backup is refused there). The staged copy is migrated if it is older, starts a
new sync **epoch** above every epoch this till or head office has used (so an old ``seq`` can
never arrive again with other content), and moves its **receipt counter** past every receipt
number head office already holds for this till (a restore rewinds the counter; reusing a
number would make head office quarantine the new sale as a conflict). An audit record says so.
Only then is the current store moved aside (into ``backups/replaced-<time>/``, kept) and the
restored one renamed into place.

Head office answers which epoch and receipt number it has seen (``GET /v1/till/state``). When
it cannot be reached the restore refuses, unless ``--offline``: the counter then jumps
RECEIPT_MARGIN numbers and the epoch EPOCH_MARGIN beyond everything this machine knows —
a visible, audited gap in receipt numbers rather than a risk of reusing one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from installer.archive import DamagedBackup, unpack
from installer.central import CredentialRefused, Unreachable, till_state
from installer.in_use import hold_till
from installer.report import Report
from installer.settings import InstallerSettings
from installer.steps import Refused, StepFailed
from installer.store_check import NotATillStore, StoreFacts, examine, facts
from installer.unsent import export_unsent
from shared.logs import get_logger
from till.files import fsync_dir
from till.store.db import Store, StoreError
from till.store.migrate import known_revisions
from till.store.models import RECEIPT_COUNTER, Counter, TillIdentity
from till.store.paths import backup_dir, store_file
from till.store.uow import UnitOfWork
from till.sync.credentials import Credential, CredentialError, read_secret
from till.sync.enrol import (
    EPOCH_MARGIN,
    RECEIPT_MARGIN,
    EnrolmentFailed,
    start_new_epoch,
)

_STORE_FILES = ("", "-wal", "-shm", "-journal")

log = get_logger("sgpos.installer")


@dataclass(frozen=True)
class Floors:
    """What the restored store must start above, and how it was learnt."""

    epoch: int
    receipt: int
    source: str


def run_restore(
    data_dir: Path,
    backup: Path,
    settings: InstallerSettings,
    report: Report,
    *,
    offline: bool,
    force: bool,
) -> str:
    if not backup.is_file():
        raise Refused(f"there is no backup file {backup}", "check the path (and the USB stick)")
    if not data_dir.is_dir():
        raise Refused(f"there is no till data folder {data_dir}", "check --data-dir")
    with hold_till(data_dir, "restore"):
        staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=".restore-"))
        try:
            return _restore(data_dir, backup, staging, settings, report, offline, force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _restore(
    data_dir: Path,
    backup: Path,
    staging: Path,
    settings: InstallerSettings,
    report: Report,
    offline: bool,
    force: bool,
) -> str:
    staged = store_file(staging)
    with report.step(f"Check the backup {backup.name}") as done:
        restored = _check_backup(backup, staged, report)
        done(f"till {restored.till_name}, {restored.sales:,} sales, revision {restored.revision}")

    live = store_file(data_dir)
    with report.step("Compare it with this till") as done:
        current = _current(live)
        done(_compare(restored, current))

    with report.step("Ask head office what it already holds from this till") as done:
        floors = _floors(data_dir, restored, current, settings, offline)
        done(floors.source)

    aside = _aside_folder(data_dir)
    if current is not None and current.pending:
        if not force:
            raise Refused(
                f"the store being replaced holds {current.pending:,} events head office has not "
                "received yet; restoring now would leave them behind",
                "let them reach head office first ('sgpos-sync --data-dir DIR once'), or add "
                "--force to export them to a file kept with the replaced store",
            )
        with report.step("Export the replaced store's unsent events") as done:
            aside.mkdir(parents=True, exist_ok=True)
            target = aside / "unsent-events.json"
            done(f"{export_unsent(live, target):,} events written to {target}")

    with report.step("Prepare the restored store (new epoch, receipt counter)") as done:
        epoch, counter = _prepare(staging, restored, floors, backup)
        done(f"epoch {epoch}; receipt numbers continue after {counter:,}")

    with report.step("Put the restored store in place") as done:
        kept = swap_store(live, staged, aside)
        done(f"the replaced store is kept in {kept}" if kept else "no store was there before")
    log.info(
        "restore.done",
        till_id=restored.till_id,
        backup=str(backup),
        epoch=epoch,
        receipt_counter=counter,
        offline=offline,
    )
    return (
        f"till {restored.till_name} restored from {backup.name}: new epoch {epoch}, receipts "
        f"continue after number {counter:,}. Start the till app and the sync service again "
        "(systemctl --user start sgpos-sync)"
    )


def _check_backup(backup: Path, staged: Path, report: Report) -> StoreFacts:
    try:
        with report.progress("reading the backup") as advance:
            unpack(backup, staged, advance)
        found = examine(staged)
    except (DamagedBackup, NotATillStore) as exc:
        raise Refused(
            f"{backup} cannot be restored: {exc}; nothing was changed",
            "use another backup (sgpos-install backup writes verified ones)",
        ) from None
    except OSError as exc:
        raise StepFailed(
            f"the backup could not be unpacked beside the store: {exc.strerror or exc}; "
            "nothing was changed",
            "free some disk space and run the same command again",
        ) from None
    if found.till_id is None:
        raise Refused(
            f"{backup} is a store that was never set up as a till (it has no identity); "
            "nothing was changed",
            "use a backup of this till",
        )
    if found.revision is not None and found.revision not in known_revisions():
        raise Refused(
            f"{backup} was written by a newer SG-POS (revision {found.revision}); nothing was "
            "changed",
            "upgrade this machine's SG-POS first, then restore",
        )
    return found


def _current(live: Path) -> StoreFacts | None:
    """The store being replaced, as far as it can be read (it may be why we restore)."""
    if not live.is_file():
        return None
    try:
        return facts(live)
    except sqlite3.Error:
        return None


def _compare(restored: StoreFacts, current: StoreFacts | None) -> str:
    if current is not None and current.till_id is not None:
        if current.till_id != restored.till_id:
            raise Refused(
                f"the backup is of another till: {restored.till_name} ({restored.till_id}), "
                f"but this is till {current.till_name} ({current.till_id}); nothing was changed",
                "use a backup of this till; each till restores only its own backups",
            )
        return f"the same till ({current.till_name})"
    return "this till's store is missing or unreadable; head office will confirm the till"


def _floors(
    data_dir: Path,
    restored: StoreFacts,
    current: StoreFacts | None,
    settings: InstallerSettings,
    offline: bool,
) -> Floors:
    known = [restored] + ([current] if current is not None else [])
    local_epoch = max(f.epoch for f in known)
    local_receipt = max(f.receipt_counter for f in known)
    url = restored.central_url or (current.central_url if current else None)
    problem = None
    try:
        if url is None:
            raise Unreachable("the till does not know head office's address")
        secret = read_secret(data_dir)
        credential = Credential(str(restored.till_id), secret)
        state = till_state(url, credential, timeout_s=settings.request_timeout_s)
    except (Unreachable, CredentialError) as exc:
        problem = str(exc)
    except CredentialRefused as exc:
        raise Refused(
            f"head office does not accept this till's credential for till {restored.till_name} "
            f"({exc}); either the backup is another till's, or this till was retired; nothing "
            "was changed",
            "use this till's own backup; if the till was enrolled again, enrol it first",
        ) from None
    if problem is None:
        return Floors(
            max(local_epoch, state.highest_epoch),
            max(local_receipt, state.highest_receipt),
            f"head office holds up to epoch {state.highest_epoch}, receipt number "
            f"{state.highest_receipt:,}",
        )
    if not offline:
        raise Refused(
            f"head office must say which receipt numbers this till already used, and it "
            f"cannot be asked: {problem}; nothing was changed",
            "connect the till and run the same command again, or add --offline to skip "
            f"{RECEIPT_MARGIN:,} receipt numbers and {EPOCH_MARGIN} epochs instead",
        )
    return Floors(
        local_epoch + EPOCH_MARGIN,
        local_receipt + RECEIPT_MARGIN,
        f"not asked (--offline: {problem}); skipping {RECEIPT_MARGIN:,} receipt numbers and "
        f"{EPOCH_MARGIN} epochs to be safe",
    )


def _prepare(staging: Path, restored: StoreFacts, floors: Floors, backup: Path) -> tuple[int, int]:
    try:
        start_new_epoch(staging)  # migrates an older backup first, like the till would
    except (EnrolmentFailed, StoreError) as exc:
        raise StepFailed(f"the backup could not be brought up to date: {exc}") from None
    store = Store.open(store_file(staging))
    try:
        with UnitOfWork(store) as uow:
            ident = uow.session.get(TillIdentity, 1)
            assert ident is not None  # _check_backup refused a store without one
            epoch_before = ident.epoch
            ident.epoch = max(ident.epoch, floors.epoch + 1)
            counter = uow.session.get(Counter, RECEIPT_COUNTER)
            if counter is None:
                counter = Counter(name=RECEIPT_COUNTER, value=0)
                uow.session.add(counter)
            counter_before = counter.value
            counter.value = max(counter.value, floors.receipt)
            uow.session.flush()
            uow.audit(
                "till.restored",
                actor=None,
                at=datetime.now(UTC),
                subject=backup.name[:120],
                before={"epoch": restored.epoch, "receipt_counter": counter_before},
                after={
                    "epoch": ident.epoch,
                    "receipt_counter": counter.value,
                    "new_epoch_from": epoch_before,
                    "checked_with": floors.source[:200],
                },
            )
            epoch, value = ident.epoch, counter.value
            uow.commit()
    finally:
        store.close()
    _one_file(store_file(staging))
    return epoch, value


def _one_file(path: Path) -> None:
    """Fold the WAL into the file so the store is one file to rename (the till turns WAL on
    again when it opens it)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode = DELETE")
    for suffix in _STORE_FILES[1:]:
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _aside_folder(data_dir: Path) -> Path:
    return backup_dir(data_dir) / f"replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def swap_store(live: Path, staged: Path, aside: Path) -> Path | None:
    moved: list[tuple[Path, Path]] = []
    if live.exists():
        aside.mkdir(parents=True, exist_ok=True)
        for suffix in _STORE_FILES:
            source = live.with_name(live.name + suffix)
            if source.exists():
                target = aside / source.name
                os.replace(source, target)
                moved.append((target, source))
    try:
        os.replace(staged, live)
    except OSError:
        for target, source in moved:  # put the old store back as it was
            os.replace(target, source)
        raise
    fsync_dir(live.parent)
    return aside if moved else None
