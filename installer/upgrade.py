"""``sgpos-install upgrade``: back up, then bring the store to this release's schema.

The till migrates itself at start-up too; the installer does it ahead, with the till stopped,
so the technician sees it succeed. If the migration fails, the backup just taken is put back
(the failed store kept aside for support), so the till is exactly as it was before.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from installer.archive import unpack
from installer.backup import Backup, run_backup
from installer.in_use import hold_till
from installer.report import Report
from installer.restore import swap_store
from installer.steps import Refused, StepFailed
from installer.store_check import facts
from shared.logs import get_logger
from till.store.db import StoreError
from till.store.migrate import MIGRATIONS_DIR, current_revision, known_revisions, upgrade_store
from till.store.paths import backup_dir, store_file

log = get_logger("sgpos.installer")


def run_upgrade(data_dir: Path, report: Report, *, migrations: Path = MIGRATIONS_DIR) -> str:
    store = store_file(data_dir)
    if not store.is_file():
        raise Refused(f"there is no till store at {store}", "check --data-dir")
    with hold_till(data_dir, "upgrade"):
        with report.step("Look at the store's schema") as done:
            try:
                start = current_revision(store)
            except StoreError as exc:
                raise Refused(
                    str(exc), "restore the latest backup: sgpos-install restore FILE"
                ) from None
            history = known_revisions(migrations)
            head = history[-1]
            if start is not None and start not in history:
                raise Refused(
                    f"the store is at revision {start}, written by a newer SG-POS than this one",
                    "install the newer SG-POS release this till ran before",
                )
            done(f"at {start or '(empty)'}; this release needs {head}")
        if start == head:
            return f"the store is already at {head}; nothing to do"
        taken = run_backup(data_dir, None, report)
        try:
            with report.step(f"Migrate the store to {head}") as done:
                try:
                    upgrade_store(
                        store,
                        backup_dir=backup_dir(data_dir),
                        migrations=migrations,
                        backed_up=taken.path,
                    )
                except StoreError as exc:
                    raise StepFailed(str(exc)) from None
                done(f"from {start} to {head}")
        except StepFailed as exc:
            kept = _put_back(data_dir, taken, start, report)
            raise StepFailed(
                f"the upgrade failed ({exc.problem}). The store was put back from the backup "
                f"{taken.path.name}, so the till is as it was, at revision {start}; the failed "
                f"store is kept in {kept}",
                "the till can be used as before; send the log (logs/installer.log) to support",
            ) from None
    log.info("upgrade.done", from_revision=start, to_revision=head, backup=str(taken.path))
    return f"the store is upgraded from {start} to {head}; the backup taken first is {taken.path}"


def _put_back(data_dir: Path, taken: Backup, start: str | None, report: Report) -> Path | None:
    with report.step(f"Put the backup {taken.path.name} back") as done:
        staging = Path(tempfile.mkdtemp(dir=data_dir, prefix=".upgrade-"))
        try:
            staged = store_file(staging)
            with report.progress("restoring") as advance:
                unpack(taken.path, staged, advance)
            aside = backup_dir(data_dir) / f"failed-upgrade-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
            kept = swap_store(store_file(data_dir), staged, aside)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        back = facts(store_file(data_dir))
        if back.revision != start or back.sales != taken.facts.sales:
            raise StepFailed(
                f"the store put back is at {back.revision} with {back.sales} sales, not as backed "
                f"up; the backup is {taken.path}",
                "do not sell on this till; call support",
            )
        done(f"back at revision {start}, {back.sales:,} sales")
    return kept
