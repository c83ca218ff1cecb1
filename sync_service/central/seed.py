"""Demo master data for head office: the same minimart the till's demo shows, plus a second
outlet, so a demo till enrolled against this server pulls exactly what its own demo has.

Idempotent: every row has a fixed id and goes in with ``ON CONFLICT DO NOTHING``, so running it
again adds nothing and never overwrites what head office has since edited. Rows go in as
multi-row INSERTs in chunks, in one transaction that names ``seed-demo`` as the actor for the
head-office audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from psycopg2 import sql
from psycopg2.extras import Json, execute_values
from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.orm import InstrumentedAttribute

from shared.demo_catalogue import DEMO_STAFF, demo_catalogue, demo_outlet
from shared.gst import TaxCode
from shared.logs import get_logger
from shared.pins import PIN_HASHER
from shared.protocol import OutletV1
from sync_service.central import models as m

DEMO_COMPANY = "SG-POS Demo Pte Ltd"
DEMO_COMPANY_ID = uuid.uuid5(uuid.NAMESPACE_URL, "https://sg-pos.invalid/demo/company")
DEFAULT_PRODUCTS = 2000
ACTOR = "seed-demo"
_CHUNK = 2000  # rows per INSERT: big enough to be fast, small enough to compile quickly
_TAX_CODES = {
    TaxCode.STANDARD: "Standard-rated: GST at the rate of the day",
    TaxCode.ZERO: "Zero-rated",
    TaxCode.EXEMPT: "Exempt supply",
    TaxCode.OUT_OF_SCOPE: "Out of scope",
}

log = get_logger("sgpos.seed")


@dataclass(frozen=True)
class SeedReport:
    """Rows this run added (0 everywhere when the demo was already there)."""

    outlets: int
    categories: int
    products: int
    barcodes: int
    staff: int
    outlet_ids: dict[str, uuid.UUID]


def toa_payoh_outlet(seed: int = 7) -> OutletV1:
    """The demo's second shop: not GST-registered, cash rounded down, a tighter discount limit."""
    return OutletV1(
        outlet_id=uuid.uuid5(uuid.NAMESPACE_URL, f"https://sg-pos.invalid/demo/{seed}/outlet/TPY"),
        code="TPY",
        name="Toa Payoh Minimart",
        address_lines=["190 Lorong 6 Toa Payoh, #01-510", "Singapore 310190"],
        gst_reg_no=None,
        gst_rounding="line",
        cash_rounding="down",
        discount_limit_percent=Decimal("5"),
        variance_limit=Decimal("2.00"),
        paynow_uen="201912345K",
        receipt_footer=["Thank you for shopping with us!"],
    )


def seed_demo(engine: Engine, *, products: int = DEFAULT_PRODUCTS, seed: int = 7) -> SeedReport:
    """Company, outlets ORC and TPY, the demo staff at both, and ``products`` products."""
    if products < 0:
        raise ValueError("the number of products must not be negative")
    catalogue = demo_catalogue(products, seed=seed)
    outlets = [demo_outlet(seed), toa_payoh_outlet(seed)]
    staff_hashes = {member.staff_id: PIN_HASHER.hash(member.pin) for member in DEMO_STAFF}
    with engine.begin() as conn:
        # A custom setting, local to this transaction: the audit trigger records it as who.
        conn.execute(text(f"SET LOCAL sgpos.actor = '{ACTOR}'"))
        _add(conn, m.TaxCode, [{"code": c.value, "description": d} for c, d in _TAX_CODES.items()])
        _add(conn, m.Company, [{"company_id": DEMO_COMPANY_ID, "name": DEMO_COMPANY}])
        added_outlets = _add(
            conn, m.Outlet, [{**o.model_dump(), "company_id": DEMO_COMPANY_ID} for o in outlets]
        )
        # A Result has keys(), so dict() would take it for a mapping: build the dict by hand.
        outlet_ids = {
            code: outlet_id
            for code, outlet_id in conn.execute(
                select(m.Outlet.code, m.Outlet.outlet_id).where(
                    m.Outlet.code.in_([o.code for o in outlets])
                )
            ).tuples()
        }
        _warn_if_moved(outlets, outlet_ids)
        added_categories = _add(conn, m.Category, [c.model_dump() for c in catalogue.categories])
        added_products = _add(conn, m.Product, [p.model_dump() for p in catalogue.products])
        known_products = _present(
            conn, m.Product.product_id, [p.product_id for p in catalogue.products]
        )
        added_barcodes = _add(
            conn,
            m.Barcode,
            [b.model_dump() for b in catalogue.barcodes if b.product_id in known_products],
        )
        added_staff = _add(
            conn,
            m.Staff,
            [
                {
                    "staff_id": s.staff_id,
                    "code": s.code,
                    "display_name": s.display_name,
                    "role": s.role,
                    "pin_hash": staff_hashes[s.staff_id],
                    "active": True,
                }
                for s in DEMO_STAFF
            ],
        )
        known_staff = _present(conn, m.Staff.staff_id, [s.staff_id for s in DEMO_STAFF])
        _add(
            conn,
            m.StaffOutlet,
            [
                {"staff_id": s.staff_id, "outlet_id": outlet_id}
                for s in DEMO_STAFF
                if s.staff_id in known_staff
                for outlet_id in outlet_ids.values()
            ],
        )
    report = SeedReport(
        outlets=added_outlets,
        categories=added_categories,
        products=added_products,
        barcodes=added_barcodes,
        staff=added_staff,
        outlet_ids=outlet_ids,
    )
    log.info("central.seeded", **{k: v for k, v in vars(report).items() if k != "outlet_ids"})
    return report


def _add(conn: Connection, model: type[m.Base], rows: Sequence[dict[str, Any]]) -> int:
    """Insert the rows that are not there yet; the number inserted.

    psycopg2's ``execute_values`` (thousands of rows per statement) rather than SQLAlchemy's
    executemany: building the statements in Python was a third of the time for 100k products.
    """
    if not rows:
        return 0
    table = model.__table__
    assert isinstance(table, Table)
    columns = list(rows[0])
    statement = sql.SQL("INSERT INTO {} ({}) VALUES %s ON CONFLICT DO NOTHING RETURNING 1").format(
        sql.Identifier(m.SCHEMA, table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        inserted = execute_values(
            cursor,
            statement,
            [tuple(_adapt(row[c]) for c in columns) for row in rows],
            page_size=_CHUNK,
            fetch=True,
        )
    finally:
        cursor.close()
    return len(inserted)


def _adapt(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)  # an untyped literal: PostgreSQL casts it to the column's uuid
    if isinstance(value, list | dict):
        return Json(value)
    return value


def _present(
    conn: Connection, key: InstrumentedAttribute[uuid.UUID], ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which ids are stored: one can be missing when another row already took its unique
    code (head office made a product with a demo SKU, say)."""
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), _CHUNK * 5):
        found.update(conn.scalars(select(key).where(key.in_(ids[start : start + _CHUNK * 5]))))
    return found


def _warn_if_moved(outlets: Sequence[OutletV1], stored: dict[str, uuid.UUID]) -> None:
    for outlet in outlets:
        if stored.get(outlet.code) != outlet.outlet_id:
            log.warning(
                "seed.outlet_differs",
                outlet_code=outlet.code,
                stored_id=str(stored.get(outlet.code)),
                demo_id=str(outlet.outlet_id),
                hint="an outlet with this code existed before the demo; demo tills will not match",
            )
