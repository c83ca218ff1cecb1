"""Bulk import of till staff from CSV, without PINs.

Columns: ``code``, ``display_name``, ``role`` (cashier, supervisor or manager), ``outlets``
(outlet codes separated by spaces or semicolons) and optionally ``active`` (yes/no).

PINs are deliberately not importable: a spreadsheet of PINs is a list of secrets that ends up
in mailboxes and download folders. New staff arrive without a PIN and cannot sign in until
head office sets one on the staff page; a row for an existing code updates that person and
keeps their PIN. Like the product import it is all or nothing, with the same dry run.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from shared.logs import get_logger
from sync_service.central.admin import fields
from sync_service.central.admin.csv_import import (
    CsvRow,
    ImportReport,
    Problems,
    read_csv,
    run_import,
)
from sync_service.central.admin.edits import FieldError
from sync_service.central.admin.staff import NO_PIN, outlet_ids_for_codes, set_outlets
from sync_service.central.models import Staff

log = get_logger("sgpos.admin.import")
REQUIRED = ("code", "display_name", "role", "outlets")
OPTIONAL = ("active",)


@dataclass(frozen=True)
class StaffLine:
    row: int
    code: str
    display_name: str
    role: str
    outlet_codes: tuple[str, ...]
    active: bool | None


@dataclass
class StaffPlan:
    lines: list[StaffLine] = field(default_factory=list)
    existing: dict[str, Any] = field(default_factory=dict)  # code -> staff_id, active
    outlets: dict[str, uuid.UUID] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)


def import_staff(
    engine: Engine, actor: str, data: bytes, *, now: datetime, dry_run: bool
) -> ImportReport:
    rows = read_csv(data, required=REQUIRED, optional=OPTIONAL)
    report = run_import(
        engine,
        actor,
        check=lambda conn: check_staff(conn, rows),
        apply=_apply,
        report=lambda plan, applied: _report(rows, plan, applied=applied),
        dry_run=dry_run,
    )
    if report.applied:
        log.info("staff.imported", rows=report.rows, created=report.created)
    return report


def check_staff(conn: Connection, rows: Sequence[CsvRow]) -> StaffPlan:
    plan = StaffPlan()
    first_row: dict[str, int] = {}
    all_codes = {
        c.strip().upper()
        for row in rows
        for c in re.split(r"[\s;,]+", row.cells.get("outlets", ""))
        if c.strip()
    }
    plan.outlets = outlet_ids_for_codes(conn, sorted(all_codes))
    for row in rows:
        line = _parse(row, plan)
        if line is None:
            continue
        if line.code in first_row:
            plan.problems.add(
                row.number, "code", f"{line.code} is also on row {first_row[line.code]}"
            )
            continue
        first_row[line.code] = row.number
        plan.lines.append(line)
    plan.existing = {
        code: staff_id
        for code, staff_id in conn.execute(
            select(Staff.code, Staff.staff_id).where(Staff.code.in_(list(first_row)))
        ).tuples()
    }
    return plan


def _parse(row: CsvRow, plan: StaffPlan) -> StaffLine | None:
    cells = row.cells
    row.check_shape(plan.problems)
    values: dict[str, Any] = {}
    checks: list[tuple[str, Any]] = [
        ("code", lambda: fields.staff_code("code", cells.get("code"))),
        ("display_name", lambda: fields.name("display_name", cells.get("display_name"))),
        ("role", lambda: fields.till_role("role", cells.get("role"))),
        ("outlet_codes", lambda: _outlets(cells.get("outlets"), plan.outlets)),
        ("active", lambda: _flag(cells.get("active"))),
    ]
    failed = False
    for key, check in checks:
        try:
            values[key] = check()
        except FieldError as error:
            plan.problems.from_error(row.number, error)
            failed = True
    if failed or row.extra_cells:
        return None
    return StaffLine(row=row.number, **values)


def _outlets(value: str | None, known: dict[str, uuid.UUID]) -> tuple[str, ...]:
    codes = [c.upper() for c in re.split(r"[\s;,]+", (value or "").strip()) if c]
    if not codes:
        raise FieldError("outlets", "missing; name the outlet codes this person works at")
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise FieldError("outlets", f"unknown outlet code {unknown[0][:10]!r}")
    return tuple(dict.fromkeys(codes))


def _flag(value: str | None) -> bool | None:
    return None if not (value or "").strip() else fields.flag("active", value, default=True)


def _apply(conn: Connection, plan: StaffPlan) -> None:
    new = [line for line in plan.lines if line.code not in plan.existing]
    old = [line for line in plan.lines if line.code in plan.existing]
    ids = {line.code: plan.existing.get(line.code) or uuid.uuid4() for line in plan.lines}
    if new:
        conn.execute(
            insert(Staff),
            [
                {
                    "staff_id": ids[line.code],
                    "code": line.code,
                    "display_name": line.display_name,
                    "role": line.role,
                    "pin_hash": NO_PIN,
                    "active": True if line.active is None else line.active,
                }
                for line in new
            ],
        )
    for line in old:
        values: dict[str, Any] = {"display_name": line.display_name, "role": line.role}
        if line.active is not None:
            values["active"] = line.active
        conn.execute(update(Staff).where(Staff.staff_id == ids[line.code]).values(**values))
    for line in plan.lines:
        set_outlets(conn, ids[line.code], [plan.outlets[c] for c in line.outlet_codes])


def _report(rows: Sequence[CsvRow], plan: StaffPlan, *, applied: bool) -> ImportReport:
    bad = plan.problems.rows
    good = [line for line in plan.lines if line.row not in bad]
    updated = sum(1 for line in good if line.code in plan.existing)
    created = len(good) - updated
    notes = (
        (f"{created} new staff member(s) need a PIN set before they can sign in",)
        if created
        else ()
    )
    return ImportReport(
        rows=len(rows),
        problems=tuple(sorted(plan.problems.items, key=lambda p: (p.row, p.column))),
        created=created,
        updated=updated,
        notes=notes,
        applied=applied,
    )
