"""Bulk import of product families and packs from CSV: every row or none (docs/variants.md).

Each row is a product (the products import's columns and rules: ``sku``, ``name``, ``price``,
``tax_code``; ``barcode``, ``category``, ``active``), plus what makes it a variant or a pack:

- ``family`` and ``options`` (``Size=500ml; Flavour=Jasmine``, at most three): a variant of
  that family. A family's variants all have the same option names, and no two the same values.
- ``pack_of`` (the unit product's SKU, in the file or stored) and ``pack_units`` (2 to
  10,000): a pack that sells and is received as one line while stock moves in units. A unit
  cannot itself be a pack, and a pack's unit and count never change once written (sales made
  before and after must move stock the same way): a different carton is a new product.

A row must be at least one of the two, or the unit of a pack in the same file; other plain
products go in the products import. The same
checks run again inside the import's one transaction; any rejected row means nothing is
written.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from shared.logs import get_logger
from shared.protocol import MAX_OPTIONS, MAX_PACK_UNITS
from shared.text import whole_number
from sync_service.central.admin import fields
from sync_service.central.admin.csv_import import (
    CsvRow,
    ImportReport,
    Problems,
    read_csv,
    run_import,
)
from sync_service.central.admin.edits import FieldError
from sync_service.central.admin.product_import import OPTIONAL as PRODUCT_OPTIONAL
from sync_service.central.admin.product_import import REQUIRED as PRODUCT_REQUIRED
from sync_service.central.admin.product_import import ProductPlan, check_products
from sync_service.central.admin.product_import import _apply as apply_products
from sync_service.central.admin.product_import import _report as product_report
from sync_service.central.models import Product, ProductVariant

log = get_logger("sgpos.admin.import")
REQUIRED = PRODUCT_REQUIRED
OPTIONAL = (
    "family",
    "options",
    "pack_of",
    "pack_units",
    *(c for c in PRODUCT_OPTIONAL if c not in ("weighed", "effective_from")),
)
MAX_OPTION = 40


@dataclass(frozen=True)
class VariantLine:
    row: int
    sku: str
    family: str | None
    options: dict[str, str]
    pack_of: str | None  # the unit's SKU
    pack_units: int | None


@dataclass
class FamilyPlan:
    products: ProductPlan
    problems: Problems  # the products' own list: one list of every row's problems
    variants: list[VariantLine] = field(default_factory=list)


def import_families(
    engine: Engine, actor: str, data: bytes, *, now: datetime, dry_run: bool
) -> ImportReport:
    rows = read_csv(data, required=REQUIRED, optional=OPTIONAL)
    report = run_import(
        engine,
        actor,
        check=lambda conn: check_families(conn, rows, now),
        apply=lambda conn, plan: _apply(conn, actor, plan, now),
        report=lambda plan, applied: _report(rows, plan, now, applied=applied),
        dry_run=dry_run,
    )
    if report.applied:
        log.info("families.imported", rows=report.rows, created=report.created)
    return report


def parse_options(value: str | None) -> dict[str, str]:
    """``Size=500ml; Flavour=Jasmine`` as ``{"Size": "500ml", "Flavour": "Jasmine"}``."""
    out: dict[str, str] = {}
    for part in (value or "").replace("\n", ";").split(";"):
        if not part.strip():
            continue
        name, equals, chosen = part.partition("=")
        name, chosen = name.strip(), chosen.strip()
        if not equals or not name or not chosen:
            raise FieldError("options", f"{part.strip()!r} is not Name=Value (e.g. Size=500ml)")
        if len(name) > MAX_OPTION or len(chosen) > MAX_OPTION:
            raise FieldError("options", f"{part.strip()!r}: at most {MAX_OPTION} characters each")
        if name.lower() in {k.lower() for k in out}:
            raise FieldError("options", f"{name} is given twice")
        out[name] = chosen
    if len(out) > MAX_OPTIONS:
        raise FieldError("options", f"at most {MAX_OPTIONS} options (size, colour, flavour)")
    return out


def _pack_units(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    units = whole_number(text)
    if units is None or not 2 <= units <= MAX_PACK_UNITS:
        raise FieldError(
            "pack_units", f"{text[:20]!r}: a whole number of units from 2 to {MAX_PACK_UNITS:,}"
        )
    return units


def _parse(row: CsvRow) -> tuple[VariantLine | None, list[FieldError]]:
    cells = row.cells
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("sku", lambda: fields.name("sku", cells.get("sku"))),
        ("family", lambda: fields.optional_name("family", cells.get("family"))),
        ("options", lambda: parse_options(cells.get("options"))),
        ("pack_of", lambda: fields.optional_name("pack_of", cells.get("pack_of"))),
        ("pack_units", lambda: _pack_units(cells.get("pack_units"))),
    ]
    for key, check in checks:
        try:
            values[key] = check()
        except FieldError as error:
            errors.append(error)
    if errors:
        return None, errors
    line = VariantLine(row=row.number, **values)
    if line.family and not line.options:
        errors.append(FieldError("options", f"a variant of {line.family} needs its options"))
    if line.options and not line.family:
        errors.append(FieldError("family", "options belong to a family: name it"))
    if (line.pack_of is None) != (line.pack_units is None):
        missing = "pack_units" if line.pack_units is None else "pack_of"
        errors.append(FieldError(missing, "a pack needs both pack_of and pack_units"))
    if line.pack_of is not None and line.pack_of == line.sku:
        errors.append(FieldError("pack_of", "a pack cannot be a pack of itself"))
    return (None if errors else line), errors


def check_families(conn: Connection, rows: Sequence[CsvRow], now: datetime) -> FamilyPlan:
    products = check_products(conn, rows, now)
    plan = FamilyPlan(products, products.problems)
    problems = plan.problems
    lines: list[VariantLine] = []
    for row in rows:
        line, errors = _parse(row)
        for error in errors:
            problems.from_error(row.number, error)
        if line is not None:
            lines.append(line)
    units_in_file = {line.pack_of for line in lines if line.pack_of}
    for line in [x for x in lines if not x.family and x.pack_of is None]:
        lines.remove(line)
        if line.sku not in units_in_file:  # a pack's unit may come in the same file
            problems.add(
                line.row,
                "(whole row)",
                "give a family and options, or pack_of and pack_units (or make it the unit "
                "of a pack in this file); plain products go in the products import",
            )
    in_file = {line.sku: line for line in lines}
    stored = _stored(conn, [*in_file, *(x.pack_of for x in lines if x.pack_of)])
    known_skus = set(plan.products.existing) | {x.sku for x in plan.products.lines}
    for line in lines:
        if line.pack_of is None:
            continue
        unit = in_file.get(line.pack_of)
        unit_stored = stored.get(line.pack_of)
        if line.pack_of not in known_skus and line.pack_of not in stored:
            problems.add(line.row, "pack_of", f"no product has SKU {line.pack_of}")
        elif (unit is not None and unit.pack_of) or (
            unit is None and unit_stored is not None and unit_stored["pack_of"] is not None
        ):
            problems.add(line.row, "pack_of", f"{line.pack_of} is itself a pack: name its unit")
        before = stored.get(line.sku)
        if (
            before is not None
            and before["pack_of_sku"] is not None
            and (before["pack_of_sku"], before["pack_units"]) != (line.pack_of, line.pack_units)
        ):
            problems.add(
                line.row,
                "pack_units" if before["pack_of_sku"] == line.pack_of else "pack_of",
                f"{line.sku} is a pack of {before['pack_units']} x {before['pack_of_sku']}; "
                "a pack's unit and count never change: make a new product for another carton",
            )
    _check_families(conn, lines, problems)
    bad = problems.rows
    plan.variants = [line for line in lines if line.row not in bad]
    return plan


def _check_families(conn: Connection, lines: list[VariantLine], problems: Problems) -> None:
    by_family: dict[str, list[VariantLine]] = {}
    for line in lines:
        if line.family:
            by_family.setdefault(line.family.lower(), []).append(line)
    if not by_family:
        return
    skus_in_file = {line.sku for line in lines}
    v, p = ProductVariant, Product
    others: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for family, sku, options in conn.execute(
        select(v.family, p.sku, v.options)
        .join(p, p.product_id == v.product_id)
        .where(v.family.is_not(None))
    ).tuples():
        if family is not None and family.lower() in by_family and sku not in skus_in_file:
            others.setdefault(family.lower(), []).append((sku, dict(options)))
    for key, members in by_family.items():
        names = {k.lower() for k in members[0].options}
        reference = f"row {members[0].row}"
        if key in others:
            sku, options = others[key][0]
            names = {k.lower() for k in options}
            reference = f"{sku}, already in the family"
        seen: dict[tuple[tuple[str, str], ...], str] = {
            _values(options): sku for sku, options in others.get(key, [])
        }
        for line in members:
            if {k.lower() for k in line.options} != names:
                problems.add(
                    line.row,
                    "options",
                    f"the family's variants all have the same option names (as {reference})",
                )
                continue
            values = _values(line.options)
            if values in seen:
                problems.add(line.row, "options", f"{seen[values]} has these options already")
            else:
                seen[values] = f"row {line.row}"


def _values(options: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k.lower(), v.lower()) for k, v in options.items()))


def _stored(conn: Connection, skus: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Stored variants by SKU, with their pack's unit SKU."""
    if not skus:
        return {}
    v, p, unit = ProductVariant, Product, Product.__table__.alias("unit")
    rows = conn.execute(
        select(p.sku, v.pack_of, v.pack_units, unit.c.sku)
        .join(v, v.product_id == p.product_id)
        .outerjoin(unit, unit.c.product_id == v.pack_of)
        .where(p.sku.in_(sorted(set(skus))))
    ).tuples()
    return {
        sku: {"pack_of": pack_of, "pack_units": units, "pack_of_sku": unit_sku}
        for sku, pack_of, units, unit_sku in rows
    }


