"""Bulk import of products from CSV: check every row, then write all of them or none.

Columns: ``sku``, ``name``, ``price``, ``tax_code`` (required); ``barcode`` (one or more,
separated by spaces or semicolons), ``category`` (by name; a new name creates the category),
``active`` and ``weighed`` (yes/no), ``effective_from`` (Singapore time; empty means now),
``cost_price`` (dollars excluding GST: what the product is costed at before an outlet receives
it with a cost, docs/stock.md).

A row whose SKU exists updates that product; a blank optional cell leaves that field as it is.
A new product's first price starts at once, so ``effective_from`` is for existing products.
Barcodes are only ever added. A price equal to the current one, starting now, is not a change.
The import is atomic: one transaction, in which the same checks as the dry run are made again
against what is stored at that moment; any rejected row means nothing is written, so a file
can be fixed and sent again without thinking about which half went in.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.logs import get_logger
from sync_service.central.admin import fields
from sync_service.central.admin.csv_import import (
    CsvRow,
    ImportReport,
    Problems,
    read_csv,
    run_import,
)
from sync_service.central.admin.edits import AdminError, FieldError
from sync_service.central.admin.prices import effective_moment
from sync_service.central.models import Barcode, Category, HeadOfficeAudit, Price, Product

log = get_logger("sgpos.admin.import")
REQUIRED = ("sku", "name", "price", "tax_code")
OPTIONAL = ("barcode", "category", "active", "weighed", "effective_from", "cost_price")
_CHUNK = 5000


@dataclass(frozen=True)
class ProductLine:
    row: int
    sku: str
    name: str
    price: Decimal
    tax_code: str
    category: str | None
    barcodes: tuple[str, ...]
    active: bool | None  # None: leave as it is (a new product is active)
    weighed: bool | None
    start: datetime
    cost_price: Decimal | None  # None: leave as it is (a new product has none)


@dataclass
class ProductPlan:
    lines: list[ProductLine] = field(default_factory=list)
    existing: dict[str, Any] = field(default_factory=dict)  # sku -> stored product row
    categories: dict[str, uuid.UUID] = field(default_factory=dict)  # lower(name) -> id
    new_categories: dict[str, str] = field(default_factory=dict)  # lower(name) -> as written
    held_barcodes: dict[str, str] = field(default_factory=dict)  # barcode -> sku holding it
    problems: Problems = field(default_factory=Problems)


def import_products(
    engine: Engine, actor: str, data: bytes, *, now: datetime, dry_run: bool
) -> ImportReport:
    rows = read_csv(data, required=REQUIRED, optional=OPTIONAL)
    report = run_import(
        engine,
        actor,
        check=lambda conn: check_products(conn, rows, now),
        apply=lambda conn, plan: _apply(conn, actor, plan, now),
        report=lambda plan, applied: _report(rows, plan, now, applied=applied),
        dry_run=dry_run,
    )
    if report.applied:
        log.info(
            "products.imported",
            rows=report.rows,
            created=report.created,
            updated=report.updated,
        )
    return report


def check_products(conn: Connection, rows: Sequence[CsvRow], now: datetime) -> ProductPlan:
    plan = ProductPlan()
    first_row_of_sku: dict[str, int] = {}
    first_row_of_barcode: dict[str, tuple[int, str]] = {}
    for row in rows:
        line = _parse(row, now, plan.problems)
        if line is None:
            continue
        if line.sku in first_row_of_sku:
            plan.problems.add(
                row.number, "sku", f"{line.sku} is also on row {first_row_of_sku[line.sku]}"
            )
            continue
        first_row_of_sku[line.sku] = row.number
        duplicate = False
        for code in line.barcodes:
            seen = first_row_of_barcode.get(code)
            if seen is not None:
                plan.problems.add(row.number, "barcode", f"{code} is also on row {seen[0]}")
                duplicate = True
            else:
                first_row_of_barcode[code] = (row.number, line.sku)
        if not duplicate:
            plan.lines.append(line)
    plan.existing = _existing_products(conn, list(first_row_of_sku))
    for line in plan.lines:
        if line.start > now and line.sku not in plan.existing:
            plan.problems.add(
                line.row,
                "effective_from",
                "a new product's first price starts now: leave this empty, and schedule "
                "later prices once the product exists",
            )
    plan.held_barcodes = _barcode_holders(conn, list(first_row_of_barcode))
    for code, (number, sku) in first_row_of_barcode.items():
        holder = plan.held_barcodes.get(code)
        if holder is not None and holder != sku:
            plan.problems.add(number, "barcode", f"{code} is already used by product {holder}")
    _plan_categories(conn, plan)
    bad = plan.problems.rows
    plan.lines = [line for line in plan.lines if line.row not in bad]
    return plan


def _parse(row: CsvRow, now: datetime, problems: Problems) -> ProductLine | None:
    cells = row.cells
    row.check_shape(problems)
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("sku", lambda: fields.name("sku", cells.get("sku"))),
        ("name", lambda: fields.name("name", cells.get("name"))),
        ("price", lambda: fields.price("price", cells.get("price"))),
        ("tax_code", lambda: fields.tax_code("tax_code", cells.get("tax_code"))),
        ("category", lambda: fields.optional_name("category", cells.get("category"))),
        ("barcodes", lambda: tuple(fields.barcodes("barcode", cells.get("barcode")))),
        ("active", lambda: _optional_flag("active", cells.get("active"))),
        ("weighed", lambda: _optional_flag("weighed", cells.get("weighed"))),
        ("start", lambda: _start(cells.get("effective_from"), now)),
        ("cost_price", lambda: _optional_price("cost price", cells.get("cost_price"))),
    ]
    failed = False
    for key, check in checks:
        try:
            values[key] = check()
        except FieldError as error:
            problems.from_error(row.number, error)
            failed = True
    if failed or row.extra_cells:
        return None
    return ProductLine(row=row.number, **values)


def _optional_flag(column: str, value: str | None) -> bool | None:
    if not (value or "").strip():
        return None
    return fields.flag(column, value, default=True)


def _optional_price(column: str, value: str | None) -> Decimal | None:
    if not (value or "").strip():
        return None
    return fields.price(column, value)


def _start(value: str | None, now: datetime) -> datetime:
    when = fields.moment("effective_from", value)
    try:
        return effective_moment(when, now)
    except AdminError as exc:
        raise FieldError("effective_from", str(exc)) from None


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _existing_products(conn: Connection, skus: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(skus):
        for row in conn.execute(
            select(
                Product.product_id,
                Product.sku,
                Product.name,
                Product.price,
                Product.tax_code,
                Product.category_id,
                Product.active,
                Product.weighed,
                Product.cost_price,
            ).where(Product.sku.in_(chunk))
        ):
            found[row.sku] = row
    return found


def _barcode_holders(conn: Connection, codes: Sequence[str]) -> dict[str, str]:
    holders: dict[str, str] = {}
    for chunk in _chunks(codes):
        for code, sku in conn.execute(
            select(Barcode.code, Product.sku)
            .join(Product, Product.product_id == Barcode.product_id)
            .where(Barcode.code.in_(chunk))
        ).tuples():
            holders[code] = sku
    return holders


def _plan_categories(conn: Connection, plan: ProductPlan) -> None:
    for category_id, name in conn.execute(select(Category.category_id, Category.name)).tuples():
        plan.categories.setdefault(name.lower(), category_id)
    for line in plan.lines:
        if line.category and line.category.lower() not in plan.categories:
            plan.new_categories.setdefault(line.category.lower(), line.category)


def _apply(conn: Connection, actor: str, plan: ProductPlan, now: datetime) -> None:
    for key, name in plan.new_categories.items():
        plan.categories[key] = uuid.uuid4()
        conn.execute(insert(Category).values(category_id=plan.categories[key], name=name))
    new_rows, changed_rows, prices, barcodes = [], [], [], []
    for line in plan.lines:
        stored = plan.existing.get(line.sku)
        product_id = stored.product_id if stored is not None else uuid.uuid4()
        category_id = plan.categories[line.category.lower()] if line.category else None
        due = line.start <= now
        row = {
            "pid": product_id,
            "name": line.name,
            "tax_code": line.tax_code,
            "category_id": category_id if line.category or stored is None else stored.category_id,
            "active": _keep(line.active, stored, "active", default=True),
            "weighed": _keep(line.weighed, stored, "weighed", default=False),
            "cost_price": line.cost_price
            if line.cost_price is not None or stored is None
            else stored.cost_price,
        }
        if stored is None:
            new_rows.append({**row, "sku": line.sku, "price": line.price})
        else:
            row["price"] = line.price if due else stored.price
            changed_rows.append(row)
        if stored is None or not due or stored.price != line.price:
            prices.append((product_id, line.start, line.price))
        barcodes += [
            {"code": code, "product_id": product_id}
            for code in line.barcodes
            if code not in plan.held_barcodes
        ]
    if new_rows:
        conn.execute(
            insert(Product),
            [
                {
                    "product_id": r["pid"],
                    "sku": r["sku"],
                    "name": r["name"],
                    "price": r["price"],
                    "tax_code": r["tax_code"],
                    "category_id": r["category_id"],
                    "active": r["active"],
                    "weighed": r["weighed"],
                    "cost_price": r["cost_price"],
                }
                for r in new_rows
            ],
        )
    if changed_rows:
        conn.execute(
            update(Product)
            .where(Product.product_id == bindparam("pid"))
            .values(
                name=bindparam("name"),
                tax_code=bindparam("tax_code"),
                category_id=bindparam("category_id"),
                active=bindparam("active"),
                weighed=bindparam("weighed"),
                price=bindparam("price"),
                cost_price=bindparam("cost_price"),
            ),
            changed_rows,
        )
    _add_prices(conn, actor, prices)
    if barcodes:
        conn.execute(insert(Barcode), barcodes)


def _keep(value: bool | None, stored: Any, column: str, *, default: bool) -> bool:
    if value is not None:
        return value
    return bool(getattr(stored, column)) if stored is not None else default


def _add_prices(
    conn: Connection, actor: str, prices: list[tuple[uuid.UUID, datetime, Decimal]]
) -> None:
    """Price rows and their audit rows in two statements, however many there are."""
    if not prices:
        return
    statement = pg_insert(Price)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[Price.product_id, Price.effective_from],
            set_={"price": statement.excluded.price, "created_by": statement.excluded.created_by},
        ),
        [
            {"product_id": p, "effective_from": start, "price": amount, "created_by": actor[:120]}
            for p, start, amount in prices
        ],
    )
    conn.execute(
        insert(HeadOfficeAudit),
        [
            {
                "table_name": "price",
                "key": f"{p}@{start.isoformat()}",
                "op": "insert",
                "before": None,
                "after": {"price": f"{amount:.2f}", "effective_from": start.isoformat()},
                "changed_by": actor[:120],
            }
            for p, start, amount in prices
        ],
    )


def _report(
    rows: Sequence[CsvRow], plan: ProductPlan, now: datetime, *, applied: bool
) -> ImportReport:
    bad = plan.problems.rows
    good = [line for line in plan.lines if line.row not in bad]
    updated = sum(1 for line in good if line.sku in plan.existing)
    scheduled = sum(1 for line in good if line.start > now)
    notes = []
    if plan.new_categories:
        notes.append("new categories: " + ", ".join(sorted(plan.new_categories.values())))
    if scheduled:
        notes.append(f"{scheduled} price(s) start later, on their effective date-time")
    return ImportReport(
        rows=len(rows),
        problems=tuple(sorted(plan.problems.items, key=lambda p: (p.row, p.column))),
        created=len(good) - updated,
        updated=updated,
        notes=tuple(notes),
        applied=applied,
    )
