"""The ways an upgrade can go wrong in a shop, and what the till's store does about them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from till.store.db import StoreError, StoreTooNew
from till.store.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade_store

from .stores import (
    BARCODE,
    INITIAL,
    PRODUCT_NAME,
    AddRevision,
    add_shop_and_sales,
    count,
    query,
    sale_id,
    schema,
    search_products,
    store_at_0001_with_sales,
    tables,
)


def test_a_failed_upgrade_leaves_the_old_schema_and_a_backup(
    store: Path, backups: Path, scripts: Path, add_revision: AddRevision
):
    add_revision(
        "9001_breaks_halfway",
        """
        op.create_table("doomed", sa.Column("id", sa.Integer(), primary_key=True))
        op.execute("UPDATE sale SET reprint_count = 99")
        raise RuntimeError("simulated failure half-way through")
        """,
    )
    store_at_0001_with_sales(store, sales=1)
    schema_before = schema(store)

    with pytest.raises(StoreError) as failed:
        upgrade_store(store, backup_dir=backups, migrations=scripts)

    # All revisions ran in one transaction: 0002's search index went with the failed one.
    assert current_revision(store) == INITIAL
    assert schema(store) == schema_before
    assert "doomed" not in tables(store) and "product_fts" not in tables(store)
    assert query(store, "SELECT reprint_count FROM sale") == [(0,)]
    assert (count(store, "sale_line"), count(store, "payment")) == (2, 1)

    message = str(failed.value)
    assert not isinstance(failed.value, StoreTooNew)
    assert "failed at revision 9001_breaks_halfway" in message
    assert "simulated failure half-way through" in message
    assert f"left unchanged at revision {INITIAL}" in message
    (backup,) = backups.iterdir()
    assert str(backup) in message
    assert count(backup, "sale") == 1


def test_an_upgrade_that_orphans_rows_is_rolled_back(
    store: Path, backups: Path, scripts: Path, add_revision: AddRevision
):
    """Foreign keys are off while migrating, so env.py checks them before committing."""
    add_revision("9004_orphans_lines", "op.execute(\"UPDATE sale_line SET sale_id = 'gone'\")")
    upgrade_store(store, backup_dir=backups)
    add_shop_and_sales(store, sales=1)

    with pytest.raises(StoreError) as failed:
        upgrade_store(store, backup_dir=backups, migrations=scripts)

    assert "foreign-key check" in str(failed.value) and "'sale_line'" in str(failed.value)
    assert current_revision(store) == head_revision()
    assert query(store, "SELECT DISTINCT sale_id FROM sale_line") == [(sale_id(1),)]


def test_rebuilding_a_parent_table_keeps_its_children(
    store: Path, backups: Path, scripts: Path, add_revision: AddRevision
):
    """A batch rebuild drops and re-creates ``sale``; with foreign keys on, that would fail or
    take the sale lines with it (MIGRATIONS.md, "Till")."""
    add_revision(
        "9002_sale_note",
        """
        with op.batch_alter_table("sale", recreate="always") as batch:
            batch.add_column(sa.Column("note", sa.String(60), nullable=True))
        """,
        """
        with op.batch_alter_table("sale", recreate="always") as batch:
            batch.drop_column("note")
        """,
    )
    upgrade_store(store, backup_dir=backups)
    add_shop_and_sales(store, sales=2)

    upgrade_store(store, backup_dir=backups, migrations=scripts)

    assert current_revision(store) == "9002_sale_note"
    assert "note" in [row[1] for row in query(store, "PRAGMA table_info(sale)")]
    assert (count(store, "sale"), count(store, "sale_line"), count(store, "payment")) == (2, 4, 2)
    assert query(store, "PRAGMA foreign_key_check") == []


REBUILD_PRODUCT = """
    # A rebuilt product table loses its FTS triggers and may renumber rowids: redo the index.
    for statement in fts.DROP:
        op.execute(statement)
    with op.batch_alter_table("product", recreate="always") as batch:
        batch.add_column(sa.Column("note", sa.String(60), nullable=True))
    for statement in fts.CREATE:
        op.execute(statement)
"""


def test_rebuilding_products_keeps_their_cascading_barcodes(
    store: Path, backups: Path, scripts: Path, add_revision: AddRevision
):
    add_revision("9003_product_note", REBUILD_PRODUCT)
    upgrade_store(store, backup_dir=backups)
    add_shop_and_sales(store, sales=1)

    upgrade_store(store, backup_dir=backups, migrations=scripts)

    assert query(store, "SELECT code FROM barcode") == [(BARCODE,)]
    assert search_products(store, "kaya") == [PRODUCT_NAME]


def test_with_foreign_keys_on_the_same_rebuild_silently_loses_barcodes(
    store: Path, backups: Path, scripts: Path, add_revision: AddRevision
):
    """The trap the test above guards against, shown once: ON DELETE CASCADE fires when the old
    table is dropped, and the upgrade still succeeds."""
    env = scripts / "env.py"
    unsafe = env.read_text().replace("foreign_keys=False", "foreign_keys=True")
    assert unsafe != env.read_text()
    env.write_text(unsafe)
    add_revision("9003_product_note", REBUILD_PRODUCT)
    upgrade_store(store, backup_dir=backups)
    add_shop_and_sales(store, sales=1)

    upgrade_store(store, backup_dir=backups, migrations=scripts)

    assert count(store, "barcode") == 0


def alembic_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "alembic", "-c", str(MIGRATIONS_DIR / "alembic.ini")]
    return subprocess.run([*command, *args], capture_output=True, text=True, check=False)


def test_the_command_line_upgrade_commits(store: Path):
    """The silent trap: an upgrade that logs "Running upgrade", exits 0 and commits nothing."""
    done = alembic_cli("-x", f"store={store}", "upgrade", "head")

    assert done.returncode == 0, done.stderr
    assert "Running upgrade" in done.stderr
    assert current_revision(store) == head_revision()


def test_the_command_line_asks_which_store():
    done = alembic_cli("upgrade", "head")

    assert done.returncode != 0
    assert "no store given" in done.stderr and "-x store=PATH" in done.stderr
