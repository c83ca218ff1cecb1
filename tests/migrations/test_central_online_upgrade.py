"""An upgrade while head office serves: a migration whose table is in use (a long report, a
pg_dump) gives up after the lock timeout instead of queueing every push behind itself, changes
nothing, and succeeds when run again once the table is free."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

import sync_service.central.migrate as migrate
from sync_service.central.migrate import CentralMigrationError, upgrade_central

from .central_support import fresh_database, query
from .test_central_online_safety import unsafe_statements

pytestmark = pytest.mark.postgres

NOTE_REVISION = '''\
"""Test-only revision: an online-safe change to a big table."""

import sqlalchemy as sa
from alembic import op

revision = "9001_sale_note"
down_revision = {parent!r}
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("sale", sa.Column("note", sa.String(60), nullable=True), schema="sgpos")


def downgrade():
    op.drop_column("sale", "note", schema="sgpos")
'''


@pytest.fixture
def at_head(pg_server: str) -> Iterator[str]:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        yield url


@pytest.fixture
def with_note_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    head = migrate.head_revision()
    copy = tmp_path / "migrations_central"
    shutil.copytree(migrate.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = NOTE_REVISION.format(parent=head)
    (copy / "versions" / "9001_sale_note.py").write_text(source)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", copy)
    return source


def sale_columns(url: str) -> set[str]:
    rows = query(
        url,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'sgpos' AND table_name = 'sale'",
    )
    return {name for (name,) in rows}


def test_a_migration_gives_way_to_a_long_reader_and_succeeds_after(
    at_head: str, with_note_revision: str
):
    assert unsafe_statements(with_note_revision) == []  # the rule's own example passes it
    before = query(at_head, "SELECT version_num FROM sgpos.alembic_version")
    reader = psycopg2.connect(at_head)
    try:
        with reader.cursor() as cur:  # a report (or pg_dump) reading sales, still open
            cur.execute("SELECT count(*) FROM sgpos.sale")
        outcome: list[BaseException | str] = []

        def deploy() -> None:
            try:
                outcome.append(upgrade_central(at_head))
            except BaseException as exc:  # noqa: BLE001  (reported by the assertions)
                outcome.append(exc)

        started = time.monotonic()
        deployer = threading.Thread(target=deploy)
        deployer.start()
        deployer.join(60)
        waited = time.monotonic() - started
    finally:
        reader.rollback()
        reader.close()

    (failed,) = outcome
    assert isinstance(failed, CentralMigrationError), failed
    assert "stayed in use for over 5s" in str(failed) and "rolled back" in str(failed)
    assert waited < 30  # gave up on its own, long before anyone would have killed it
    assert query(at_head, "SELECT version_num FROM sgpos.alembic_version") == before
    assert "note" not in sale_columns(at_head)

    assert upgrade_central(at_head) == "9001_sale_note"  # the table is free: it goes through
    assert "note" in sale_columns(at_head)
