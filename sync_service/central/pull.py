"""Master data down to tills: pages of changes behind an opaque cursor.

Triggers write one ``change_log`` row per change. Every master writer holds one advisory lock
from its first master statement until its transaction ends (``models.MASTER_WRITE_LOCK``), so
``change_id`` grows in commit order and a page is simply the next ``change_id``s after the
cursor that this statement's snapshot can see. Why no change can be skipped, and why no other
transaction on the server can hold a pull back: docs/sync.md, "Pull". A new till's initial load
is the same walk from cursor ``0``, resumable after a kill.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from shared.gc_pause import cycle_collection_paused
from shared.protocol import (
    SENT_ON_REQUEST,
    CustomerV1,
    MasterChange,
    MasterEntity,
    OutletV1,
    PullPage,
    StaffV1,
)
from shared.purchase_wire import OPEN_STATUSES, PurchaseOrderLineV1, PurchaseOrderV1
from shared.wire import SHORT_TEXT_MAX, WireModel
from sync_service.central import models as m
from sync_service.central.tills import TillAuth

# "v2.<change_id>"; "v1.<txid>.<change_id>" from servers before migration 0005 is still read.
_CURSOR = re.compile(r"^(?:0|v2\.(\d{1,19})|v1\.(\d{1,19})\.(\d{1,19}))$")
_CHANGES = text(
    "SELECT change_id, entity, key, op FROM sgpos.change_log "
    "WHERE change_id > :after ORDER BY change_id LIMIT :limit"
)
# A v1 cursor promised every change up to (txid, change_id) in (txid, change_id) order; the
# first change it had not yet sent may have a smaller change_id, so resume just before that.
# Changes sent twice are harmless: a page carries each entity's current state.
_FROM_V1 = text(
    "SELECT coalesce(min(change_id) - 1, (SELECT coalesce(max(change_id), 0) "
    "FROM sgpos.change_log)) FROM sgpos.change_log WHERE (txid, change_id) > (:txid, :change_id)"
)


class BadCursor(ValueError):
    pass


def parse_cursor(cursor: str) -> tuple[int, int] | int:
    """The change id a cursor stands after, or a v1 cursor's (txid, change_id)."""
    match = _CURSOR.match(cursor)
    if match is None:
        raise BadCursor(f"{cursor[:40]!r} is not a cursor this server issued; start again from 0")
    if match[2]:
        return (int(match[2]), int(match[3]))
    return int(match[1] or 0)


# Entities a till is sent only when it asks for them (``/v1/pull?with=...``).
ON_REQUEST = frozenset(SENT_ON_REQUEST)
# Entities whose loader answers only for this till's outlet: a key it does not answer for
# (another outlet's) is left out of the page altogether, not sent as a delete, so a till
# never learns even the id of another outlet's customer.
OWN_OUTLET_ONLY = frozenset({MasterEntity.CUSTOMER})


def pull_page(
    engine: Engine,
    till: TillAuth,
    cursor: str,
    limit: int,
    extras: frozenset[MasterEntity] = frozenset(),
) -> PullPage:
    position = parse_cursor(cursor)
    # A page is thousands of rows, dicts and changes alive at once (see shared.gc_pause).
    with cycle_collection_paused(), engine.connect() as conn:
        if isinstance(position, tuple):
            txid, change_id = position
            position = int(conn.scalar(_FROM_V1, {"txid": txid, "change_id": change_id}))
        rows = conn.execute(_CHANGES, {"after": position, "limit": limit + 1}).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        # The latest state of each key, once, in the order its last change was made.
        last: dict[tuple[str, str], Any] = {}
        for row in rows:
            last.pop((row.entity, row.key), None)
            last[(row.entity, row.key)] = row
        skipped = {e.value for e in ON_REQUEST - extras}
        changes = _changes(conn, till, [k for k in last if k[0] not in skipped])
    if rows:
        next_cursor = f"v2.{rows[-1].change_id}"
    else:
        next_cursor = cursor if cursor == "0" else f"v2.{position}"
    return PullPage.model_construct(
        status="ok", cursor=cursor, next_cursor=next_cursor, has_more=has_more, changes=changes
    )


