"""One head-office edit: a transaction that names its actor for the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from sync_service.central.models import MASTER_WRITE_LOCK, HeadOfficeAudit

MAX_ACTOR = 120  # ho_audit.changed_by


class AdminError(ValueError):
    """A change head office cannot make; the message says why and what to do instead."""


class FieldError(AdminError):
    """One bad value: ``field`` names the form field or CSV column, the message the reason."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@contextmanager
def head_office_edit(engine: Engine, actor: str) -> Iterator[Connection]:
    """A transaction whose trigger-written audit rows name ``actor``; commits on success.

    ``set_config(..., true)`` is ``SET LOCAL`` with a bound parameter: the actor is an email
    typed by a person, so it must never be spliced into SQL text.

    Every master-table statement takes the master writers' lock anyway (migration 0005);
    taking it first, before any row lock, means two edits never deadlock over it, and a check
    made here (a category name not yet taken, say) still holds when the write follows.
    """
    who = actor.strip()
    if not who:
        raise AdminError("a head-office change needs the signed-in user's email")
    try:
        with engine.begin() as conn:
            conn.execute(select(func.set_config("sgpos.actor", who[:MAX_ACTOR], True)))
            conn.execute(select(func.pg_advisory_xact_lock(MASTER_WRITE_LOCK)))
            yield conn
    except IntegrityError as exc:
        # The checks before each write make this a lost race with another edit of the same
        # thing (two people adding one barcode at once): the constraint held, nothing was saved.
        raise AdminError(
            f"someone else changed the same record at the same moment ({constraint_name(exc)}); "
            "nothing was saved: reload the page and try again"
        ) from None


def record_edit(
    conn: Connection,
    *,
    table: str,
    key: str,
    op: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """An audit row for a table without an audit trigger (prices, tax codes, tills, enrolment
    codes), written like the trigger writes it: same columns, same actor setting."""
    actor = func.coalesce(
        func.nullif(func.current_setting("sgpos.actor", True), ""), func.current_user()
    )
    conn.execute(
        insert(HeadOfficeAudit).values(
            table_name=table,
            key=key,
            op=op,
            before=before,
            after=after,
            changed_by=func.left(actor, MAX_ACTOR),
        )
    )


def constraint_name(exc: IntegrityError) -> str:
    """The violated constraint, to turn a lost race into a plain message."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else ""
