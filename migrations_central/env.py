"""Alembic environment for the central PostgreSQL store, schema ``sgpos``.
Rules: MIGRATIONS.md, "Central (Postgres)".

The database URL comes from code (``config.attributes["db_url"]``, set by
``sync_service.central.migrate``) or, run by hand, from ``-x db_url=URL`` or the
``SGPOS_CENTRAL_DB_URL`` environment variable; never from the ``.ini``.

The trap this file is built around: Alembic reflects the connection's *default* schema as
``None``, so if ``search_path`` makes ``sgpos`` the default (a role named ``sgpos``, or ``ALTER
ROLE … SET search_path = sgpos, …``) it no longer recognises ``sgpos.alembic_version`` as its
own; autogenerate then proposes dropping it and the next upgrade fails. Hence the connection is
pinned to ``public``, the ``include_name`` hook sees only schema ``sgpos`` and never the version
table, and a connection whose default schema is ``sgpos`` anyway (a pooler that drops the
start-up options, say) is refused.
"""

from __future__ import annotations

import os
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from alembic.runtime.environment import NameFilterParentNames, NameFilterType
from sqlalchemy.pool import NullPool

from shared.config import mask_url
from sync_service.central.migrate import (
    DB_URL_ENV,
    DB_URL_KEY,
    MIGRATION_LOCK,
    MIGRATION_LOCK_TIMEOUT,
    VERSION_TABLE,
    CentralMigrationError,
    migration_url,
)
from sync_service.central.models import SCHEMA, Base

config = context.config


def database_url() -> str:
    url = (
        config.attributes.get(DB_URL_KEY)
        or context.get_x_argument(as_dictionary=True).get(DB_URL_KEY)
        or os.environ.get(DB_URL_ENV)
    )
    if not url:
        raise CentralMigrationError(
            "no central database given: call sync_service.central.migrate.upgrade_central(), "
            f"or run alembic -c migrations_central/alembic.ini -x {DB_URL_KEY}=URL upgrade head, "
            f"or set {DB_URL_ENV}"
        )
    return str(url)


def include_name(
    name: str | None, type_: NameFilterType, parent_names: NameFilterParentNames
) -> bool:
    """Compare schema sgpos only (the default schema reaches this hook as None and is left
    out), and never Alembic's version table."""
    if type_ == "schema":
        return name == SCHEMA
    if type_ == "table":
        return name != VERSION_TABLE
    return True


def refuse_sgpos_default(connection: sa.Connection, url: str) -> None:
    default = connection.scalar(sa.text("SELECT current_schema()"))
    if default == SCHEMA:
        raise CentralMigrationError(
            f"the connection to {mask_url(url)} resolves unqualified names in schema {SCHEMA} "
            f"(its search_path starts with {SCHEMA}), so Alembic would take its own version "
            "table for a stray one and drop it. Nothing was changed. Connect directly to "
            "PostgreSQL (not through a pooler that drops start-up options) so the pinned "
            "search_path=public applies, or remove sgpos from the role's search_path "
            "(ALTER ROLE … RESET search_path)"
        )


def run_migrations_online() -> None:
    url = database_url()
    # search_path pinned at connect time, over any ALTER ROLE/DATABASE … SET search_path: the
    # default schema must not be sgpos (see the module docstring). NullPool: one connection,
    # closed with the run, never handed to anyone else with the pin on it.
    engine = sa.create_engine(
        migration_url(url), poolclass=NullPool, connect_args={"options": "-c search_path=public"}
    )
    try:
        with engine.connect() as connection:
            # Nothing may run on the connection before configure(): SQLAlchemy would auto-begin
            # a transaction that Alembic treats as the caller's and never commits.
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                include_schemas=True,
                include_name=include_name,
                version_table=VERSION_TABLE,
                version_table_schema=SCHEMA,
                compare_server_default=True,
                # One transaction for the whole upgrade: a failure leaves the old schema.
                transaction_per_migration=False,
            )
            with context.begin_transaction():
                # Serialises concurrent deployers: the second waits here, then finds the first's
                # schema and version row committed and has nothing to do.
                context.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
                # Servers keep serving during an upgrade. A DDL statement queued behind a long
                # reader of its table (a report, a pg_dump) would hold every push queued behind
                # itself: give up instead, change nothing, and let the deployer try again. Set
                # for the session, so it also bounds an autocommit block's statements.
                context.execute(f"SET lock_timeout = '{MIGRATION_LOCK_TIMEOUT}'")
                context.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                # Checked after the schema exists: current_schema() skips schemas that do not.
                refuse_sgpos_default(connection, url)
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise CentralMigrationError(
        "offline (--sql) migrations are not supported for the central store: the advisory "
        "lock and the search_path check need a live connection; run the upgrade against the "
        "database instead"
    )
# Only a person at the command line gets Alembic's logging set up; the server has its own.
if config.config_file_name is not None and DB_URL_KEY not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
run_migrations_online()
