"""Forging events as a hostile till would: its own genuine events with other tills' facts in.

``fresh`` turns one of the attacker's genuine events into a new event of its own that would be
applied (new ids, a receipt number of its own never used); ``naming`` then puts one of the
victim's facts into one field. Payloads stay valid for their kind, so what refuses them is the
trust boundary, not schema validation.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from typing import Any

from shared.protocol import Event, EventKind
from tests.security.world import World

# Per kind, the fields holding ids that the event itself mints (fresh ones make a new fact).
MINTED = {
    EventKind.SALE_COMPLETED: ("sale_id",),
    EventKind.REFUND_COMPLETED: ("refund_id",),
    EventKind.SHIFT_OPENED: ("shift_id",),
    EventKind.SHIFT_CLOSED: ("shift_id",),
    EventKind.CASH_MOVED: ("movement_id",),
    EventKind.STOCK_RECEIVED: ("movement_id",),
    EventKind.STOCK_ADJUSTED: ("movement_id",),
    EventKind.CUSTOMER_UPSERTED: ("customer_id",),
}
FORGEABLE = tuple(MINTED)


def template(world: World, kind: EventKind) -> Event:
    """The attacker's own first genuine event of ``kind``."""
    return next(e for e in world.attacker_events if e.kind == kind)


def fresh(world: World, kind: EventKind) -> dict[str, Any]:
    """A payload of ``kind`` the attacker may send: a new fact of its own."""
    payload = copy.deepcopy(template(world, kind).payload)
    for key in MINTED.get(kind, ()):
        payload[key] = str(uuid.uuid4())
    if kind in (EventKind.SALE_COMPLETED, EventKind.REFUND_COMPLETED):
        payload["receipt_no"] = world.own_receipt()
    if kind == EventKind.SALE_COMPLETED:
        for line in payload["lines"]:
            line["line_id"] = str(uuid.uuid4())
    return payload


def put(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``payload`` with ``path`` (``lines.0.line_id``) set to ``value`` (a copy)."""
    changed = copy.deepcopy(payload)
    *parents, last = path.split(".")
    node: Any = changed
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[last] = str(value) if isinstance(value, uuid.UUID) else value
    return changed


def field_name(path: str) -> str:
    """The field as the server names it: ``lines.0.line_id`` is ``lines[0].line_id``."""
    return ".".join(f"[{p}]" if p.isdigit() else p for p in path.split(".")).replace(".[", "[")


# What a hostile till can name of the victim's, per (kind, path): a chooser over Known.
Pick = Callable[[World], list[Any]]
VICTIM_FIELDS: dict[tuple[EventKind, str], Pick] = {
    (EventKind.SALE_COMPLETED, "receipt_no"): lambda w: w.known.receipts + next_receipts(w),
    (EventKind.SALE_COMPLETED, "sale_id"): lambda w: w.known.sale_ids + w.known.refund_ids,
    (EventKind.SALE_COMPLETED, "shift_id"): lambda w: w.known.shift_ids,
    (EventKind.SALE_COMPLETED, "lines.0.line_id"): lambda w: w.known.line_ids,
    (EventKind.SALE_COMPLETED, "customer_id"): lambda w: w.known.customer_ids,
    (EventKind.REFUND_COMPLETED, "receipt_no"): lambda w: w.known.receipts + next_receipts(w),
    (EventKind.REFUND_COMPLETED, "refund_id"): lambda w: w.known.refund_ids + w.known.sale_ids,
    (EventKind.REFUND_COMPLETED, "shift_id"): lambda w: w.known.shift_ids,
    (EventKind.REFUND_COMPLETED, "original_sale_id"): lambda w: w.known.sale_ids,
    (EventKind.REFUND_COMPLETED, "original_receipt_no"): lambda w: w.known.receipts,
    (EventKind.REFUND_COMPLETED, "lines.0.line_id"): lambda w: w.known.line_ids,
    (EventKind.SHIFT_OPENED, "shift_id"): lambda w: w.known.shift_ids,
    (EventKind.SHIFT_CLOSED, "shift_id"): lambda w: w.known.shift_ids,
    (EventKind.CASH_MOVED, "movement_id"): lambda w: w.known.cash_ids,
    (EventKind.CASH_MOVED, "shift_id"): lambda w: w.known.shift_ids,
    (EventKind.STOCK_RECEIVED, "movement_id"): lambda w: w.known.stock_ids,
    (EventKind.STOCK_ADJUSTED, "movement_id"): lambda w: w.known.stock_ids,
    (EventKind.CUSTOMER_UPSERTED, "customer_id"): lambda w: w.known.customer_ids,
    (EventKind.AUDIT_RECORDED, "till_id"): lambda w: [w.victim.auth.till_id],
}


def next_receipts(world: World) -> list[str]:
    """Receipt numbers that are not the attacker's: the victim's next ones (squatting), another
    till's at the attacker's own outlet, the attacker's till code at the victim's outlet, and
    the attacker's own written other than exactly as its till prints them."""
    v, a = world.victim.auth, world.attacker.auth
    used = len(world.known.receipts)
    theirs = [f"{v.outlet_code}-{v.till_code}-{n:06d}" for n in range(used, used + 5)]
    return [
        *theirs,
        f"{a.outlet_code}-T01-{700_001:06d}",
        f"{v.outlet_code}-{a.till_code}-{700_002:06d}",
        f"{a.outlet_code}-{a.till_code}-{700_003:06d}".lower(),
        f"{a.outlet_code}-{a.till_code}-0{700_004:06d}",
        f"{a.outlet_code} - {a.till_code} - {700_005:06d}",
        f"{a.outlet_code}-{a.till_code}-000000",
        f"{a.outlet_code}{a.till_code}{700_006:06d}",
    ]
