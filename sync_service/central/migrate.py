"""Bringing the central store (schema ``sgpos`` in PostgreSQL) to the schema this code expects.

The installer and the central server call ``upgrade_central`` before serving; a person can run
the same history by hand with ``alembic -c migrations_central/alembic.ini -x db_url=… upgrade
head``. The upgrade runs in one transaction under an advisory lock (migrations_central/env.py),
so two deployers, or several server instances starting together, migrate once and a failure
leaves the schema as it was. A database written by a newer release is refused rather than
guessed at. Rules: MIGRATIONS.md, "Central (Postgres)".
"""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.pool import NullPool

import migrations_central
from shared.config import mask_url
from shared.logs import get_logger
from sync_service.central.models import SCHEMA

MIGRATIONS_DIR = Path(migrations_central.__file__).resolve().parent
# Where migrations_central/env.py looks for the database URL, in this order.
DB_URL_KEY = "db_url"  # Config.attributes key, and the -x argument's name
DB_URL_ENV = "SGPOS_CENTRAL_DB_URL"
# Alembic's own table, kept in schema sgpos. Code may name it; a migration that mentions it is
# the symptom of the search_path trap (MIGRATIONS.md), never a real change.
VERSION_TABLE = "alembic_version"
# Key of the transaction-level advisory lock every migration run takes. Its eight bytes spell
# "SGPOSMIG": recognisable in pg_locks, and unlikely to be another application's key.
MIGRATION_LOCK = 0x5347504F534D4947
# How long one migration statement may wait for a table lock before the upgrade gives up
# (docs/operations.md, "Upgrading"): pushes queue behind a waiting ALTER TABLE.
MIGRATION_LOCK_TIMEOUT = "5s"
LOCK_NOT_AVAILABLE = "55P03"

log = get_logger(__name__)
# Alembic's ``context`` and ``op`` are process-wide proxies to the one running environment, so
# two upgrades in one process must not overlap (between processes the advisory lock serialises).
_one_upgrade_per_process = threading.Lock()


class CentralMigrationError(CommandError):
    """The central schema cannot be migrated; the message says why and what to do.

    A ``CommandError``, so the ``alembic`` command line prints the message without a traceback.
    """


def migration_url(db_url: str) -> sa.URL:
    """``db_url`` with the synchronous psycopg2 driver, whichever driver the URL names: the
    migration tools are synchronous even where the server is not."""
    try:
        url = sa.make_url(db_url)
    except sa.exc.ArgumentError:
        raise CentralMigrationError(
            f"{mask_url(db_url)!r} is not a database URL; expected postgresql://user@host/db"
        ) from None
    if url.get_backend_name() != "postgresql":
        raise CentralMigrationError(
            f"{mask_url(db_url)} is not a PostgreSQL URL; the central store is PostgreSQL"
        )
    return url.set(drivername="postgresql+psycopg2")


def alembic_config(db_url: str | None = None) -> Config:
    """The one place an Alembic ``Config`` is built: the history's own ``.ini`` (no URL in it)
    and the database URL passed in code."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    if db_url is not None:
        config.attributes[DB_URL_KEY] = db_url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise CentralMigrationError(
            f"no migrations found in {MIGRATIONS_DIR}; the installation is incomplete"
        )
    return head


def current_central_revision(db_url: str) -> str | None:
    """The database's schema revision; None for a database never migrated (or at base)."""
    engine = sa.create_engine(migration_url(db_url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            # Reads the version table in sgpos by its qualified name, whatever search_path is.
            reader = MigrationContext.configure(
                connection, opts={"version_table": VERSION_TABLE, "version_table_schema": SCHEMA}
            )
            heads = reader.get_current_heads()
    except sa.exc.OperationalError as exc:
        raise CentralMigrationError(
            f"cannot reach the central database {mask_url(db_url)}: {exc.orig}; check the URL "
            "and that PostgreSQL is running"
        ) from exc
    finally:
        engine.dispose()
    if len(heads) > 1:
        raise CentralMigrationError(
            f"the central database {mask_url(db_url)} records several schema revisions "
            f"({', '.join(heads)}); call support"
        )
    return heads[0] if heads else None


def upgrade_central(db_url: str) -> str:
    """Upgrade the central schema to head, creating it in an empty database; returns the head.

    Safe to call at every start-up and from several processes at once: at head it changes
    nothing. Raises ``CentralMigrationError`` for a database from a newer release, a connection
    pinned to the wrong schema, or a failed upgrade (which leaves the schema unchanged)."""
    with _one_upgrade_per_process:
        return _upgrade(db_url)


def _upgrade(db_url: str) -> str:
    head = head_revision()
    history = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    start = current_central_revision(db_url)
    if start is not None and start not in history:
        raise CentralMigrationError(
            f"the central database {mask_url(db_url)} was migrated by a newer SG-POS (revision "
            f"{start}); run that release or newer — refusing to touch it rather than guess"
        )
    if start == head:
        return head
    try:
        command.upgrade(alembic_config(db_url), "head")
    except CentralMigrationError:
        raise
    except Exception as exc:
        # The database's own words, not the statement: the chained exception keeps that.
        cause = str(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc).strip()
        if getattr(getattr(exc, "orig", None), "pgcode", None) == LOCK_NOT_AVAILABLE:
            cause = (
                f"a table it changes stayed in use for over {MIGRATION_LOCK_TIMEOUT} (a long "
                "report, a backup running, or a session idle in transaction: see "
                "pg_stat_activity), and waiting longer would hold the tills' pushes up"
            )
        raise CentralMigrationError(
            f"upgrading the central database {mask_url(db_url)} from revision "
            f"{start or '(none)'} to {head} failed: {cause}. It was rolled back and is "
            "unchanged; fix the cause and run the upgrade again"
        ) from exc
    # An environment that lost its transaction reports success and commits nothing
    # (MIGRATIONS.md, "Nothing runs on the connection before configure()"): look, don't trust.
    reached = current_central_revision(db_url)
    if reached != head:
        raise CentralMigrationError(
            f"the upgrade of the central database {mask_url(db_url)} to revision {head} "
            f"reported success but the database is at revision {reached or '(none)'}; "
            "do not start the server on it; call support"
        )
    log.info("central.upgraded", db=mask_url(db_url), from_revision=start, to_revision=head)
    return head