def _changes(conn: Connection, till: TillAuth, keys: list[tuple[str, str]]) -> list[MasterChange]:
    by_entity: dict[str, list[str]] = {}
    for entity, key in keys:
        by_entity.setdefault(entity, []).append(key)
    current: dict[tuple[str, str], dict[str, Any] | None] = {}
    hidden: set[tuple[str, str]] = set()
    for entity, loader in _LOADERS.items():
        wanted = by_entity.get(entity.value)
        if wanted:
            found = loader(conn, till, wanted)
            for key in wanted:
                if entity in OWN_OUTLET_ONLY and key not in found:
                    hidden.add((entity.value, key))
                current[(entity.value, key)] = found.get(key)
    out = []
    for entity, key in keys:
        data = current.get((entity, key))
        if entity == MasterEntity.OUTLET and key != str(till.outlet_id):
            continue  # another outlet's settings are none of this till's business
        if entity == MasterEntity.QUARANTINE_OUTCOME and data is None:
            continue  # another till's event: none of this till's business, not a delete
        if (entity, key) in hidden:
            continue
        # Built without re-validation: every value comes from our own constrained tables,
        # and the till validates each change against its model before applying it.
        out.append(
            MasterChange.model_construct(
                entity=MasterEntity(entity),
                key=key,
                op="delete" if data is None else "upsert",
                data=data,
            )
        )
    return out


def _uuids(keys: Sequence[str]) -> list[uuid.UUID]:
    return [uuid.UUID(k) for k in keys]


Data = dict[str, Any]


def _json(model: WireModel) -> Data:
    return model.model_dump(mode="json")


