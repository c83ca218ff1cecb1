"""Exporting the events a till has not yet delivered to head office, to a JSON file.

Decommission ``--force`` and restore ``--force`` write one before they let those events go, so
nothing the till recorded is ever silently lost: support can hand the file to head office. The
events are in their wire form, exactly as the till would have pushed them (payload hashes
included), so head office can check and apply them as they are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from till.files import write_atomically
from till.store.db import Store
from till.store.models import TillIdentity
from till.store.outbox import pending, to_wire

# Far above a shop's backlog; the outbox is read in one transaction either way.
MAX_EXPORTED = 10_000_000
# Events of a till that never had an identity (a demo store) still need a till id on the wire.
_NO_TILL = "00000000-0000-0000-0000-000000000000"


def export_unsent(store_path: Path, target: Path) -> int:
    """Write every unacknowledged event to ``target``; the number written."""
    store = Store.open(store_path)
    try:
        with store.read() as s:
            ident = s.get(TillIdentity, 1)
            till_id = ident.till_id if ident else None
            events = [
                to_wire(row, till_id or _NO_TILL).model_dump(mode="json")
                for row in pending(s, MAX_EXPORTED)
            ]
            who = {
                "till_id": till_id,
                "till_code": ident.till_code if ident else None,
                "outlet_id": ident.outlet_id if ident else None,
            }
    finally:
        store.close()
    body = {
        "what": "SG-POS events this till had not delivered to head office",
        "exported_at": datetime.now(UTC).isoformat(),
        **who,
        "events": events,
    }
    write_atomically(target, json.dumps(body, indent=1, sort_keys=True) + "\n")
    # Read back: a file that does not parse, or lost events, is not an export.
    again = json.loads(target.read_text(encoding="utf-8"))
    if len(again["events"]) != len(events):
        raise OSError(f"the export {target} did not read back complete")
    return len(events)
