"""The search_path trap (MIGRATIONS.md, "Central (Postgres)"): a role whose search_path puts
sgpos first makes Alembic take its own version table for a stray one. The environment must
stay clean for such a role, refuse a connection that really resolves into sgpos, and no
migration may ever mention the version table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.pool import NullPool

from sync_service.central.migrate import (
    MIGRATIONS_DIR,
    VERSION_TABLE,
    CentralMigrationError,
    alembic_config,
    head_revision,
    upgrade_central,
)
from sync_service.central.models import Base

from .central_support import SCHEMA, fresh_database, query, trapped_role, url_of, version_rows

pytestmark = pytest.mark.postgres


@pytest.fixture
def role(pg_server: str) -> Iterator[str]:
    with trapped_role(pg_server) as name:
        yield name


@pytest.fixture
def role_url(pg_server: str, role: str) -> Iterator[str]:
    """A fresh database owned by ``role`` (search_path ``sgpos, public``), connected to as it."""
    with fresh_database(pg_server, owner=role) as url:
        yield url_of(url, url.rsplit("/", 1)[-1], user=role)


@pytest.fixture
def pooler_drops_startup_options(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections made as through a pooler that ignores start-up ``options`` (PgBouncer's
    ``ignore_startup_parameters``): env.py's search_path pin never reaches the server."""
    real = sqlalchemy.create_engine

    def create_engine(url: Any, **kwargs: Any) -> sqlalchemy.Engine:
        kwargs.get("connect_args", {}).pop("options", None)
        return real(url, **kwargs)

    monkeypatch.setattr(sqlalchemy, "create_engine", create_engine)


def test_the_role_really_walks_into_the_trap_without_the_pin(role_url: str):
    """The control: unpinned, this role resolves into sgpos and Alembic, left to itself, would
    drop its own version table. Without this, the tests below could pass for nothing."""
    upgrade_central(role_url)
    assert query(role_url, "SELECT current_schema()") == [(SCHEMA,)]

    engine = sqlalchemy.create_engine(role_url, poolclass=NullPool)
    with engine.connect() as connection:
        naive = MigrationContext.configure(
            connection, opts={"include_schemas": True, "version_table_schema": SCHEMA}
        )
        diffs = compare_metadata(naive, Base.metadata)
    engine.dispose()
    dropped = [d[1].name for d in diffs if isinstance(d, tuple) and d[0] == "remove_table"]
    assert dropped == [VERSION_TABLE]


def test_upgrade_and_check_are_clean_for_a_role_that_prefers_sgpos(role_url: str, role: str):
    head = head_revision()
    assert upgrade_central(role_url) == head

    command.check(alembic_config(role_url))  # would report remove_table(version table)
    command.upgrade(alembic_config(role_url), "head")

    assert version_rows(role_url) == [head]
    owner = "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s"
    assert query(role_url, owner, (SCHEMA,)) == [(role,)]  # the role migrated, not a superuser


@pytest.mark.usefixtures("pooler_drops_startup_options")
def test_a_connection_resolving_into_sgpos_is_refused_on_a_new_database(role_url: str):
    with pytest.raises(CentralMigrationError, match="search_path starts with sgpos"):
        upgrade_central(role_url)

    assert version_rows(role_url) is None
    assert query(role_url, "SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA,)) == []


def test_a_connection_resolving_into_sgpos_is_refused_on_a_migrated_database(
    role_url: str, request: pytest.FixtureRequest
):
    head = upgrade_central(role_url)
    request.getfixturevalue("pooler_drops_startup_options")

    with pytest.raises(CentralMigrationError, match="search_path starts with sgpos"):
        command.check(alembic_config(role_url))
    with pytest.raises(CentralMigrationError, match="search_path starts with sgpos"):
        command.downgrade(alembic_config(role_url), "base")

    assert version_rows(role_url) == [head]


def test_no_migration_mentions_the_version_table():
    mention = re.compile(VERSION_TABLE, re.IGNORECASE)
    files = [p for p in (MIGRATIONS_DIR / "versions").rglob("*") if p.is_file()]
    files.append(MIGRATIONS_DIR / "script.py.mako")
    assert any(p.suffix == ".py" for p in files)
    offenders = [
        p.relative_to(MIGRATIONS_DIR)
        for p in files
        if p.suffix != ".pyc" and mention.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "a migration that touches Alembic's version table is the search_path trap at work "
        "(MIGRATIONS.md); delete those operations"
    )