def _outlets(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    o = m.Outlet
    rows = conn.execute(select(o).where(o.outlet_id.in_(_uuids(keys)))).mappings()
    return {
        str(r["outlet_id"]): _json(
            OutletV1.model_validate({k: r[k] for k in OutletV1.model_fields}, strict=False)
        )
        for r in rows
    }


def _categories(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    c = m.Category
    rows = conn.execute(select(c.category_id, c.name).where(c.category_id.in_(_uuids(keys))))
    return {str(r.category_id): {"category_id": str(r.category_id), "name": r.name} for r in rows}


# Products and barcodes are the bulk of an initial load (5,000 of one or the other per page).
# One array parameter instead of an IN list of 5,000 bound UUIDs (which SQLAlchemy renders
# and psycopg2 quotes one by one), and every column already in its wire text (ids, and prices
# as numeric(14,2) text, which always has two decimals), so no UUID or Decimal per value.
_PRODUCTS = text(
    "SELECT product_id::text, sku, name, price::text, tax_code, category_id::text, weighed, "
    "active FROM sgpos.product WHERE product_id = ANY(CAST(:keys AS uuid[]))"
)
_PRODUCT_FIELDS = (
    "product_id",
    "sku",
    "name",
    "price",
    "tax_code",
    "category_id",
    "weighed",
    "active",
)
_BARCODES = text(
    "SELECT code, product_id::text FROM sgpos.barcode WHERE code = ANY(CAST(:keys AS text[]))"
)


def _products(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    # Plain dicts in ProductV1's wire form, no model per row.
    rows = conn.execute(_PRODUCTS, {"keys": list(keys)})
    return {r[0]: dict(zip(_PRODUCT_FIELDS, r, strict=True)) for r in rows}


def _barcodes(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    rows = conn.execute(_BARCODES, {"keys": list(keys)})
    return {code: {"code": code, "product_id": product_id} for code, product_id in rows}


def _staff(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    """Staff of this till's outlet; anyone else is sent as deleted so they cannot sign in."""
    s, so = m.Staff, m.StaffOutlet
    rows = conn.execute(
        select(s.staff_id, s.code, s.display_name, s.role, s.pin_hash, s.active)
        .join(so, so.staff_id == s.staff_id)
        .where(s.staff_id.in_(_uuids(keys)), so.outlet_id == till.outlet_id)
    )
    return {
        str(r.staff_id): _json(
            StaffV1(
                staff_id=r.staff_id,
                code=r.code,
                display_name=r.display_name,
                role=r.role,
                pin_hash=r.pin_hash,
                active=r.active,
                outlet_ids=[till.outlet_id],
            )
        )
        for r in rows
    }


def _promotions(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    """Promotions as stored; one for other outlets only is still sent (the engine checks
    its outlets), so that a till's copy is the whole table and equal to head office's."""
    p = m.Promotion
    wanted = p.promotion_id.in_(_uuids(keys))
    rows = conn.execute(select(p.promotion_id, p.definition).where(wanted))
    return {str(r.promotion_id): dict(r.definition) for r in rows}


def _purchase_orders(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    """Open orders (sent, partly received) of this till's outlet; any other is sent as
    deleted, so a till holds exactly the orders it may receive against."""
    po, s, line = m.PurchaseOrder, m.Supplier, m.PurchaseOrderLine
    sp = m.SupplierProduct
    orders = conn.execute(
        select(po.po_id, po.serial, po.status, po.outlet_id, po.sent_at, s.name)
        .join(s, s.supplier_id == po.supplier_id)
        .where(
            po.po_id.in_(_uuids(keys)),
            po.outlet_id == till.outlet_id,
            po.status.in_(OPEN_STATUSES),
        )
    ).all()
    if not orders:
        return {}
    lines: dict[uuid.UUID, list[PurchaseOrderLineV1]] = {}
    for r in conn.execute(
        select(
            line.po_id,
            line.po_line_id,
            line.product_id,
            sp.supplier_sku,
            line.pack_size,
            line.quantity,
            line.received,
            line.unit_cost,
        )
        .join(po, po.po_id == line.po_id)
        .outerjoin(sp, (sp.supplier_id == po.supplier_id) & (sp.product_id == line.product_id))
        .where(line.po_id.in_([o.po_id for o in orders]))
        .order_by(line.po_id, line.position)
    ):
        lines.setdefault(r.po_id, []).append(
            PurchaseOrderLineV1(
                po_line_id=r.po_line_id,
                product_id=r.product_id,
                supplier_sku=r.supplier_sku,
                pack_size=r.pack_size,
                ordered=r.quantity,
                received=r.received,
                unit_cost=r.unit_cost,
            )
        )
    return {
        str(o.po_id): _json(
            PurchaseOrderV1(
                po_id=o.po_id,
                number=f"PO-{o.serial:06d}",
                supplier=o.name,
                status=o.status,
                outlet_id=o.outlet_id,
                sent_at=o.sent_at,
                lines=lines.get(o.po_id, []),
            )
        )
        for o in orders
        if o.po_id in lines
    }


def _variants(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    v = m.ProductVariant
    rows = conn.execute(
        select(v.product_id, v.family, v.options, v.pack_of, v.pack_units).where(
            v.product_id.in_(_uuids(keys))
        )
    )
    return {
        str(r.product_id): {
            "product_id": str(r.product_id),
            "family": r.family,
            "options": dict(r.options),
            "pack_of": None if r.pack_of is None else str(r.pack_of),
            "pack_units": r.pack_units,
        }
        for r in rows
    }


def _voucher_batches(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    """Gift voucher series, with the serials voided so far (every outlet takes them)."""
    b, v = m.VoucherBatch, m.GiftVoucher
    rows = conn.execute(
        select(b.batch_id, b.prefix, b.count, b.face_value, b.expires_on).where(
            b.batch_id.in_(_uuids(keys))
        )
    ).all()
    voided: dict[uuid.UUID, list[str]] = {}
    for batch_id, serial in conn.execute(
        select(v.batch_id, v.serial)
        .where(v.batch_id.in_([r.batch_id for r in rows]), v.status == "void")
        .order_by(v.serial)
    ):
        voided.setdefault(batch_id, []).append(serial)
    return {
        str(r.batch_id): {
            "batch_id": str(r.batch_id),
            "prefix": r.prefix,
            "count": r.count,
            "face_value": f"{r.face_value:.2f}",
            "expires_on": r.expires_on.isoformat() if r.expires_on else None,
            "voided": voided.get(r.batch_id, []),
        }
        for r in rows
    }


# The latest decision per quarantined event of this till (head office's audit trail).
_OUTCOMES = text(
    "SELECT DISTINCT ON (q.event_id) q.event_id::text, q.event_id::text, q.epoch, q.seq, "
    "q.resolved_at, a.after "
    "FROM sgpos.quarantine q JOIN LATERAL (SELECT h.after FROM sgpos.ho_audit h "
    "WHERE h.table_name = 'quarantine' AND h.key = q.quarantine_id::text "
    "ORDER BY h.audit_id DESC LIMIT 1) a ON true "
    "WHERE q.event_id = ANY(CAST(:keys AS uuid[])) AND q.till_id = :till "
    "AND q.resolved_at IS NOT NULL ORDER BY q.event_id, q.resolved_at DESC"
)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _quarantine_outcomes(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data]:
    wanted = [k for k in keys if _is_uuid(k)]
    rows = conn.execute(_OUTCOMES, {"keys": wanted, "till": till.till_id})
    found = {}
    for key, event_id, epoch, seq, decided_at, after in rows:
        after = after or {}
        found[key] = {
            "event_id": event_id,
            "epoch": epoch,
            "seq": seq,
            "outcome": str(after.get("resolution", "discarded")),
            "reason": str(after.get("reason", ""))[:SHORT_TEXT_MAX],
            "receipt_no": after.get("receipt_no"),
            "decided_at": decided_at.isoformat(),
        }
    return found


def _customers(conn: Connection, till: TillAuth, keys: Sequence[str]) -> dict[str, Data | None]:
    """Customers of this till's outlet only; another outlet's are not answered for (left out
    of the page, see ``OWN_OUTLET_ONLY``). An erased customer is None: sent as a delete. The
    mobile goes only while the customer consents to be contacted (PDPA); the e-mail never."""
    c = m.Customer
    rows = conn.execute(
        select(*m.Customer.__table__.columns).where(
            c.customer_id.in_(_uuids(keys)), c.outlet_id == till.outlet_id
        )
    )
    out: dict[str, Data | None] = {}
    for r in rows:
        if r.anonymised_at is not None:
            out[str(r.customer_id)] = None
            continue
        contactable = r.consent_contact and r.withdrawn_at is None
        out[str(r.customer_id)] = _json(
            CustomerV1(
                customer_id=r.customer_id,
                name=r.name,
                phone=r.phone if contactable else None,
                member_no=r.member_no,
                consent_contact=contactable,
                consent_marketing=r.consent_marketing and contactable,
                consent_at=r.consent_at,
                withdrawn_at=r.withdrawn_at,
                consent_purpose=r.consent_purpose,
                consent_by=r.consent_by,
                company_name=r.company_name,
                uen=r.uen,
                address_lines=r.address_lines,
                gst_reg_no=r.gst_reg_no,
            )
        )
    return out


_Loader = Callable[[Connection, TillAuth, Sequence[str]], Mapping[str, Data | None]]
_LOADERS: dict[MasterEntity, _Loader]
_LOADERS = {
    MasterEntity.OUTLET: _outlets,
    MasterEntity.CATEGORY: _categories,
    MasterEntity.PRODUCT: _products,
    MasterEntity.BARCODE: _barcodes,
    MasterEntity.STAFF: _staff,
    MasterEntity.PROMOTION: _promotions,
    MasterEntity.PURCHASE_ORDER: _purchase_orders,
    MasterEntity.VARIANT: _variants,
    MasterEntity.VOUCHER_BATCH: _voucher_batches,
    MasterEntity.QUARANTINE_OUTCOME: _quarantine_outcomes,
    MasterEntity.CUSTOMER: _customers,
}
