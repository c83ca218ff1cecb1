"""Master data down to tills: pages of changes behind an opaque cursor.

Triggers write one ``change_log`` row per change, stamped with the writing transaction's id.
A page returns only rows of transactions older than every transaction still running
(``txid < pg_snapshot_xmin(pg_current_snapshot())``), in ``(txid, change_id)`` order. A
transaction that commits late therefore holds back every change after it instead of being
skipped by a cursor that has already moved past its ``change_id``; a transaction that has not
yet written gets a transaction id above anything already returned. A new till's initial load is
the same walk from cursor ``0``, resumable after a kill.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, select, text

from shared.gc_pause import cycle_collection_paused
from shared.logs import get_logger
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

_CURSOR = re.compile(r"^(?:0|v1\.(\d{1,19})\.(\d{1,19}))$")
_CHANGES = text(
    "SELECT change_id, txid, entity, key, op FROM sgpos.change_log "
    "WHERE (txid, change_id) > (:txid, :change_id) "
    "AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
    "ORDER BY txid, change_id LIMIT :limit"
)


# Changes after the cursor that exist but are not yet safe to send (see the module docstring).
_HELD_BACK = text(
    "SELECT count(*) FROM sgpos.change_log "
    "WHERE (txid, change_id) > (:txid, :change_id) "
    "AND txid >= pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
)
log = get_logger("sgpos.pull")


class BadCursor(ValueError):
    pass


def parse_cursor(cursor: str) -> tuple[int, int]:
    match = _CURSOR.match(cursor)
    if match is None:
        raise BadCursor(f"{cursor[:40]!r} is not a cursor this server issued; start again from 0")
    return (int(match[1]), int(match[2])) if match[1] else (0, 0)


def pull_page(engine: Engine, till: TillAuth, cursor: str, limit: int) -> PullPage:
    txid, change_id = parse_cursor(cursor)
    # A page is thousands of rows, dicts and changes alive at once (see shared.gc_pause).
    with cycle_collection_paused(), engine.connect() as conn:
        rows = conn.execute(
            _CHANGES, {"txid": txid, "change_id": change_id, "limit": limit + 1}
        ).all()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if not has_more:
            # Not "up to date" while changes wait behind a transaction still running anywhere
            # on the server: the till must keep asking, and head office should know.
            after = (rows[-1].txid, rows[-1].change_id) if rows else (txid, change_id)
            held = conn.execute(_HELD_BACK, {"txid": after[0], "change_id": after[1]}).scalar()
            if held:
                has_more = True
                log.warning("pull.held_back", till_id=str(till.till_id), changes=held)
        # The latest state of each key, once, in the order its last change was made.
        last: dict[tuple[str, str], Any] = {}
        for row in rows:
            last.pop((row.entity, row.key), None)
            last[(row.entity, row.key)] = row
        changes = _changes(conn, till, list(last))
    next_cursor = f"v1.{rows[-1].txid}.{rows[-1].change_id}" if rows else cursor
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
