"""Bringing the till's store to the schema this code expects, without ever losing a sale.

The till calls ``upgrade_store`` at start-up (and so will the installer). A store that is behind
is first copied with SQLite's online backup API — consistent even while another process writes,
which a file copy of a WAL database is not — and the copy is verified. The upgrade then runs in
one transaction, so a failure leaves the old schema and the backup. A store written by a newer
release is refused rather than guessed at. Rules: MIGRATIONS.md, "Till (SQLite)".
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

import migrations_local
from shared.disk import disk_fix
from shared.logs import get_logger
from till.files import disk_trouble_at
from till.store.db import StoreError, StoreTooNew

MIGRATIONS_DIR = Path(migrations_local.__file__).resolve().parent
# Keys of Config.attributes shared with migrations_local/env.py.
STORE_PATH_KEY = "store_path"
APPLIED_KEY = "applied_revisions"

log = get_logger(__name__)


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None  # None: the file was new or empty
    to_revision: str
    backup: Path | None  # None: nothing worth backing up, or nothing to do


def alembic_config(store: Path | None = None, *, migrations: Path = MIGRATIONS_DIR) -> Config:
    """The one place an Alembic ``Config`` is built: the history's own ``.ini`` (no URL in it)
    and the store's path passed in code."""
    config = Config(str(migrations / "alembic.ini"))
    if store is not None:
        config.attributes[STORE_PATH_KEY] = store
    return config


def head_revision(*, migrations: Path = MIGRATIONS_DIR) -> str:
    head = ScriptDirectory.from_config(alembic_config(migrations=migrations)).get_current_head()
    if head is None:
        raise StoreError(f"no migrations found in {migrations}; the installation is incomplete")
    return head


def current_revision(path: Path) -> str | None:
    """The store's schema revision; None for a missing, empty or never-migrated file."""
    return _inspect(path)[1]


def upgrade_store(
    path: Path,
    *,
    backup_dir: Path,
    now: datetime | None = None,
    migrations: Path = MIGRATIONS_DIR,
    backed_up: Path | None = None,
) -> UpgradeResult:
    """Upgrade the store at ``path`` to head, creating it if missing; see the module docstring.
    ``backed_up``: a verified backup the caller took just before (the installer's), so none is
    taken again.

    Raises ``StoreTooNew`` for a store from a newer release and ``StoreError`` (naming the
    failed revision and the backup) when an upgrade fails; the store is then unchanged."""
    if not path.parent.is_dir():
        raise StoreError(f"the data folder {path.parent} does not exist; check the till's setup")
    config = alembic_config(path, migrations=migrations)
    history = known_revisions(migrations)
    head = history[-1]
    has_tables, start = _inspect(path)
    if start is not None and start not in history:
        raise StoreTooNew(
            f"this store was written by a newer SG-POS (revision {start}); install that version "
            "or newer — refusing to open it rather than guess"
        )
    if start == head:
        return UpgradeResult(start, head, None)

    backup = backed_up
    if has_tables and backup is None:
        backup = backup_store(path, backup_dir, revision=start, now=now or datetime.now(UTC))
    pending = history[history.index(start) + 1 :] if start else history
    try:
        command.upgrade(config, "head")
    except Exception as exc:
        applied = config.attributes.get(APPLIED_KEY, [])
        where = (
            f"revision {pending[len(applied)]}"
            if len(applied) < len(pending)
            else "the foreign-key check after the last revision"
        )
        kept = f"a backup taken just before is at {backup}" if backup else "it held no tables"
        trouble = disk_trouble_at(exc, path.parent)
        if trouble is not None:
            raise StoreError(
                f"the store {path} could not be brought up to date: {trouble}. It was left "
                f"unchanged and {kept}; {disk_fix(trouble)}"
            ) from exc
        raise StoreError(
            f"upgrading the store {path} failed at {where}: {exc}. The store was left "
            f"unchanged at revision {start or '(none)'} and {kept}; call support"
        ) from exc
    # An environment that lost its transaction reports success and commits nothing
    # (MIGRATIONS.md, "Nothing runs on the connection before configure()"): look, don't trust.
    reached = current_revision(path)
    if reached != head:
        raise StoreError(
            f"the upgrade of {path} to revision {head} reported success but the store is at "
            f"revision {reached}; the till will not start on it; call support"
            + (f" (backup: {backup})" if backup else "")
        )
    log.info("store.upgraded", store=str(path), from_revision=start, to_revision=head)
    return UpgradeResult(start, head, backup)


def backup_store(path: Path, backup_dir: Path, *, revision: str | None, now: datetime) -> Path:
    """Copy the store with SQLite's backup API into ``store-<revision>-<UTC time>.sqlite`` and
    verify the copy; never overwrites an earlier backup."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    stem = f"store-{revision or 'base'}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    target, n = backup_dir / f"{stem}.sqlite", 1
    while target.exists():
        target, n = backup_dir / f"{stem}-{n}.sqlite", n + 1
    try:
        with closing(open_existing(path)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            # One self-contained file (no -wal beside it), safe to carry away on a USB stick.
            copy.execute("PRAGMA journal_mode = DELETE")
            verdict = copy.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as exc:
        trouble = disk_trouble_at(exc, target.parent) or str(exc)
        raise StoreError(
            f"could not back up the store to {target} ({trouble}); the store was not upgraded — "
            "free some disk space or check the backup folder, then start the till again"
        ) from exc
    if verdict != [("ok",)]:
        raise StoreError(
            f"the backup {target} of the store failed its integrity check ({verdict[0][0]}); "
            "the store was not upgraded; call support"
        )
    log.info("store.backed_up", store=str(path), backup=str(target), revision=revision)
    return target


def known_revisions(migrations: Path = MIGRATIONS_DIR) -> list[str]:
    """Every schema revision this release knows, oldest first (the till's history is linear)."""
    script = ScriptDirectory.from_config(alembic_config(migrations=migrations))
    return [s.revision for s in reversed(list(script.walk_revisions()))]


def _inspect(path: Path) -> tuple[bool, str | None]:
    """Whether the file holds any table, and its schema revision; read without touching it."""
    if not path.exists() or path.stat().st_size == 0:
        return False, None
    try:
        with closing(open_existing(path)) as db:
            query = "SELECT name FROM sqlite_master WHERE type = 'table'"
            tables = {name for (name,) in db.execute(query)}
            rows = []
            if "alembic_version" in tables:
                rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError as exc:
        trouble = disk_trouble_at(exc, path.parent)
        if trouble is not None:
            raise StoreError(
                f"the store {path} cannot be opened: {trouble}; {disk_fix(trouble)}"
            ) from exc
        raise StoreError(f"{path} cannot be read as a till store ({exc}); call support") from exc
    if len(rows) > 1:
        raise StoreError(f"{path} records several schema revisions ({rows}); call support")
    return bool(tables), (str(rows[0][0]) if rows else None)


def open_existing(path: Path) -> sqlite3.Connection:
    """A plain connection that never creates the file and, unlike open_engine, never switches
    its journal mode: looking at a store must not change it. (Not ``mode=ro``: a read-only
    connection leaves -wal/-shm files behind and cannot recover a hot journal.)"""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True)
