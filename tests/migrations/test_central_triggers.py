"""The master-data triggers of revision 0001: every head-office edit reaches the tills' pull
log and the audit trail, in the editing transaction, without secrets, and a no-op edit writes
nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import psycopg2
import pytest

from sync_service.central.migrate import upgrade_central

from .central_support import fresh_database

pytestmark = pytest.mark.postgres

Change = tuple[str, str, str]  # (entity, key, op) as the pull reads them
PIN_HASH = "$argon2id$v=19$m=65536,t=3,p=4$not-a-real-hash"
NEW_PIN_HASH = "$argon2id$v=19$m=65536,t=3,p=4$another-fake-one"


@pytest.fixture(scope="module")
def central(pg_server: str) -> Iterator[str]:
    with fresh_database(pg_server) as url:
        upgrade_central(url)
        yield url


@pytest.fixture
def db(central: str) -> Iterator[Any]:
    """A connection to the migrated database as head office's application would hold one."""
    with closing(psycopg2.connect(central)) as conn:
        yield conn


def edit(db: Any, *statements: str | tuple[str, Any], actor: str | None = None) -> None:
    """Run ``statements`` in one transaction, as one head-office edit, and commit."""
    with db, db.cursor() as cur:
        if actor is not None:
            cur.execute("SET LOCAL sgpos.actor = %s", (actor,))
        for statement in statements:
            sql, params = statement if isinstance(statement, tuple) else (statement, None)
            cur.execute(sql, params)


