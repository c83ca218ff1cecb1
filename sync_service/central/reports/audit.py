"""The audit trail (till records and head-office edits) and each till's chain status.

Till records keep ``occurred_at`` as the till sealed it: UTC ISO-8601 text with microseconds
and a ``Z``, so text order is time order; head-office edits are put in the same form and the
two lists are merged newest first.

Head-office edits of the catalogue, staff and users concern every outlet, so an outlet
manager's scope shows only edits of their own outlet's settings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    String,
    Uuid,
    and_,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from sync_service.central import models as m
from sync_service.central.reports.common import (
    ReportError,
    Scope,
    decode_cursor,
    encode_cursor,
    page_limit,
    sgt_midnight,
    table,
)

AUDIT, HO_AUDIT = table(m.AuditRecord), table(m.HeadOfficeAudit)
TILL, OUTLET, STAFF = table(m.Till), table(m.Outlet), table(m.Staff)
# Never shown, whatever a trigger or a till put in a record.
SECRET_KEYS = frozenset({"pin_hash", "password_hash", "secret_hash", "secret", "pin", "csrf_token"})
Source = Literal["till", "head_office"]


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional. ``source`` keeps till records or head-office edits only;
    ``action`` matches the start of an action (``sale.`` finds every sale action) or, for
    head-office edits, the table name; ``actor`` the staff id / e-mail or name, any case."""

    source: Source | None = None
    outlet_id: uuid.UUID | None = None
    till_id: uuid.UUID | None = None
    action: str | None = None
    actor: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.source not in (None, "till", "head_office"):
            raise ReportError("source must be 'till' or 'head_office'")
        for name in ("action", "actor"):
            value = getattr(self, name)
            if value is not None and len(value) > 120:
                raise ReportError(f"the {name} filter is too long: at most 120 characters")


