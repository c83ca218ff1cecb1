"""upgrade_store: what the till does with its database at start-up."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from till.store.db import StoreTooNew
from till.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_store,
)
from till.store.models import Barcode, Payment, Sale

from .stores import (
    BARCODE,
    INITIAL,
    PRODUCT_NAME,
    count,
    orm_session,
    query,
    sale_id,
    search_products,
    store_at_0001_with_sales,
    tables,
)

DATA = Path(__file__).with_name("data")
SAVED_STORES = sorted(DATA.glob("store-*.sqlite"))
MORNING = datetime(2024, 3, 4, 1, 2, 3, tzinfo=UTC)


def test_an_empty_file_becomes_a_store_that_matches_the_models(store: Path, backups: Path):
    result = upgrade_store(store, backup_dir=backups)

    assert (result.from_revision, result.to_revision, result.backup) == (
        None,
        head_revision(),
        None,
    )
    assert current_revision(store) == head_revision()
    command.check(alembic_config(store))  # raises if models and history disagree
    assert query(store, "PRAGMA foreign_key_check") == []
    assert query(store, "PRAGMA journal_mode") == [("wal",)]
    assert not backups.exists()  # nothing worth backing up


def test_looking_at_a_missing_store_does_not_create_it(store: Path):
    assert current_revision(store) is None
    assert not store.exists()


def test_an_upgrade_keeps_the_sales_and_indexes_existing_products(store: Path, backups: Path):
    store_at_0001_with_sales(store, sales=1)

    result = upgrade_store(store, backup_dir=backups, now=MORNING)

    assert (result.from_revision, result.to_revision) == (INITIAL, head_revision())
    with orm_session(store) as session:
        sale = session.get_one(Sale, sale_id(1))
        assert sale.total == Decimal("9.00") and sale.gst_total == Decimal("0.74")
        assert [(line.position, line.name) for line in sale.lines] == [
            (1, PRODUCT_NAME),
            (2, PRODUCT_NAME),
        ]
        assert [(p.type, p.amount) for p in sale.payments] == [("cash", Decimal("10.00"))]
        assert session.scalars(select(Barcode.product_id)).all() != []
    assert search_products(store, "kaya") == [PRODUCT_NAME]  # indexed by 0002's rebuild

    assert result.backup == backups / f"store-{INITIAL}-20240304T010203Z.sqlite"
    assert query(result.backup, "SELECT receipt_no FROM sale") == [("T01-000001",)]
    assert query(result.backup, "SELECT version_num FROM alembic_version") == [(INITIAL,)]
    # A single self-contained file that passes SQLite's own check.
    assert query(result.backup, "PRAGMA journal_mode") == [("delete",)]
    assert query(result.backup, "PRAGMA integrity_check") == [("ok",)]


def test_a_store_already_at_head_is_left_alone(store: Path, backups: Path):
    store_at_0001_with_sales(store, sales=1)
    first = upgrade_store(store, backup_dir=backups, now=MORNING)

    again = upgrade_store(store, backup_dir=backups, now=MORNING)

    assert first.backup is not None
    assert (again.from_revision, again.to_revision, again.backup) == (
        head_revision(),
        head_revision(),
        None,
    )
    assert list(backups.iterdir()) == [first.backup]  # no second backup


def test_a_store_from_a_newer_release_is_refused_untouched(store: Path, backups: Path):
    upgrade_store(store, backup_dir=backups)
    with closing(sqlite3.connect(store)) as db, db:
        db.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    before = store.read_bytes()

    with pytest.raises(StoreTooNew) as refused:
        upgrade_store(store, backup_dir=backups)

    assert "newer SG-POS (revision 0042_from_the_future)" in str(refused.value)
    assert "refusing to open it" in str(refused.value)
    assert store.read_bytes() == before
    assert not backups.exists()


@pytest.mark.parametrize("saved", SAVED_STORES, ids=[p.name for p in SAVED_STORES])
def test_a_store_saved_by_an_earlier_release_upgrades_with_its_data(
    saved: Path, tmp_path: Path, backups: Path
):
    store = tmp_path / "store.sqlite"
    shutil.copyfile(saved, store)
    rows_before = {table: count(store, table) for table in tables(store)}

    result = upgrade_store(store, backup_dir=backups)

    assert result.to_revision == current_revision(store) == head_revision()
    assert {table: count(store, table) for table in rows_before} == rows_before
    assert query(store, "PRAGMA integrity_check") == [("ok",)]
    assert query(store, "PRAGMA foreign_key_check") == []
    with orm_session(store) as session:
        totals = session.scalars(select(Sale.total).order_by(Sale.receipt_no)).all()
        assert totals == [Decimal("9.00")] * rows_before["sale"]
        assert session.scalar(select(Barcode.product_id).where(Barcode.code == BARCODE))
        assert len(session.scalars(select(Payment)).all()) == rows_before["payment"]
    assert search_products(store, "toast") == [PRODUCT_NAME]
    assert result.backup is not None and count(result.backup, "sale") == rows_before["sale"]


def test_the_saved_store_fixtures_exist():
    # Guards the parametrized test above against silently running zero times.
    assert "store-0001.sqlite" in [p.name for p in SAVED_STORES]