def rows(db: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with db, db.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def last_change(db: Any) -> int:
    return int(rows(db, "SELECT coalesce(max(change_id), 0) FROM sgpos.change_log")[0][0])


def last_audit(db: Any) -> int:
    return int(rows(db, "SELECT coalesce(max(audit_id), 0) FROM sgpos.ho_audit")[0][0])


def changes_since(db: Any, change_id: int) -> list[Change]:
    return [
        (entity, key, op)
        for entity, key, op in rows(
            db,
            "SELECT entity, key, op FROM sgpos.change_log WHERE change_id > %s ORDER BY change_id",
            (change_id,),
        )
    ]


def audit_since(db: Any, audit_id: int) -> list[tuple[Any, ...]]:
    return rows(
        db,
        "SELECT table_name, key, op, before, after, changed_by FROM sgpos.ho_audit"
        " WHERE audit_id > %s ORDER BY audit_id",
        (audit_id,),
    )


def insert_product(product_id: uuid.UUID, sku: str) -> tuple[str, Any]:
    return (
        "INSERT INTO sgpos.product (product_id, sku, name, price, tax_code, category_id,"
        " weighed, active) VALUES (%s, %s, 'Kaya Toast Set', 4.50, 'SR', NULL, false, true)",
        (str(product_id), sku),
    )


def insert_staff(staff_id: uuid.UUID, code: str) -> tuple[str, Any]:
    return (
        "INSERT INTO sgpos.staff (staff_id, code, display_name, role, pin_hash, active)"
        " VALUES (%s, %s, 'Tan Mei Ling', 'cashier', %s, true)",
        (str(staff_id), code, PIN_HASH),
    )


def add_outlet(db: Any) -> uuid.UUID:
    company, outlet = uuid.uuid4(), uuid.uuid4()
    edit(
        db,
        ("INSERT INTO sgpos.company VALUES (%s, 'Kopi Pte Ltd')", (str(company),)),
        (
            "INSERT INTO sgpos.outlet (outlet_id, company_id, code, name, address_lines,"
            " gst_reg_no, gst_rounding, cash_rounding, discount_limit_percent, variance_limit,"
            " paynow_uen, receipt_footer) VALUES (%s, %s, %s, 'Orchard', '[\"1 Orchard Rd\"]',"
            " NULL, 'total', 'nearest', 20.00, 5.00, NULL, '[]')",
            (str(outlet), str(company), f"O{outlet.hex[:6]}"),
        ),
    )
    return outlet


def test_product_insert_update_and_delete_reach_the_pull_log(db: Any):
    product = uuid.uuid4()
    key, since = str(product), last_change(db)

    edit(db, insert_product(product, f"SKU-{key[:8]}"))
    edit(db, ("UPDATE sgpos.product SET price = 4.80 WHERE product_id = %s", (key,)))
    edit(db, ("DELETE FROM sgpos.product WHERE product_id = %s", (key,)))

    assert changes_since(db, since) == [
        ("product", key, "upsert"),
        ("product", key, "upsert"),
        ("product", key, "delete"),
    ]


def test_barcodes_are_logged_by_code_and_a_rekeyed_barcode_drops_the_old_code(db: Any):
    product = uuid.uuid4()
    since = last_change(db)

    edit(
        db,
        insert_product(product, f"SKU-{product.hex[:8]}"),
        ("INSERT INTO sgpos.barcode VALUES ('8888000000017', %s)", (str(product),)),
    )
    edit(db, "UPDATE sgpos.barcode SET code = '8888000000024' WHERE code = '8888000000017'")
    edit(db, "DELETE FROM sgpos.barcode WHERE code = '8888000000024'")

    assert changes_since(db, since) == [
        ("product", str(product), "upsert"),
        ("barcode", "8888000000017", "upsert"),
        ("barcode", "8888000000017", "delete"),  # or tills keep scanning the old code
        ("barcode", "8888000000024", "upsert"),
        ("barcode", "8888000000024", "delete"),
    ]


def test_staff_and_their_outlets_are_logged_as_the_staff_member(db: Any):
    outlet, staff = add_outlet(db), uuid.uuid4()
    key, since = str(staff), last_change(db)

    edit(db, insert_staff(staff, f"S{staff.hex[:6]}"))
    edit(db, ("INSERT INTO sgpos.staff_outlet VALUES (%s, %s)", (key, str(outlet))))
    edit(db, ("UPDATE sgpos.staff SET pin_hash = %s WHERE staff_id = %s", (NEW_PIN_HASH, key)))
    edit(db, ("DELETE FROM sgpos.staff_outlet WHERE staff_id = %s", (key,)))
    edit(db, ("DELETE FROM sgpos.staff WHERE staff_id = %s", (key,)))

    assert changes_since(db, since) == [
        ("staff", key, "upsert"),
        ("staff", key, "upsert"),  # assigned to an outlet
        ("staff", key, "upsert"),  # PIN reset
        ("staff", key, "delete"),  # taken off the outlet
        ("staff", key, "delete"),
    ]


def test_an_update_that_changes_nothing_writes_nothing(db: Any):
    product = uuid.uuid4()
    edit(db, insert_product(product, f"SKU-{product.hex[:8]}"))
    since, audited = last_change(db), last_audit(db)

    same = "UPDATE sgpos.product SET name = name, price = 4.50 WHERE product_id = %s"
    edit(db, (same, (str(product),)), actor="alice@ho")

    assert changes_since(db, since) == []
    assert audit_since(db, audited) == []


def test_the_audit_names_the_head_office_actor_and_never_holds_a_pin_hash(db: Any):
    staff = uuid.uuid4()
    key, audited = str(staff), last_audit(db)

    edit(db, insert_staff(staff, f"S{staff.hex[:6]}"), actor="alice@ho")
    promote = "UPDATE sgpos.staff SET pin_hash = %s, role = 'supervisor' WHERE staff_id = %s"
    edit(db, (promote, (NEW_PIN_HASH, key)), actor="alice@ho")
    # Same connection, no actor: SET LOCAL ended with its transaction.
    edit(db, ("DELETE FROM sgpos.staff WHERE staff_id = %s", (key,)))

    trail = audit_since(db, audited)
    role = rows(db, "SELECT current_user")[0][0]
    assert [(t, k, op, by) for t, k, op, _b, _a, by in trail] == [
        ("staff", key, "insert", "alice@ho"),
        ("staff", key, "update", "alice@ho"),
        ("staff", key, "delete", role),  # falls back to the database role
    ]
    _t, _k, _op, before, after, _by = trail[1]
    assert (before["role"], after["role"]) == ("cashier", "supervisor")
    assert before["display_name"] == "Tan Mei Ling"
    assert trail[0][3] is None and trail[2][4] is None  # nothing before an insert, after a delete
    for *_, before, after, _by in trail:
        for image in (before, after):
            assert image is None or "pin_hash" not in image
    everything = json.dumps(trail, default=str)
    assert PIN_HASH not in everything and NEW_PIN_HASH not in everything


def test_rows_of_one_transaction_share_a_txid_that_grows_across_transactions(db: Any):
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    since = last_change(db)

    edit(
        db,
        insert_product(first, f"SKU-{first.hex[:8]}"),
        insert_product(second, f"SKU-{second.hex[:8]}"),
    )
    edit(db, insert_product(third, f"SKU-{third.hex[:8]}"))

    txids = rows(
        db,
        "SELECT key, txid FROM sgpos.change_log WHERE change_id > %s ORDER BY change_id",
        (since,),
    )
    assert [k for k, _ in txids] == [str(first), str(second), str(third)]
    (_, t1), (_, t2), (_, t3) = txids
    assert t1 == t2 < t3