@dataclass(frozen=True)
class AuditEntry:
    """One record. For till records: ``till_*``, ``epoch``/``seq`` (chain position),
    ``actor`` a staff id and ``actor_name`` their name. For head-office edits: ``action`` is
    ``<table>.<insert|update|delete>``, ``subject`` the row key and ``actor`` who (e-mail).
    ``before``/``after`` with secrets removed."""

    source: Source
    at: datetime
    outlet_code: str | None
    till_id: uuid.UUID | None
    till_code: str | None
    epoch: int | None
    seq: int | None
    actor: str | None
    actor_name: str | None
    action: str
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class AuditPage:
    rows: tuple[AuditEntry, ...]
    next_cursor: str | None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("(hidden)" if k in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def audit_trail(
    conn: Connection, scope: Scope, f: AuditFilter, *, after: str | None, limit: int = 50
) -> AuditPage:
    """Till audit records and head-office edits in scope matching ``f``, newest first."""
    limit = page_limit(limit)
    start = _iso(sgt_midnight(f.date_from)) if f.date_from else None
    end = _iso(sgt_midnight(f.date_to + timedelta(days=1))) if f.date_to else None
    key_after = decode_cursor(after, 2) if after is not None else None

    till_conditions = [scope.clause(TILL.c.outlet_id)]
    if f.outlet_id is not None:
        till_conditions.append(TILL.c.outlet_id == f.outlet_id)
    if f.till_id is not None:
        till_conditions.append(AUDIT.c.till_id == f.till_id)
    if f.action:
        till_conditions.append(AUDIT.c.action.like(_prefix(f.action.strip()), escape="\\"))
    if f.actor:
        till_conditions.append(
            or_(
                AUDIT.c.actor == f.actor.strip(),
                STAFF.c.display_name.ilike(_prefix(f.actor.strip()), escape="\\"),
            )
        )
    if start:
        till_conditions.append(AUDIT.c.occurred_at >= start)
    if end:
        till_conditions.append(AUDIT.c.occurred_at < end)
    till_key = func.concat(
        "t:",
        cast(AUDIT.c.till_id, String),
        ":",
        func.lpad(cast(AUDIT.c.epoch, String), 6, "0"),
        ":",
        func.lpad(cast(AUDIT.c.seq, String), 12, "0"),
    )
    if key_after:
        till_conditions.append(
            tuple_(AUDIT.c.occurred_at, till_key)
            < tuple_(literal(key_after[0]), literal(key_after[1]))
        )
    till_part = (
        select(
            literal("till").label("source"),
            AUDIT.c.occurred_at.label("at"),
            till_key.label("key"),
            OUTLET.c.code.label("outlet_code"),
            AUDIT.c.till_id,
            TILL.c.code.label("till_code"),
            AUDIT.c.epoch,
            AUDIT.c.seq,
            AUDIT.c.actor,
            STAFF.c.display_name.label("actor_name"),
            AUDIT.c.action,
            AUDIT.c.subject,
            AUDIT.c.before,
            AUDIT.c.after,
        )
        .select_from(AUDIT)
        .join(TILL, TILL.c.till_id == AUDIT.c.till_id)
        .join(OUTLET, OUTLET.c.outlet_id == TILL.c.outlet_id)
        .outerjoin(STAFF, cast(STAFF.c.staff_id, String) == AUDIT.c.actor)
        .where(and_(*till_conditions))
        .order_by(AUDIT.c.occurred_at.desc(), till_key.desc())
        .limit(limit + 1)
    )
    parts = []
    if f.source in (None, "till"):
        parts.append(till_part)
    if f.source in (None, "head_office") and f.till_id is None:
        parts.append(_head_office_part(scope, f, start, end, key_after, limit))
    if not parts:
        return AuditPage((), None)
    merged = union_all(*parts).subquery("merged")
    rows = (
        conn.execute(
            select(merged).order_by(merged.c.at.desc(), merged.c.key.desc()).limit(limit + 1)
        )
        .mappings()
        .all()
    )
    entries = tuple(
        AuditEntry(
            source=r["source"],
            at=datetime.fromisoformat(r["at"].replace("Z", "+00:00")),
            outlet_code=r["outlet_code"],
            till_id=r["till_id"],
            till_code=r["till_code"],
            epoch=r["epoch"],
            seq=r["seq"],
            actor=r["actor"],
            actor_name=r["actor_name"],
            action=r["action"],
            subject=r["subject"],
            before=_redact(r["before"]),
            after=_redact(r["after"]),
        )
        for r in rows[:limit]
    )
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    return AuditPage(entries, encode_cursor(last["at"], last["key"]) if last else None)


def _head_office_part(
    scope: Scope,
    f: AuditFilter,
    start: str | None,
    end: str | None,
    key_after: list[str] | None,
    limit: int,
) -> Any:
    at = func.to_char(func.timezone("UTC", HO_AUDIT.c.changed_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    key = func.concat("h:", func.lpad(cast(HO_AUDIT.c.audit_id, String), 19, "0"))
    conditions: list[Any] = []
    if scope.outlet_ids is not None or f.outlet_id is not None:
        ids = sorted(scope.outlet_ids or ()) if f.outlet_id is None else [f.outlet_id]
        if scope.outlet_ids is not None:
            ids = [i for i in ids if i in scope.outlet_ids]
        conditions.append(
            and_(HO_AUDIT.c.table_name == "outlet", HO_AUDIT.c.key.in_([str(i) for i in ids]))
        )
    if f.action:
        conditions.append(
            func.concat(HO_AUDIT.c.table_name, ".", HO_AUDIT.c.op).like(
                _prefix(f.action.strip()), escape="\\"
            )
        )
    if f.actor:
        conditions.append(HO_AUDIT.c.changed_by.ilike(_prefix(f.actor.strip()), escape="\\"))
    if f.date_from:
        conditions.append(HO_AUDIT.c.changed_at >= sgt_midnight(f.date_from))
    if f.date_to:
        conditions.append(HO_AUDIT.c.changed_at < sgt_midnight(f.date_to + timedelta(days=1)))
    if key_after:
        # The bound on changed_at lets the index serve; the exact key decides ties.
        moment = datetime.fromisoformat(key_after[0].replace("Z", "+00:00"))
        conditions.append(HO_AUDIT.c.changed_at <= moment)
        conditions.append(tuple_(at, key) < tuple_(literal(key_after[0]), literal(key_after[1])))
    return (
        select(
            literal("head_office").label("source"),
            at.label("at"),
            key.label("key"),
            OUTLET.c.code.label("outlet_code"),
            cast(null(), Uuid()).label("till_id"),
            cast(null(), String).label("till_code"),
            cast(null(), Integer).label("epoch"),
            cast(null(), BigInteger).label("seq"),
            HO_AUDIT.c.changed_by.label("actor"),
            cast(null(), String).label("actor_name"),
            func.concat(HO_AUDIT.c.table_name, ".", HO_AUDIT.c.op).label("action"),
            HO_AUDIT.c.key.label("subject"),
            HO_AUDIT.c.before,
            HO_AUDIT.c.after,
        )
        .select_from(HO_AUDIT)
        .outerjoin(
            OUTLET,
            and_(
                HO_AUDIT.c.table_name == "outlet",
                cast(OUTLET.c.outlet_id, String) == HO_AUDIT.c.key,
            ),
        )
        .where(and_(true(), *conditions))
        .order_by(HO_AUDIT.c.changed_at.desc(), HO_AUDIT.c.audit_id.desc())
        .limit(limit + 1)
    )
