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
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from psycopg2 import sql
from psycopg2.extras import Json, execute_values
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlalchemy.orm import InstrumentedAttribute

from shared.demo_catalogue import (
    DEMO_STAFF,
    DemoCatalogue,
    demo_catalogue,
    demo_outlet,
    demo_voucher_batch,
)
from shared.demo_promotions import demo_promotions
from shared.demo_variants import demo_variants
from shared.gift_vouchers import serial_of
from shared.gst import TaxCode
from shared.logs import get_logger
from shared.money import CENT, round_cents
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
    promotions: int = 0
    voucher_batches: int = 0
    suppliers: int = 0
    purchase_orders: int = 0
    variants: int = 0


def demo_members(outlet_id: uuid.UUID, seed: int = 7) -> list[dict[str, Any]]:
    """Orchard's demo members, as if enrolled at head office's counter: member numbers
    ``M-ORC-HO-NNNNN`` (no till is coded HO, so a till's own numbers never collide), consent
    recorded, the first a business customer with what a full tax invoice needs."""
    consent_at = datetime(2025, 1, 2, 10, 0, tzinfo=UTC)
    people = (
        ("Lim Ah Kow", "+6591234567", "Lim Trading Pte Ltd", True),
        ("Siti Nurhaliza", "+6581234567", None, True),
        ("Rajesh Kumar", "+6590001234", None, False),
    )
    return [
        {
            "customer_id": uuid.uuid5(
                uuid.NAMESPACE_URL, f"https://sg-pos.invalid/demo/{seed}/member/{n}"
            ),
            "outlet_id": outlet_id,
            "member_no": f"M-ORC-HO-{n:05d}",
            "name": name,
            "phone": phone,
            "email": None,
            "consent_contact": True,
            "consent_marketing": marketing,
            "consent_at": consent_at,
            "consent_purpose": "membership: identify the member at the till, keep their points "
            "and receipts",
            "company_name": company,
            "uen": "201912345K" if company else None,
            "address_lines": ["8 Shenton Way #30-01", "Singapore 068811"] if company else None,
            "gst_reg_no": "201912345K" if company else None,
        }
        for n, (name, phone, company, marketing) in enumerate(people, start=1)
    ]


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


def seed_demo(
    engine: Engine,
    *,
    products: int = DEFAULT_PRODUCTS,
    seed: int = 7,
    promotions: bool = False,
    variants: bool = False,
) -> SeedReport:
    """Company, outlets ORC and TPY, the demo staff at both, and ``products`` products;
    with ``promotions``, the demo promotions of every kind (shared/demo_promotions.py); with
    ``variants``, the demo's product families and cartons (shared/demo_variants.py)."""
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
            conn,
            m.Outlet,
            [
                {
                    **o.model_dump(),
                    "loyalty": o.model_dump(mode="json")["loyalty"],
                    "company_id": DEMO_COMPANY_ID,
                }
                for o in outlets
            ],
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
        added_promotions = 0
        if promotions:
            added_promotions = _add(
                conn,
                m.Promotion,
                [
                    {
                        "promotion_id": p.promotion_id,
                        "name": p.name,
                        "kind": p.kind,
                        "starts_at": p.starts_at,
                        "ends_at": p.ends_at,
                        "active": p.active,
                        "definition": p.model_dump(mode="json"),
                    }
                    for p in demo_promotions(catalogue, seed)
                ],
            )
        added_variants = 0
        if variants:
            demo = demo_variants(seed)
            _add(conn, m.Product, [p.model_dump() for p in demo.products])
            known = _present(conn, m.Product.product_id, [p.product_id for p in demo.products])
            _add(conn, m.Barcode, [b.model_dump() for b in demo.barcodes if b.product_id in known])
            added_variants = _add(
                conn,
                m.ProductVariant,
                [
                    v.model_dump()
                    for v in demo.variants
                    if v.product_id in known and (v.pack_of is None or v.pack_of in known)
                ],
            )
        if "ORC" in outlet_ids:
            _add(conn, m.Customer, demo_members(outlet_ids["ORC"], seed))
        vouchers = demo_voucher_batch()
        added_vouchers = _add(
            conn,
            m.VoucherBatch,
            [
                {
                    "batch_id": vouchers.batch_id,
                    "prefix": vouchers.prefix,
                    "count": vouchers.count,
                    "face_value": vouchers.face_value,
                    "expires_on": vouchers.expires_on,
                    "note": "Demo gift vouchers",
                }
            ],
        )
        _add(
            conn,
            m.GiftVoucher,
            [
                {"serial": serial_of(vouchers.prefix, n), "batch_id": vouchers.batch_id}
                for n in range(1, vouchers.count + 1)
            ],
        )
        added_suppliers, added_orders = _seed_purchasing(
            conn, catalogue, outlet_ids, known_products
        )
    report = SeedReport(
        outlets=added_outlets,
        categories=added_categories,
        products=added_products,
        barcodes=added_barcodes,
        staff=added_staff,
        outlet_ids=outlet_ids,
        promotions=added_promotions,
        voucher_batches=added_vouchers,
        suppliers=added_suppliers,
        purchase_orders=added_orders,
        variants=added_variants,
    )
    log.info("central.seeded", **{k: v for k, v in vars(report).items() if k != "outlet_ids"})
    return report


