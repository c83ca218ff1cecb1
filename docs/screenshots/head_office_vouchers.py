"""Screenshots of head office's gift voucher pages, taken by headless Chromium from a real
``sgpos-central serve``.

    .venv/bin/python docs/screenshots/head_office_vouchers.py [OUTDIR]   (default: this folder)

A throwaway database gets the demo company (with its GV50 batch) and a second batch; Orchard's
till sells and spends GV50 vouchers in a simulated day, and Toa Payoh's till, offline, spends
one of them again; both push. Saves ``ho-vouchers.png``, ``ho-vouchers-liability.png`` and
``ho-vouchers-flags.png``.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from head_office import PASSWORD, chromium, screenshot, sign_in  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from shared.protocol import PROTOCOL_VERSION, PushRequest, TillReport  # noqa: E402
from shared.tender import Tender, TenderType  # noqa: E402
from sync_service.central import models as m  # noqa: E402
from sync_service.central.admin.gift_vouchers import NewBatch, issue_batch  # noqa: E402
from sync_service.central.db import central_engine  # noqa: E402
from sync_service.central.ingest import apply_push  # noqa: E402
from sync_service.central.migrate import upgrade_central  # noqa: E402
from sync_service.central.seed import seed_demo  # noqa: E402
from sync_service.central.users import create_user  # noqa: E402
from tests.central import SyncedTill, enrolled_till  # noqa: E402
from tests.e2e.central_process import running_central  # noqa: E402
from tests.e2e.support_tills import CHILD_ENV  # noqa: E402
from till.simulate import simulate  # noqa: E402


def push(engine: Engine, till: SyncedTill) -> None:
    report = TillReport(
        app_version="demo",
        store_revision="demo",
        backlog=0,
        oldest_pending_at=None,
        sent_at=datetime.now(UTC),
    )
    events = till.events()
    for start in range(0, len(events), 500):
        request = PushRequest(
            protocol=PROTOCOL_VERSION, till=report, events=events[start : start + 500]
        )
        apply_push(engine, till.auth, request, now=datetime.now(UTC))


def main(argv: Sequence[str]) -> int:
    from tests import pgserver
    from tests.migrations.central_support import fresh_database

    outdir = Path(argv[0]).resolve() if argv else Path(__file__).resolve().parent
    with (
        pgserver.server_url() as server,
        fresh_database(server) as db_url,
        tempfile.TemporaryDirectory(prefix="sgpos-shots-") as work,
    ):
        upgrade_central(db_url)
        engine = central_engine(db_url, pool_size=2)
        try:
            seed_demo(engine, products=60)
            issue_batch(
                engine,
                "demo-setup",
                NewBatch("XMAS", 200, Decimal("20.00"), date(2027, 1, 31), "Christmas hampers"),
            )
            email = f"admin-{uuid.uuid4().hex[:6]}@example.com"
            create_user(engine, email=email, password=PASSWORD, role="admin", outlet_code=None)
            with Session(engine) as s:
                outlets = {o.code: o for o in s.scalars(select(m.Outlet))}
            orchard = enrolled_till(engine, Path(work) / "orc", outlets["ORC"], "T01")
            toa_payoh = enrolled_till(engine, Path(work) / "tpy", outlets["TPY"], "T01")
            for till in (orchard, toa_payoh):
                till.demo.till.shifts.open_shift(till.demo.cashier, Decimal("200.00"))
            shop = orchard.demo
            simulate(
                shop.till, 40, seed=4, cashier=shop.cashier, manager=shop.manager, gift_vouchers=6
            )
            # Toa Payoh, offline, takes GV50-000001 again for a basket worth more than $50.
            other = toa_payoh.demo
            checkout = other.till.checkout(other.cashier)
            for item in other.till.catalogue.search("Milo", limit=8):
                if not item.weighed:
                    checkout.add(item, Decimal(3))
            gift = checkout.gift_voucher_tender("GV50-000001", None)
            rest = checkout.totals().total - gift.amount
            checkout.complete([gift, Tender(TenderType.CARD, rest, reference="A12345")])
            for till in (orchard, toa_payoh):
                push(engine, till)
                till.demo.till.close()
            with running_central(db_url, Path(work), env=CHILD_ENV) as central:
                driver = chromium()
                try:
                    sign_in(driver, central.url, email)
                    for name, path in (
                        ("ho-vouchers.png", "/ho/vouchers"),
                        ("ho-vouchers-liability.png", "/ho/vouchers/liability"),
                        ("ho-vouchers-flags.png", "/ho/vouchers/flags"),
                    ):
                        driver.get(f"{central.url}{path}")
                        print(screenshot(driver, outdir / name))
                finally:
                    driver.quit()
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
