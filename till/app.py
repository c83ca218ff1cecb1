"""The one place where a till is wired together: store, catalogue, outlet profile, services
and its sync agent.

Nothing is built at import time; ``open_till`` migrates the store (after a backup) and returns
the services the UI and the simulator use; ``Till.start_sync`` starts the sync agent on the
same store (or watches the installed service's). One ``Store`` serves them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from shared.cart import PriceCeiling
from shared.scale_barcode import ScaleLayout
from till.services.checkout import Checkout
from till.services.context import Clock, OutletProfile, load_profile, utc_now
from till.services.customers import CustomerService
from till.services.ports import UnitsOfWork
from till.services.receipts import ReceiptService
from till.services.refunds import RefundService
from till.services.shifts import ShiftService
from till.services.staff import SignedIn, StaffService
from till.services.stock import StockService
from till.store.catalogue import Catalogue
from till.store.db import Store
from till.store.migrate import UpgradeResult, upgrade_store
from till.store.paths import backup_dir, store_file
from till.store.uow import OutboxNews, UnitOfWork
from till.sync.in_app import WATCH_EVERY_S, OnStatus, Syncing, start_syncing
from till.sync.settings import AgentSettings


@dataclass
class Till:
    data_dir: Path
    store: Store
    uow: UnitsOfWork
    catalogue: Catalogue
    staff: StaffService
    shifts: ShiftService
    clock: Clock
    upgrade: UpgradeResult
    # Told by every unit of work that commits events; the sync listens once it is started.
    outbox_news: OutboxNews

    @property
    def profile(self) -> OutletProfile:
        return _profile(self.store)

    def checkout(
        self,
        cashier: SignedIn,
        *,
        ceiling: PriceCeiling | None = None,
        scale_layouts: tuple[ScaleLayout, ...] = (),
    ) -> Checkout:
        return Checkout(
            self.uow,
            self.catalogue,
            self.profile,
            cashier,
            self.clock,
            ceiling=ceiling,
            scale_layouts=scale_layouts,
            promotions=self.catalogue,
        )

    def refunds(self) -> RefundService:
        return RefundService(self.uow, self.profile, self.clock)

    def stock(self) -> StockService:
        return StockService(self.uow, self.catalogue, self.profile, self.clock)

    def receipts(self) -> ReceiptService:
        return ReceiptService(self.uow, self.profile, self.clock)

    def customers(self) -> CustomerService:
        return CustomerService(self.uow, self.profile, self.clock)

    def start_sync(
        self, settings: AgentSettings, on_status: OnStatus, *, watch_every_s: float = WATCH_EVERY_S
    ) -> Syncing:
        """Sync this till with head office the way it is set up; ``on_status`` is called from
        the sync's threads (the first time before this returns). Stop it before :meth:`close`."""
        syncing = start_syncing(
            self.data_dir,
            self.store,
            settings,
            on_status,
            clock=self.clock,
            watch_every_s=watch_every_s,
        )
        # Every committed write with events (a sale, a refund, a stock document, a shift, a
        # sign-in) asks for a push and a fresh status at once, as a sale always did.
        self.outbox_news.listen(syncing.nudge)
        return syncing

    def close(self) -> None:
        self.store.close()


def open_till(data_dir: Path, *, clock: Clock = utc_now) -> Till:
    """Open (creating and migrating if needed) the till whose files live in ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = store_file(data_dir)
    result = upgrade_store(path, backup_dir=backup_dir(data_dir))
    store = Store.open(path)
    news = OutboxNews()
    units_of_work: UnitsOfWork = partial(UnitOfWork, store, news=news)
    return Till(
        data_dir=data_dir,
        store=store,
        uow=units_of_work,
        catalogue=Catalogue(store),
        staff=StaffService(units_of_work, clock),
        shifts=ShiftService(units_of_work, partial(_profile, store), clock),
        clock=clock,
        upgrade=result,
        outbox_news=news,
    )


def _profile(store: Store) -> OutletProfile:
    # Read on demand: a pull may change outlet settings while the till runs.
    with store.read() as session:
        return load_profile(session)
