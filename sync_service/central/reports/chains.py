"""Each till's audit chain: verified, still being checked, or broken at its first bad link.

Only records beyond the verified mark that ingest keeps (``sync_service.central.audit_chains``)
are re-hashed here, so a page view costs what arrived since the last push, not a year.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, select

from sync_service.central import models as m
from sync_service.central.audit_chains import CATCH_UP_LIMIT, Mark, stored_records, verify_from
from sync_service.central.reports.common import Scope, table

CHECK, TILL, OUTLET = table(m.AuditChainCheck), table(m.Till), table(m.Outlet)
ChainState = Literal["verified", "broken", "checking"]


@dataclass(frozen=True)
class ChainStatus:
    """One chain (a till's ``epoch``): ``status`` verified (every record 1..records links and
    hashes correctly), broken (``first_broken_seq`` is the first bad link, ``reason`` says
    why) or checking (verified up to ``verified_to_seq``; the rest is checked on later
    looks). ``records``: the highest seq head office holds."""

    till_id: uuid.UUID
    till_code: str
    outlet_id: uuid.UUID
    outlet_code: str
    epoch: int
    records: int
    status: ChainState
    verified_to_seq: int
    first_broken_seq: int | None
    reason: str | None
    marked_at: datetime

    @property
    def verified(self) -> bool:
        return self.status == "verified"


def audit_chains(conn: Connection, scope: Scope) -> list[ChainStatus]:
    """Every audit chain of the tills in scope, by outlet code, till code and epoch."""
    rows = conn.execute(
        select(
            CHECK.c.till_id,
            TILL.c.code,
            TILL.c.outlet_id,
            OUTLET.c.code,
            CHECK.c.epoch,
            CHECK.c.verified_seq,
            CHECK.c.verified_hash,
            CHECK.c.head_seq,
            CHECK.c.verified_at,
        )
        .join(TILL, TILL.c.till_id == CHECK.c.till_id)
        .join(OUTLET, OUTLET.c.outlet_id == TILL.c.outlet_id)
        .where(scope.clause(TILL.c.outlet_id))
        .order_by(OUTLET.c.code, TILL.c.code, CHECK.c.epoch)
    ).all()
    result = []
    for till_id, till_code, outlet_id, outlet_code, epoch, seq, digest, head, at in rows:
        mark = Mark(seq, digest, head)
        status: ChainState = "verified"
        broken: int | None = None
        reason: str | None = None
        verified_to = seq
        if seq < head:
            rest = stored_records(conn, till_id, epoch, seq, CATCH_UP_LIMIT)
            verdict, verified_to, _ = verify_from(mark, rest)
            if not verdict.ok:
                status, broken, reason = "broken", verdict.first_bad_seq, verdict.reason
            elif verified_to < head:
                if len(rest) < CATCH_UP_LIMIT:
                    # Fewer records than the head promises: the next one is missing.
                    status, broken = "broken", verified_to + 1
                    reason = f"record {broken} is missing"
                else:
                    status = "checking"
        result.append(
            ChainStatus(
                till_id=till_id,
                till_code=till_code,
                outlet_id=outlet_id,
                outlet_code=outlet_code,
                epoch=epoch,
                records=head,
                status=status,
                verified_to_seq=verified_to,
                first_broken_seq=broken,
                reason=reason,
                marked_at=at,
            )
        )
    return result
