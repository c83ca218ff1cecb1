"""Every unit of work that commits events for head office tells the till's sync once, after
the commit; one that commits none, or rolls back, tells nobody; a listener that fails does not
undo or hide a committed write."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.integration.test_checkout import standard_barcodes
from tests.tills import DemoTill, demo_till
from till.services.stock import StockLine
from till.store.models import OutboxEvent

D = Decimal


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[DemoTill]:
    demo = demo_till(tmp_path / "till")
    yield demo
    demo.till.close()


def outbox(shop: DemoTill) -> int:
    with shop.till.store.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxEvent)) or 0


def failed_write(shop: DemoTill) -> None:
    with shop.till.uow() as uow:
        uow.audit("test.nothing", actor=None, at=shop.clock())
        raise ValueError("before the commit")


def test_each_commit_with_events_is_news_once(shop: DemoTill) -> None:
    heard: list[int] = []
    shop.till.outbox_news.listen(lambda: heard.append(outbox(shop)))
    shop.till.shifts.open_shift(shop.manager, D("100.00"))
    assert heard == [outbox(shop)]  # after the commit: the shift's events are already there
    stock = shop.till.stock()
    item = stock.product(standard_barcodes(shop.till.store, 1)[0])
    stock.receive(shop.manager, [StockLine(item, D(2), D("1.00"))])
    assert heard == [heard[0], outbox(shop)]
    # A read, a commit with no events and a failed write are no news.
    stock.on_hand([item.product_id])
    with shop.till.uow() as uow:
        uow.next_number("stock:nothing")
        uow.commit()
    with pytest.raises(ValueError, match="before the commit"):
        failed_write(shop)
    assert len(heard) == 2


def test_a_failing_listener_leaves_the_write_committed(shop: DemoTill) -> None:
    def broken() -> None:
        raise RuntimeError("the status line is gone")

    shop.till.outbox_news.listen(broken)
    before = outbox(shop)
    shop.till.shifts.open_shift(shop.manager, D("100.00"))  # does not raise
    assert shop.till.shifts.current() is not None
    assert outbox(shop) > before