def _apply(conn: Connection, actor: str, plan: FamilyPlan, now: datetime) -> None:
    apply_products(conn, actor, plan.products, now)
    skus = {line.sku for line in plan.variants} | {
        line.pack_of for line in plan.variants if line.pack_of
    }
    # A Result has keys(), so dict() would take it for a mapping: build the dict by hand.
    ids: dict[str, uuid.UUID] = {
        sku: pid
        for sku, pid in conn.execute(
            select(Product.sku, Product.product_id).where(Product.sku.in_(skus))
        ).tuples()
    }
    if not plan.variants:
        return
    statement = pg_insert(ProductVariant)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[ProductVariant.product_id],
            set_={
                "family": statement.excluded.family,
                "options": statement.excluded.options,
                "pack_of": statement.excluded.pack_of,
                "pack_units": statement.excluded.pack_units,
            },
        ),
        [
            {
                "product_id": ids[line.sku],
                "family": line.family,
                "options": line.options,
                "pack_of": ids[line.pack_of] if line.pack_of else None,
                "pack_units": line.pack_units,
            }
            for line in plan.variants
        ],
    )


def _report(
    rows: Sequence[CsvRow], plan: FamilyPlan, now: datetime, *, applied: bool
) -> ImportReport:
    base = product_report(rows, plan.products, now, applied=applied)
    bad = plan.problems.rows
    good = [line for line in plan.variants if line.row not in bad]
    families = {line.family.lower() for line in good if line.family}
    packs = sum(1 for line in good if line.pack_of)
    variants = sum(1 for line in good if line.family)
    note = f"{variants} variant(s) in {len(families)} family(ies), {packs} pack(s)"
    return ImportReport(
        rows=base.rows,
        problems=tuple(sorted(base.problems, key=lambda p: (p.row, p.column))),
        created=base.created,
        updated=base.updated,
        notes=(*base.notes, note),
        applied=applied,
    )
