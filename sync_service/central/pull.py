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
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from shared.gc_pause import cycle_collection_paused
from shared.protocol import (
    MasterChange,
    MasterEntity,
    OutletV1,
    PullPage,
    StaffV1,
)
from shared.wire import WireModel
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


def pull_page(engine: Engine, till: TillAuth, cursor: str, limit: int) -> PullPage:
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
        changes = _changes(conn, till, list(last))
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
    for entity, loader in _LOADERS.items():
        wanted = by_entity.get(entity.value)
        if wanted:
            found = loader(conn, till, wanted)
            for key in wanted:
                current[(entity.value, key)] = found.get(key)
    out = []
    for entity, key in keys:
        data = current.get((entity, key))
        if entity == MasterEntity.OUTLET and key != str(till.outlet_id):
            continue  # another outlet's settings are none of this till's business
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


_LOADERS: dict[MasterEntity, Callable[[Connection, TillAuth, Sequence[str]], dict[str, Data]]]
_LOADERS = {
    MasterEntity.OUTLET: _outlets,
    MasterEntity.CATEGORY: _categories,
    MasterEntity.PRODUCT: _products,
    MasterEntity.BARCODE: _barcodes,
    MasterEntity.STAFF: _staff,
}
