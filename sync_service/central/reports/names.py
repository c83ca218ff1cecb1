"""Names for the ids that audit records and stock movements carry: a staff member, product,
sale, sale line, refund, shift, till or outlet becomes its name or receipt number, with a link
to its page where the dashboard has one.

Everything is looked up in one round of queries per page. A sale, refund, shift or till of an
outlet outside the viewer's scope is left as it is (never named, never linked), so naming
cannot tell an outlet manager anything about another outlet.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from shared.gst import SINGAPORE
from sync_service.central.reports.common import Scope

_HEX = "[0-9a-fA-F]"
_UUID = re.compile(rf"^({_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}})")


@dataclass(frozen=True)
class Named:
    kind: str  # staff | product | sale | sale line | refund | shift | till | outlet
    label: str
    link: str | None


def ids_in(values: Iterable[Any]) -> set[uuid.UUID]:
    """Every id at the start of a text value (``<refund id>:2`` included), looking into
    dictionaries and lists."""
    found: set[uuid.UUID] = set()
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, uuid.UUID):
            found.add(value)
        elif isinstance(value, str) and (match := _UUID.match(value)):
            found.add(uuid.UUID(match.group(1)))
    return found


def key_of(value: Any) -> str | None:
    """The id a value names (as text, lower case), for looking it up in ``names``."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str) and (match := _UUID.match(value)):
        return match.group(1).lower()
    return None


def names(conn: Connection, scope: Scope, ids: Iterable[uuid.UUID]) -> dict[str, Named]:
    """What each id is, keyed by its text form; ids that are nothing known are left out."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    found: dict[str, Named] = {}
    params: dict[str, Any] = {
        "ids": wanted,
        "every": scope.outlet_ids is None,
        "outlets": sorted(scope.outlet_ids or ()),
    }

    def lookup(sql: str, make: Any) -> None:
        for row in conn.execute(text(sql), params):
            found.setdefault(str(row[0]), make(*row))

    lookup(
        "SELECT staff_id, display_name, code FROM sgpos.staff WHERE staff_id = ANY(:ids)",
        lambda i, name, code: Named("staff", f"{name} ({code})", f"/ho/staff/{i}"),
    )
    lookup(
        "SELECT product_id, name, sku FROM sgpos.product WHERE product_id = ANY(:ids)",
        lambda i, name, sku: Named("product", f"{name} ({sku})", f"/ho/catalogue/products/{i}"),
    )
    lookup(
        "SELECT sale_id, receipt_no FROM sgpos.sale WHERE sale_id = ANY(:ids) "
        "AND (:every OR outlet_id = ANY(:outlets))",
        lambda i, no: Named("sale", f"sale {no}", f"/ho/sales/{i}"),
    )
    lookup(
        "SELECT l.line_id, s.receipt_no, s.sale_id, l.name FROM sgpos.sale_line l "
        "JOIN sgpos.sale s ON s.sale_id = l.sale_id WHERE l.line_id = ANY(:ids) "
        "AND (:every OR s.outlet_id = ANY(:outlets))",
        lambda i, no, sale, name: Named("sale line", f"{name} on {no}", f"/ho/sales/{sale}"),
    )
    lookup(
        "SELECT refund_id, receipt_no, original_sale_id, is_void FROM sgpos.refund "
        "WHERE refund_id = ANY(:ids) AND (:every OR outlet_id = ANY(:outlets))",
        lambda i, no, sale, void: Named(
            "refund",
            f"{'void' if void else 'refund'} {no}",
            f"/ho/sales/{sale}" if sale else None,
        ),
    )
    lookup(
        "SELECT sh.shift_id, o.code || '-' || t.code, sh.opened_at, sh.till_id "
        "FROM sgpos.shift sh JOIN sgpos.till t ON t.till_id = sh.till_id "
        "JOIN sgpos.outlet o ON o.outlet_id = sh.outlet_id WHERE sh.shift_id = ANY(:ids) "
        "AND (:every OR sh.outlet_id = ANY(:outlets))",
        _shift,
    )
    lookup(
        "SELECT t.till_id, o.code || '-' || t.code FROM sgpos.till t "
        "JOIN sgpos.outlet o ON o.outlet_id = t.outlet_id WHERE t.till_id = ANY(:ids) "
        "AND (:every OR t.outlet_id = ANY(:outlets))",
        lambda i, code: Named("till", f"till {code}", f"/ho/sales?till={i}"),
    )
    lookup(
        "SELECT outlet_id, code || ' · ' || name FROM sgpos.outlet WHERE outlet_id = ANY(:ids) "
        "AND (:every OR outlet_id = ANY(:outlets))",
        lambda i, label: Named("outlet", label, f"/ho/sales?outlet={i}"),
    )
    return found


def _shift(shift_id: uuid.UUID, till: str, opened_at: Any, till_id: uuid.UUID) -> Named:
    if opened_at is None:
        return Named("shift", f"shift on {till}", f"/ho/shifts?till={till_id}")
    day = opened_at.astimezone(SINGAPORE).date().isoformat()
    opened = opened_at.astimezone(SINGAPORE).strftime("%Y-%m-%d %H:%M")
    link = f"/ho/shifts?till={till_id}&from={day}&to={day}"
    return Named("shift", f"shift on {till} opened {opened}", link)


def receipts(conn: Connection, scope: Scope, numbers: Iterable[str]) -> dict[str, Named]:
    """Sales and refunds by receipt number (as till audit records name them), in scope."""
    wanted = sorted({n for n in numbers if n and key_of(n) is None and len(n) <= 40})
    if not wanted:
        return {}
    params: dict[str, Any] = {
        "numbers": wanted,
        "every": scope.outlet_ids is None,
        "outlets": sorted(scope.outlet_ids or ()),
    }
    found: dict[str, Named] = {}
    for no, sale_id in conn.execute(
        text(
            "SELECT receipt_no, sale_id FROM sgpos.sale WHERE receipt_no = ANY(:numbers) "
            "AND (:every OR outlet_id = ANY(:outlets))"
        ),
        params,
    ):
        found[no] = Named("sale", f"sale {no}", f"/ho/sales/{sale_id}")
    for no, sale_id, void in conn.execute(
        text(
            "SELECT receipt_no, original_sale_id, is_void FROM sgpos.refund "
            "WHERE receipt_no = ANY(:numbers) AND (:every OR outlet_id = ANY(:outlets))"
        ),
        params,
    ):
        link = f"/ho/sales/{sale_id}" if sale_id else None
        found[no] = Named("refund", f"{'void' if void else 'refund'} {no}", link)
    return found
