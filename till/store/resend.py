"""Sending an event again when head office asks (a quarantined event it could not take then).

The record goes up as a new event: the same kind and payload under the next seq and a new
event id, queued in the transaction that stored head office's request, so it is sent exactly
once. ``resent_as`` marks the request done; pulling the same decision again never clears it
(the master-data upsert leaves that column alone), so nothing is sent twice. An event this
store never held (a store restored from an older backup) cannot be sent again: the request
stays open and the diagnostics view says so.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from shared.protocol import EventKind
from till.store.models import OutboxEvent, QuarantineOutcome
from till.store.uow import UnitOfWork

RESEND = "resend"


def send_again_as_asked(uow: UnitOfWork, at: datetime) -> list[str]:
    """Queue every event head office asked for again and not yet queued; their new ids."""
    session = uow.session
    asked = session.execute(
        select(QuarantineOutcome.event_id, OutboxEvent.kind, OutboxEvent.payload)
        .join(OutboxEvent, OutboxEvent.event_id == QuarantineOutcome.event_id)
        .where(QuarantineOutcome.outcome == RESEND, QuarantineOutcome.resent_as.is_(None))
        .order_by(OutboxEvent.epoch, OutboxEvent.seq)
    ).all()
    sent = []
    for event_id, kind, payload in asked:
        body: dict[str, Any] = json.loads(payload)
        new_id = uow.emit(EventKind(kind), functools.partial(dict, body), at)
        session.execute(
            update(QuarantineOutcome)
            .where(QuarantineOutcome.event_id == event_id)
            .values(resent_as=new_id)
        )
        sent.append(new_id)
    return sent