# The demo's suppliers: name, UEN, contact, payment terms (days).
DEMO_SUPPLIERS = (
    ("Tan Brothers Trading Pte Ltd", "201912345K", "Mr Tan, 6123 4567", 30),
    ("Lim & Sons Wholesale", "53012345D", "Ms Lim, orders@limsons.invalid", 45),
    ("Sunrise Provisions LLP", "T09LL0001B", "Accounts, 6789 0123", 14),
)
DEMO_PACKS = (Decimal(24), Decimal(12), Decimal(6))
_SUPPLIED = 30  # the first products (not weighed) each come from one demo supplier


def _demo_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(DEMO_COMPANY_ID, "/".join(str(p) for p in parts))


def _seed_purchasing(
    conn: Connection,
    catalogue: DemoCatalogue,
    outlet_ids: dict[str, uuid.UUID],
    known_products: set[uuid.UUID],
) -> tuple[int, int]:
    """Three suppliers, what each sells (supplier SKU, pack, last cost at about 55% of the
    shelf price before GST), reorder rules at every demo outlet, and three orders: one sent to
    each outlet (their tills receive against them) and a draft at Orchard. Fixed ids, so a
    second run adds nothing; the suppliers and orders added."""
    suppliers = [_demo_id("supplier", name) for name, *_ in DEMO_SUPPLIERS]
    added = _add(
        conn,
        m.Supplier,
        [
            {
                "supplier_id": sid,
                "name": name,
                "uen": uen,
                "contact": contact,
                "payment_terms_days": terms,
                "active": True,
            }
            for sid, (name, uen, contact, terms) in zip(suppliers, DEMO_SUPPLIERS, strict=True)
        ],
    )
    supplied = [p for p in catalogue.products if not p.weighed and p.product_id in known_products][
        :_SUPPLIED
    ]
    links = [
        {
            "supplier_id": suppliers[i % 3],
            "product_id": p.product_id,
            "supplier_sku": f"{'TLS'[i % 3]}{i + 1:04d}",
            "pack_size": DEMO_PACKS[i % 3],
            "last_cost": max(round_cents(p.price * Decimal("0.55") / Decimal("1.09")), CENT),
        }
        for i, p in enumerate(supplied)
    ]
    _add(conn, m.SupplierProduct, links)
    _add(
        conn,
        m.ReorderRule,
        [
            {
                "outlet_id": outlet_id,
                "product_id": p.product_id,
                "reorder_point": Decimal(12),
                "reorder_level": Decimal(48),
            }
            for outlet_id in outlet_ids.values()
            for p in supplied
        ],
    )
    plans = [("ORC", 0, "sent"), ("TPY", 1, "sent"), ("ORC", 2, "draft")]
    orders = 0
    serial = int(conn.scalar(select(func.coalesce(func.max(m.PurchaseOrder.serial), 0))) or 0)
    for n, (code, which, status) in enumerate(plans):
        po_id = _demo_id("purchase order", n)
        lines = [link for link in links if link["supplier_id"] == suppliers[which]][:3]
        if code not in outlet_ids or not lines:
            continue
        if conn.scalar(select(m.PurchaseOrder.po_id).where(m.PurchaseOrder.po_id == po_id)):
            continue
        serial += 1
        orders += _add(
            conn,
            m.PurchaseOrder,
            [
                {
                    "po_id": po_id,
                    "serial": serial,
                    "supplier_id": suppliers[which],
                    "outlet_id": outlet_ids[code],
                    "status": status,
                    "note": "demo order",
                    "created_by": ACTOR,
                    "sent_at": datetime.now(UTC) if status == "sent" else None,
                }
            ],
        )
        _add(
            conn,
            m.PurchaseOrderLine,
            [
                {
                    "po_line_id": _demo_id("purchase order line", n, i),
                    "po_id": po_id,
                    "position": i + 1,
                    "product_id": line["product_id"],
                    "quantity": 2 * cast(Decimal, line["pack_size"]),
                    "pack_size": line["pack_size"],
                    "unit_cost": line["last_cost"],
                }
                for i, line in enumerate(lines)
            ],
        )
    return added, orders


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
