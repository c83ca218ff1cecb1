"""A demo till: a Singapore minimart's outlet, staff and catalogue, loaded the way a pull
from head office would load them, so the demo exercises the real code paths."""

from __future__ import annotations

import uuid

from shared.demo_catalogue import (
    DEMO_STAFF,
    catalogue_changes,
    demo_catalogue,
    demo_outlet,
    demo_voucher_batch,
    master_change,
)
from shared.demo_variants import demo_variants
from shared.protocol import MasterEntity
from till.app import Till
from till.services.staff import SignedIn, hash_pin
from till.store.master import apply_changes
from till.store.models import TillIdentity
from till.store.uow import UnitOfWork

DEMO_TILL_CODE = "T01"
DEMO_PINS = ", ".join(f"{m.display_name} ({m.role}) {m.code}/{m.pin}" for m in DEMO_STAFF)


def ensure_demo_till(
    till: Till, *, products: int = 2000, till_id: str | None = None
) -> tuple[SignedIn, SignedIn]:
    """Give an empty till a demo identity (``till_id`` or a new one) and master data; sign in
    a cashier and a manager."""
    with UnitOfWork(till.store) as uow:
        if uow.session.get(TillIdentity, 1) is None:
            outlet = demo_outlet()
            uow.session.add(
                TillIdentity(
                    till_id=till_id or str(uuid.uuid4()),
                    till_code=DEMO_TILL_CODE,
                    outlet_id=str(outlet.outlet_id),
                    epoch=1,
                )
            )
            staff = [m.to_wire(hash_pin(m.pin), [outlet.outlet_id]) for m in DEMO_STAFF]
            changes = catalogue_changes(demo_catalogue(products), outlet, staff)
            batch = demo_voucher_batch()
            changes.append(master_change(MasterEntity.VOUCHER_BATCH, str(batch.batch_id), batch))
            # The demo's product families and cartons (docs/variants.md).
            apply_changes(uow.session, changes + demo_variants().changes())
            uow.commit()
    by_role = {m.role: m for m in DEMO_STAFF}
    cashier = till.staff.sign_in(by_role["cashier"].code, by_role["cashier"].pin)
    manager = till.staff.sign_in(by_role["manager"].code, by_role["manager"].pin)
    return cashier, manager
