"""Building real tills (real SQLite files, migrated) for tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from shared.gst import SINGAPORE
from till.app import Till, open_till
from till.demo import ensure_demo_till
from till.services.staff import SignedIn


@dataclass
class FakeClock:
    """A shop clock that moves a few seconds each time anyone looks at it."""

    now: datetime = field(default_factory=lambda: datetime(2025, 3, 1, 10, 0, tzinfo=SINGAPORE))
    step: timedelta = timedelta(seconds=3)

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@dataclass
class DemoTill:
    till: Till
    cashier: SignedIn
    manager: SignedIn
    clock: FakeClock


def demo_till(
    data_dir: Path,
    *,
    products: int = 60,
    clock: FakeClock | None = None,
    till_id: str | None = None,
) -> DemoTill:
    clock = clock or FakeClock()
    till = open_till(data_dir, clock=clock)
    cashier, manager = ensure_demo_till(till, products=products, till_id=till_id)
    return DemoTill(till, cashier, manager, clock)
