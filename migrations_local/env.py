"""Alembic environment for the till's SQLite store. Rules: MIGRATIONS.md, "Till (SQLite)".

The store path comes from code (``config.attributes["store_path"]``, set by
``till.store.migrate``) or, run by hand, from ``-x store=PATH``; never from the ``.ini``.
"""

from __future__ import annotations

from collections.abc import Collection
from logging.config import fileConfig
from pathlib import Path
from typing import Any

from alembic import context
from alembic.runtime.migration import MigrationContext, MigrationInfo
from sqlalchemy import Connection

from till.store import fts
from till.store.db import StoreError, open_engine
from till.store.migrate import APPLIED_KEY, STORE_PATH_KEY
from till.store.models import Base

config = context.config


def store_path() -> Path:
    path = config.attributes.get(STORE_PATH_KEY) or context.get_x_argument(as_dictionary=True).get(
        "store"
    )
    if not path:
        raise StoreError(
            "no store given: call till.store.migrate.upgrade_store(), or run "
            "alembic -c migrations_local/alembic.ini -x store=PATH upgrade head"
        )
    return Path(path)


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave the FTS5 index (and the shadow tables FTS5 creates beside it) out of autogenerate:
    revision 0002 manages them by hand and the models do not describe them."""
    return not (type_ == "table" and name is not None and name.startswith(fts.TABLE_PREFIX))


def check_foreign_keys(connection: Connection) -> None:
    """Foreign keys are off while migrating (a batch rebuild of a parent table with them on
    deletes its ON DELETE CASCADE children), so the references are verified here instead,
    inside the migration's transaction: raising rolls the whole upgrade back."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, _rowid, parent, _fk = broken[0]
        raise StoreError(
            f"after migrating, {len(broken)} row(s) point at rows that do not exist "
            f"(first: table {table!r} → {parent!r}); the migration was rolled back"
        )


def run_migrations_online() -> None:
    applied: list[str] = []
    config.attributes[APPLIED_KEY] = applied  # lets migrate.py name the revision that failed

    def record(
        ctx: MigrationContext, step: MigrationInfo, heads: Collection[Any], run_args: Any
    ) -> None:
        applied.append(str(step.up_revision_id))

    # foreign_keys=False is set at connect time: SQLite ignores the pragma inside a transaction.
    engine = open_engine(store_path(), foreign_keys=False)
    try:
        with engine.execution_options(sgpos_write=True).connect() as connection:
            # Nothing may run on the connection before configure(): SQLAlchemy would auto-begin
            # a transaction that Alembic treats as the caller's and never commits.
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=True,
                # One transaction (BEGIN IMMEDIATE, from open_engine) for the whole upgrade:
                # a failure leaves the old schema, not half of the new one.
                transactional_ddl=True,
                include_name=include_name,
                on_version_apply=record,
            )
            with context.begin_transaction():
                context.run_migrations()
                check_foreign_keys(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise StoreError(
        "offline (--sql) migrations are not supported for the till's store: batch migrations "
        "on SQLite read the live tables; run the upgrade against the store file instead"
    )
# Only a person at the command line gets Alembic's logging set up; the till has its own.
if config.config_file_name is not None and STORE_PATH_KEY not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
run_migrations_online()
