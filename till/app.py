"""The one place where a till is wired together: store, catalogue, outlet profile, services.

Nothing is built at import time; ``open_till`` migrates the store (after a backup) and returns
the services the UI, the simulator and the sync agent share.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.cart import PriceCeiling
from shared.scale_barcode import ScaleLayout
from till.services.checkout import Checkout
from till.services.context import Clock, OutletProfile, load_profile, utc_now
from till.services.receipts import ReceiptService
from till.services.refunds import RefundService
from till.services.shifts import ShiftService
from till.services.staff import SignedIn, StaffService
from till.store.catalogue import Catalogue
from till.store.db import Store
from till.store.migrate import UpgradeResult, upgrade_store
from till.store.paths import backup_dir, store_file


@dataclass
class Till:
    data_dir: Path
    store: Store
    catalogue: Catalogue
    staff: StaffService
    shifts: ShiftService
    clock: Clock
    upgrade: UpgradeResult

    @property
    def profile(self) -> OutletProfile:
        # Read on demand: a pull may change outlet settings while the till runs.
        with self.store.read() as session:
            return load_profile(session)

    def checkout(
        self,
        cashier: SignedIn,
        *,
        ceiling: PriceCeiling | None = None,
        scale_layouts: tuple[ScaleLayout, ...] = (),
    ) -> Checkout:
        return Checkout(
            self.store,
            self.catalogue,
            self.profile,
            cashier,
            self.clock,
            ceiling=ceiling,
            scale_layouts=scale_layouts,
        )

    def refunds(self) -> RefundService:
        return RefundService(self.store, self.profile, self.clock)

    def receipts(self) -> ReceiptService:
        return ReceiptService(self.store, self.profile, self.clock)

    def close(self) -> None:
        self.store.close()


def open_till(data_dir: Path, *, clock: Clock = utc_now) -> Till:
    """Open (creating and migrating if needed) the till whose files live in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store_file(data_dir)
    result = upgrade_store(path, backup_dir=backup_dir(data_dir))
    store = Store.open(path)
    return Till(
        data_dir=data_dir,
        store=store,
        catalogue=Catalogue(store),
        staff=StaffService(store, clock),
        shifts=ShiftService(store, clock),
        clock=clock,
        upgrade=result,
    )
